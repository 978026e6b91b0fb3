"""Benchmark: runner-postgres against the psql binary COPY pipe, measured in the same run.

Prints, for one embedded Postgres cluster and each ``--rows`` size (default 1,000,000 and
2,000,000 rows of ``datakit.testing.bench_table``):

- full refresh: ``psql COPY TO STDOUT (FORMAT binary) | psql COPY FROM STDIN`` wall time,
  ``runner-postgres extract`` wall time (whole process) and the load's own time (from the result
  line), their ratio (target >= 0.8x) and the runner's peak RSS (flat: the RSS ratio between the
  sizes, target <= 1.2, < 150 MB);
- the same pipe into a bronze-shaped table (metadata defaults, ``TRUNCATE`` in the transaction),
  and two pipes of half the key range each in parallel (what parallel ranges could give here);
- at the first size: an incremental run after 1% of the rows changed (the issue's definition),
  as whole processes and as the loads' own time, against the full refresh (target <= 0.10);
- a phase breakdown of one full refresh and one incremental run, from the server's statement log
  (``log_min_duration_statement = 0`` for those two runs only): process start, catalog and state
  statements, read, write, merge, maintenance, commit, process exit;
- ``runner-postgres --version`` wall time, and the load average.

Each pair is measured interleaved and the best of ``--repeat`` runs is kept: the machines are
shared and noisy, and the minimum is the least disturbed measurement. Absolute times depend on
the machine; compare the ratios. From runner-postgres/:
``uv run python benchmarks/bench_extract.py [--rows 1000000 2000000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime

import psycopg

from datakit.testing.bench_table import create_bench_table
from datakit.testing.postgres import PostgresServer, start_embedded

PIPE_COLUMNS = (
    "id bigint, customer text, amount numeric(12, 2), status text, created_at timestamptz, "
    "updated_at timestamptz"
)
CHANGED_SHARE = 100  # one row in a hundred changes between incremental runs
RUNNER = [sys.executable, "-m", "datakit_runner_postgres"]


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


def _shell(command: str) -> float:
    t0 = time.perf_counter()
    subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def psql_pipe(src: str, wh: str, table: str = "main", where: str = "") -> float:
    """``psql COPY binary | psql COPY FROM STDIN`` of ``public.<table>`` into ``pipe_<table>``."""
    with psycopg.connect(wh, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS public.pipe_{table} ({PIPE_COLUMNS})")
        conn.execute(f"TRUNCATE public.pipe_{table}")
    return _shell(_pipe_command(src, wh, table, where))


def _pipe_command(src: str, wh: str, table: str, where: str = "") -> str:
    return (
        f"psql -X -q '{src}' -c 'COPY (SELECT * FROM public.{table} {where}) TO STDOUT "
        f"(FORMAT binary)' | psql -X -q '{wh}' -c 'COPY public.pipe_{table} FROM STDIN "
        "(FORMAT binary)'"
    )


def parallel_pipes(src: str, wh: str, table: str, rows: int) -> float:
    """Two pipes, each half of the key range, at the same time into the same table."""
    with psycopg.connect(wh, autocommit=True) as conn:
        conn.execute(f"TRUNCATE public.pipe_{table}")
    half = rows // 2
    first = _pipe_command(src, wh, table, f"WHERE id <= {half}")
    second = _pipe_command(src, wh, table, f"WHERE id > {half}")
    return _shell(f"({first}) & ({second}) & wait")


def psql_pipe_into_bronze(src: str, wh: str, table: str) -> float:
    """The same pipe into the runner's bronze table, in one transaction with TRUNCATE and the
    metadata columns filled by their defaults: what a bronze load asks of a bare pipe."""
    script = (
        f"BEGIN; SET LOCAL datakit.run_id = 'bench'; TRUNCATE bronze.bench_src__{table}; "
        f"COPY bronze.bench_src__{table} (id, customer, amount, status, created_at, updated_at) "
        "FROM STDIN (FORMAT binary); COMMIT"
    )
    return _shell(
        f"psql -X -q '{src}' -c 'COPY public.{table} TO STDOUT (FORMAT binary)' | "
        f"psql -X -q '{wh}' -c \"{script}\""
    )


_LOG_LINE = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) UTC \[\d+\] LOG:  duration: "
    r"(?P<ms>[\d.]+) ms  (?P<what>.*)$"
)


def _phase(statement: str) -> str:
    text = (
        statement.split(":", 1)[-1].strip()
        if statement.startswith(("execute", "bind", "parse"))
        else statement.removeprefix("statement: ")
    )
    if text.startswith("COPY (") and "TO STDOUT" in text:
        return "read: source COPY TO (overlaps the write)"
    if text.startswith("COPY "):
        return "write: COPY into bronze or its stage"
    if text.startswith("TRUNCATE"):
        return "truncate"
    if text.startswith("ANALYZE"):
        return "maintenance: ANALYZE"
    if text.startswith(("MERGE INTO", "DELETE FROM", "INSERT INTO")) and "_datakit_stage" in text:
        return "merge: MERGE (or DELETE + INSERT) from the stage"
    if text.startswith("COMMIT"):
        return "commit"
    return "catalog, locks, state and log statements"


def phase_breakdown(
    server: PostgresServer, argv: list[str], env: dict[str, str]
) -> list[tuple[str, float]]:
    """One run with every statement logged: seconds per phase, process start and exit included."""
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET log_min_duration_statement = 0")
        conn.execute("SELECT pg_reload_conf()")
    time.sleep(0.5)
    before = len(server.log_text())
    started = time.time()
    wall, _rss, _own = run_measured(argv, env)
    ended = started + wall
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("ALTER SYSTEM RESET log_min_duration_statement")
        conn.execute("SELECT pg_reload_conf()")
    phases: dict[str, float] = {}
    stamps: list[float] = []
    for line in server.log_text()[before:].splitlines():
        match = _LOG_LINE.match(line)
        if match is None or "pg_reload_conf" in line or "log_min_duration" in line:
            continue
        end = datetime.fromisoformat(match["ts"] + "+00:00").timestamp()
        seconds = float(match["ms"]) / 1000
        stamps += [end - seconds, end]
        name = _phase(match["what"])
        phases[name] = phases.get(name, 0.0) + seconds
    out = [("process start: interpreter, imports, connect", min(stamps) - started)]
    out += sorted(phases.items(), key=lambda item: -item[1])
    out.append(("process exit after the last statement", ended - max(stamps)))
    accounted = sum(v for k, v in out if not k.startswith("read:"))
    out.append(("between statements (client: Python, psql start, relay tails)", wall - accounted))
    out.append(("whole process", wall))
    return out


def checkpoint(server: PostgresServer) -> None:
    """Between measured runs: write dirty buffers and recycle WAL, so every run starts alike and
    the embedded cluster's WAL (``max_wal_size`` 4 GB) does not fill a small disk."""
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("CHECKPOINT")


