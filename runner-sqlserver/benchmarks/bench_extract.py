"""Benchmark: runner-sqlserver against ``bcp ... queryout | psql COPY``, measured in the same run.

Needs a SQL Server (the GitHub workflow's service container): ``DATAKIT_BENCH_SQLSERVER_URL``,
an ``mssql://`` URL of a login that may create a database (``sa`` of the service container).
Without it the script says so and exits 0: no SQL Server can run on the development machines.

It creates database ``datakit_bench`` with a 2,000,000-row table ``dbo.orders`` (bigint key,
nvarchar, decimal, varchar, two datetime2), starts an embedded Postgres as the warehouse, then
measures, best of ``--repeat`` interleaved runs:

- the reference pipe: ``bcp "SELECT ..." queryout FIFO -c`` (Microsoft's mssql-tools18 ``bcp``,
  else FreeTDS's ``freebcp``) read by ``psql -c "\\copy ... FROM FIFO"`` into a plain table;
- ``runner-sqlserver extract --table dbo.orders`` (full refresh into bronze).

It prints rows/s of both and the ratio pipe_seconds / runner_seconds (goal: >= 0.5), and the
read rates alone (nothing written) of pyodbc ``fetchmany``, the runner's reader, and of
arrow-odbc's columnar batches, the alternative: the numbers that decide the default. ``bcp``
takes its password in argv (it has no other way); the service container's ``sa`` password is a
throw-away value of the CI job, never a real secret.
From runner-sqlserver/: ``uv run python benchmarks/bench_extract.py [--rows N] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from datakit.engines.sqlserver.connection import connect
from datakit.secrets import Secret
from datakit.settings import DatabaseUrl, parse_url
from datakit.testing.postgres import start_embedded

URL_VARIABLE = "DATAKIT_BENCH_SQLSERVER_URL"
DATABASE = "datakit_bench"
COLUMNS = "id, customer, amount, status, created_at, updated_at"
SETUP = (
    f"IF DB_ID('{DATABASE}') IS NOT NULL DROP DATABASE [{DATABASE}]",
    f"CREATE DATABASE [{DATABASE}]",
    f"ALTER DATABASE [{DATABASE}] SET ALLOW_SNAPSHOT_ISOLATION ON",
)
TABLE = """
CREATE TABLE dbo.orders (
    id bigint NOT NULL PRIMARY KEY, customer nvarchar(40) NOT NULL, amount decimal(12, 2) NOT NULL,
    status varchar(10) NOT NULL, created_at datetime2(6) NOT NULL, updated_at datetime2(6) NOT NULL);
WITH d AS (SELECT n FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) AS v(n)),
numbers AS (
    SELECT TOP ({rows}) ROW_NUMBER() OVER (ORDER BY (SELECT NULL)) AS i
    FROM d a CROSS JOIN d b CROSS JOIN d c CROSS JOIN d e CROSS JOIN d f CROSS JOIN d g
    CROSS JOIN d h)
INSERT INTO dbo.orders WITH (TABLOCK)
SELECT i, CONCAT(N'customer-', i % 50000), (i % 100000) / 100.0,
       CHOOSE(1 + i % 3, 'new', 'paid', 'shipped'),
       DATEADD(second, i, CAST('2024-01-01' AS datetime2(6))),
       DATEADD(second, i, CAST('2024-01-01' AS datetime2(6)))
