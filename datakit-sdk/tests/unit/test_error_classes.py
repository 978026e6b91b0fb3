"""Which exit code a database error gets: whether a retry can help decides transient or not."""

from __future__ import annotations

import psycopg

from datakit.errors import ConfigError, TransientError
from datakit.warehouses.postgres.connection import classify


def test_object_not_in_prerequisite_state_is_config_not_transient() -> None:
    # e.g. reading a materialized view created WITH NO DATA: every retry fails until a REFRESH.
    exc = psycopg.errors.lookup("55000")('materialized view "mv" has not been populated')
    error = classify(exc, "source x")
    assert isinstance(error, ConfigError) and error.exit_code == 3
    assert "has not been populated" in error.message


def test_lock_not_available_stays_transient() -> None:
    exc = psycopg.errors.lookup("55P03")("could not obtain lock")
    assert isinstance(classify(exc, "warehouse x"), TransientError)