def measure_full(
    server: PostgresServer, src: str, wh: str, env: dict[str, str], rows: int, repeat: int
) -> tuple[list[str], tuple[float, float, int]]:
    """Pipe and runner full refresh interleaved, then the bronze-shaped and the parallel pipes."""
    table = f"main_{rows}"
    extract = [*RUNNER, "extract", "--table", f"public.{table}"]
    pipe_times, runs = [], []
    for _ in range(repeat):
        pipe_times.append(psql_pipe(src, wh, table))
        checkpoint(server)
        runs.append(run_measured(extract, env))
        checkpoint(server)
    pipe = min(pipe_times)
    wall, own, rss = min(r[0] for r in runs), min(r[2] for r in runs), max(r[1] for r in runs)
    bronze, parallel = [], []
    for _ in range(repeat):
        bronze.append(psql_pipe_into_bronze(src, wh, table))
        checkpoint(server)
        parallel.append(parallel_pipes(src, wh, table, rows))
        checkpoint(server)
    lines = [
        f"--- full refresh, {rows:,} rows (best of {repeat})",
        f"psql binary COPY pipe                    {pipe:8.2f} s",
        f"runner-postgres full refresh             {wall:8.2f} s   (load itself {own:.2f} s)",
        f"throughput ratio runner/pipe             {pipe / wall:8.2f} x   (target >= 0.80, goal 0.95)",
        f"  same, load time only                   {pipe / own:8.2f} x",
        f"psql pipe into the bronze table          {min(bronze):8.2f} s   (metadata defaults, TRUNCATE, one transaction)",
        f"two pipes of half the keys in parallel   {min(parallel):8.2f} s = {pipe / min(parallel):.2f}x one pipe",
        f"peak RSS of the runner                   {rss / (1024 * 1024):8.1f} MB  (target < 150)",
    ]
    return lines, (wall, own, rss)


