"""Benchmark: what a daily build costs, and what runner-dbt adds to dbt.

Not a test (nothing here passes or fails); it prints ratios measured in one run on one embedded
Postgres, so the machine's speed cancels out:

- ``day2_over_day1``: ``runner-dbt build`` after the sample's next-day changes (~1% of customers,
  a day of new orders, status changes) over the day-1 build of the whole history, best of
  ``--rounds`` rounds each way (every round starts from a copy of the same day-1 bronze, builds
  day 1, lands day 2's bronze and builds day 2), with each round's own ratio and the machine's
  load average, since the machine is shared. The issue's target is at most 0.30 at >= 1M order
  lines (scale >= 34), goal 0.15.
- ``breakdown``: where each build's time went (the best round): process start and the runner
  around dbt, dbt's parse and hooks, node execution, and each node type's summed seconds from
  dbt's run results (threads overlap them).
- ``runner_over_plain_dbt``: ``runner-dbt build`` over a plain ``dbt build`` of the same project
  with an equivalent hand-written profile, on the same warehouse state, median of N alternating
  runs. Target: at most 1.10.

    uv run python benchmarks/bench_build.py [--scale 35] [--rounds 3] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

COMPONENT_DIR = Path(__file__).resolve().parents[1]
PROJECT_DIR = COMPONENT_DIR / "projects" / "warehouse"
JOB = """source_name: shop
bronze_schema: bench_bronze
parallel: 2
tables:
  - {table: shop.customers, mode: full_refresh}
  - {table: shop.products, mode: full_refresh}
  - {table: shop.orders, mode: incremental, cursor: updated_at, primary_key: [order_id]}
  - {table: shop.order_lines, mode: incremental, cursor: updated_at, primary_key: [order_line_id]}
  - {table: shop.payments, mode: incremental, cursor: updated_at, primary_key: [payment_id]}
"""
TENANT = "bench"


def _run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    completed = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(args[:4])} (exit {completed.returncode})")
    return seconds, completed.stdout


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAKIT_")}
    env["DATAKIT_LOG_FORMAT"] = "json"
    env.update(extra)
    return env


def _plain_profile(folder: Path, url: str) -> None:
    """The profile a dbt user would write by hand for the same warehouse and schemas."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "profiles.yml").write_text(
        json.dumps(
            {
                "datakit": {
                    "target": "postgres",
                    "outputs": {
                        "postgres": {
                            "type": "postgres", "host": parts.hostname, "port": parts.port,
                            "user": parts.username, "password": parts.password,
                            "dbname": parts.path.lstrip("/"), "schema": f"{TENANT}_silver",
                            "threads": 4, "connect_timeout": 10, "retries": 1,
                        }
                    },
                }
            }
        ),
        encoding="utf-8",
    )  # fmt: skip


def _breakdown(wall: float, result: dict[str, Any]) -> dict[str, Any]:
    """Where one build's time went, from the result line and dbt's per-node run results."""
    by_type: dict[str, float] = {}
    counts: dict[str, int] = {}
    for node in result["nodes"]:
        kind = node["resource_type"]
        by_type[kind] = round(by_type.get(kind, 0.0) + node["seconds"], 2)
        counts[kind] = counts.get(kind, 0) + 1
    return {
        "wall": round(wall, 2),
        "process_and_runner": round(wall - result["seconds"], 2),
        "dbt_parse_and_setup": round(result["seconds"] - result["elapsed_seconds"], 2),
        "nodes_elapsed": result["elapsed_seconds"],
        "node_seconds_by_type": by_type,
        "nodes_by_type": counts,
        "slowest": sorted(((n["seconds"], n["name"]) for n in result["nodes"]), reverse=True)[:6],
    }


