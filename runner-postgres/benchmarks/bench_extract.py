"""Benchmark: runner-postgres against the psql binary COPY pipe, measured in the same run.

Prints, for one embedded Postgres cluster:

- full refresh of a 2,000,000-row table: ``psql COPY TO STDOUT (FORMAT binary) | psql COPY FROM
  STDIN`` wall time, ``runner-postgres extract`` wall time, and their ratio (target >= 0.8x);
- peak RSS of the runner at 1M and 4M rows and their ratio (targets: < 150 MB, ratio <= 1.2);
- an incremental run picking up 1% changed rows of the 2M table against the full refresh
  (target <= 5%), as whole processes and as the loads' own time (from the result line);
- ``runner-postgres --version`` wall time (target < 0.5 s).

Each pair is measured interleaved and the best of ``--repeat`` runs is kept: the machines are
shared and noisy, and the minimum is the least disturbed measurement. Absolute times depend on
the machine; compare the ratios. From runner-postgres/:
``uv run python benchmarks/bench_extract.py [--rows 2000000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import psycopg

from datakit.testing.bench_table import create_bench_table
from datakit.testing.postgres import start_embedded


def run_measured(argv: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (bytes) and the load's own seconds (from the result line)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    stdout = proc.stdout.read() if proc.stdout else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv} failed: {stdout.decode()[-2000:]}")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    return seconds, usage.ru_maxrss * 1024, float(result["tables"][0]["seconds"])


def psql_pipe(src: str, wh: str) -> float:
    with psycopg.connect(wh, autocommit=True) as conn:
        conn.execute("TRUNCATE public.pipe_main")
    t0 = time.perf_counter()
    subprocess.run(
        f"psql -X -q '{src}' -c 'COPY public.main TO STDOUT (FORMAT binary)' | "
        f"psql -X -q '{wh}' -c 'COPY public.pipe_main FROM STDIN (FORMAT binary)'",
        shell=True,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def psql_pipe_into_bronze(src: str, wh: str) -> float:
    """The same pipe into the runner's bronze table, in one transaction with TRUNCATE and the
    metadata columns filled by their defaults: what a bronze load adds to a bare pipe."""
    script = (
        "BEGIN; SET LOCAL datakit.run_id = 'bench'; TRUNCATE bronze.bench_src__main; "
        "COPY bronze.bench_src__main (id, customer, amount, status, created_at, updated_at) "
        "FROM STDIN (FORMAT binary); COMMIT"
    )
    t0 = time.perf_counter()
    subprocess.run(
        f"psql -X -q '{src}' -c 'COPY public.main TO STDOUT (FORMAT binary)' | "
        f"psql -X -q '{wh}' -c \"{script}\"",
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
            f"setting up: {args.rows:,} rows; RSS at {args.rss_rows[0]:,} and {args.rss_rows[1]:,}"
        )
        with psycopg.connect(src, autocommit=True) as conn:
            for name, rows in (
                ("main", args.rows),
                ("rss_a", args.rss_rows[0]),
                ("rss_b", args.rss_rows[1]),
            ):
                create_bench_table(conn, name, rows)
        with psycopg.connect(wh, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE public.pipe_main (id bigint, customer text, amount numeric(12, 2), "
                "status text, created_at timestamptz, updated_at timestamptz)"
            )

        pipe_times, full_times, full_load_times = [], [], []
        for _ in range(args.repeat):
            pipe_times.append(psql_pipe(src, wh))
            seconds, _rss, load_seconds = run_measured(
                [*runner, "extract", "--table", "public.main"], env
            )
            full_times.append(seconds)
            full_load_times.append(load_seconds)
        pipe, full, full_load = min(pipe_times), min(full_times), min(full_load_times)
        pipe_bronze = min(psql_pipe_into_bronze(src, wh) for _ in range(args.repeat))

        rss = {}
        for name in ("rss_a", "rss_b"):
            _s, rss[name], _l = run_measured([*runner, "extract", "--table", f"public.{name}"], env)

        inc = [
            *runner, "extract", "--table", "public.main", "--target-table", "main_inc",
            "--mode", "incremental", "--cursor", "updated_at",
        ]  # fmt: skip
        run_measured(inc, env)
        inc_times, inc_load_times = [], []
        for round_ in range(args.repeat):
            with psycopg.connect(src, autocommit=True) as conn:
                conn.execute(
                    "UPDATE public.main SET status = 'changed', "
                    "updated_at = timestamptz '2030-01-01' + %s * interval '1 day' + id * interval '1 ms' "
                    "WHERE id %% 100 = %s",
                    (round_, round_),
                )
            seconds, _rss, load_seconds = run_measured(inc, env)
            inc_times.append(seconds)
            inc_load_times.append(load_seconds)
        incremental, incremental_load = min(inc_times), min(inc_load_times)

        version_times = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([*runner, "--version"], check=True, stdout=subprocess.DEVNULL)
            version_times.append(time.perf_counter() - t0)
        version = min(version_times)
    finally:
        server.stop()

    mb = 1024 * 1024
    print()
    print(f"rows                                     {args.rows:,}")
    print(f"psql binary COPY pipe (best of {args.repeat})        {pipe:8.2f} s")
    print(
        f"runner-postgres full refresh (best)      {full:8.2f} s   (load itself {full_load:.2f} s)"
    )
    print(
        f"throughput ratio runner/pipe             {pipe / full:8.2f} x   (target >= 0.80, goal 0.95)"
    )
    print(f"  same, load time only                   {pipe / full_load:8.2f} x")
    print(
        f"psql pipe into the bronze table (best)   {pipe_bronze:8.2f} s   (metadata defaults, TRUNCATE, one transaction)"
    )
    print(f"  load time vs that pipe                 {pipe_bronze / full_load:8.2f} x")
    print(
        f"peak RSS at {args.rss_rows[0]:>9,} rows               {rss['rss_a'] / mb:8.1f} MB  (target < 150)"
    )
    print(f"peak RSS at {args.rss_rows[1]:>9,} rows               {rss['rss_b'] / mb:8.1f} MB")
    print(
        f"RSS ratio                                {rss['rss_b'] / rss['rss_a']:8.2f}     (target <= 1.20)"
    )
    print(
        f"incremental, 1% changed (best)           {incremental:8.2f} s = {incremental / full:.1%} of full refresh (target <= 5%)"
    )
    print(
        f"  same, load time only                   {incremental_load:8.2f} s = {incremental_load / full_load:.1%}"
    )
    print(f"runner-postgres --version (best of 5)    {version:8.3f} s   (target < 0.5)")


if __name__ == "__main__":
    main()
