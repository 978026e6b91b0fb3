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
from urllib.parse import parse_qsl, unquote, urlsplit

from datakit.errors import ConfigError
from datakit.secrets import Secret, mask_url
from datakit.timeouts import Timeouts

LogFormat = Literal["json", "console"]
Role = Literal["source", "warehouse"]

_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:+\-]{1,128}$")
_TENANT = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_EXPECTED = (
    "expected scheme://user:password@host:port/database, with '@', ':', '/', '?', '#', '%' and "
    "spaces in user or password percent-encoded (%40 %3A %2F %3F %23 %25 %20)"
)


@dataclass(frozen=True)
class UrlParts:
    """A connection URL taken apart, every part percent-decoded; the password is a secret."""

    scheme: str
    username: str | None
    password: Secret | None
    host: str | None
    port: int | None
    database: str
    query: tuple[tuple[str, str], ...]


def parse_url(value: str, variable: str) -> UrlParts:
    """Take a connection URL apart strictly, or raise a one-line :class:`ConfigError`.

    Why strict: a lenient parser (``urlsplit``, libpq) splits a malformed URL somewhere inside the
    password and then quotes the "host" or "port" it found, which is part of the password. So
    every ambiguity is refused here, and the message names *variable* and the problem but never
    repeats any part of the value.
    """

    def bad(problem: str) -> ConfigError:
        return ConfigError(f"{variable} is not a valid connection URL: {problem}; {_EXPECTED}")

    match = _SCHEME.match(value)
    if match is None:
        raise bad("it does not start with a scheme such as postgresql://")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise bad("it contains a space or a control character")
    if _BAD_ESCAPE.search(value):
        raise bad("it has a '%' that is not followed by two hex digits")
    rest = value[match.end() :]
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    if "@" in tail:
        raise bad("it has an '@' after the host part (an unencoded '/', '?' or '#' before it)")
    if authority.count("@") > 1:
        raise bad("it has more than one '@' before the host")
    if "#" in tail:
        raise bad("it has a '#' fragment")
    userinfo, at, hostport = authority.rpartition("@")
    username = password = None
    try:
        if at:
            user_text, colon, password_text = userinfo.partition(":")
            username = unquote(user_text, errors="strict") or None
            password = unquote(password_text, errors="strict") if colon else None
        path, _, query_text = tail.partition("?")
        database = unquote(path.lstrip("/"), errors="strict")
        query = tuple(parse_qsl(query_text, keep_blank_values=True, errors="strict"))
    except UnicodeDecodeError:
        raise bad("a percent-encoded part is not UTF-8") from None
    if "\0" in f"{username}{password}{database}" or any("\0" in k + v for k, v in query):
        raise bad("it has an encoded NUL character (%00)")
    try:
        where = urlsplit(f"x://{hostport}")
        port = where.port
        host = unquote(where.hostname, errors="strict") if where.hostname else None
        if port == 0:
            raise ValueError("port 0")
    except (ValueError, UnicodeDecodeError):
        raise bad(
            "its host:port is malformed (one host; the port a number from 1 to 65535)"
        ) from None
    return UrlParts(
        scheme=match.group("scheme").lower(),
        username=username,
        password=Secret(password) if password is not None else None,
        host=host,
        port=port,
        database=database,
        query=query,
    )


@dataclass(frozen=True)
class DatabaseUrl:
    """A connection URL whose password never prints; ``masked`` is the form for logs."""

    secret: Secret
    variable: str

    @property
    def masked(self) -> str:
        return mask_url(self.secret.reveal())

    @property
    def parts(self) -> UrlParts:
        """The URL taken apart (raises :class:`ConfigError` naming the variable if malformed)."""
        try:
            return parse_url(self.secret.reveal(), self.variable)
        except ConfigError as exc:
            raise ConfigError(f"config error: {exc.message}") from None

    @property
    def scheme(self) -> str:
        return self.parts.scheme

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
        run_id: str | None = None,
    ) -> RunnerSettings:
        """Read and validate every ``DATAKIT_*`` variable; report all problems in one error.

        *run_id* is a command's ``--run-id``: it wins over ``DATAKIT_RUN_ID`` and is checked
        the same way (options reach the settings as arguments, never through the environment).
        """
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
        given = "--run-id " if run_id else "DATAKIT_RUN_ID="
        run_id = run_id or env.get("DATAKIT_RUN_ID") or uuid.uuid4().hex
        if not _SAFE_ID.match(run_id):
            problems.append(
                f"{given}{run_id!r} has characters outside [A-Za-z0-9_.:+-] or is too long"
            )
        try:
            Timeouts.from_env(env)
        except ConfigError as exc:
            problems.append(exc.message)
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
                decoded = url.parts.password
                if decoded is not None:
                    found.append(decoded.reveal())
        return tuple(dict.fromkeys(found))


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
    parse_url(value, variable)
    return DatabaseUrl(secret=Secret(value), variable=variable)


def _stderr_is_tty() -> bool:
    try:
        return os.isatty(2)
    except OSError:
        return False


__all__ = ["DatabaseUrl", "LogFormat", "RunnerSettings", "UrlParts", "parse_url", "read_secret"]