def measure_incremental(
    server: PostgresServer,
    src: str,
    env: dict[str, str],
    rows: int,
    repeat: int,
    full: tuple[float, float, int],
) -> list[str]:
    """1% of the rows changed before each run; best of *repeat*, against the full refresh; then
    the phase breakdown of one full refresh and one incremental run."""
    table = f"main_{rows}"
    inc = [
        *RUNNER, "extract", "--table", f"public.{table}", "--target-table", "main_inc",
        "--mode", "incremental", "--cursor", "updated_at",
    ]  # fmt: skip
    run_measured(inc, env)
    checkpoint(server)

    def change(round_: int) -> None:
        with psycopg.connect(src, autocommit=True) as conn:
            conn.execute(
                f"UPDATE public.{table} SET status = 'changed', updated_at = "
                "timestamptz '2030-01-01' + %s * interval '1 day' + id * interval '1 ms' "
                "WHERE id %% %s = %s",
                (round_, CHANGED_SHARE, round_ % CHANGED_SHARE),
            )
        checkpoint(server)

    runs = []
    for round_ in range(repeat):
        change(round_)
        runs.append(run_measured(inc, env))
    inc_wall, inc_own = min(r[0] for r in runs), min(r[2] for r in runs)
    full_wall, full_own, _ = full
    lines = [
        f"--- incremental, 1% of {rows:,} rows changed (best of {repeat})",
        f"incremental run, whole process           {inc_wall:8.2f} s = {inc_wall / full_wall:.3f} of the full refresh (target <= 0.10, goal 0.05)",
        f"  same, load time only                   {inc_own:8.2f} s = {inc_own / full_own:.3f}",
    ]
    change(repeat)
    for label, argv in (
        (f"full refresh of {rows:,} rows", [*RUNNER, "extract", "--table", f"public.{table}"]),
        ("incremental, 1% changed", inc),
    ):
        lines.append(f"--- where the time goes: {label} (one run, statements logged)")
        for name, seconds in phase_breakdown(server, argv, env):
            lines.append(f"  {name:<62} {seconds:7.3f} s")
        checkpoint(server)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 2_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which("psql"):
        raise SystemExit(
            "psql is needed for the reference pipe (apt-get install postgresql-client)"
        )

    # As in the image, where pip byte-compiles at install: this environment may set
    # PYTHONDONTWRITEBYTECODE, and an edited source would otherwise be compiled on every start.
    for package in ("datakit", "datakit_runner_postgres"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin:
            compileall.compile_dir(os.path.dirname(spec.origin), quiet=1)
    server = start_embedded()
    lines: list[str] = []
    try:
        src = server.create_database("bench_src")
        wh = server.create_database("bench_wh")
        env = {
            **os.environ,
            "DATAKIT_SOURCE_URL": src,
            "DATAKIT_WAREHOUSE_URL": wh,
            "DATAKIT_LOG_FORMAT": "json",
        }
        rss: dict[int, int] = {}
        for index, rows in enumerate(args.rows):
            print(f"measuring {rows:,} rows", flush=True)
            with psycopg.connect(src, autocommit=True) as conn:
                create_bench_table(conn, f"main_{rows}", rows)
            checkpoint(server)
            full_lines, full = measure_full(server, src, wh, env, rows, args.repeat)
            lines += full_lines
            rss[rows] = full[2]
            if index == 0:
                lines += measure_incremental(server, src, env, rows, args.repeat, full)
            # Each size's tables go before the next is built (a small disk holds one size).
            with psycopg.connect(wh, autocommit=True) as conn:
                conn.execute(f"DROP TABLE IF EXISTS public.pipe_main_{rows}, bronze.main_inc")
                conn.execute(f"DROP TABLE IF EXISTS bronze.bench_src__main_{rows}")
            with psycopg.connect(src, autocommit=True) as conn:
                conn.execute(f"DROP TABLE public.main_{rows}")
            checkpoint(server)
        if len(args.rows) > 1:
            small, large = rss[args.rows[0]], rss[args.rows[-1]]
            lines.append(
                f"RSS ratio {args.rows[-1]:,} / {args.rows[0]:,} rows       {large / small:8.2f}     (target <= 1.20)"
            )
        version = min(
            _shell(f"{sys.executable} -m datakit_runner_postgres --version") for _ in range(5)
        )
        lines.append(f"runner-postgres --version (best of 5)    {version:8.3f} s   (target < 0.5)")
    finally:
        server.stop()
    load = os.getloadavg()
    lines.append(
        f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cores)"
    )
    print()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
