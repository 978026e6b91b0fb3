"""Run Airflow CLI commands for tests, several per process.

Each ``airflow`` process spends seconds importing Airflow and discovering providers; running a
batch of commands through one parser in one process keeps the suite fast. Output of each
command is delimited so tests can read them separately.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

_SCRIPT = """
import json, sys
from airflow.cli import cli_parser
parser = cli_parser.get_parser()
for argv in json.loads(sys.argv[1]):
    print("\\n@@@ " + json.dumps(argv), flush=True)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except SystemExit as exc:  # list-import-errors exits 1 when it lists errors
        print("\\n@@@ exit " + str(exc.code), flush=True)
    sys.stdout.flush()
"""


def airflow_env(home: Path, **overrides: str) -> dict[str, str]:
    """An environment for an isolated Airflow home on SQLite, without examples."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW_", "AIRFLOW__", "DATAKIT_"))
    }
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home}/airflow.db",
        AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACKS="False",
        AIRFLOW__LOGGING__LOGGING_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def run_airflow(
    commands: Sequence[Sequence[str]],
    env: Mapping[str, str],
    *,
    timeout_seconds: float = 600,
) -> dict[str, str]:
    """Run *commands* (each an ``airflow`` argv) in one process; stdout per command."""
    process = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps([list(c) for c in commands])],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout_seconds,
        check=False,
    )
    if process.returncode != 0:
        raise AssertionError(
            f"airflow {commands} exited {process.returncode}\n"
            f"--- stdout\n{process.stdout[-6000:]}\n--- stderr\n{process.stderr[-6000:]}"
        )
    outputs: dict[str, str] = {}
    current = None
    for line in process.stdout.splitlines():
        if line.startswith("@@@ ["):
            current = " ".join(json.loads(line[4:]))
            outputs[current] = ""
        elif line.startswith("@@@ exit") and current is not None:
            outputs[current + " (exit)"] = line.split()[-1]
        elif current is not None:
            outputs[current] += line + "\n"
    return outputs


def last_json(text: str) -> object:
    """The last line of *text* that parses as JSON (CLI ``-o json`` output)."""
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith(("[", "{")):
            return json.loads(line)
    raise AssertionError(f"no JSON in: {text[-2000:]}")
