"""The demo tenant end to end: ``airflow dags test warehouse__demo`` in local mode, two days.

What ``make demo`` runs (from ``orchestration/``: ``uv run python scripts/demo.py``):

1. start an embedded Postgres (no Docker) with a source and a warehouse database;
2. seed the sample shop source (``datakit sample load``, deterministic);
3. an isolated Airflow home (SQLite) with the tenants' pools and the demo's connections as
   ``AIRFLOW_CONN_*`` variables; the runners are the sibling components' CLIs
   (``runner-postgres/.venv/bin``, ``runner-dbt/.venv/bin``), found through
   ``DATAKIT_RUNNER_PATH``;
4. day 1: ``airflow dags test warehouse__demo 2024-01-01`` runs provision -> bronze -> silver
   -> gold, each task printed as it finishes; then the source's next-day changes and day 2;
5. a summary: tables and rows per layer, gold reconciled against the source, task timings, and
   how to look at the data: ``psql`` through a 0600 service file, so no password is printed. The
   server keeps running for that until ``make demo-stop``.

Environment: ``DEMO_SCALE`` (default 0.1: 1,000 orders), ``DEMO_KEEP=0`` stops Postgres at the
end, ``DEMO_DIR`` (default ``orchestration/.demo``). Everything written there is private (0600).
The :class:`DemoRun` class is also what the end-to-end tests drive.
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DIR = PROJECT_DIR / ".demo"
REPO_ROOT = PROJECT_DIR.parent
DAG_FILE = PROJECT_DIR / "dags" / "warehouse.py"
#: The runner CLIs the demo tenant needs, and the sibling component that provides each.
RUNNERS = {"runner-postgres": REPO_ROOT / "runner-postgres", "runner-dbt": REPO_ROOT / "runner-dbt"}
SHOP_TABLES = ("customers", "products", "orders", "order_lines", "payments")
GOLD_RECONCILE = """
    select order_date, order_count::bigint, order_line_count::bigint, revenue
    from {schema}.mart_daily_revenue order by order_date
"""
SOURCE_RECONCILE = """
    select o.order_date, count(distinct o.order_id)::bigint, count(l.order_line_id)::bigint,
           sum(l.amount)
    from shop.orders as o join shop.order_lines as l on l.order_id = o.order_id
    group by o.order_date order by o.order_date
"""


def step(title: str) -> None:
    print(f"\n==> {title}", flush=True)


def runner_path(*, sync: bool = True) -> str:
    """``DATAKIT_RUNNER_PATH`` for the demo: each runner component's virtualenv ``bin``.

    A missing environment is created with ``uv sync --frozen`` (never touched when it exists:
    another engineer may be using it). ``UV`` (set by ``uv run`` and the Makefile) names the uv
    binary when it is not on PATH (``make bootstrap`` puts it in ``.tools/venv``).
    """
    folders = []
    for command, component in RUNNERS.items():
        bin_dir = component / ".venv" / "bin"
        if not (bin_dir / command).exists() and sync and component.is_dir():
            uv = os.environ.get("UV") or shutil.which("uv") or "uv"
            subprocess.run([uv, "sync", "--frozen", "--quiet"], cwd=component, check=True)
        folders.append(str(bin_dir))
    return os.pathsep.join(folders)


def with_user(url: str, user: str, password: str) -> str:
    """*url* with another user and password (same host, port and database)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def query(url: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, list(params)).fetchall()


def layer_tables(conn: Any, schema: str) -> list[str]:
    """The tables (not views) of *schema*, internal ``_datakit_*`` tables left out, by name."""
    return [
        row[0]
        for row in conn.execute(
            "select table_name from information_schema.tables where table_schema = %s "
            "and table_type = 'BASE TABLE' and table_name not like '\\_datakit\\_%%' "
            "order by 1",
            [schema],
        )
    ]


