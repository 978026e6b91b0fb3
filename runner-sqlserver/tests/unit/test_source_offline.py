"""Source pieces that need no server: the datetimeoffset converter and the entry point."""

from __future__ import annotations

import struct
from datetime import datetime, timedelta, timezone

from datakit.plugins import registered
from datakit_runner_sqlserver.source import SqlServerSource, datetimeoffset_value


def test_datetimeoffset_struct_becomes_an_aware_datetime() -> None:
    raw = struct.pack("<6hI2h", 2026, 12, 2, 15, 4, 5, 123456789, -5, -30)
    value = datetimeoffset_value(raw)
    assert value == datetime(
        2026, 12, 2, 15, 4, 5, 123456, tzinfo=timezone(-timedelta(hours=5, minutes=30))
    )
    assert datetimeoffset_value(None) is None


def test_registered_as_the_sqlserver_source() -> None:
    assert registered("datakit.sources")["sqlserver"].load() is SqlServerSource
