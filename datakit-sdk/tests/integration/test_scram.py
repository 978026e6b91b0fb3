"""The client-side SCRAM verifier equals the one Postgres computes itself for the same salt."""

from __future__ import annotations

import base64

import pytest
from psycopg import sql

from datakit.testing import pg
from datakit.warehouses.postgres.scram import scram_sha256_verifier

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "password",
    [
        "Plain-Pw-1",
        "p@ss:w/o%rd #?x",
        "Pässwörd-ﬁ\u00a0end",  # non-ASCII: NFKC maps the ligature, C.1.2 the no-break space
        "x\u200bzero-width",  # B.1: mapped to nothing
        "bad\u0007bell-ä",  # prohibited control character: Postgres hashes the raw bytes
    ],
    ids=["ascii", "specials", "saslprep-maps", "saslprep-removes", "saslprep-refuses"],
)
def test_verifier_matches_the_servers_own(pg_database: str, password: str) -> None:
    role = "scram_probe"
    pg.execute(
        pg_database,
        sql.SQL(
            "SET password_encryption = 'scram-sha-256'; DROP ROLE IF EXISTS {0}; "
            "CREATE ROLE {0} PASSWORD {1}"
        ).format(sql.Identifier(role), sql.Literal(password)),
    )
    try:
        stored = pg.scalar(
            pg_database, "SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)
        )
        iterations, salt = stored.split("$")[1].split(":")
        ours = scram_sha256_verifier(
            password, iterations=int(iterations), salt=base64.b64decode(salt)
        )
        assert ours == stored
    finally:
        pg.execute(pg_database, sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_fresh_salt_each_time() -> None:
    first, second = scram_sha256_verifier("pw"), scram_sha256_verifier("pw")
    assert first != second
    assert first.startswith("SCRAM-SHA-256$4096:")
    assert len(base64.b64decode(first.split("$")[1].split(":")[1])) == 16
