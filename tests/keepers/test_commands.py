"""The keeper's entry points, both wrapping the same LiquidationKeeper: `ape run keeper liquidate` on the test's node
(a run and a Ctrl-C of the real command in a process of its own, its option errors in this process) and the Silverback
bot (bots/liquidator.py)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from silverback import StateSnapshot

from ballast.keepers.liquidation import KeeperError, connect_contracts

from support.commands import ROOT, ape_run, invoke, load_bot, run_task

pytestmark = pytest.mark.usefixtures("seeded")


def test_ape_run_keeper_liquidate__once__liquidates_on_the_running_node(
    chain, engine, liquidator, traders, open_long, crash, tmp_path
):
    (victim,) = traders(1)
    open_long(victim, 4, 10)
    crash("WETH", 2_250)
    state = tmp_path / "cli-state.json"
    result = ape_run(
        "keeper", "liquidate", "--network", chain.provider.uri, "--account", "TEST::4", "--engine", engine.address,
        "--state", str(state), "--once",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    liquidated = [line for line in lines if line["event"] == "liquidated"]
    assert liquidated and liquidated[0]["accounts"] == [victim.address]
    assert victim.address in json.loads(state.read_text())["accounts"]
    assert engine.position(victim, 0).size == 5 * 10**18  # half the 10 WETH closed (the close factor)


def test_ape_run_keeper_liquidate__ctrl_c__stops_cleanly_with_exit_0(chain, engine, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ape = Path(sys.executable).with_name("ape")
    args = ["--network", chain.provider.uri, "--account", "TEST::4", "--engine", engine.address]
    state = tmp_path / "ctrl-c-state.json"
    process = subprocess.Popen(
        [str(ape), "run", "keeper", "liquidate", *args, "--state", str(state)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not state.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)  # the state file is written by the first step: the keeper is in its loop
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, err
    stopped = [json.loads(line) for line in err.splitlines() if '"keeper_stopped"' in line]
    assert stopped and stopped[0]["reason"] == "interrupted", err
    assert state.exists()


def test_keeper_rewards__after_a_liquidation__lists_the_reward_and_withdraws_it_to_the_wallet(
    chain, accounts, engine, liquidator, tokens, traders, open_long, crash
):
    (victim,) = traders(1)
    keeper = accounts[4]
    weth = tokens["WETH"]
    open_long(victim, 4, 10)
    crash("WETH", 2_250)
    wallet = weth.balanceOf(keeper)
    liquidator.liquidate(victim, sender=keeper)
    reward = engine.collateralBalance(keeper, weth)
    assert reward > 0  # the account had no credit: paid in its WETH, into the keeper's engine account
    assert weth.balanceOf(keeper) == wallet  # no token moved to the keeper

    uri, address = chain.provider.uri, engine.address
    shown = invoke("keeper", "rewards", "--network", uri, "--account", "TEST::4", "--engine", address)
    assert shown.returncode == 0, shown.output
    assert "WETH" in shown.output and "collateral" in shown.output
    assert engine.collateralBalance(keeper, weth) == reward  # showing sends nothing

    outcome = invoke(
        "keeper", "rewards", "--network", uri, "--account", "TEST::4", "--engine", address, "--withdraw"
    )
    assert outcome.returncode == 0, outcome.output
    assert engine.collateralBalance(keeper, weth) == 0
    assert weth.balanceOf(keeper) == wallet + reward


def test_keeper_rewards__bad_recipient__one_line_and_non_zero_exit(chain):
    args = ["--network", chain.provider.uri, "--account", "TEST::4", "--withdraw", "--to", "0xnope"]
    outcome = invoke("keeper", "rewards", *args)
    assert outcome.returncode != 0
    assert "Error: --to: '0xnope' is not an address" in outcome.output
    assert "Traceback" not in outcome.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--engine", "0xnope"], "Error: --engine: '0xnope' is not an address"),
        (["--engine", "0x" + "00" * 19 + "01"], "Error: --engine: no contract at 0x"),
        (["--batch-size", "0"], "Invalid value for '--batch-size'"),
    ],
)
def test_keeper_liquidate__user_mistake__one_line_and_non_zero_exit(chain, args, message):
    outcome = invoke("keeper", "liquidate", "--network", chain.provider.uri, "--account", "TEST::4", *args)
    assert outcome.returncode != 0
    assert message in outcome.output
    assert "Traceback" not in outcome.output


def test_connect_contracts__wrong_wiring_or_not_an_engine__refused_in_one_line(project, engine, pool, oracle):
    with pytest.raises(KeeperError, match=r"^--liquidator: .* is not the engine's \(0x"):
        connect_contracts(project, "local", engine=engine.address, liquidator=pool.address)
    with pytest.raises(KeeperError, match="is not a MarginEngine"):
        connect_contracts(project, "local", engine=oracle.address)
    contracts = connect_contracts(
        project, "local", engine=engine.address, oracle=oracle.address, start_block=7
    )
    assert (contracts.pool.address, contracts.start_block) == (pool.address, 7)


def test_silverback_bot__imports_and_steps_the_keeper_on_a_block(
    chain, engine, traders, open_long, tmp_path, monkeypatch
):
    (trader,) = traders(1)
    open_long(trader, 4, 10)
    monkeypatch.setenv("BALLAST_KEEPER_ENGINE", engine.address)
    monkeypatch.setenv("BALLAST_KEEPER_STATE_PATH", str(tmp_path / "bot-state.json"))
    monkeypatch.setenv("SILVERBACK_SIGNER_ALIAS", "TEST::8")
    monkeypatch.setenv("BALLAST_KEEPER_GAS", '{"headroom_bps": 3000, "max_limit": 5000000}')
    module = load_bot("liquidator", monkeypatch)
    assert module.bot.signer.address == chain.provider.account_manager.test_accounts[8].address

    # What the runner does: load the bot's state (a fresh snapshot), run the startup task, then a block task.
    startup = StateSnapshot(last_block_seen=-1, last_block_processed=-1)
    run_task(module.bot._load_snapshot, startup)
    run_task(module.start_keeper, startup)
    metrics = run_task(module.liquidate_on_block, chain.blocks.head)
    assert metrics == {
        "liquidatable": 0,
        "liquidated": 0,
        "deferred": 0,
        "gas_committed": 0,
        "failed_transactions": 0,
        "gas_retries": 0,
    }
    assert trader.address in module.bot.state.keeper.state.accounts
    gas = module.bot.state.keeper.gas.model
    assert (gas.headroom_bps, gas.max_limit, gas.headroom_floor) == (3_000, 5_000_000, 29_200)


def test_connect_contracts__no_engine_option__takes_the_manifest_or_says_why_not(
    project, engine, monkeypatch
):
    """Without --engine the keeper reads the network's deployment manifest (ballast.manifest): a mapping or a model
    with `contracts` and `block`; no manifest module, or no manifest for the network, is one line."""
    monkeypatch.setitem(sys.modules, "ballast.manifest", None)  # a checkout without manifest support
    with pytest.raises(KeeperError, match=r"^no --engine given and this checkout cannot read deployment"):
        connect_contracts(project, "local")

    manifests = {
        "local": {"contracts": {"MarginEngine": engine.address}, "block": 3},
        "sepolia": SimpleNamespace(contracts={"MarginEngine": engine.address}, block=9),
    }

    def load_manifest(network_name):
        if network_name not in manifests:
            raise FileNotFoundError(f"deployments/{network_name}.json")
        return manifests[network_name]

    monkeypatch.setitem(sys.modules, "ballast.manifest", SimpleNamespace(load_manifest=load_manifest))
    assert connect_contracts(project, "local").start_block == 3
    assert connect_contracts(project, "sepolia").start_block == 9
    assert connect_contracts(project, "local", start_block=5).start_block == 5
    with pytest.raises(
        KeeperError, match=r"no usable deployment manifest for network 'mainnet' \(deployments/"
    ):
        connect_contracts(project, "mainnet")