FROM numbers;
"""
PIPE_TABLE = (
    "CREATE TABLE public.pipe_orders (id bigint, customer text, amount numeric(12, 2), "
    "status text, created_at timestamp(6), updated_at timestamp(6))"
)


def bench_url(url: str, database: str) -> str:
    """*url* with its path set to *database* (the URL's query kept)."""
    head, _, query = url.partition("?")
    scheme_host = head.rsplit("/", 1)[0] if head.count("/") > 2 else head
    return f"{scheme_host}/{database}" + (f"?{query}" if query else "")


def execute(url: str, *statements: str) -> None:
    conn = connect(DatabaseUrl(Secret(url), URL_VARIABLE), role="bench", autocommit=True)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def bcp_pipe(url: str, warehouse: str, table: str) -> float:
    """Seconds for bcp queryout -> FIFO -> psql \\copy into *table*."""
    parts = parse_url(url, URL_VARIABLE)
    password = parts.password.reveal() if parts.password else ""
    bcp = shutil.which("bcp") or shutil.which("/opt/mssql-tools18/bin/bcp")
    query = f"SELECT {COLUMNS} FROM [{DATABASE}].dbo.orders"
    if bcp:
        argv = [
            bcp,
            query,
            "queryout",
            "{fifo}",
            "-c",
            "-u",
            "-S",
            f"tcp:{parts.host},{parts.port or 1433}",
            "-U",
            parts.username or "sa",
            "-P",
            password,
        ]
    else:
        freebcp = shutil.which("freebcp")
        if freebcp is None:
            raise SystemExit("needs bcp (mssql-tools18) or freebcp (apt-get install freetds-bin)")
        argv = [
            freebcp,
            query,
            "queryout",
            "{fifo}",
            "-c",
            "-S",
            f"{parts.host}:{parts.port or 1433}",
            "-U",
            parts.username or "sa",
            "-P",
            password,
        ]
    with tempfile.TemporaryDirectory() as folder:
        fifo = Path(folder) / "rows"
        os.mkfifo(fifo, 0o600)
        argv = [str(fifo) if a == "{fifo}" else a for a in argv]
        subprocess.run(["psql", "-X", "-q", warehouse, "-c", f"TRUNCATE {table}"], check=True)
        t0 = time.perf_counter()
        reader = subprocess.Popen(
            ["psql", "-X", "-q", warehouse, "-c", f"\\copy {table} FROM '{fifo}'"],
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        if reader.wait() != 0:
            raise SystemExit("psql \\copy of the bcp output failed")
        return time.perf_counter() - t0


def read_rates(source: str, batch_rows: int = 50_000) -> dict[str, float | str]:
    """Rows/s of the two read paths on the same query, nothing written: pyodbc ``fetchmany``
    (the runner's default) and arrow-odbc's columnar batches (the alternative the issue names)."""
    from datakit.engines.sqlserver.odbc import build_connection_string

    query = f"SELECT {COLUMNS} FROM dbo.orders"
    conn = connect(DatabaseUrl(Secret(source), URL_VARIABLE), role="bench", autocommit=True)
    try:
        t0 = time.perf_counter()
        cursor = conn.cursor()
        cursor.arraysize = batch_rows
        cursor.execute(query)
        rows = 0
        while batch := cursor.fetchmany(batch_rows):
            rows += len(batch)
        rates: dict[str, float | str] = {
            "read_pyodbc_rows_per_second": round(rows / (time.perf_counter() - t0))
        }
    finally:
        conn.close()
    try:
        from arrow_odbc import read_arrow_batches_from_odbc
    except ImportError:
        rates["read_arrow_odbc_rows_per_second"] = "arrow-odbc not installed"
        return rates
    connection_string = build_connection_string(DatabaseUrl(Secret(source), URL_VARIABLE))
    t0 = time.perf_counter()
    reader = read_arrow_batches_from_odbc(
        query=query,
        connection_string=connection_string.secret.reveal(),
        batch_size=batch_rows,
    )
    rows = sum(batch.num_rows for batch in reader)
    rates["read_arrow_odbc_rows_per_second"] = round(rows / (time.perf_counter() - t0))
    return rates


def runner_extract(env: dict[str, str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "datakit_runner_sqlserver",
            "extract",
            "--table",
            "dbo.orders",
            "--source-name",
            "bench",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"runner-sqlserver failed ({done.returncode}): {done.stdout[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return seconds, int(result["tables"][0]["rows"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    url = os.environ.get(URL_VARIABLE)
    if not url:
        print(f"skipped: {URL_VARIABLE} is not set (no SQL Server here; the workflow sets it)")
        return
    if not shutil.which("psql"):
        raise SystemExit(
            "psql is needed for the reference pipe (apt-get install postgresql-client)"
        )
    execute(url, *SETUP)
    source = bench_url(url, DATABASE)
    print(f"setting up: {args.rows:,} rows in {DATABASE}.dbo.orders")
    execute(source, TABLE.format(rows=args.rows))
    server = start_embedded()
    try:
        warehouse = server.create_database("bench_wh")
        subprocess.run(["psql", "-X", "-q", warehouse, "-c", PIPE_TABLE], check=True)
        env = {
            **os.environ,
            "DATAKIT_SOURCE_URL": source,
            "DATAKIT_WAREHOUSE_URL": warehouse,
            "DATAKIT_LOG_FORMAT": "json",
        }
        pipe_best = runner_best = float("inf")
        rows = 0
        for _ in range(args.repeat):
            pipe_best = min(pipe_best, bcp_pipe(url, warehouse, "public.pipe_orders"))
            seconds, rows = runner_extract(env)
            runner_best = min(runner_best, seconds)
        summary = {
            "rows": rows,
            "pipe_seconds": round(pipe_best, 2),
            "pipe_rows_per_second": round(rows / pipe_best),
            "runner_seconds": round(runner_best, 2),
            "runner_rows_per_second": round(rows / runner_best),
            "ratio": round(pipe_best / runner_best, 3),
            "goal": ">= 0.5",
            **read_rates(source),
        }
        print(json.dumps(summary))
    finally:
        server.stop()
        execute(url, f"IF DB_ID('{DATABASE}') IS NOT NULL DROP DATABASE [{DATABASE}]")


if __name__ == "__main__":
    main()
