"""SCRAM-SHA-256 password verifiers computed on the client, in the form Postgres stores.

``CREATE ROLE ... PASSWORD 'clear text'`` shows the password to every server log that records
DDL (``log_statement = ddl``) and to ``pg_stat_activity``. Postgres also accepts the verifier it
would have computed itself; sending that, the clear password never leaves this process.

The format (RFC 5802 and RFC 7677, as Postgres stores it in ``pg_authid.rolpassword``)::

    SCRAM-SHA-256$<iterations>:<salt base64>$<StoredKey base64>:<ServerKey base64>
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stringprep
import unicodedata

ITERATIONS = 4096  # Postgres' default scram_iterations
SALT_BYTES = 16  # Postgres' SCRAM_DEFAULT_SALT_LEN
# RFC 3454 table C.1.2 as Postgres spells it (Python's stringprep derives it from today's
# Unicode data, which no longer counts U+200B ZERO WIDTH SPACE as a space).
_NON_ASCII_SPACES = frozenset([0x00A0, 0x1680, *range(0x2000, 0x200C), 0x202F, 0x205F, 0x3000])


def scram_sha256_verifier(
    password: str, *, iterations: int = ITERATIONS, salt: bytes | None = None
) -> str:
    """The verifier Postgres stores for *password* (a fresh random salt unless one is given)."""
    if iterations < 1:
        raise ValueError("iterations must be positive")
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    salted = hashlib.pbkdf2_hmac("sha256", saslprep(password), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    return f"SCRAM-SHA-256${iterations}:{_b64(salt)}${_b64(stored_key)}:{_b64(server_key)}"


def saslprep(password: str) -> bytes:
    """The password's bytes as Postgres and libpq hash them (RFC 4013 SASLprep).

    Both sides normalise the password before hashing, and both fall back to the raw UTF-8 bytes
    when SASLprep refuses it (prohibited characters, bad bidirectional text); doing exactly the
    same here is what makes a verifier computed on the client match what libpq sends at login.
    """
    raw = password.encode("utf-8")
    if password.isascii():
        # Postgres skips SASLprep for pure ASCII (control characters included).
        return raw
    mapped = "".join(
        " " if ord(ch) in _NON_ASCII_SPACES else ch
        for ch in password
        if ord(ch) in _NON_ASCII_SPACES or not stringprep.in_table_b1(ch)
    )
    normalized = unicodedata.normalize("NFKC", mapped)
    if not normalized:
        return raw
    prohibited = (
        lambda ch: ord(ch) in _NON_ASCII_SPACES,
        stringprep.in_table_c21,
        stringprep.in_table_c22,
        stringprep.in_table_c3,
        stringprep.in_table_c4,
        stringprep.in_table_c5,
        stringprep.in_table_c6,
        stringprep.in_table_c7,
        stringprep.in_table_c8,
        stringprep.in_table_c9,
        stringprep.in_table_a1,  # unassigned code points: refused for stored strings
    )
    if any(check(ch) for ch in normalized for check in prohibited):
        return raw
    has_randal = any(stringprep.in_table_d1(ch) for ch in normalized)
    if has_randal and (
        any(stringprep.in_table_d2(ch) for ch in normalized)
        or not stringprep.in_table_d1(normalized[0])
        or not stringprep.in_table_d1(normalized[-1])
    ):
        return raw
    return normalized.encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


__all__ = ["ITERATIONS", "SALT_BYTES", "saslprep", "scram_sha256_verifier"]
