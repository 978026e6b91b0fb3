"""Benchmark: runner-spark's full refresh against runner-postgres's, measured in the same run.

Prints, for one embedded Postgres cluster and a 2,000,000-row table:

- ``runner-postgres extract`` (full refresh into a Postgres warehouse, run from runner-postgres's
  own venv): wall time and the load's own time (result line);
- ``runner-spark extract`` into a local Spark catalog (``local[N]``, Derby metastore in a temp
  folder) with ``--partitions`` 1, 2 and 4: wall time, the load's own time ("after the session
  is up"), and the difference, the fixed cost of a JVM, a Spark session and the metastore;
- the ratio of Spark's rows/s (load time) to runner-postgres's (goal >= 0.5x on 2 cores) and the
  per-partition rate the README's cluster model starts from.

Best of ``--repeat`` runs per measurement (shared, noisy machines: the minimum is the least
disturbed). Not a test: it asserts nothing. From runner-spark/:
``uv run --frozen python benchmarks/bench_extract.py [--rows 2000000] [--repeat 1] [--cores 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import psycopg

from datakit.testing.bench_table import create_bench_table
from datakit.testing.postgres import start_embedded

COMPONENT = Path(__file__).resolve().parents[1]
RUNNER_POSTGRES_PYTHON = COMPONENT.parent / "runner-postgres" / ".venv" / "bin" / "python"


def run_measured(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, seconds after the Spark session was up, and rows.

    "Up" is the runner's ``spark_jdbc_read`` event (the session exists and the read's bounds
    are known; what follows is the read, the Parquet write and the publish). Without that event
    (runner-postgres) the second number is the load's own seconds from the result line.
    """
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{argv[:4]} failed ({done.returncode}): {done.stderr[-3000:]}")
    table = json.loads(done.stdout.strip().splitlines()[-1])["tables"][0]
    after_up = float(table["seconds"])
    for line in done.stderr.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("event") == "spark_jdbc_read":
            up = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
            after_up = seconds - (up - started).total_seconds()
    return seconds, after_up, int(table["rows"])


def catalog_conf(root: Path, cores: int) -> dict[str, str]:
    return {
        "spark.master": f"local[{cores}]",
        "spark.driver.memory": "2g",
        "spark.sql.warehouse.dir": str(root / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={root / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={root}",
        "spark.sql.shuffle.partitions": str(cores),
        "spark.ui.enabled": "false",
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cores", type=int, default=2, help="local[N] for the Spark session")
    parser.add_argument("--partitions", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    if not RUNNER_POSTGRES_PYTHON.exists():
        raise SystemExit(f"{RUNNER_POSTGRES_PYTHON} is missing: cd ../runner-postgres && uv sync")

    server = start_embedded()
    root = Path(tempfile.mkdtemp(prefix="datakit-bench-spark-"))
    try:
        src = server.create_database("bench_src")
        wh = server.create_database("bench_wh")
        base = {k: v for k, v in os.environ.items() if not k.startswith("DATAKIT_")}
        base.update(DATAKIT_SOURCE_URL=src, DATAKIT_LOG_FORMAT="json")
        print(f"setting up: {args.rows:,} rows", flush=True)
        with psycopg.connect(src, autocommit=True) as conn:
            create_bench_table(conn, "main", args.rows)

        postgres_env = {**base, "DATAKIT_WAREHOUSE_URL": wh}
        postgres_argv = [str(RUNNER_POSTGRES_PYTHON), "-m", "datakit_runner_postgres", "extract",
                         "--table", "public.main"]  # fmt: skip
        spark_env = {
            **base,
            "DATAKIT_WAREHOUSE_URL": "spark+session:///?"
            + urlencode(catalog_conf(root, args.cores)),
        }
        pg_runs, spark_runs = [], {n: [] for n in args.partitions}
        for _ in range(args.repeat):
            pg_runs.append(run_measured(postgres_argv, postgres_env))
            print(f"runner-postgres: {pg_runs[-1][0]:.1f} s", flush=True)
            for partitions in args.partitions:
                argv = [sys.executable, "-m", "datakit_runner_spark", "extract", "--table",
                        "public.main", "--partitions", str(partitions)]  # fmt: skip
                spark_runs[partitions].append(run_measured(argv, spark_env))
                print(f"runner-spark, {partitions} partition(s): {spark_runs[partitions][-1][0]:.1f} s",
                      flush=True)  # fmt: skip
    finally:
        server.stop()
        subprocess.run(["rm", "-rf", str(root)], check=False)

    pg_wall = min(r[0] for r in pg_runs)
    pg_load = min(r[1] for r in pg_runs)
    pg_rate = args.rows / pg_load
    print()
    print(f"rows                                      {args.rows:,}")
    print(f"cores (local[N])                          {args.cores}")
    print(f"runner-postgres full refresh              {pg_wall:8.2f} s   (load {pg_load:.2f} s, "
          f"{pg_rate:,.0f} rows/s)")  # fmt: skip
    for partitions, runs in spark_runs.items():
        wall, load = min(r[0] for r in runs), min(r[1] for r in runs)
        rate = args.rows / load
        print(f"runner-spark, {partitions} partition(s)           {wall:8.2f} s   (after the session "
              f"is up {load:.2f} s, {rate:,.0f} rows/s; fixed cost {wall - load:.1f} s)")  # fmt: skip
        print(
            f"  rows/s ratio spark (session up) / postgres load {rate / pg_rate:5.2f} x   (goal >= 0.50)"
        )
        print(f"  rows/s ratio, whole processes           {pg_wall / wall:8.2f} x")
        print(f"  rows/s per partition                    {rate / partitions:12,.0f}")


if __name__ == "__main__":
    main()