def _copy_database(admin_url: str, name: str, template: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if template:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=35.0, help="sample scale (35: 1.05M lines)")
    parser.add_argument("--rounds", type=int, default=3, help="day-1/day-2 rounds (best of)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side for overhead")
    options = parser.parse_args()

    from datakit.sample import load_sample, next_day, table_counts
    from datakit.testing.postgres import start_embedded

    server = start_embedded()
    report: dict[str, Any] = {"scale": options.scale, "load_average_start": os.getloadavg()}
    try:
        admin_url = server.url()
        source_url = server.create_database("bench_source")
        bronze_day1 = server.create_database("bench_bronze_day1")
        with tempfile.TemporaryDirectory(prefix="bench-dbt-") as tmp:
            job = Path(tmp) / "job.yaml"
            job.write_text(JOB, encoding="utf-8")
            bronze = [sys.executable, "-m", "datakit_runner_postgres", "run", "--job", str(job)]
            runner = [sys.executable, "-m", "datakit_runner_dbt", "build", "--result-detail"]

            load_sample(source_url, scale=options.scale)
            report["source_rows"] = table_counts(source_url)
            bronze_env = _env(DATAKIT_SOURCE_URL=source_url, DATAKIT_WAREHOUSE_URL=bronze_day1)
            report["bronze_day1_seconds"] = round(_run(bronze, bronze_env)[0], 2)
            # Day 2's source is a copy moved on by a day; day 1's bronze is the template of
            # every round's warehouse (a copy has no planner statistics, as fresh bronze).
            _copy_database(admin_url, "bench_source_day2", "bench_source")
            source_day2 = server.url("bench_source_day2")
            report["day2_changes"] = next_day(source_day2)

            rounds: list[dict[str, Any]] = []
            for number in range(options.rounds):
                _copy_database(admin_url, "bench_warehouse", "bench_bronze_day1")
                warehouse_url = server.url("bench_warehouse")
                dbt_env = _env(DATAKIT_WAREHOUSE_URL=warehouse_url, DATAKIT_TENANT=TENANT)
                day1, out1 = _run(runner, dbt_env)
                load2 = _env(DATAKIT_SOURCE_URL=source_day2, DATAKIT_WAREHOUSE_URL=warehouse_url)
                bronze2 = _run(bronze, load2)[0]
                day2, out2 = _run(runner, dbt_env)
                rounds.append({
                    "round": number + 1, "day1": round(day1, 2), "day2": round(day2, 2),
                    "ratio": round(day2 / day1, 3), "bronze_day2": round(bronze2, 2),
                    "load_average": os.getloadavg(),
                    "breakdown": {
                        "day1": _breakdown(day1, json.loads(out1.strip().splitlines()[-1])),
                        "day2": _breakdown(day2, json.loads(out2.strip().splitlines()[-1])),
                    },
                })  # fmt: skip
                print(json.dumps({k: v for k, v in rounds[-1].items() if k != "breakdown"}),
                      file=sys.stderr, flush=True)  # fmt: skip
            best1 = min(r["day1"] for r in rounds)
            best2 = min(r["day2"] for r in rounds)
            report["rounds"] = [{k: v for k, v in r.items() if k != "breakdown"} for r in rounds]
            report["day1_build_seconds"] = best1
            report["day2_build_seconds"] = best2
            report["day2_over_day1"] = round(best2 / best1, 3)
            report["breakdown"] = min(rounds, key=lambda r: r["ratio"])["breakdown"]

            # Same state, same project, same vars: only the wrapper differs.
            profiles = Path(tmp) / "plain-profile"
            _plain_profile(profiles, warehouse_url)
            schemas = {
                "datakit_bronze_schema": f"{TENANT}_bronze",
                "datakit_silver_schema": f"{TENANT}_silver",
                "datakit_gold_schema": f"{TENANT}_gold",
            }
            dbt_cli = str(Path(sys.executable).parent / "dbt")
            plain = [
                dbt_cli, "build", "--project-dir", str(PROJECT_DIR), "--profiles-dir",
                str(profiles), "--target-path", str(Path(tmp) / "target"), "--log-path",
                str(Path(tmp) / "logs"), "--threads", "4", "--vars", json.dumps(schemas),
                "--no-send-anonymous-usage-stats",
            ]  # fmt: skip
            runner_times: list[float] = []
            plain_times: list[float] = []
            # The session options runner-dbt sets (UTC, no JIT), so only the wrapper differs.
            plain_env = _env(PGTZ="UTC", PGOPTIONS="-c jit=off", DO_NOT_TRACK="1")
            for _ in range(options.repeats):
                plain_times.append(_run(plain, plain_env)[0])
                runner_times.append(_run(runner, dbt_env)[0])
            report["plain_dbt_build_seconds"] = [round(s, 2) for s in plain_times]
            report["runner_dbt_build_seconds"] = [round(s, 2) for s in runner_times]
            report["runner_over_plain_dbt"] = round(
                statistics.median(runner_times) / statistics.median(plain_times), 3
            )
            report["load_average_end"] = os.getloadavg()
    finally:
        server.stop()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
