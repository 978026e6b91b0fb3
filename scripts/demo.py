"""`make demo-bronze`: the bronze step end to end on an embedded Postgres, day 1 and day 2.

Starts a throw-away Postgres cluster, seeds the sample shop source, runs the demo job with
runner-postgres (exactly as an orchestrator would: env for connections, argv for the job), applies
the generator's next-day changes, runs the job again, and prints a summary. Set DEMO_SCALE to
change the sample size and DEMO_DIR to work elsewhere than ``.demo/``. The server stays up for a
look with ``psql`` (through a 0600 service file: no password is printed) until ``make
demo-stop``; DEMO_KEEP=0 stops it at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql

from datakit.secrets import mask_url
from datakit.testing import demo
from datakit.testing.postgres import EmbeddedPostgresError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / ".demo"
JOB = ROOT / "scripts" / "demo_job.yaml"
BRONZE = "demo_bronze"
TABLES = ("customers", "products", "orders", "order_lines", "payments")


def step(title: str) -> None:
    print(f"\n==> {title}", flush=True)


def run(argv: list[str], env: dict[str, str]) -> dict:
    """Run a CLI, pass its logs through to a file, and return its result line."""
    log = Path(env["DEMO_DIR"]) / "logs.jsonl"
    with log.open("a") as stderr:
        proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {}
    if proc.returncode != 0:
        message = result.get("error", {}).get("message", f"see {log}")
        raise SystemExit(f"demo failed: {' '.join(argv[:2])} exited {proc.returncode}: {message}")
    return result


def counts(url: str, schema: str, names: list[str]) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            name: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, name))
            ).fetchone()[0]
            for name in names
        }


def main() -> None:
    scale = os.environ.get("DEMO_SCALE", "1")
    keep = os.environ.get("DEMO_KEEP", "1") != "0"
    workdir = Path(os.environ.get("DEMO_DIR") or DEFAULT_DIR).resolve()
    demo.private_files()
    demo.private_workdir(workdir)
    t_start = time.monotonic()

    step("starting an embedded Postgres")
    try:
        server = demo.start_server(workdir, move_if_closed=not os.environ.get("DEMO_DIR"))
    except EmbeddedPostgresError as exc:
        demo.fail("make demo-bronze", f"{exc} (DEMO_DIR chooses the folder)")
    succeeded = False
    try:
        source = server.create_database("shop_source")
        warehouse = server.create_database("warehouse")
        print(f"    source    {mask_url(source)}")
        print(f"    warehouse {mask_url(warehouse)}")
        env = {
            **os.environ,
            "DATAKIT_SOURCE_URL": source,
            "DATAKIT_WAREHOUSE_URL": warehouse,
            "DATAKIT_TENANT": "demo",
            "DATAKIT_LOG_FORMAT": "json",
            "DEMO_DIR": str(workdir),
        }
        timings: dict[str, float] = {}

        step(f"seeding the sample shop source (scale {scale})")
        t0 = time.monotonic()
        run(["datakit", "sample", "load", "--scale", scale], env)
        timings["seed"] = time.monotonic() - t0
        print(
            "    "
            + ", ".join(f"{k}={v:,}" for k, v in counts(source, "shop", list(TABLES)).items())
        )

        for day in (1, 2):
            if day == 2:
                step("applying the next day's changes to the source")
                run(["datakit", "sample", "next-day"], env)
            step(f"day {day}: runner-postgres run --job scripts/demo_job.yaml")
            t0 = time.monotonic()
            result = run(
                ["runner-postgres", "run", "--job", str(JOB)],
                {**env, "DATAKIT_RUN_ID": f"demo-day-{day}"},
            )
            timings[f"day {day}"] = time.monotonic() - t0
            for table in result["tables"]:
                print(
                    f"    {table['target']:<32} {table['mode']:<13} {table['rows']:>10,} rows  {table['seconds']:6.2f} s"
                )

        step("summary")
        bronze = counts(warehouse, BRONZE, [f"shop__{t}" for t in TABLES])
        src = counts(source, "shop", list(TABLES))
        print(f"    {'table':<14} {'source rows':>12} {'bronze rows':>12}")
        for name in TABLES:
            same = "ok" if src[name] == bronze[f"shop__{name}"] else "DIFFERS"
            print(f"    {name:<14} {src[name]:>12,} {bronze[f'shop__{name}']:>12,}  {same}")
        for label, seconds in timings.items():
            print(f"    {label:<8} {seconds:6.2f} s")
        print(f"    total    {time.monotonic() - t_start:6.2f} s")
        print(
            f"    load log: SELECT * FROM {BRONZE}._datakit_loads; watermarks: {BRONZE}._datakit_state"
        )
        print(f"    runner logs (JSON lines): {workdir / 'logs.jsonl'}")
        if keep:
            services = demo.access(workdir, {"warehouse": warehouse, "source": source})
            print(f"\n    look at the data: {demo.psql_command(services, 'warehouse')}")
            print(
                f"    the server keeps running; stop it with: {demo.stop_command(workdir, DEFAULT_DIR)}"
            )
        succeeded = True
    finally:
        if not (keep and succeeded):
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
