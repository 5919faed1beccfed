"""Every command fails in one line: `ape run` scripts against a node that is down or with a config file that does not
exist, and the Silverback bots with a bad setting, print `Error: ...` once, exit 1 and show no traceback."""

import concurrent.futures
import importlib.util
import inspect
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from ape.api import ProviderContextManager
from silverback import StateSnapshot
from silverback.settings import Settings

pytestmark = pytest.mark.slow  # each test starts `ape run`, a bot or a node of its own

ROOT = Path(__file__).resolve().parent.parent

#: Every `ape run` command, with the arguments that make it reach the network.
COMMANDS = {
    "deploy": ["deploy"],
    "demo": ["demo"],
    "bench": ["bench", "--no-throughput", "--no-write"],
    "bench_receipts": ["bench_receipts"],
    "keeper liquidate": ["keeper", "liquidate", "--once"],
    "keeper oracle": ["keeper", "oracle", "--steps", "1"],
    "scenario": ["scenario", "crash"],
    "scenario bench": ["scenario", "bench"],
    "scenario sweep": ["scenario", "sweep"],
    "scenario scale": ["scenario", "scale"],
    "scenario size-insurance": ["scenario", "size-insurance"],
}


def _dead_port() -> int:
    """A port nothing listens on: bound, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ape_run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ape = Path(sys.executable).with_name("ape")
    return subprocess.run(
        [str(ape), "run", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def assert_one_line(result: subprocess.CompletedProcess, *expected: str) -> None:
    output = result.stderr + result.stdout
    errors = [line for line in output.splitlines() if line.startswith(("Error:", "ERROR:"))]
    assert result.returncode == 1, output
    assert len(errors) == 1, output
    assert "Traceback" not in output, output
    for text in expected:
        assert text in errors[0], output


@pytest.fixture(scope="module")
def node_down_runs():
    """Each command against a node that is down, run side by side (each `ape run` takes seconds to start)."""
    uri = f"http://127.0.0.1:{_dead_port()}"
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(COMMANDS)) as pool:
        futures = {name: pool.submit(ape_run, *args, "--network", uri) for name, args in COMMANDS.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_ape_run__node_down__one_line_and_exit_1(node_down_runs, command):
    assert_one_line(node_down_runs[command], "cannot connect to the node", "is the node running?")


def test_ape_run_deploy__config_path_missing__one_line_and_exit_1(chain, tmp_path):
    result = ape_run(
        "deploy", "--network", chain.provider.uri, "--config", str(tmp_path / "nope.yaml"),
        "--deployments", str(tmp_path),
    )  # fmt: skip
    assert_one_line(result, "nope.yaml: no such file")


def test_ape_run_keeper_oracle__config_path_missing__one_line_and_exit_1(chain, tmp_path):
    result = ape_run(
        "keeper", "oracle", "--network", chain.provider.uri, "--config", str(tmp_path / "nope.yaml"),
        "--deployments", str(tmp_path),
    )  # fmt: skip
    assert_one_line(result)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scenario", "size-insurance", "--accounts", "30,x"], "x"),
        (["scenario", "size-insurance", "--scenarios", "nope"], "nope"),
    ],
)
def test_ape_run_scenario_size_insurance__bad_option__one_line_and_exit_1(args, message):
    assert_one_line(ape_run(*args), message)


def _load_bot(name: str, monkeypatch):
    """Import bots/<name>.py on the test's node, as `silverback run` would."""
    monkeypatch.setattr(
        Settings, "get_provider_context", lambda self: ProviderContextManager(provider=self.provider)
    )
    spec = importlib.util.spec_from_file_location(f"ballast_{name}_bot_errors", ROOT / "bots" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def _start(handler):
    import asyncio

    startup = StateSnapshot(last_block_seen=-1, last_block_processed=-1)
    result = handler.original_func(startup)
    return asyncio.run(result) if inspect.isawaitable(result) else result


@pytest.mark.parametrize(
    ("bot", "handler", "env", "message"),
    [
        (
            "liquidator",
            "start_keeper",
            {"BALLAST_KEEPER_ENGINE": "0xnope"},
            "--engine: '0xnope' is not an address",
        ),
        ("oracle", "load_keeper", {"BALLAST_DEPLOYMENTS_DIR": "/nonexistent"}, ""),
    ],
)
def test_bot_startup__bad_setting__one_line_and_exit_1(
    chain, monkeypatch, capsys, bot, handler, env, message
):
    monkeypatch.setenv("SILVERBACK_SIGNER_ALIAS", "TEST::8")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    module = _load_bot(bot, monkeypatch)
    with pytest.raises(SystemExit) as exit_info:
        _start(getattr(module, handler))
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and message in lines[0], err
    assert "Traceback" not in err