def layer_counts(url: str, schema: str) -> dict[str, int]:
    """Rows per table (not views) of *schema*, internal ``_datakit_*`` tables left out."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url) as conn:
        tables = layer_tables(conn, schema)
        return {
            table: conn.execute(
                sql.SQL("select count(*) from {}").format(sql.Identifier(schema, table))
            ).fetchone()[0]  # type: ignore[index]
            for table in tables
        }


@dataclass
class DayResult:
    logical_date: str
    run_id: str
    state: str
    seconds: float
    tasks: dict[str, tuple[str, float]]
    output: str


@dataclass
class DemoRun:
    """An isolated Airflow home that runs one tenant's DAG against given databases.

    *source_url* / *warehouse_url* are superuser URLs (the embedded server's): the admin
    connection provisions the tenant, which then loads with its own role and password.
    """

    workdir: Path
    source_url: str
    warehouse_url: str
    tenant: str = "demo"
    tenants_dir: Path | None = None
    runner_path: str = ""
    tenant_password: str = field(default_factory=lambda: "pw-" + secrets.token_hex(12))
    extra_connections: dict[str, str] = field(default_factory=dict)
    #: ``local``, ``docker`` or ``pod`` (scripts/demo_modes.py), with that mode's platform file
    #: and environment (the engine's configuration).
    execution: str = "local"
    platform_file: Path | None = None
    execution_env: dict[str, str] = field(default_factory=dict)

    @property
    def airflow_home(self) -> Path:
        return self.workdir / "airflow"

    @property
    def tenant_warehouse_url(self) -> str:
        return with_user(self.warehouse_url, f"{self.tenant}_loader", self.tenant_password)

    @property
    def dag_id(self) -> str:
        return f"warehouse__{self.tenant}"

    def connections(self) -> dict[str, str]:
        return {
            "datakit_warehouse_admin": self.warehouse_url,
            f"{self.tenant}_warehouse": self.tenant_warehouse_url,
            f"{self.tenant}_shop": self.source_url,
            **self.extra_connections,
        }

    def env(self) -> dict[str, str]:
        home = self.airflow_home
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AIRFLOW_", "AIRFLOW__", "DATAKIT_"))
        }
        env.update(
            AIRFLOW_HOME=str(home),
            AIRFLOW__CORE__DAGS_FOLDER=str(DAG_FILE.parent),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home}/airflow.db",
            AIRFLOW__LOGGING__BASE_LOG_FOLDER=str(home / "logs"),
            DATAKIT_EXECUTION=self.execution,
            DATAKIT_RUNNER_PATH=self.runner_path or runner_path(),
        )
        if self.tenants_dir is not None:
            env["DATAKIT_TENANTS_DIR"] = str(self.tenants_dir)
        if self.platform_file is not None:
            env["DATAKIT_PLATFORM_FILE"] = str(self.platform_file)
        env.update(self.execution_env)
        for conn_id, url in self.connections().items():
            env[f"AIRFLOW_CONN_{conn_id.upper()}"] = url
        return env

    def airflow(self, *args: str, timeout_seconds: float = 900) -> subprocess.CompletedProcess[str]:
        airflow = str(Path(sys.executable).parent / "airflow")
        return subprocess.run(
            [airflow, *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout_seconds,
            check=False,
            cwd=self.workdir,
        )

    def setup(self) -> None:
        """Metadata database and the tenants' pools (`airflow pools import`)."""
        self.airflow_home.mkdir(parents=True, exist_ok=True)
        for args in (("db", "migrate"),):
            done = self.airflow(*args)
            if done.returncode != 0:
                raise RuntimeError(f"airflow {' '.join(args)} failed:\n{done.stderr[-4000:]}")
        pools = subprocess.run(
            [sys.executable, "-m", "datakit_orchestration.pools"],
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        pools_file = self.workdir / "pools.json"
        pools_file.write_text(pools.stdout)
        done = self.airflow("pools", "import", str(pools_file))
        if done.returncode != 0:
            raise RuntimeError(f"airflow pools import failed:\n{done.stderr[-4000:]}")

    def _last_run_id(self) -> int:
        with sqlite3.connect(self.airflow_home / "airflow.db") as db:
            row = db.execute("select max(id) from dag_run where dag_id = ?", [self.dag_id])
            return int(row.fetchone()[0] or 0)

    def _finished_tasks(self, after_run: int) -> dict[str, tuple[str, float]]:
        """Task states of the DAG run newer than *after_run* that have finished so far."""
        try:
            with sqlite3.connect(self.airflow_home / "airflow.db", timeout=1) as db:
                return {
                    task_id: (state, duration or 0.0)
                    for task_id, state, duration in db.execute(
                        "select t.task_id, t.state, t.duration from task_instance t "
                        "join dag_run r on r.dag_id = t.dag_id and r.run_id = t.run_id "
                        "where r.dag_id = ? and r.id > ? and t.end_date is not null",
                        [self.dag_id, after_run],
                    )
                }
        except sqlite3.OperationalError:
            return {}  # Airflow holds the write lock this instant: ask again next tick

    def run_day(
        self,
        logical_date: str,
        on_task: Callable[[str, str, float], None] | None = None,
        timeout_seconds: float = 900,
    ) -> DayResult:
        """``airflow dags test <dag> <logical_date>``: the whole DAG, tasks in-process.

        *on_task* (task id, state, seconds) is called once per task as it finishes, so a
        person watching sees progress instead of a minute of silence.
        """
        started = time.monotonic()
        after_run = self._last_run_id()
        output_file = self.workdir / f"dags-test-{logical_date}.log"
        reported: set[str] = set()
        with output_file.open("w", encoding="utf-8") as output:
            process = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "airflow"),
                    *("dags", "test", self.dag_id, logical_date, "-f", str(DAG_FILE)),
                ],
                env=self.env(),
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
            )
            while process.poll() is None or on_task is not None:
                finished = process.poll() is not None
                if on_task is not None:
                    for task_id, (state, seconds) in sorted(
                        self._finished_tasks(after_run).items()
                    ):
                        if task_id not in reported:
                            reported.add(task_id)
                            on_task(task_id, state, seconds)
                if finished:
                    break
                if time.monotonic() - started > timeout_seconds:
                    process.kill()
                time.sleep(1)
            process.wait()
        seconds = time.monotonic() - started
        with sqlite3.connect(self.airflow_home / "airflow.db") as db:
            run_id, state = db.execute(
                "select run_id, state from dag_run where dag_id = ? order by id desc limit 1",
                [self.dag_id],
            ).fetchone()
            tasks = {
                task_id: (task_state or "none", duration or 0.0)
                for task_id, task_state, duration in db.execute(
                    "select task_id, state, duration from task_instance "
                    "where dag_id = ? and run_id = ?",
                    [self.dag_id, run_id],
                )
            }
        return DayResult(
            logical_date=logical_date,
            run_id=run_id,
            state=state,
            seconds=seconds,
            tasks=tasks,
            output=output_file.read_text(encoding="utf-8", errors="replace"),
        )

    def xcom_values(self) -> list[str]:
        with sqlite3.connect(self.airflow_home / "airflow.db") as db:
            return [str(row[0]) for row in db.execute("select value from xcom")]

    def rendered_fields(self) -> list[str]:
        with sqlite3.connect(self.airflow_home / "airflow.db") as db:
            return [
                str(row[0])
                for row in db.execute("select rendered_fields from rendered_task_instance_fields")
            ]

    def alerts_sent(self, run_id: str) -> list[str] | None:
        """The incident keys the ``alerts`` task of *run_id* sent (its XCom), ``None`` when
        that task did not run: what the run recorded, not what the demo expects."""
        with sqlite3.connect(self.airflow_home / "airflow.db") as db:
            row = db.execute(
                "select value from xcom where dag_id = ? and run_id = ? and task_id = 'alerts' "
                "and key = 'return_value'",
                [self.dag_id, run_id],
            ).fetchone()
        if row is None:
            return None
        value = json.loads(row[0]) if isinstance(row[0], str | bytes) else row[0]
        return [str(key) for key in value or []]

    def log_text(self) -> str:
        logs = self.airflow_home / "logs"
        return "\n".join(
            path.read_text(errors="replace") for path in sorted(logs.rglob("*")) if path.is_file()
        )

    def reconcile_gold(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """(gold per day, source per day): orders, lines and revenue by order date."""
        gold = query(self.tenant_warehouse_url, GOLD_RECONCILE.format(schema=f"{self.tenant}_gold"))
        return gold, query(self.source_url, SOURCE_RECONCILE)


def _print_task(task_id: str, state: str, seconds: float) -> None:
    print(f"      {task_id:<28} {state:<8} {seconds:6.1f} s", flush=True)


def _print_day(day: DayResult) -> None:
    print(f"    run {day.run_id}: {day.state} in {day.seconds:.1f} s")


def _print_alerts(demo: DemoRun, day: DayResult, received: list[dict[str, Any]]) -> None:
    """What the day's alerting did: the ``alerts`` task's sent keys and what the recorder got
    (failure callbacks send from the failed task itself, so they show only there)."""
    sent = demo.alerts_sent(day.run_id)
    if sent is None:
        print("    alerts: the alerts task recorded nothing (it did not run, or failed the run)")
        return
    got = [str(r["body"].get("text", r["body"]))[:160] for r in received]
    if not sent and not got:
        print("    alerts: none fired (alerts task sent 0 messages, the recorder received 0)")
        return
    print(f"    alerts: the alerts task sent {len(sent)}, the recorder received {len(got)}:")
    for text in got:
        print(f"      {text}")


def _print_status(demo: DemoRun, workdir: Path) -> None:
    """``datakit status`` (as ``runner-postgres status``) on the demo's warehouse: the terminal
    table, and the HTML page written next to it. The tenant's URL goes in a 0600 file
    (``DATAKIT_WAREHOUSE_URL_FILE``), never on a command line, so the printed command is safe."""
    url_file = workdir / "demo_warehouse.url"
    url_file.write_text(demo.tenant_warehouse_url + "\n", encoding="utf-8")
    page = workdir / "status.html"
    command = shutil.which("runner-postgres", path=demo.runner_path or runner_path())
    argv = [command or "runner-postgres", "status", "--schema", "demo_bronze", "--html", str(page)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAKIT_")}
    env["DATAKIT_WAREHOUSE_URL_FILE"] = str(url_file)
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"    status failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
        return
    for line in done.stdout.rstrip().splitlines():
        print(f"      {line}")
    print(f"    the same as a page with charts (open it in a browser): {page}")
    print(f"    again: DATAKIT_WAREHOUSE_URL_FILE={url_file} {' '.join(argv)}")


def main() -> int:
    from datakit.sample import load_sample, next_day
    from datakit.secrets import mask_url
    from datakit.testing import demo as demo_kit
    from datakit.testing.postgres import EmbeddedPostgresError

    # Run as a script (scripts/ on sys.path) or imported as scripts.demo.
    demo_modes = importlib.import_module(
        f"{__package__}.demo_modes" if __package__ else "demo_modes"
    )
    alert_recorder = importlib.import_module(
        f"{__package__}.alert_recorder" if __package__ else "alert_recorder"
    )

    scale = float(os.environ.get("DEMO_SCALE", "0.1"))
    keep = os.environ.get("DEMO_KEEP", "1") != "0"
    workdir = Path(os.environ.get("DEMO_DIR") or DEFAULT_DIR).resolve()
    demo_kit.private_files()
    demo_kit.private_workdir(workdir)
    t_start = time.monotonic()

    step("runner CLIs (runner-postgres, runner-dbt) from their component environments")
    path = runner_path()
    for folder in path.split(os.pathsep):
        print(f"    {folder}")

    try:
        mode = demo_modes.demo_mode()
    except demo_modes.DemoModeError as exc:
        demo_kit.fail("make demo", str(exc))
    execution = demo_modes.Execution(mode)

    step("starting an embedded Postgres")
    try:
        server = demo_kit.start_server(workdir, move_if_closed=not os.environ.get("DEMO_DIR"))
    except EmbeddedPostgresError as exc:
        demo_kit.fail("make demo", f"{exc} (DEMO_DIR chooses the folder)")
    succeeded = False
    recorder = alert_recorder.AlertRecorder("/demo/alerts").__enter__()
    try:
        step(f"execution mode {mode}: {demo_modes.describe(mode)}")
        try:
            execution = demo_modes.start(mode, workdir)
        except demo_modes.DemoModeError as exc:
            demo_kit.fail("make demo", str(exc))
        source_url = server.create_database("shop_source")
        warehouse_url = server.create_database("warehouse")
        print(f"    source    {mask_url(source_url)}")
        print(f"    warehouse {mask_url(warehouse_url)}")

        step(f"seeding the sample shop source (scale {scale:g})")
        seeded = load_sample(source_url, scale=scale)
        print(f"    {json.dumps(seeded)[:300]}")

        demo = DemoRun(
            workdir=workdir,
            source_url=source_url,
            warehouse_url=warehouse_url,
            runner_path=path,
            execution=mode,
            platform_file=execution.platform_file,
            execution_env=execution.env,
            extra_connections={"demo_alerts": recorder.connection()},
        )
        step("Airflow: metadata database (SQLite) and tenant pools")
        demo.setup()
        print(f"    AIRFLOW_HOME={demo.airflow_home}")
        print(
            "    alerts (include/tenants/demo.yaml): webhook connection demo_alerts -> "
            f"{recorder.url}, a local recorder standing in for the team's Slack/Teams webhook"
        )

        days = []
        for number, logical_date in ((1, "2024-01-01"), (2, "2024-01-02")):
            if number == 2:
                step("applying the next day's changes to the source (datakit sample next-day)")
                print(f"    {json.dumps(next_day(source_url))[:300]}")
            step(f"day {number}: airflow dags test {demo.dag_id} {logical_date} ({mode} mode)")
            print("    tasks as they finish:", flush=True)
            received_before = len(recorder.received)
            day = demo.run_day(logical_date, on_task=_print_task)
            days.append(day)
            log_file = workdir / f"day{number}.log"
            log_file.write_text(day.output)
            _print_day(day)
            _print_alerts(demo, day, recorder.received[received_before:])
            print(f"    task logs (airflow dags test output, runner events included): {log_file}")
            if day.state != "success":
                print(day.output[-6000:])
                print(f"\ndemo failed on day {number}; full output: {log_file}")
                return 1

        step("summary")
        tenant_url = demo.tenant_warehouse_url
        for layer in ("bronze", "silver", "gold"):
            counts = layer_counts(tenant_url, f"demo_{layer}")
            print(f"    demo_{layer}: {len(counts)} tables")
            for table, rows in counts.items():
                print(f"      {table:<32} {rows:>10,} rows")
        gold, source = demo.reconcile_gold()
        status = "reconciled" if gold == source else "DIFFERENT"
        revenue = sum(row[3] for row in source)
        print(
            f"    gold vs source: {len(source)} order days, {sum(r[1] for r in source):,} orders, "
            f"revenue {revenue:,} -> {status}"
        )
        for index, day in enumerate(days, start=1):
            print(f"    day {index}: {day.seconds:6.1f} s")
        print("    where each task ran (day 2):")
        ran = demo_modes.where_tasks_ran(
            demo.airflow_home / "airflow.db", demo.dag_id, days[-1].run_id
        )
        for task_id, where in sorted(ran.items()):
            print(f"      {task_id:<28} {where}")
        step("datakit status: loads, freshness, row trends and the last builds with their tests")
        _print_status(demo, workdir)
        print(f"    total:  {time.monotonic() - t_start:6.1f} s (wall time, {mode} mode)")
        print(f"    task logs: {demo.airflow_home / 'logs'}")
        if keep:
            services = demo_kit.access(
                workdir,
                {"warehouse": warehouse_url, "demo": tenant_url, "source": source_url},
            )
            statement = "table demo_gold.mart_daily_revenue"
            print(
                f"    look at the data: {demo_kit.psql_command(services, 'warehouse', statement)}"
            )
            print(f"    as the tenant:    {demo_kit.psql_command(services, 'demo')}")
            print(
                "    the server keeps running for that; stop it with: "
                + demo_kit.stop_command(workdir, DEFAULT_DIR)
            )
        succeeded = gold == source
        return 0 if succeeded else 1
    finally:
        recorder.__exit__(None, None, None)
        execution.stop()
        if not (keep and succeeded):
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
