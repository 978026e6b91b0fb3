"""Benchmark: the peers Sling and dlt beside runner-postgres and the psql binary COPY pipe.

One embedded Postgres cluster, one source table (``datakit.testing.bench_table``, 1,000,000 rows by
default), one warehouse database; each tool does a full refresh of that table into its own
schema of the warehouse:

- ``psql COPY TO STDOUT (FORMAT binary) | psql COPY FROM STDIN``: the reference (ratio 1.00);
- ``runner-postgres extract``: the bronze table ``bronze.bench_src__main``;
- Sling (its Go binary from the ``sling-linux-*`` package): ``--mode full-refresh`` into
  ``peers_sling.main``;
- dlt, ``sql_database`` source and postgres destination, ``write_disposition="replace"``: with
  its defaults (SQLAlchemy rows, INSERT statements) into ``peers_dlt.main``, and with the pyarrow
  backend and the csv loader file format (COPY) into ``peers_dlt_arrow.main``.

Prints one table: best wall time of ``--repeat`` interleaved rounds (whole processes), the
tool's own time (without process start and imports), the throughput ratio to the pipe and the
peak RSS of the process and its children. A peer that is not installed is skipped with the
reason (``make bench`` installs runner-postgres's ``bench`` dependency group); every run is
checked to have landed all rows. Peers run as a child of this script (``--peer NAME``) that
prints a result line in the runner's shape, so ``bench_extract.run_measured`` measures all of
them alike. From runner-postgres/: ``uv run python benchmarks/bench_peers.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Only the standard library at the top: a peer's child process (--peer) must not pay for psycopg,
# the SDK or bench_extract in the whole-process time it is measured by.

SOURCE_TABLE = "main"
SOURCE_ENV = "DATAKIT_BENCH_SOURCE_URL"
WAREHOUSE_ENV = "DATAKIT_BENCH_WAREHOUSE_URL"
SLING_PACKAGES = {"x86_64": "sling_linux_amd64", "aarch64": "sling_linux_arm64"}


def sling_binary() -> tuple[str | None, str]:
    """The Sling binary and its version, or None and why not.

    ``SLING_BINARY`` wins (as for the ``sling`` package), then the platform package, which carries
    the binary; the ``sling`` package itself would download it from GitHub at first use.
    """
    if os.environ.get("SLING_BINARY"):
        return os.environ["SLING_BINARY"], "SLING_BINARY"
    module = SLING_PACKAGES.get(platform.machine())
    if platform.system() != "Linux" or module is None:
        return None, f"no sling binary package for {platform.system()}/{platform.machine()}"
    if importlib.util.find_spec(module) is None:
        return None, f"{module.replace('_', '-')} is not installed"
    package = importlib.import_module(module)
    return package.SLING_BIN, package.SLING_VERSION


def dlt_version() -> tuple[str | None, str]:
    """dlt's version, or None and why it cannot run (the sql_database source needs SQLAlchemy)."""
    for name in ("dlt", "sqlalchemy", "psycopg2"):
        if importlib.util.find_spec(name) is None:
            return None, f"{name} is not installed"
    return importlib.metadata.version("dlt"), ""


def with_sslmode(url: str) -> str:
    """*url* with ``sslmode=disable`` unless it says otherwise: Sling's driver fails on a server
    without SSL where libpq's default (prefer) falls back."""
    if "sslmode=" in url:
        return url
    return f"{url}{'&' if '?' in url else '?'}sslmode=disable"


def run_sling(binary: str, schema: str) -> float:
    """Sling's full refresh of the source table, in seconds; connections are URLs in the
    environment, the way Sling reads named connections (no secret in argv)."""
    env = {
        **os.environ,
        "BENCH_SRC": with_sslmode(os.environ[SOURCE_ENV]),
        "BENCH_WH": with_sslmode(os.environ[WAREHOUSE_ENV]),
        "SLING_DISABLE_TELEMETRY": "true",
    }
    argv = [
        binary, "run", "--src-conn", "BENCH_SRC", "--src-stream", f"public.{SOURCE_TABLE}",
        "--tgt-conn", "BENCH_WH", "--tgt-object", f"{schema}.{SOURCE_TABLE}",
        "--mode", "full-refresh",
    ]  # fmt: skip
    t0 = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"sling exit {done.returncode}: {(done.stdout + done.stderr)[-1500:]}")
    return time.perf_counter() - t0


