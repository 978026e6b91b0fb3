"""``run_main``'s exit: the result line, the exit code and the ``atexit`` handlers survive the
skipped interpreter teardown, and a running non-daemon thread is still waited for."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import atexit, sys, threading, time
    from pathlib import Path

    import click

    from datakit.cli.app import run_main, runner_group

    out = Path(sys.argv[1])


    class Teardown:
        def __del__(self):
            # Only a normal interpreter teardown frees module globals and runs this.
            sys.stderr.write("teardown ran\\n")


    kept = Teardown()
    group = runner_group(name="probe", version="1.0", help="probe")


    @group.command()
    @click.option("--thread", is_flag=True)
    @click.option("--code", type=int, default=0)
    def go(thread: bool, code: int) -> None:
        atexit.register(lambda: (out / "atexit").write_text("ran"))
        if thread:
            def late() -> None:
                time.sleep(0.3)
                (out / "thread").write_text("finished")
            threading.Thread(target=late).start()
        # No newline and no flush: the exit must flush it.
        sys.stdout.write('{"status": "succeeded"}')
        if code:
            raise click.exceptions.Exit(code)


    run_main(group, ["go", *sys.argv[2:]])
    """
)


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "probe.py"
    script.write_text(SCRIPT)
    return subprocess.run(
        [sys.executable, str(script), str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_exit_flushes_runs_atexit_and_skips_the_teardown(tmp_path: Path) -> None:
    done = _run(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == '{"status": "succeeded"}'
    assert (tmp_path / "atexit").read_text() == "ran"
    assert "teardown ran" not in done.stderr


def test_the_exit_keeps_the_code(tmp_path: Path) -> None:
    done = _run(tmp_path, "--code", "5")
    assert done.returncode == 5, done.stderr
    assert done.stdout == '{"status": "succeeded"}'
    assert (tmp_path / "atexit").read_text() == "ran"


def test_a_running_non_daemon_thread_is_waited_for(tmp_path: Path) -> None:
    done = _run(tmp_path, "--thread")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "thread").read_text() == "finished"
    assert (tmp_path / "atexit").read_text() == "ran"
    # The normal exit's teardown: what the probe of the first test would have seen.
    assert "teardown ran" in done.stderr
