"""The stand-in test network end to end, through the real commands: a second anvil (chain id 31338) reached as
`ethereum:ballast-testnet` (ape-config.yaml's custom network; the URI names this test's port), a freshly generated
operator key funded with `anvil_setBalance` and imported into a throwaway ape data folder. `ape run deploy` refuses
the test accounts there, deploys with the operator key, verifies on a re-run; `ape run keeper oracle` replays a CSV
into the push feeds; `ape console` prints the prices table; a manifest whose chain was reset is refused."""

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import ape
import pytest
from eth_account import Account

from ballast.keepers.oracle import read_price_csv

from support.commands import error_lines
from support.deploy import ROOT, TESTNET_CONFIG

pytestmark = pytest.mark.slow  # each test starts `ape run`, a bot or a node of its own

CHAIN_ID = 31338
ALIAS = "operator"
PASSPHRASE = "a throwaway passphrase, 31338"
ETH_CSV = ROOT / "data" / "crashes" / "eth_2022-11-09.csv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rpc(port: int, method: str, params: list):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}",
        data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())["result"]


def start_anvil(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        ["anvil", "--port", str(port), "--chain-id", str(CHAIN_ID), "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            rpc(port, "eth_chainId", [])
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"anvil did not start on port {port}")


class StandInNetwork:
    """An anvil standing in for a public test network, and how to run ape commands against it."""

    def __init__(self, port: int, env: dict[str, str], operator: str, deployments: Path) -> None:
        self.port = port
        self.env = env
        self.operator = operator
        self.deployments = deployments

    def network(self, port: int | None = None) -> str:
        return f"ethereum:ballast-testnet:http://127.0.0.1:{port or self.port}"

    def ape(self, *args: str, port: int | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["ape", *args, "--network", self.network(port)],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )

    def nonce(self) -> int:
        return int(rpc(self.port, "eth_getTransactionCount", [self.operator, "latest"]), 16)


@pytest.fixture(scope="module")
def testnet(tmp_path_factory):
    port = free_port()
    anvil = start_anvil(port)
    data = tmp_path_factory.mktemp("ape-data")
    (data / "accounts").mkdir()
    packages = Path(ape.config.DATA_FOLDER) / "packages"
    if packages.is_dir():
        (data / "packages").symlink_to(packages)  # the compiled OpenZeppelin dependency; no recompilation
    key = Account.create()
    keyfile = Account.encrypt(key.key, PASSPHRASE)
    (data / "accounts" / f"{ALIAS}.json").write_text(json.dumps(keyfile))
    rpc(port, "anvil_setBalance", [key.address, hex(100 * 10**18)])
    deployments = tmp_path_factory.mktemp("testnet-deployments")
    env = {
        **os.environ,
        "APE_DATA_FOLDER": str(data),
        f"APE_ACCOUNTS_{ALIAS}_PASSPHRASE": PASSPHRASE,
        "BALLAST_DEPLOYMENTS_DIR": str(deployments),
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "200",
    }
    yield StandInNetwork(port, env, key.address, deployments)
    anvil.terminate()
    anvil.wait(timeout=10)


@pytest.fixture(scope="module")
def deployed(testnet):
    result = testnet.ape("run", "deploy", "--config", str(TESTNET_CONFIG), "--account", ALIAS)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_deploy__refuses_the_test_accounts_off_local(testnet):
    result = testnet.ape("run", "deploy", "--config", str(TESTNET_CONFIG), "--account", "TEST::0")
    assert result.returncode == 1
    assert error_lines(result.stderr) == [
        "Error: refusing to deploy on ballast-testnet from 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266: it is a test "
        "account (from the public test mnemonic, anyone can sign for it); pass --account with a key of your own"
    ]
    assert "Traceback" not in result.stdout + result.stderr
    assert testnet.nonce() == 0
    assert not (testnet.deployments / "ballast-testnet.json").exists()


def test_deploy__with_an_operator_key_writes_the_manifest_then_a_rerun_only_verifies(testnet, deployed):
    manifest = json.loads((testnet.deployments / "ballast-testnet.json").read_text())
    assert manifest["chain_id"] == CHAIN_ID and manifest["network"] == "ballast-testnet"
    assert manifest["deployer"] == testnet.operator
    assert manifest["roles"]["keeper"] == testnet.operator
    assert manifest["roles"]["admin"] == manifest["contracts"]["BallastTimelock"]
    assert {f["kind"] for feeds in manifest["feeds"].values() for f in feeds} == {"push"}
    sent = testnet.nonce()
    assert sent == manifest["tx_count"]

    again = testnet.ape("run", "deploy", "--config", str(TESTNET_CONFIG), "--account", ALIAS)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "deployment verified on ballast-testnet (chain 31338)" in again.stdout
    assert "nothing sent" in again.stdout
    assert testnet.nonce() == sent


def test_oracle_keeper__replays_the_csv_into_the_push_feeds(testnet, deployed):
    result = testnet.ape(
        "run",
        "keeper",
        "oracle",
        "--account",
        ALIAS,
        "--csv",
        f"WETH={ETH_CSV}",
        "--steps",
        "3",
        "--interval",
        "0",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    log = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [e["event"] for e in log] == ["started", "pushed", "pushed", "pushed", "stopped"]
    rows = read_price_csv(ETH_CSV)[:3]
    assert [e["median"] for e in log[1:4]] == [str(r) for r in rows]
    assert all(e["feeds"] == 3 for e in log[1:4])
    assert log[-1]["reason"] == "steps done"


def test_console__prints_the_prices_of_the_deployment(testnet, deployed):
    result = testnet.ape("console", "-c", "prices()")
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert any(line.startswith("ballast on ethereum:ballast-testnet (chain 31338") for line in lines)
    assert any("oracle prices on ballast-testnet" in line for line in lines)
    weth = next(line for line in lines if line.startswith("│ WETH "))
    assert "$1,575.82" in weth  # the third CSV row, pushed by the keeper test
    assert "1,575.8200 / 1,575.8200 / 1,575.8200" in weth
    usdc = next(line for line in lines if line.startswith("│ USDC "))
    assert "$1.0000" in usdc and " Ok " in usdc


def test_deploy__a_manifest_whose_chain_was_reset_is_refused_off_local(testnet, deployed):
    port = free_port()
    fresh = start_anvil(port)  # same chain id, no contracts
    try:
        result = testnet.ape("run", "deploy", "--config", str(TESTNET_CONFIG), "--account", ALIAS, port=port)
    finally:
        fresh.terminate()
        fresh.wait(timeout=10)
    assert result.returncode == 1
    (line,) = error_lines(result.stderr)
    assert "ballast-testnet.json lists contracts with no code on this chain (OracleAggregator" in line
    assert line.endswith(
        "refusing to deploy over it on ballast-testnet (move the manifest away if a new deployment is what you want)"
    )
    assert "Traceback" not in result.stdout + result.stderr
