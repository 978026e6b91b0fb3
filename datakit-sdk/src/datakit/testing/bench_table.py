"""The benchmarks' source table: one definition, so every runner's benchmark reads the same rows.

An order-like table (bigint key, text, numeric(12, 2), a status, two timestamptz) filled by
``generate_series``; ``updated_at`` is indexed, as an incremental cursor should be.
"""

from __future__ import annotations

from typing import Any

_STATEMENTS = (
    """CREATE TABLE public.{name} (
        id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(12, 2) NOT NULL,
        status text NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)""",
    """INSERT INTO public.{name}
       SELECT i, 'customer-' || (i % 50000), (i % 100000) / 100.0,
              (ARRAY['new', 'paid', 'shipped'])[1 + i % 3],
              timestamptz '2024-01-01' + i * interval '1 second',
              timestamptz '2024-01-01' + i * interval '1 second'
       FROM generate_series(1, {rows}) i""",
    "CREATE INDEX ON public.{name} (updated_at)",
    "VACUUM ANALYZE public.{name}",
)


def create_bench_table(conn: Any, name: str, rows: int) -> None:
    """Create and fill ``public.<name>`` with *rows* rows on an autocommit psycopg connection
    (VACUUM cannot run in a transaction)."""
    for statement in _STATEMENTS:
        conn.execute(statement.format(name=name, rows=rows))


__all__ = ["create_bench_table"]
