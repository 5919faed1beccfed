"""Running the project's commands from a test: `ape_run` starts the real `ape run` in a process of its own (the whole
path a person takes, a few seconds of start-up each); `invoke` calls the same script's click command in the test's
process (milliseconds), for the many checks of what a command prints and how it exits; `load_bot` and `run_task`
import a Silverback bot and run its handlers as silverback's runner would."""

import asyncio
import importlib.util
import inspect
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import pytest
from ape.api import ProviderContextManager
from click.testing import CliRunner
from silverback.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def ape_run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`ape run <args>` from the repository root, in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ape = Path(sys.executable).with_name("ape")
    return subprocess.run(
        [str(ape), "run", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@dataclass(frozen=True)
class Outcome:
    """What an in-process command left: its exit code and what it printed (stdout and stderr, in order)."""

    returncode: int
    output: str


def script_command(*args: str) -> tuple[click.Command, list[str]]:
    """The click command `ape run <args>` would call and the arguments left for it: `scripts/<name>.py`, or
    `scripts/<folder>/<name>.py` for a folder of scripts (`keeper liquidate`)."""
    path, rest = ROOT / "scripts" / args[0], list(args[1:])
    if path.is_dir():
        path, rest = path / rest[0], rest[1:]
    spec = importlib.util.spec_from_file_location(f"ballast_script_{path.stem}", path.with_suffix(".py"))
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli, rest


def invoke(*args: str) -> Outcome:
    """`ape run <args>` as a click invocation in this process (exceptions other than click's are re-raised). The
    loggers a command configures for its process (a keeper's JSON lines on stderr) are put back afterwards."""
    with _logging_restored():
        command, rest = script_command(*args)
        result = CliRunner().invoke(command, rest, catch_exceptions=False)
    return Outcome(result.exit_code, result.output)


@contextmanager
def _logging_restored() -> Iterator[None]:
    """Put every logger back as it was; a logger first made inside gets a fresh logger's settings."""
    before = {name: logging.getLogger(name) for name in ["", *logging.Logger.manager.loggerDict]}
    saved = {name: (list(lg.handlers), lg.propagate, lg.level) for name, lg in before.items()}
    try:
        yield
    finally:
        for name in ["", *logging.Logger.manager.loggerDict]:
            handlers, propagate, level = saved.get(name, ([], True, logging.NOTSET))
            logger = logging.getLogger(name)
            logger.handlers = handlers
            logger.propagate, logger.level = propagate, level


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("Error:", "ERROR:"))]


def assert_one_line(returncode: int, output: str, *expected: str) -> None:
    """A command that failed as a user mistake: exit 1, exactly one `Error:` line holding `expected`, no traceback."""
    errors = error_lines(output)
    assert returncode == 1, output
    assert len(errors) == 1, output
    assert "Traceback" not in output, output
    for text in expected:
        assert text in errors[0], output


def load_bot(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Import bots/<name>.py as `silverback run` would, on the test's node (silverback's path for an ad-hoc
    connection) rather than on a node of its own."""
    monkeypatch.setattr(
        Settings, "get_provider_context", lambda self: ProviderContextManager(provider=self.provider)
    )
    spec = importlib.util.spec_from_file_location(f"ballast_{name}_bot", ROOT / "bots" / f"{name}.py")
    assert spec is not None and spec.loader is not None, name
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    # The bot wraps its signer's `call` (silverback's nonce tracking) on the account object that every test shares:
    # take the wrapper off again when the test ends.
    signer = getattr(getattr(module, "bot", None), "signer", None)
    if signer is not None and "call" in vars(signer):
        monkeypatch.setitem(vars(signer), "call", vars(signer).pop("call"))
    return module


def run_task(task: Any, *args: Any) -> Any:
    """Run a Silverback task's function as a worker would (silverback makes every handler a coroutine)."""
    result = task.original_func(*args)
    return asyncio.run(result) if inspect.isawaitable(result) else result
