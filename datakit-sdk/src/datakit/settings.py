"""Runner settings from the environment: where to connect and who runs, never what to do.

Connection URLs carry passwords, so they come only from the environment or from a secret file
(``*_FILE``, as Docker and Kubernetes mount secrets), never from argv.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from datakit.errors import ConfigError
from datakit.secrets import Secret, mask_url

LogFormat = Literal["json", "console"]
Role = Literal["source", "warehouse"]

_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:+\-]{1,128}$")
_TENANT = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class DatabaseUrl:
    """A connection URL whose password never prints; ``masked`` is the form for logs."""

    secret: Secret
    variable: str

    @property
    def masked(self) -> str:
        return mask_url(self.secret.reveal())

    @property
    def scheme(self) -> str:
        return urlsplit(self.secret.reveal()).scheme.lower()

    def __str__(self) -> str:
        return self.masked


@dataclass(frozen=True)
class RunnerSettings:
    """Everything a runner reads from its environment, validated at once."""

    source_url: DatabaseUrl | None
    warehouse_url: DatabaseUrl | None
    tenant: str | None
    run_id: str
    log_format: LogFormat

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        require: tuple[Role, ...] = (),
    ) -> RunnerSettings:
        """Read and validate every ``DATAKIT_*`` variable; report all problems in one error."""
        env = os.environ if environ is None else environ
        problems: list[str] = []
        urls: dict[str, DatabaseUrl | None] = {}
        for role in ("source", "warehouse"):
            try:
                urls[role] = _read_url(env, f"DATAKIT_{role.upper()}_URL", required=role in require)
            except ConfigError as exc:
                problems.append(exc.message)
                urls[role] = None

        tenant = env.get("DATAKIT_TENANT") or None
        if tenant is not None and not _TENANT.match(tenant):
            problems.append(
                f"DATAKIT_TENANT={tenant!r} is not a tenant id "
                "(lowercase letters, digits and _, starting with a letter, at most 40)"
            )
        run_id = env.get("DATAKIT_RUN_ID") or uuid.uuid4().hex
        if not _SAFE_ID.match(run_id):
            problems.append(
                f"DATAKIT_RUN_ID={run_id!r} has characters outside [A-Za-z0-9_.:+-] or is too long"
            )
        log_format = env.get("DATAKIT_LOG_FORMAT") or ("console" if _stderr_is_tty() else "json")
        if log_format not in ("json", "console"):
            problems.append(f"DATAKIT_LOG_FORMAT={log_format!r} must be json or console")
        if problems:
            raise ConfigError("config error: " + "; ".join(problems))
        return cls(
            source_url=urls["source"],
            warehouse_url=urls["warehouse"],
            tenant=tenant,
            run_id=run_id,
            log_format=log_format,  # type: ignore[arg-type]
        )

    def require_url(self, role: Role) -> DatabaseUrl:
        url = self.source_url if role == "source" else self.warehouse_url
        if url is None:
            name = f"DATAKIT_{role.upper()}_URL"
            raise ConfigError(f"config error: {name} is not set (set it or {name}_FILE)")
        return url

    def secrets(self) -> tuple[str, ...]:
        """Raw secret strings, for the log processor that masks them wherever they appear."""
        found: list[str] = []
        for url in (self.source_url, self.warehouse_url):
            if url is not None:
                password = urlsplit(url.secret.reveal()).password
                if password:
                    found.append(password)
        return tuple(found)


def read_secret(env: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """The value of *name* or of the file named by ``{name}_FILE``, and which variable gave it.

    Docker and Kubernetes mount secrets as files; both forms work, setting both is an error.
    """
    direct = env.get(name)
    file_name = env.get(f"{name}_FILE")
    if direct and file_name:
        raise ConfigError(f"{name} and {name}_FILE are both set (keep one)")
    if file_name:
        try:
            value = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE={file_name} cannot be read ({exc.strerror})") from None
        if not value:
            raise ConfigError(f"{name}_FILE={file_name} is empty")
        return value, f"{name}_FILE"
    if direct:
        return direct.strip(), name
    return None


def _read_url(env: Mapping[str, str], name: str, *, required: bool) -> DatabaseUrl | None:
    found = read_secret(env, name)
    if found is not None:
        return _validated(*found)
    if required:
        raise ConfigError(f"{name} is not set (set it or {name}_FILE)")
    return None


def _validated(value: str, variable: str) -> DatabaseUrl:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError as exc:
        raise ConfigError(f"{variable} is not a valid URL ({exc}): {mask_url(value)}") from None
    if not parts.scheme or "://" not in value:
        raise ConfigError(
            f"{variable} is not a URL like postgresql://user:password@host:5432/db: {mask_url(value)}"
        )
    return DatabaseUrl(secret=Secret(value), variable=variable)


def _stderr_is_tty() -> bool:
    try:
        return os.isatty(2)
    except OSError:
        return False


__all__ = ["DatabaseUrl", "LogFormat", "RunnerSettings", "read_secret"]
