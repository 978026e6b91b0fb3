"""DAG parse cost: ``dags/warehouse.py`` for 1, 10 and 100 generated tenants of 40 tables each,
against a hand-written DAG file with the same DAGs and number of EmptyOperator tasks, parsed in
the same run.

Measured the way Airflow 3's DAG processor parses: the parent process pre-imports the Airflow
modules a DAG file names (``parsing_pre_import_modules``), then every parse happens in a fresh
forked child. Here each measurement is a fork of this process after the same pre-import; the
child parses the file with ``DagBag`` (import, validate, bag) and serializes every DAG as the
processor stores it, and reports the times through a pipe. Our package is *not* pre-imported
(its name does not start with ``airflow.``), so its import and the schema compilation count
in every parse, as they do in Airflow.

Usage (from orchestration/): ``uv run python benchmarks/bench_parse.py [--repeat 3]
[--sizes 1,10,100] [--modes local,docker,kubernetes]``. Prints a table and writes
``benchmarks/results.json``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
DAG_FILE = PROJECT_DIR / "dags" / "warehouse.py"
TABLES_PER_TENANT = 40
IMPORT_TIMEOUT_SECONDS = 30  # Airflow's default [core] dagbag_import_timeout


def write_tenants(folder: Path, count: int) -> None:
    """*count* tenants of 40 tables each (a mix of modes), like a real tenant file."""
    for number in range(count):
        tenant = f"tenant{number:03d}"
        tables = []
        for table in range(TABLES_PER_TENANT):
            if table % 3 == 0:
                tables.append(
                    f"      - {{name: app.table_{table:02d}, mode: incremental, "
                    f"cursor: updated_at, primary_key: [id]}}"
                )
            elif table % 3 == 1:
                tables.append(f"      - {{name: app.table_{table:02d}, mode: append}}")
            else:
                tables.append(f"      - app.table_{table:02d}")
        (folder / f"{tenant}.yaml").write_text(
            f"tenant: {tenant}\n"
            'schedule: "0 2 * * *"\n'
            f"warehouse: {{type: postgres, connection: {tenant}_warehouse}}\n"
            "sources:\n"
            "  app:\n"
            "    type: postgres\n"
            f"    connection: {tenant}_app\n"
            "    tables:\n" + "\n".join(tables) + "\n"
            'transform: {project: warehouse, silver: "tag:silver", gold: "tag:gold"}\n'
            "pool: {slots: 4}\n",
            encoding="utf-8",
        )


def write_reference(path: Path, count: int, *, same_features: bool = False) -> None:
    """The same DAGs written out by hand: provision, 40 bronze tasks in a group, silver, gold.

    *same_features* adds what our DAGs carry besides their tasks (retry backoff and timeouts in
    default_args, an Asset per bronze table consumed by silver), so the comparison isolates the
    cost of generating DAGs from tenant files and of the runner operators.
    """
    lines = [
        '"""Hand-written reference: the same DAG shapes with EmptyOperator tasks."""',
        "from datetime import datetime, timedelta, timezone",
        "",
        "from airflow.providers.standard.operators.empty import EmptyOperator",
        "from airflow.sdk import DAG, Asset, TaskGroup",
        "",
    ]
    extra_args = (
        "                       'retry_exponential_backoff': 2.0,\n"
        "                       'max_retry_delay': timedelta(seconds=1800),\n"
        "                       'execution_timeout': timedelta(seconds=21600),\n"
        if same_features
        else ""
    )
    for number in range(count):
        tenant = f"tenant{number:03d}"
        lines += [
            f"with DAG(dag_id='reference__{tenant}', schedule='0 2 * * *',",
            "         start_date=datetime(2024, 1, 1, tzinfo=timezone.utc), catchup=False,",
            "         max_active_runs=1, tags=['datakit', 'reference'],",
            "         default_args={'owner': 'datakit', 'retries': 3,",
            "                       'retry_delay': timedelta(seconds=60),",
            extra_args + f"                       'pool': 'datakit_{tenant}'}}) as dag_{number}:",
            "    provision = EmptyOperator(task_id='provision')",
            "    with TaskGroup('bronze') as bronze:",
        ]
        for table in range(TABLES_PER_TENANT):
            if same_features:
                lines.append(
                    f"        EmptyOperator(task_id='app__table_{table:02d}', outlets=[Asset("
                    f"name='{tenant}_bronze.app__table_{table:02d}', "
                    f"uri='x-datakit://{tenant}_warehouse/{tenant}_bronze/app__table_{table:02d}')])"
                )
            else:
                lines.append(f"        EmptyOperator(task_id='app__table_{table:02d}')")
        if same_features:
            lines += [
                "    silver = EmptyOperator(task_id='silver', inlets=[",
                *(
                    f"        Asset(name='{tenant}_bronze.app__table_{table:02d}', "
                    f"uri='x-datakit://{tenant}_warehouse/{tenant}_bronze/app__table_{table:02d}'),"
                    for table in range(TABLES_PER_TENANT)
                ),
                "    ])",
            ]
        else:
            lines.append("    silver = EmptyOperator(task_id='silver')")
        lines += [
            "    gold = EmptyOperator(task_id='gold')",
            "    provision >> bronze >> silver >> gold",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _parse_in_child(file: Path, env: dict[str, str]) -> dict[str, Any]:
    """Fork, parse *file* once in the child (like the DAG processor), return its timings."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        try:
            os.environ.update(env)
            reads: dict[str, int] = {}
            original = Path.read_text

            def counting(self: Path, *args: Any, **kwargs: Any) -> str:
                if self.suffix == ".yaml":
                    reads[self.name] = reads.get(self.name, 0) + 1
                return original(self, *args, **kwargs)

            Path.read_text = counting  # type: ignore[method-assign]
            from airflow.dag_processing.dagbag import DagBag
            from airflow.serialization.serialized_objects import DagSerialization

            started = time.perf_counter()
            bag = DagBag(dag_folder=str(file), safe_mode=False)
            parsed = time.perf_counter()
            for dag in bag.dags.values():
                DagSerialization.to_dict(dag)
            serialized = time.perf_counter()
            result: dict[str, Any] = {
                "parse_seconds": parsed - started,
                "serialize_seconds": serialized - parsed,
                "dags": len(bag.dags),
                "tasks": sum(len(dag.tasks) for dag in bag.dags.values()),
                "errors": list(bag.import_errors.values()),
                "max_reads_per_yaml": max(reads.values(), default=0),
            }
        except BaseException as exc:  # report, never fall back into the parent's code
            result = {"error": repr(exc)}
        os.write(write_fd, json.dumps(result).encode())
        os.close(write_fd)
        os._exit(0)
    os.close(write_fd)
    chunks = []
    while chunk := os.read(read_fd, 65536):
        chunks.append(chunk)
    os.close(read_fd)
    os.waitpid(pid, 0)
    report: dict[str, Any] = json.loads(b"".join(chunks))
    if "error" in report:
        raise RuntimeError(f"parse of {file} failed: {report['error']}")
    if report["errors"]:
        raise RuntimeError(f"parse of {file} had import errors: {report['errors'][:1]}")
    return report