def run_dlt(schema: str, *, backend: str, file_format: str | None, compress: bool) -> float:
    """dlt's ``sql_table`` into the postgres destination, replacing the table's rows, in seconds
    (after dlt's imports, which the whole-process time counts)."""
    if not compress:  # dlt's documented tuning: no gzip of its intermediate files
        os.environ["DATA_WRITER__DISABLE_COMPRESSION"] = "true"
    import dlt
    from dlt.sources.sql_database import sql_table

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-dlt-") as pipelines_dir:
        source = sql_table(
            credentials=os.environ[SOURCE_ENV],
            schema="public",
            table=SOURCE_TABLE,
            backend=backend,
        )
        pipeline = dlt.pipeline(
            pipeline_name=schema,
            pipelines_dir=pipelines_dir,
            destination=dlt.destinations.postgres(credentials=os.environ[WAREHOUSE_ENV]),
            dataset_name=schema,
        )
        pipeline.run(source, write_disposition="replace", loader_file_format=file_format)
    return time.perf_counter() - t0


Measure = tuple[
    float, int | None, float
]  # wall seconds, peak RSS bytes (None: not measured), own seconds


@dataclass
class Tool:
    """One row of the table: how to run it once and the (schema, table) it lands in."""

    name: str
    target: tuple[str, str] | None
    run: Callable[[], Measure] | None
    skipped: str = ""
    times: list[Measure] = field(default_factory=list)


def peer_main(peer: str, schema: str) -> None:
    """Child mode: run one peer and print its own time as the runner's result line does; a
    failure goes to stdout, the part of a child that ``run_measured`` reports."""
    binary, _version = sling_binary()
    runs: dict[str, Callable[[], float]] = {
        "sling": lambda: run_sling(binary or "sling", schema),
        "dlt": lambda: run_dlt(schema, backend="sqlalchemy", file_format=None, compress=True),
        "dlt-arrow": lambda: run_dlt(schema, backend="pyarrow", file_format="csv", compress=False),
    }
    try:
        seconds = runs[peer]()
    except (Exception, SystemExit) as failed:
        print(f"{peer}: {type(failed).__name__}: {failed}"[-1500:], flush=True)
        raise SystemExit(1) from failed
    print(json.dumps({"tables": [{"seconds": seconds}]}))


def tools(src: str, wh: str, env: dict[str, str]) -> list[Tool]:
    """The pipe, the runner and every peer, each with what it needs or why it is skipped."""
    from bench_extract import psql_pipe, run_measured

    me = [sys.executable, os.path.abspath(__file__), "--peer"]

    def pipe() -> Measure:
        seconds = psql_pipe(src, wh)
        return seconds, None, seconds

    def child(argv: list[str]) -> Callable[[], Measure]:
        return lambda: run_measured(argv, env)

    runner = [sys.executable, "-m", "datakit_runner_postgres", "extract", "--table"]
    result = [
        Tool("psql binary COPY pipe", ("public", "pipe_main"), pipe),
        Tool(
            "runner-postgres extract",
            ("bronze", f"bench_src__{SOURCE_TABLE}"),
            child([*runner, f"public.{SOURCE_TABLE}"]),
        ),
    ]
    binary, sling_version = sling_binary()
    name = f"sling {sling_version} full-refresh"
    if binary is None:
        result.append(Tool("sling", None, None, skipped=sling_version))
    else:
        target = ("peers_sling", SOURCE_TABLE)
        result.append(Tool(name, target, child([*me, "sling", "peers_sling"])))
    version, why = dlt_version()
    for peer, schema, what in (
        ("dlt", "peers_dlt", "sqlalchemy, insert_values"),
        ("dlt-arrow", "peers_dlt_arrow", "pyarrow, csv COPY"),
    ):
        if version is None:
            result.append(Tool(f"dlt ({what})", None, None, skipped=why))
        elif peer == "dlt-arrow" and importlib.util.find_spec("pyarrow") is None:
            result.append(Tool(f"dlt ({what})", None, None, skipped="pyarrow is not installed"))
        else:
            target = (schema, SOURCE_TABLE)
            result.append(Tool(f"dlt {version} ({what})", target, child([*me, peer, schema])))
    return result


