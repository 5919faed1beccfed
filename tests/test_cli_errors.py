"""Every command fails in one line: `ape run` scripts against a node that is down or with a config file that does not
exist, and the Silverback bots with a bad setting, print `Error: ...` once, exit 1 and show no traceback.

Every script's click command is called in this process (`support.commands.invoke`); one run of the real `ape run`
in a process of its own checks the same line comes out of ape's whole command path."""

import socket
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from requests.exceptions import ConnectionError as RequestsConnectionError
from silverback import StateSnapshot

from ballast.cli import BallastCommand

from support.commands import ape_run, assert_one_line, invoke, load_bot, run_task

ROOT = Path(__file__).resolve().parent.parent

#: Every `ape run` command, with the arguments that make it reach the network.
COMMANDS = {
    "deploy": ["deploy"],
    "demo": ["demo"],
    "bench": ["bench", "--no-throughput", "--no-write"],
    "bench_receipts": ["bench_receipts"],
    "keeper liquidate": ["keeper", "liquidate", "--once"],
    "keeper oracle": ["keeper", "oracle", "--steps", "1"],
    "keeper expiry": ["keeper", "expiry", "--once"],
    "keeper risk": ["keeper", "risk", "--once"],
    "risk backtest": ["risk", "backtest", "--scenarios", "eth_2022-11-09"],
    "scenario": ["scenario", "crash"],
    "scenario bench": ["scenario", "bench"],
    "scenario sweep": ["scenario", "sweep"],
    "scenario scale": ["scenario", "scale"],
    "scenario size-insurance": ["scenario", "size-insurance"],
}
NODE_DOWN = ("cannot connect to the node", "is the node running?")


@pytest.fixture
def dead_uri() -> str:
    """The URI of a port nothing listens on: bound, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_command__node_down__one_line_and_exit_1(dead_uri, command):
    outcome = invoke(*COMMANDS[command], "--network", dead_uri)
    assert_one_line(outcome.returncode, outcome.output, *NODE_DOWN)


@pytest.mark.slow  # starts `ape run` in a process of its own
def test_ape_run__node_down__one_line_and_exit_1_from_the_real_command(dead_uri):
    result = ape_run(*COMMANDS["deploy"], "--network", dead_uri)
    assert_one_line(result.returncode, result.stderr + result.stdout, *NODE_DOWN)


def test_deploy__config_path_missing__one_line_and_exit_1(chain, tmp_path):
    outcome = invoke(
        "deploy", "--network", chain.provider.uri, "--config", str(tmp_path / "nope.yaml"),
        "--deployments", str(tmp_path),
    )  # fmt: skip
    assert_one_line(outcome.returncode, outcome.output, "nope.yaml: no such file")


def test_keeper_oracle__config_path_missing__one_line_and_exit_1(chain, tmp_path):
    outcome = invoke(
        "keeper", "oracle", "--network", chain.provider.uri, "--config", str(tmp_path / "nope.yaml"),
        "--deployments", str(tmp_path),
    )  # fmt: skip
    assert_one_line(outcome.returncode, outcome.output)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scenario", "size-insurance", "--accounts", "30,x"], "x"),
        (["scenario", "size-insurance", "--scenarios", "nope"], "nope"),
    ],
)
def test_scenario_size_insurance__bad_option__one_line_and_exit_1(args, message):
    outcome = invoke(*args)
    assert_one_line(outcome.returncode, outcome.output, message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenarios", "crash"], "--scenarios: 'crash' is not a crash replay"),
        (["--data", "/nonexistent"], "/nonexistent/eth_2024-08-05.csv: no such price series"),
        (["--horizon", "soon"], "--horizon: 'soon' is not a duration"),
    ],
)
def test_risk_backtest__bad_option__one_line_and_exit_1(args, message):
    outcome = invoke("risk", "backtest", *args)
    assert_one_line(outcome.returncode, outcome.output, message)


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
        ("risk", "start_keeper", {"BALLAST_RISK_ENGINE": "0xnope"}, "--engine: '0xnope' is not an address"),
    ],
)
def test_bot_startup__bad_setting__one_line_and_exit_1(
    chain, monkeypatch, capsys, bot, handler, env, message
):
    monkeypatch.setenv("SILVERBACK_SIGNER_ALIAS", "TEST::8")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    module = load_bot(bot, monkeypatch)
    with pytest.raises(SystemExit) as exit_info:
        run_task(getattr(module, handler), StateSnapshot(last_block_seen=-1, last_block_processed=-1))
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and message in lines[0], err
    assert "Traceback" not in err


def test_command__node_goes_away_mid_run__one_line_and_exit_1(chain):
    """A node that stops answering while a command runs (a crashed or killed anvil) ends the command in one line too."""

    @click.command(cls=BallastCommand)
    def cli(network: str) -> None:
        raise RequestsConnectionError("HTTPConnectionPool(host='127.0.0.1', port=1): Max retries exceeded")

    result = CliRunner().invoke(cli, ["--network", chain.provider.uri])
    assert_one_line(result.exit_code, result.output, *NODE_DOWN)
