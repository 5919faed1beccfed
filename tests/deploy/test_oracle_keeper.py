"""The oracle keeper (ballast.keepers.oracle) on a push-feed deployment (config/ballast-testnet.yaml deployed to the
test chain): a CSV replay moves the oracle's median to each row's price; the keeper must be a reporter; RPC failures
are retried with backoff, reverts are not; Ctrl-C ends the run cleanly."""

import io
import json
import logging
import threading
from decimal import Decimal

import pytest
from ape.exceptions import ContractLogicError, ProviderError

from ballast.deploy import run_deploy
from ballast.keepers.common import JsonFormatter
from ballast.keepers.oracle import (
    KeeperError,
    OracleKeeper,
    OracleKeeperConfig,
    config_from_options,
    random_walk,
    read_price_csv,
    with_retries,
)
from ballast.manifest import Deployment

from support.deploy import ROOT, TESTNET_CONFIG, deploy_context

WAD = 10**18
ETH_CSV = ROOT / "data" / "crashes" / "eth_2022-11-09.csv"


@pytest.fixture(scope="module")
def deployment(project, chain, accounts, deployments):
    """The push-feed deployment: three PushFeeds per asset; the deployer (accounts[0]) is the keeper."""
    outcome = run_deploy(deploy_context(project, chain, accounts[0]), TESTNET_CONFIG, deployments)
    assert outcome.action == "deployed"
    return Deployment(project, outcome.manifest)


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    logger = logging.getLogger("test.keeper.oracle")
    logger.handlers.clear()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger, stream