def measure(file: Path, env: dict[str, str], repeat: int) -> dict[str, Any]:
    """Best of *repeat* parses: the machine is shared, and noise only ever adds time."""
    runs = [_parse_in_child(file, env) for _ in range(repeat)]
    best = min(runs, key=lambda run: run["parse_seconds"])
    return {
        **best,
        "serialize_seconds": min(run["serialize_seconds"] for run in runs),
        "parse_seconds_median": statistics.median(run["parse_seconds"] for run in runs),
    }


def operator_costs(repeat: int, count: int = 400) -> dict[str, float]:
    """Microseconds to construct one operator inside a DAG: EmptyOperator vs each runner operator.

    Separates what the provider operators cost by themselves (DockerOperator and
    KubernetesPodOperator set dozens of attributes) from the cost of generating DAGs.
    """
    from datetime import UTC, datetime, timedelta

    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG

    from datakit_orchestration.adapters import adapter_for
    from datakit_orchestration.platform import load_platform
    from datakit_orchestration.tasks import tenant_tasks
    from datakit_orchestration.validation import load_tenants

    platform = load_platform()
    task = tenant_tasks(load_tenants(platform).tenants["demo"], platform).bronze[0]
    makers: dict[str, Any] = {"EmptyOperator": lambda i: EmptyOperator(task_id=f"t{i}")}
    for mode in ("local", "docker", "kubernetes"):
        adapter = adapter_for(mode, platform=platform)
        makers[f"{mode} runner operator"] = lambda i, a=adapter: a.operator(task, task_id=f"t{i}")
    args = {"retries": 3, "retry_delay": timedelta(seconds=60), "pool": "p"}
    costs: dict[str, float] = {}
    for name, make in makers.items():
        best = float("inf")
        for attempt in range(repeat):
            with DAG(
                dag_id=f"bench_{len(costs)}_{attempt}",
                schedule=None,
                start_date=datetime(2024, 1, 1, tzinfo=UTC),
                default_args=args,
            ):
                started = time.perf_counter()
                for number in range(count):
                    make(number)
                best = min(best, time.perf_counter() - started)
        costs[name] = 1e6 * best / count
    return costs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--modes", default="local,docker,kubernetes")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    modes = args.modes.split(",")

    home = tempfile.mkdtemp(prefix="datakit-bench-airflow-")
    os.environ.update(
        AIRFLOW_HOME=home,
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home}/airflow.db",
        AIRFLOW__LOGGING__LOGGING_LEVEL="ERROR",
    )
    # What the DAG processor pre-imports for these two files (their `airflow.*` imports).
    started = time.perf_counter()
    import airflow.dag_processing.dagbag
    import airflow.providers.cncf.kubernetes.operators.pod
    import airflow.providers.docker.operators.docker
    import airflow.providers.standard.operators.empty
    import airflow.sdk
    import airflow.serialization.serialized_objects  # noqa: F401

    print(f"pre-import of Airflow and providers: {time.perf_counter() - started:.1f} s (once)")
    # A deployed package has its bytecode (the Dockerfile compiles include/); without it every
    # parse would compile our modules from source (PYTHONDONTWRITEBYTECODE is set here).
    import compileall

    compileall.compile_dir(str(PROJECT_DIR / "include"), quiet=1)

    costs = operator_costs(args.repeat)
    for name, micros in costs.items():
        print(
            f"construct one {name:<26} {micros:6.1f} us "
            f"({micros / costs['EmptyOperator']:.2f}x EmptyOperator)"
        )

    rows = []
    with tempfile.TemporaryDirectory(prefix="datakit-bench-") as scratch:
        for size in sizes:
            tenants = Path(scratch) / f"tenants{size}"
            tenants.mkdir()
            write_tenants(tenants, size)
            reference = Path(scratch) / f"reference_{size}.py"
            write_reference(reference, size)
            ref = measure(reference, {}, args.repeat)
            featured = Path(scratch) / f"reference_features_{size}.py"
            write_reference(featured, size, same_features=True)
            ref_features = measure(featured, {}, args.repeat)
            for mode in modes:
                ours = measure(
                    DAG_FILE,
                    {"DATAKIT_TENANTS_DIR": str(tenants), "DATAKIT_EXECUTION": mode},
                    args.repeat,
                )
                assert ours["tasks"] == ref["tasks"], (ours["tasks"], ref["tasks"])
                row = {
                    "tenants": size,
                    "mode": mode,
                    "tasks": ours["tasks"],
                    "ours_parse_s": ours["parse_seconds"],
                    "reference_parse_s": ref["parse_seconds"],
                    "ours_ms_per_task": 1000 * ours["parse_seconds"] / ours["tasks"],
                    "reference_ms_per_task": 1000 * ref["parse_seconds"] / ref["tasks"],
                    "ratio_per_task": ours["parse_seconds"] / ref["parse_seconds"],
                    "reference_features_parse_s": ref_features["parse_seconds"],
                    "ratio_vs_same_features": ours["parse_seconds"] / ref_features["parse_seconds"],
                    "ours_serialize_s": ours["serialize_seconds"],
                    "reference_serialize_s": ref["serialize_seconds"],
                    "max_reads_per_tenant_file": ours["max_reads_per_yaml"],
                }
                rows.append(row)
                print(
                    f"{size:>4} tenants {mode:<10} {row['tasks']:>5} tasks: "
                    f"ours {row['ours_parse_s']:6.2f} s ({row['ours_ms_per_task']:.2f} ms/task), "
                    f"reference {row['reference_parse_s']:6.2f} s "
                    f"({row['reference_ms_per_task']:.2f} ms/task), ratio {row['ratio_per_task']:.2f} "
                    f"(vs same features {row['ratio_vs_same_features']:.2f}); "
                    f"serialize {row['ours_serialize_s']:.2f} s vs {row['reference_serialize_s']:.2f} s; "
                    f"tenant file read {row['max_reads_per_tenant_file']}x",
                    flush=True,
                )
    # Marginal cost per task: (T(largest) - T(smallest)) / (tasks added), which leaves out what
    # every parse pays once (imports, platform file) and compares the per-task work itself.
    marginal = {}
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        for mode in modes:
            lo = next(r for r in rows if r["tenants"] == small and r["mode"] == mode)
            hi = next(r for r in rows if r["tenants"] == large and r["mode"] == mode)
            added = hi["tasks"] - lo["tasks"]
            ours = (hi["ours_parse_s"] - lo["ours_parse_s"]) / added
            ref = (hi["reference_parse_s"] - lo["reference_parse_s"]) / added
            ref_features = (
                hi["reference_features_parse_s"] - lo["reference_features_parse_s"]
            ) / added
            marginal[mode] = {
                "ours_ms_per_task": 1000 * ours,
                "reference_ms_per_task": 1000 * ref,
                "reference_features_ms_per_task": 1000 * ref_features,
                "ratio": ours / ref,
                "ratio_vs_same_features": ours / ref_features,
                "fixed_overhead_s": lo["ours_parse_s"] - ours * lo["tasks"],
            }
            print(
                f"marginal per task ({mode}): ours {1000 * ours:.3f} ms, reference "
                f"{1000 * ref:.3f} ms, ratio {ours / ref:.2f} (same-features reference "
                f"{1000 * ref_features:.3f} ms, ratio {ours / ref_features:.2f}); our fixed cost per parse "
                f"{marginal[mode]['fixed_overhead_s'] * 1000:.0f} ms"
            )
    largest = [row for row in rows if row["tenants"] == max(sizes)]
    for row in largest:
        total = row["ours_parse_s"] + row["ours_serialize_s"]
        verdict = "inside" if total < IMPORT_TIMEOUT_SECONDS else "OVER"
        print(
            f"{row['tenants']} tenants ({row['mode']}): parse + serialize {total:.1f} s, "
            f"{verdict} the {IMPORT_TIMEOUT_SECONDS} s import timeout"
        )
    out = Path(__file__).with_name("results.json")
    out.write_text(
        json.dumps(
            {
                "machine_cpus": os.cpu_count(),
                "repeat": args.repeat,
                "rows": rows,
                "marginal_per_task": marginal,
                "operator_construction_us": costs,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written {out.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
