"""Secret values that never print, and masking for logs, result lines and error messages.

Known secret values are registered once per process (:func:`register_secrets`); every masking
call then hides them wherever they appear, so a driver message that quotes a password cannot
carry it into the logs, the result line or XCom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

_MASK = "***"
_URL_PASSWORD = re.compile(
    r"(?P<head>[a-z][a-z0-9+.\-]*://[^:/@\s]*:)(?P<password>[^@\s]*)(?=@)", re.I
)
_KV_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<password>'[^']*'|\S+)", re.I)
_known: tuple[str, ...] = ()


def register_secrets(secrets: tuple[str, ...]) -> None:
    """Remember secret values so that no masked text can print them, wherever they hide."""
    global _known
    values = set(_known) | {value for value in secrets if value}
    _known = tuple(sorted(values, key=len, reverse=True))


def known_secrets() -> tuple[str, ...]:
    """The registered secret values, longest first (so a longer one is masked whole)."""
    return _known


@dataclass(frozen=True)
class Secret:
    """A string that shows as ``***`` in repr, str, logs and tracebacks.

    Call :meth:`reveal` at the single place where the value is handed to a driver.
    """

    _value: str = field(repr=False)

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return _MASK

    def __repr__(self) -> str:
        return f"Secret({_MASK})"


def mask_url(url: str) -> str:
    """Return *url* with its password replaced by ``***`` (user, host, port and db stay visible)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return mask_text(url)
    if parts.password is None:
        return mask_text(url)
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return parts._replace(netloc=f"{user}:{_MASK}@{netloc[1]}").geturl()


def mask_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Mask every URL password, ``password=...`` pair and secret value in *text*.

    The values masked are *secrets* and every value registered with :func:`register_secrets`.
    """
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + _MASK, text)
    text = _KV_PASSWORD.sub(lambda m: m.group("head") + _MASK, text)
    for secret in sorted({*secrets, *_known}, key=len, reverse=True):
        if secret and len(secret) >= 3:
            text = text.replace(secret, _MASK)
    return text


__all__ = ["Secret", "known_secrets", "mask_text", "mask_url", "register_secrets"]
