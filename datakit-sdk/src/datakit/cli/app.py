"""The click scaffold every runner shares: ``--version``, ``--debug``, and exit-code mapping.

Runners build their commands on :func:`runner_group` and start through :func:`run_main`, which
turns every exception into the documented exit code and a one-line message (a traceback only
with ``--debug``). Heavy imports belong inside commands so ``--help`` stays fast.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from datakit import audit, cancel
from datakit.errors import EXIT_INTERNAL, EXIT_USAGE, DatakitError, Terminated
from datakit.result import emit_result
from datakit.secrets import mask_text

_DEBUG_ENV = "DATAKIT_DEBUG"


def runner_group(*, name: str, version: str, help: str) -> click.Group:
    """A click group with ``--version`` and ``--debug`` that sets up logging before a command."""

    @click.group(name=name, help=help, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(version, "--version", prog_name=name, message="%(prog)s %(version)s")
    @click.option("--debug", is_flag=True, help="Log debug events and show tracebacks on errors.")
    @click.pass_context
    def group(ctx: click.Context, debug: bool) -> None:
        from datakit.logging import configure_logging

        ctx.ensure_object(dict)
        # invoke() reads it back after the command, to print a traceback with --debug.
        ctx.obj["debug"] = debug
        log_format = os.environ.get("DATAKIT_LOG_FORMAT") or (
            "console" if sys.stderr.isatty() else "json"
        )
        configure_logging(log_format="console" if log_format == "console" else "json", debug=debug)

    # Read by invoke() for the audit columns of the rows this runner writes.
    group.datakit_version = version  # type: ignore[attr-defined]
    return group


def _on_sigterm(_signum: int, _frame: Any) -> None:
    cancel.cancel_all()
    raise Terminated("terminated: stop requested (SIGTERM); the running load was rolled back")


def run_main(group: click.Group, argv: Sequence[str] | None = None) -> NoReturn:
    """Run *group* and exit with the documented code; print one line on stderr for a failure."""
    exit_process(invoke(group, argv))


def exit_process(code: int) -> NoReturn:
    """End the process with *code*, without the interpreter's teardown when nothing needs it.

    A normal exit frees every module and object one by one, after the result line: 20-30 ms
    for runner-postgres's imports alone (``python -c`` with and without ``os._exit``), and
    runner-postgres's increment fell from 0.337 to 0.276 s of CPU (best of 8 alternating runs;
    the benchmark's "process exit" phase from 0.05 to 0.008 s). What an exit must still do is
    done first: the ``atexit`` handlers run (private folders removed, child processes ended,
    logging flushed) and stdout and stderr are flushed. While a non-daemon thread still runs,
    the exit is the normal one, which waits for it.
    """
    current = threading.current_thread()
    if current is not threading.main_thread() or any(
        thread is not current and not thread.daemon and thread.is_alive()
        for thread in threading.enumerate()
    ):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe or stream: nothing more can reach that reader.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def invoke(group: click.Group, argv: Sequence[str] | None = None) -> int:
    """Run *group* like :func:`run_main` but return the exit code instead of exiting."""
    previous = signal.getsignal(signal.SIGTERM)
    in_main_thread = _in_main_thread()
    if in_main_thread:
        signal.signal(signal.SIGTERM, _on_sigterm)
    cancel.reset()
    version = getattr(group, "datakit_version", None)
    audit.start(
        runner=None if group.name is None else f"{group.name} {version or ''}".strip(),
        arguments=list(argv) if argv is not None else sys.argv[1:],
    )
    state: dict[str, Any] = {}
    try:
        # Without standalone mode click returns (not raises) the code of a ctx.exit / Exit.
        code = group.main(
            args=list(argv) if argv is not None else None, standalone_mode=False, obj=state
        )
        return code if isinstance(code, int) else 0
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        # Bad option values, unknown or missing options: exit 2 before anything is read or
        # written, with the same result line as every other failure (orchestrators read it).
        exc.show()
        code = exc.exit_code if exc.exit_code else EXIT_USAGE
        message = mask_text(f"usage error: {exc.format_message()}")
        log_failure("usage", message, code)
        emit_result(
            {"status": "failed", "error": {"kind": "usage", "message": message, "exit_code": code}}
        )
        return code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_USAGE
    except (DatakitError, KeyboardInterrupt) as exc:
        error = exc if isinstance(exc, DatakitError) else Terminated("interrupted (SIGINT)")
        report_failure(error, debug=_debug(state))
        return error.exit_code
    except Exception as exc:
        message = mask_text(
            f"internal error: {type(exc).__name__}: {exc} (rerun with --debug and report it)"
        )
        log_failure("internal", message, EXIT_INTERNAL)
        _print_error(message)
        if _debug(state):
            traceback.print_exc()
        emit_result(
            {"status": "failed", "error": {"kind": "internal", "message": message, "exit_code": 1}}
        )
        return EXIT_INTERNAL
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def report_failure(error: DatakitError, *, debug: bool = False) -> None:
    """Log, print and emit the result object of a failed command (a traceback if *debug*)."""
    message = mask_text(error.message)
    log_failure(error.kind, message, error.exit_code)
    _print_error(message)
    if debug or _debug_env():
        traceback.print_exception(error)
    emit_result(
        {
            "status": "failed",
            "error": {"kind": error.kind, "message": message, "exit_code": error.exit_code},
        }
    )


def log_failure(kind: str, message: str, exit_code: int) -> None:
    try:
        from datakit.logging import get_logger

        get_logger().error("command_failed", error_kind=kind, error=message, exit_code=exit_code)
    except Exception:
        pass


def _print_error(message: str) -> None:
    # The JSON log line already carries the error; humans at a terminal also get the plain line.
    if sys.stderr.isatty():
        click.echo(f"error: {message}", err=True)


def _debug_env() -> bool:
    return os.environ.get(_DEBUG_ENV) == "1"


def _debug(state: dict[str, Any]) -> bool:
    """``--debug`` as the group saw it (in *state*, its context object), or DATAKIT_DEBUG=1."""
    return bool(state.get("debug")) or _debug_env()


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


__all__ = ["exit_process", "invoke", "log_failure", "report_failure", "run_main", "runner_group"]