def events(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_csv_replay__the_median_follows_each_row(deployment, accounts, chain, log_stream):
    logger, stream = log_stream
    rows = read_price_csv(ETH_CSV)[:6]
    config = OracleKeeperConfig.parse({"assets": {"WETH": {"csv": str(ETH_CSV)}}, "interval": 0, "steps": 6})
    keeper = OracleKeeper(deployment, accounts[0], config, chain=chain, logger=logger)
    assert [f.kind for f in keeper.feeds["WETH"]] == ["push", "push", "push"]
    weth = deployment.tokens["WETH"]
    for row in rows:
        (result,) = keeper.step()
        assert result.price == row
        assert deployment.oracle.median(weth) == int(row * WAD)
        for feed in deployment.feeds["WETH"]:
            assert feed.latestRoundData()[1] == int(row * 10 ** feed.decimals())
    assert keeper.steps_done == 6
    pushed = [e for e in events(stream) if e["event"] == "pushed"]
    assert [Decimal(e["median"]) for e in pushed] == rows
    assert {e["asset"] for e in pushed} == {"WETH"} and pushed[-1]["step"] == 6


def test_run__stops_after_its_steps_and_says_so(deployment, accounts, chain, log_stream):
    logger, stream = log_stream
    config = OracleKeeperConfig.parse(
        {
            "assets": {"WBTC": {"walk": {"volatilityBps": 100, "seed": 7}}},
            "interval": 0,
            "steps": 3,
            "advance": 60,
        }
    )
    keeper = OracleKeeper(deployment, accounts[0], config, chain=chain, logger=logger)
    start = Decimal(deployment.oracle.median(deployment.tokens["WBTC"])) / WAD
    expected = [p for p, _ in zip(random_walk(start, config.assets["WBTC"].walk), range(3), strict=False)]
    assert keeper.run() == 3
    log = events(stream)
    assert [e["event"] for e in log] == ["started", "pushed", "pushed", "pushed", "stopped"]
    assert [Decimal(e["price"]) for e in log[1:4]] == expected
    assert log[-1] == {**log[-1], "reason": "steps done", "steps": 3}
    assert deployment.oracle.median(deployment.tokens["WBTC"]) == int(expected[-1] * WAD)


def test_run__ctrl_c_ends_cleanly_after_the_current_step(
    deployment, accounts, chain, log_stream, monkeypatch
):
    logger, stream = log_stream
    config = OracleKeeperConfig.parse({"assets": {"WETH": {"csv": str(ETH_CSV)}}, "interval": 0})
    keeper = OracleKeeper(deployment, accounts[0], config, chain=chain, logger=logger)
    original = keeper.step

    def step_then_interrupt():
        result = original()
        if keeper.steps_done == 2:
            raise KeyboardInterrupt
        return result

    monkeypatch.setattr(keeper, "step", step_then_interrupt)
    assert keeper.run() == 2
    assert events(stream)[-1]["event"] == "stopped" and events(stream)[-1]["reason"] == "interrupted"
    stop = threading.Event()
    stop.set()  # what SIGINT/SIGTERM do through stop_on_signals
    assert keeper.run(stop) == 2  # no further step
    assert events(stream)[-1]["reason"] == "interrupted"


def test_keeper__must_report_into_the_push_feeds(deployment, accounts, chain):
    config = OracleKeeperConfig.parse({"assets": {"WETH": {"csv": str(ETH_CSV)}}})
    with pytest.raises(KeeperError) as info:
        OracleKeeper(deployment, accounts[5], config, chain=chain)
    assert str(info.value).startswith(f"WETH: nothing to push into: {accounts[5].address} is not a reporter")
    assert str(info.value).endswith(f"the deployment's keeper is {accounts[0].address}")
    with pytest.raises(KeeperError, match="no oracle sources for DAI in this deployment"):
        OracleKeeper(
            deployment, accounts[0], OracleKeeperConfig.parse({"assets": {"DAI": {"csv": str(ETH_CSV)}}})
        )


def test_run__a_feed_refuses_the_keeper__the_failed_push_is_logged_and_the_run_goes_on(
    deployment, accounts, chain, log_stream
):
    logger, stream = log_stream
    rows = read_price_csv(ETH_CSV)[:2]
    config = OracleKeeperConfig.parse({"assets": {"WETH": {"csv": str(ETH_CSV)}}, "interval": 0, "steps": 2})
    keeper = OracleKeeper(deployment, accounts[0], config, chain=chain, logger=logger)
    refusing = deployment.feeds["WETH"][1]
    refusing.setReporter(accounts[0], False, sender=accounts[0])  # its owner drops the keeper after the start
    assert keeper.run() == 2
    log = events(stream)
    failed = [e for e in log if e["event"] == "push_failed"]
    assert [(e["asset"], e["feed"], e["address"], e["reverted"]) for e in failed] == [
        ("WETH", 1, refusing.address, True)
    ] * 2
    assert (
        "NotReporter" in failed[0]["error"] and failed[0]["attempts"] == 0
    )  # the estimate reverts: not sent
    pushed = [e for e in log if e["event"] == "pushed"]
    assert [e["failed"] for e in pushed] == [1, 1]
    assert [Decimal(e["median"]) for e in pushed] == rows  # two of the three feeds agree: the median follows
    assert log[-1] == {**log[-1], "event": "stopped", "reason": "steps done", "steps": 2}


BLOCK_TIME = 12


def land_the_update_a_block_late(keeper, chain, monkeypatch, late_step: int) -> None:
    """Pin the chain's clock around the keeper's transactions, as a live chain's blocks would fall: every block of
    the steps before `late_step` and its pushes at one time T0 (the previous update observed at T0), then that step's
    `update`, estimated at the latest block (T0), lands one block later (T0 + 12 s) and writes a new observation."""
    t0 = chain.blocks.head.timestamp + BLOCK_TIME
    real = keeper.transactions.estimate
    oracle = keeper.deployment.oracle.address

    def estimate(method, args):
        gas = real(method, args)
        step = keeper.steps_done + 1
        if step < late_step or (step == late_step and method.contract.address != oracle):
            chain.pending_timestamp = t0
        elif step == late_step:
            chain.pending_timestamp = t0 + BLOCK_TIME
        return gas

    monkeypatch.setattr(keeper.transactions, "estimate", estimate)


def test_run__update_runs_out_of_gas_a_block_after_its_estimate__retried_larger_and_the_model_learns(
    deployment, accounts, chain, log_stream, monkeypatch
):
    logger, stream = log_stream
    rows = read_price_csv(ETH_CSV)[:3]
    bare = {"headroomBps": 0, "headroomFloor": 0, "oracleUpdate": 0}  # the node's estimate, nothing more
    config = OracleKeeperConfig.parse(
        {"assets": {"WETH": {"csv": str(ETH_CSV)}}, "interval": 0, "steps": 3, "gas": bare}
    )
    keeper = OracleKeeper(deployment, accounts[0], config, chain=chain, logger=logger)
    land_the_update_a_block_late(keeper, chain, monkeypatch, late_step=2)
    assert keeper.run() == 3
    log = events(stream)
    (retry,) = [e for e in log if e["event"] == "gas_retry"]
    assert (retry["kind"], retry["asset"]) == ("oracle.update", "WETH")
    assert retry["retry_gas_limit"] == -(-retry["gas_limit"] * 3 // 2)
    receipt = chain.provider.get_receipt(retry["tx"])
    assert receipt.failed and receipt.gas_used == receipt.gas_limit == retry["gas_limit"]
    assert [e["event"] for e in log if e["event"].endswith("_failed")] == []
    pushed = [e for e in log if e["event"] == "pushed"]
    assert [(Decimal(e["median"]), e["failed"]) for e in pushed] == [(row, 0) for row in rows]
    assert keeper.gas.factor_bps("oracle.update") == 15_000  # later updates start from 1.5 times the estimate
    assert keeper.gas.factor_bps("feed.submit") == 10_000


# ---------------------------------------------------------------------------------------------------- no chain


def test_retries__back_off_on_rpc_errors_then_succeed(log_stream):
    logger, stream = log_stream
    calls, delays = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ProviderError("connection reset")
        return "ok"

    assert with_retries(flaky, "update WETH", logger, retries=5, backoff=0.5, sleep=delays.append) == "ok"
    assert delays == [0.5, 1.0]
    assert [(e["event"], e["attempt"]) for e in events(stream)] == [("retry", 1), ("retry", 2)]


def test_retries__give_up_after_the_limit_and_never_retry_a_revert(log_stream):
    logger, stream = log_stream
    delays = []

    def down():
        raise ProviderError("node down")

    with pytest.raises(ProviderError):
        with_retries(down, "push", logger, retries=3, backoff=1, backoff_max=2.5, sleep=delays.append)
    assert delays == [1, 2, 2.5]
    assert events(stream)[-1]["event"] == "gave_up"

    def reverts():
        delays.append("called")
        raise ContractLogicError("NotReporter")

    with pytest.raises(ContractLogicError):
        with_retries(reverts, "push", logger, sleep=delays.append)
    assert delays[-1] == "called"


def test_price_sources__csv_errors_name_the_line_and_walks_repeat_with_their_seed(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,price\n2022-11-07T00:00:00Z,1568.25\n2022-11-07T00:05:00Z,-3\n")
    with pytest.raises(KeeperError, match=r"bad\.csv: line 3: the price must be positive \(got -3\)"):
        read_price_csv(bad)
    params = OracleKeeperConfig.parse({"assets": {"X": {"walk": {"seed": 3}}}}).assets["X"].walk
    first = [p for p, _ in zip(random_walk(Decimal(100), params), range(20), strict=False)]
    again = [p for p, _ in zip(random_walk(Decimal(100), params), range(20), strict=False)]
    assert first == again and first[0] == 100 and len(set(first)) == 20


def test_options__each_mistake_is_one_message():
    with pytest.raises(KeeperError, match="--csv WETH: expected SYMBOL=PATH"):
        config_from_options(("WETH",), (), 0, 1, None, 0)
    with pytest.raises(KeeperError, match="nothing to push"):
        config_from_options((), (), 0, 1, None, 0)
    with pytest.raises(
        KeeperError, match=r"options: steps: Input should be greater than or equal to 1 \(got 0\)"
    ):
        config_from_options((), ("WETH",), 0, 1, 0, 0)
    config = config_from_options(("WETH=a.csv",), ("WBTC:30", "USDC"), 5, 2.5, 10, 0)
    assert config.assets["WBTC"].walk.volatility_bps == 30 and config.assets["USDC"].walk.seed == 6
    assert OracleKeeperConfig.from_yaml(ROOT / "config" / "keeper-oracle.yaml").assets["WETH"].csv is not None


def test_config_file__unreadable_or_broken_yaml_is_one_line(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("interval: [1\n")
    with pytest.raises(KeeperError) as info:
        OracleKeeperConfig.from_yaml(broken)
    assert (
        str(info.value) == f"{broken}: line 2: not valid YAML (expected ',' or ']', but got '<stream end>')"
    )
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(KeeperError) as info:
        OracleKeeperConfig.from_yaml(binary)
    assert str(info.value) == f"{binary}: cannot read the keeper config (not UTF-8 text)"
    with pytest.raises(KeeperError) as info:
        OracleKeeperConfig.from_yaml(tmp_path)
    assert str(info.value) == f"{tmp_path}: cannot read the keeper config (Is a directory)"
