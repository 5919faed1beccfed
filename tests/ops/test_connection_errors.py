"""What a person sees for the three ways a command finds no chain to work on, from the real commands in processes of
their own: a named network whose node is down, a public network without a URI, and the local network without the
`make node` node or without a deployment. Each is one `Error:` line naming the network and what to run, exit 1, no
traceback, and no round of retries against public RPCs."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from ape.utils.testing import DEFAULT_TEST_HD_PATH, DEFAULT_TEST_MNEMONIC

from ballast.cli import listening
from ballast.scenarios.node import lean_anvil

from support.commands import ROOT, assert_one_line, error_lines

pytestmark = pytest.mark.slow  # starts ape and silverback processes

BIN = Path(sys.executable).parent
#: The stand-in test network's node (ape-config.yaml); nothing may listen there while these tests run.
TESTNET_URI = "http://127.0.0.1:8555"

#: `ape run` commands that connect to the network they are given, with the arguments that get them there.
COMMANDS = {
    "deploy": ["deploy"],
    "keeper liquidate": ["keeper", "liquidate", "--once"],
    "keeper oracle": ["keeper", "oracle", "--steps", "1"],
    "keeper expiry": ["keeper", "expiry", "--once"],
    "keeper risk": ["keeper", "risk", "--once"],
    "scenario crash": ["scenario", "crash"],
}


def run(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    tool = BIN / args[0] if (BIN / args[0]).exists() else Path(args[0])
    return subprocess.run(
        [str(tool), *args[1:]], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env}, input=stdin,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def output(result: subprocess.CompletedProcess) -> str:
    return result.stderr + result.stdout


@pytest.fixture
def dead_port() -> int:
    """A port nothing listens on: bound, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("command", list(COMMANDS))
def test_ape_run__network_without_a_uri__one_line_naming_the_setting(command):
    result = run("ape", "run", *COMMANDS[command], "--network", "ethereum:sepolia")
    text = output(result)
    assert_one_line(
        result.returncode, text, "no node configured for ethereum:sepolia", "node: ethereum: sepolia: uri:"
    )
    assert "retrying" not in text, text  # no round of public RPCs first


@pytest.mark.parametrize("command", ["deploy", "keeper liquidate", "scenario crash"])
def test_ape_run__named_network_with_its_node_down__one_line_naming_network_and_uri(command):
    assert not listening(TESTNET_URI), f"something listens on {TESTNET_URI}: this test needs it free"
    result = run("ape", "run", *COMMANDS[command], "--network", "ethereum:ballast-testnet")
    assert_one_line(
        result.returncode, output(result), "cannot connect to the node of ethereum:ballast-testnet at " + TESTNET_URI,
        "node: ethereum: ballast-testnet: uri:",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("network", "message"),
    [
        ("ethereum:sepolia", "no node configured for ethereum:sepolia"),
        ("ethereum:ballast-testnet", "cannot connect to the node of ethereum:ballast-testnet"),
    ],
)
def test_silverback_run__unreachable_network__one_line_and_exit_1(network, message):
    if network.endswith("ballast-testnet"):
        assert not listening(TESTNET_URI), f"something listens on {TESTNET_URI}: this test needs it free"
    result = run("silverback", "run", "liquidator", "--network", network, "--account", "TEST::4")
    assert_one_line(result.returncode, output(result), message)


@pytest.mark.parametrize("command", ["deploy", "keeper liquidate"])
def test_ape_run__local_network_without_the_node__one_line_saying_make_node(dead_port, command):
    uri = f"http://127.0.0.1:{dead_port}"
    result = run("ape", "run", *COMMANDS[command], BALLAST_NODE_URI=uri)
    assert_one_line(
        result.returncode, output(result), f"no node at {uri} for ethereum:local: start it with `make node`"
    )


def test_ape_run_keeper__ape_foundry_host_with_nothing_there__one_line_not_a_throwaway_anvil(dead_port):
    uri = f"http://127.0.0.1:{dead_port}"
    result = run("ape", "run", *COMMANDS["keeper oracle"], APE_FOUNDRY_HOST=uri)
    assert_one_line(
        result.returncode, output(result), f"no node at {uri} for ethereum:local", "APE_FOUNDRY_HOST"
    )


def test_make_deploy__without_the_node__says_to_run_make_node_first(dead_port):
    result = run("make", "--no-print-directory", "-o", "setup", "deploy", f"NODE_PORT={dead_port}")
    assert result.returncode != 0
    assert result.stdout.splitlines() == [
        f"Error: no node at http://127.0.0.1:{dead_port}: start it with `make node` (in another terminal), "
        "then run `make deploy` again"
    ], output(result)


@pytest.fixture(scope="module")
def empty_node(tmp_path_factory):
    """An anvil without a deployment, and an empty deployments folder."""
    with lean_anvil(DEFAULT_TEST_MNEMONIC, DEFAULT_TEST_HD_PATH) as uri:
        yield uri, tmp_path_factory.mktemp("no-deployments")


@pytest.mark.parametrize("command", ["keeper oracle", "keeper liquidate", "keeper expiry"])
def test_keeper__no_deployment__one_line_saying_make_deploy_once(empty_node, command):
    uri, deployments = empty_node
    result = run(
        "ape", "run", *COMMANDS[command], "--network", "ethereum:local:foundry", APE_FOUNDRY_HOST=uri,
        BALLAST_DEPLOYMENTS_DIR=str(deployments),
    )  # fmt: skip
    text = output(result)
    assert_one_line(result.returncode, text, "no deployment manifest for network 'local'")
    assert error_lines(text)[0].count("`make deploy`") == 1, text
    assert "ape run deploy" not in text, text


@pytest.mark.parametrize("on_the_node", [True, False], ids=["node", "ape-started-anvil"])
def test_ape_console__no_deployment__says_what_to_run_once(empty_node, on_the_node):
    uri, deployments = empty_node
    env = {"BALLAST_DEPLOYMENTS_DIR": str(deployments), **({"APE_FOUNDRY_HOST": uri} if on_the_node else {})}
    result = run("ape", "console", "--network", "ethereum:local", stdin="exit\n", **env)
    text = output(result)
    lines = [line for line in text.splitlines() if "no usable deployment" in line]
    assert len(lines) == 1, text
    assert lines[0].count("`make deploy`") == 1 and "ape run deploy" not in lines[0], text
    # On an anvil ape started for the console alone, the line leads to the project's node.
    assert ("APE_FOUNDRY_HOST=" in lines[0]) is not on_the_node, text