def print_table(rows: int, repeat: int, measured: list[Tool]) -> None:
    mb = 1024 * 1024
    pipe = min(seconds for seconds, _rss, _own in measured[0].times)
    print()
    print(f"{rows:,} rows, full refresh, best of {repeat} interleaved rounds (whole processes)")
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"{os.cpu_count()} cores, load average at the end {load} (the machine may be shared)")
    print(f"{'tool':<44} {'best s':>8} {'own s':>8} {'ratio to pipe':>14} {'peak RSS':>10}")
    for tool in measured:
        if tool.skipped:
            print(f"{tool.name:<44} skipped: {tool.skipped}")
            continue
        best = min(tool.times, key=lambda t: t[0])
        own = min(t[2] for t in tool.times)
        peaks = [t[1] for t in tool.times if t[1] is not None]
        rss = f"{max(peaks) / mb:7.1f} MB" if peaks else "-"
        print(f"{tool.name:<44} {best[0]:8.2f} {own:8.2f} {pipe / best[0]:13.3f}x {rss:>10}")
    if any("not installed" in tool.skipped for tool in measured):
        print("(the peers are runner-postgres's bench dependency group: `make bench` installs it)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer", nargs=2, metavar=("NAME", "SCHEMA"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer:
        peer_main(*args.peer)
        return
    if shutil.which("psql") is None:
        raise SystemExit("bench_peers.py: the reference pipe needs psql (postgresql-client)")
    from datakit.testing.postgres import start_embedded

    server = start_embedded()
    try:
        src, wh = (server.create_database(f"bench_{name}") for name in ("src", "wh"))
        measured = measure(args.rows, args.repeat, src=src, wh=wh)
    finally:
        server.stop()
    print_table(args.rows, args.repeat, measured)


def measure(rows: int, repeat: int, *, src: str, wh: str) -> list[Tool]:
    """Fill the source table, give each tool its target, and run them all *repeat* times."""
    import psycopg
    from psycopg import sql

    from datakit.testing.bench_table import create_bench_table

    env = {
        **os.environ,
        SOURCE_ENV: src,
        WAREHOUSE_ENV: wh,
        "DATAKIT_SOURCE_URL": src,
        "DATAKIT_WAREHOUSE_URL": wh,
        "DATAKIT_LOG_FORMAT": "json",
        "RUNTIME__DLTHUB_TELEMETRY": "false",
    }
    print(f"setting up: {rows:,} rows")
    with psycopg.connect(src, autocommit=True) as conn:
        create_bench_table(conn, SOURCE_TABLE, rows)
    measured = tools(src, wh, env)
    with psycopg.connect(wh, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE public.pipe_main (id bigint, customer text, amount numeric(12, 2), "
            "status text, created_at timestamptz, updated_at timestamptz)"
        )
        for tool in measured:
            if tool.target and tool.target[0].startswith("peers_"):
                conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(tool.target[0])))
        for round_ in range(repeat):
            for tool in measured:
                run_once(tool, round_, conn, rows)
            print(f"round {round_ + 1}/{repeat} done", flush=True)
    return measured


def run_once(tool: Tool, round_: int, wh: Any, rows: int) -> None:
    """Run *tool* once, keep its measure, and mark it failed when it fails or does not land
    every row (*wh*: an autocommit connection to the warehouse)."""
    from psycopg import sql

    if tool.skipped or tool.run is None or tool.target is None:
        return
    try:
        tool.times.append(tool.run())
    except SystemExit as failed:
        tool.skipped = f"failed in round {round_ + 1}: {failed}"[:300]
        return
    query = sql.SQL("SELECT count(*) FROM {}.{}").format(*map(sql.Identifier, tool.target))
    landed = wh.execute(query).fetchone()[0]
    if landed != rows:
        tool.skipped = f"landed {landed:,} rows of {rows:,} in round {round_ + 1}"


if __name__ == "__main__":
    main()
