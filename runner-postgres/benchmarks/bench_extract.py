"""Benchmark: runner-postgres against the psql binary COPY pipe, measured in the same run.

Prints, for one embedded Postgres cluster:

- full refresh of a 2,000,000-row table: ``psql COPY TO STDOUT (FORMAT binary) | psql COPY FROM
  STDIN`` wall time, ``runner-postgres extract`` wall time, and their ratio (targets: >= 0.8x);
- peak RSS of the runner at 1M and 4M rows and their ratio (targets: < 150 MB, ratio <= 1.2);
- an incremental run picking up 1% changed rows of the 2M table against the full refresh
  (target: <= 5%);
- ``runner-postgres --version`` wall time (target: < 0.5 s).

Absolute times depend on the machine; the ratios are what to compare. Usage (from
runner-postgres/): ``uv run python benchmarks/bench_extract.py [--rows 2000000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from typing import Any

import psycopg

from datakit.testing.postgres import start_embedded

TABLE_SQL = """
CREATE TABLE public.{name} (
    id bigint PRIMARY KEY,
    customer text NOT NULL,
    amount numeric(12, 2) NOT NULL,
    status text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
INSERT INTO public.{name}
SELECT i, 'customer-' || (i % 50000), (i % 100000) / 100.0, (ARRAY['new','paid','shipped'])[1 + i % 3],
       timestamptz '2024-01-01' + i * interval '1 second', timestamptz '2024-01-01' + i * interval '1 second'
FROM generate_series(1, {rows}) i;
CREATE INDEX ON public.{name} (updated_at);
VACUUM ANALYZE public.{name};
"""


def run_measured(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"{argv} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}"
        )
    return seconds, usage.ru_maxrss * 1024


def psql_pipe(src: str, wh: str, table: str) -> float:
    with psycopg.connect(wh, autocommit=True) as conn:
        conn.execute(f"TRUNCATE pipe_{table}")
    t0 = time.perf_counter()
    subprocess.run(
        f"psql -X -q '{src}' -c 'COPY public.{table} TO STDOUT (FORMAT binary)' | "
        f"psql -X -q '{wh}' -c 'COPY public.pipe_{table} FROM STDIN (FORMAT binary)'",
        shell=True,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rss-rows", type=int, nargs=2, default=[1_000_000, 4_000_000])
    args = parser.parse_args()
    if not shutil.which("psql"):
        raise SystemExit(
            "psql is needed for the reference pipe (apt-get install postgresql-client)"
        )

    server = start_embedded()
    try:
        src = server.create_database("bench_src")
        wh = server.create_database("bench_wh")
        runner = [sys.executable, "-m", "datakit_runner_postgres"]
        env = {
            **os.environ,
            "DATAKIT_SOURCE_URL": src,
            "DATAKIT_WAREHOUSE_URL": wh,
            "DATAKIT_LOG_FORMAT": "json",
        }
        print(
            f"setting up tables ({args.rows:,} rows; RSS at {args.rss_rows[0]:,} and {args.rss_rows[1]:,})...",
            flush=True,
        )
        with psycopg.connect(src, autocommit=True) as conn:
            for name, rows in (
                ("main", args.rows),
                ("rss_a", args.rss_rows[0]),
                ("rss_b", args.rss_rows[1]),
            ):
                for statement in TABLE_SQL.format(name=name, rows=rows).split(";\n"):
                    if statement.strip():
                        conn.execute(statement)
        # The pipe's target: same columns as the source table (created through the runner once).
        subprocess.run(
            [*runner, "extract", "--table", "public.main", "--target-table", "warmup"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with psycopg.connect(wh, autocommit=True) as conn:
            conn.execute("CREATE TABLE public.pipe_main (LIKE bronze.warmup)")
            conn.execute(
                "ALTER TABLE public.pipe_main DROP COLUMN _datakit_loaded_at, DROP COLUMN _datakit_run_id"
            )

        pipe_times, runner_times = [], []
        for _ in range(args.repeat):
            pipe_times.append(psql_pipe(src, wh, "main"))
            seconds, _rss = run_measured([*runner, "extract", "--table", "public.main"], env)
            runner_times.append(seconds)
        pipe = statistics.median(pipe_times)
        full = statistics.median(runner_times)

        rss: dict[str, Any] = {}
        for name in ("rss_a", "rss_b"):
            _s, rss[name] = run_measured([*runner, "extract", "--table", f"public.{name}"], env)

        inc = [
            *runner,
            "extract",
            "--table",
            "public.main",
            "--target-table",
            "main_inc",
            "--mode",
            "incremental",
            "--cursor",
            "updated_at",
        ]
        run_measured(inc, env)
        with psycopg.connect(src, autocommit=True) as conn:
            conn.execute(
                "UPDATE public.main SET status = 'changed', updated_at = timestamptz '2030-01-01' + id * interval '1 ms' WHERE id % 100 = 0"
            )
        incremental, _ = run_measured(inc, env)

        version_times = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([*runner, "--version"], check=True, stdout=subprocess.DEVNULL)
            version_times.append(time.perf_counter() - t0)
        version = statistics.median(version_times)
    finally:
        server.stop()

    mb = 1024 * 1024
    print()
    print(f"rows                                   {args.rows:,}")
    print(f"psql binary COPY pipe (median of {args.repeat})     {pipe:8.2f} s")
    print(f"runner-postgres full refresh (median)  {full:8.2f} s")
    print(
        f"throughput ratio runner/pipe           {pipe / full:8.2f} x   (target >= 0.80, goal 0.95)"
    )
    print(
        f"peak RSS at {args.rss_rows[0]:>9,} rows             {rss['rss_a'] / mb:8.1f} MB  (target < 150)"
    )
    print(f"peak RSS at {args.rss_rows[1]:>9,} rows             {rss['rss_b'] / mb:8.1f} MB")
    print(
        f"RSS ratio                              {rss['rss_b'] / rss['rss_a']:8.2f}     (target <= 1.20)"
    )
    print(
        f"incremental, 1% changed                {incremental:8.2f} s = {incremental / full:.1%} of full refresh (target <= 5%)"
    )
    print(f"runner-postgres --version (median)     {version:8.3f} s   (target < 0.5)")


if __name__ == "__main__":
    main()
