"""The liquidation keeper must not die of OutOfGas: a Stale price whose `oracle.update` writes a new TWAP
observation needs more gas one block later than the node estimates at the parent block. Given the bare estimate (what
ape gives a transaction on a network that does not use the block's gas limit) the update runs out of gas; the
keepers' gas model adds headroom, retries an out-of-gas transaction once with a larger limit and learns, and no
failed transaction stops the keeper's loop.

The parent-block scenario, as on a live chain: the sources went quiet and someone's `update` at the latest block's
time T0 found no quorum (the price is Stale, and an observation exists for T0); the feed is back in the same block.
The node estimates at T0 (no observation to write), the transaction lands at T0 + 12 s (a new observation)."""

import json
import logging

import pytest
from ape.exceptions import ContractLogicError, TransactionError

from ballast.keepers.common import JsonFormatter
from ballast.keepers.gas import STORAGE_SURPRISE, GasModel, KeeperGas
from ballast.keepers.sending import TransactionSender, ran_out_of_gas
from ballast.risk import PriceStatus

from support.isolation import isolated

pytestmark = pytest.mark.usefixtures("seeded")

WETH_CRASH = 2_250
BLOCK_TIME = 12
#: A model that gives a transaction the node's bare estimate (the old keeper's `oracle.update`).
BARE = {"headroom_bps": 0, "headroom_floor": 0, "oracle_update": 0}


@pytest.fixture
def auto_gas_network(chain, monkeypatch):
    """`auto_gas_network()` turns the test network into a live network's default (`gas_limit: auto`): ape gives a
    transaction without an explicit limit the node's estimate, not the block's gas limit (`max`, the local default).
    Called after the set-up, so only the transactions under test get the bare estimate."""

    def _enable():
        network = chain.provider.network
        monkeypatch.setattr(network, "gas_limit", "auto")
        monkeypatch.setattr(network, "auto_gas_multiplier", 1.0)
        return network

    return _enable


@pytest.fixture
def stale_observed_at_parent(chain, oracle, feeds, tokens, gov):
    """`stale_observed_at_parent(*stale, fresh=())`: an hour on, at T0, each `stale` asset's `update` finds its feed
    answering 0 (no quorum: Stale, an observation at T0), then the feed answers again; each `fresh` asset is updated
    (Ok). The latest block is at T0, the next one at T0 + 12 s. Returns T0."""

    def _setup(*stale: str, fresh: tuple[str, ...] = ()) -> int:
        t0 = chain.blocks.head.timestamp + 3_601
        for symbol in fresh:
            feeds[symbol].setAnswer(feeds[symbol].answer(), sender=gov)
            chain.pending_timestamp = t0
            oracle.update(tokens[symbol], sender=gov)
        for symbol in stale:
            feed, answer = feeds[symbol], feeds[symbol].answer()
            chain.pending_timestamp = t0
            feed.setAnswer(0, sender=gov)
            chain.pending_timestamp = t0
            oracle.update(tokens[symbol], sender=gov)
            chain.pending_timestamp = t0
            feed.setAnswer(answer, sender=gov)
            assert oracle.status(tokens[symbol]) == PriceStatus.STALE
        assert chain.blocks.head.timestamp == t0
        chain.pending_timestamp = t0 + BLOCK_TIME
        return t0

    return _setup


def json_lines(caplog) -> list[dict]:
    return [json.loads(JsonFormatter().format(r)) for r in caplog.records]


def test_oracle_update__stale_price_new_observation__bare_estimate_runs_out_of_gas_model_limit_does_not(
    chain, oracle, tokens, traders, open_long, crash, keeper, make_keeper, auto_gas_network,
    stale_observed_at_parent, caplog,
):  # fmt: skip
    (victim,) = traders(1)
    open_long(victim, 4, 10)
    crash("WETH", WETH_CRASH)
    stale_observed_at_parent("USDC", "WETH")
    auto_gas_network()
    first = min(
        (tokens["USDC"], tokens["WETH"]), key=lambda t: str(t.address)
    )  # the keeper updates in this order
    at_parent = oracle.update.estimate_gas_cost(first, sender=keeper)

    # The old path: `oracle.update` with what ape gives it on this network, the node's estimate at the parent block.
    with isolated(chain):
        with pytest.raises(TransactionError):
            oracle.update(first, sender=keeper)
        receipt = chain.history[keeper.address][-1]
        assert receipt.failed and receipt.ran_out_of_gas
        assert receipt.gas_limit == at_parent
        assert oracle.status(first) == PriceStatus.STALE

    # The keeper, with the headroom alone (no modelled figure for an update): both prices updated, the victim liquidated.
    chain.pending_timestamp = chain.blocks.head.timestamp + BLOCK_TIME
    watcher = make_keeper(gas=GasModel(oracle_update=0))
    with caplog.at_level(logging.INFO, logger=watcher.logger.name):
        report = watcher.step()
    assert report.failed_transactions == [] and report.gas_retries == 0
    assert set(report.oracle_updates) == {tokens["USDC"].address, tokens["WETH"].address}
    assert report.liquidated == [victim.address]
    update = next(
        e for e in json_lines(caplog) if e["event"] == "oracle_updated" and e["asset"] == first.address
    )
    assert update["estimate"] == at_parent
    assert update["gas_limit"] == at_parent + STORAGE_SURPRISE  # 20 % of ~59k is below the storage floor
    assert update["gas_used"] > at_parent  # the new observation: more than the parent block's estimate
    assert update["attempts"] == 1
    assert oracle.status(first) == PriceStatus.OK


def test_liquidation_keeper__update_runs_out_of_gas__retried_larger_in_the_same_step_and_the_model_learns(
    chain, oracle, tokens, traders, open_long, crash, make_keeper, stale_observed_at_parent, caplog
):
    (victim,) = traders(1)
    open_long(victim, 4, 10)
    crash("WETH", WETH_CRASH)
    stale_observed_at_parent("USDC", "WETH")
    watcher = make_keeper(gas=GasModel(**BARE))
    with caplog.at_level(logging.INFO, logger=watcher.logger.name):
        report = watcher.step()
    assert report.gas_retries == 1
    assert report.failed_transactions == []
    assert set(report.oracle_updates) == {tokens["USDC"].address, tokens["WETH"].address}
    assert report.liquidated == [victim.address]
    lines = json_lines(caplog)
    (retry,) = [e for e in lines if e["event"] == "gas_retry"]
    assert retry["kind"] == "oracle.update" and retry["asset"] in report.oracle_updates
    assert retry["retry_gas_limit"] == -(-retry["gas_limit"] * 3 // 2)
    (update,) = [e for e in lines if e["event"] == "oracle_updated" and e["asset"] == retry["asset"]]
    assert (update["attempts"], update["gas_limit"]) == (2, retry["retry_gas_limit"])
    assert (
        update["gas_limit"] > update["gas_used"] > retry["gas_limit"]
    )  # it needed more than the bare estimate
    # The model remembers: an update now starts from one and a half times the bare estimate.
    assert watcher.gas.factor_bps("oracle.update") == 15_000
    assert watcher.gas.quote("oracle.update", 60_000, cap=10**7).limit == 90_000
    assert watcher.gas.factor_bps("liquidateMany") == 10_000  # other kinds keep their figures


def test_liquidation_keeper_run__out_of_gas_and_no_budget_for_a_retry__logged_and_the_next_block_stepped(
    chain,
    oracle,
    tokens,
    keeper,
    traders,
    open_long,
    crash,
    make_keeper,
    stale_observed_at_parent,
    sleeps,
    caplog,
):
    (victim,) = traders(1)
    open_long(victim, 4, 10)
    crash("WETH", WETH_CRASH)
    stale_observed_at_parent("WETH", fresh=("USDC",))  # only WETH needs an update
    at_parent = oracle.update.estimate_gas_cost(tokens["WETH"], sender=keeper)
    # A budget for the bare estimate and a little: no room to retry the update that runs out of gas.
    watcher = make_keeper(
        gas=GasModel(**BARE), gas_budget_per_block=at_parent + 20_000, oracle_refresh_margin=0
    )

    def sleep(seconds):
        sleeps.append(seconds)
        chain.mine(1)  # a new block while the keeper polls

    watcher.sleep = sleep
    reports = []
    original = watcher.step
    watcher.step = lambda block=None: reports.append(original(block)) or reports[-1]
    with caplog.at_level(logging.INFO, logger=watcher.logger.name):
        assert watcher.run(max_steps=2) == 0
    first, second = reports
    assert second.block > first.block
    (failure,) = first.failed_transactions
    assert (failure.kind, failure.subject, failure.out_of_gas) == (
        "oracle.update",
        {"asset": tokens["WETH"].address},
        True,
    )
    assert failure.gas_limit == failure.gas_used == at_parent
    assert first.oracle_updates == [] and first.liquidated == []
    assert first.blocked == {victim.address: [tokens["WETH"].address]}
    lines = json_lines(caplog)
    failed = [e for e in lines if e["event"] == "oracle_update_failed"]
    assert [(e["asset"], e["out_of_gas"], e["level"]) for e in failed] == [
        (tokens["WETH"].address, True, "error")
    ]
    assert "out of gas" in failed[0]["error"]
    (retry,) = [e for e in lines if e["event"] == "gas_retry"]
    assert retry["retry_gas_limit"] is None  # the budget left no room
    # The next block: the keeper estimates again (now the write is in the estimate) and the update goes through.
    assert second.oracle_updates == [tokens["WETH"].address]
    assert second.failed_transactions == []
    assert lines[-1]["event"] == "keeper_stopped" and lines[-1]["reason"] == "max_steps"


def test_liquidation_keeper_run__the_sender_cannot_pay__failure_logged_and_after_a_top_up_liquidates(
    chain, engine, keeper, traders, open_long, crash, make_keeper, sleeps, caplog
):
    (victim,) = traders(1)
    open_long(victim, 4, 10)
    watcher = make_keeper()
    watcher.step()
    crash("WETH", WETH_CRASH)
    funds = keeper.balance
    keeper.balance = 0

    def sleep(seconds):
        sleeps.append(seconds)
        keeper.balance = funds  # topped up while the keeper polls
        chain.mine(1)

    watcher.sleep = sleep
    with caplog.at_level(logging.INFO, logger=watcher.logger.name):
        assert watcher.run(max_steps=2) == 0
    lines = json_lines(caplog)
    failed = [e for e in lines if e["event"] == "liquidation_failed"]
    assert len(failed) == 1 and failed[0]["accounts"] == [victim.address]
    assert failed[0]["error"] and not failed[0]["out_of_gas"]
    steps = [e for e in lines if e["event"] == "step"]
    assert [e["failed_transactions"] for e in steps] == [1, 0]
    assert steps[-1]["liquidated"] == [victim.address]
    assert engine.position(victim, 0).size == 5 * 10**18  # half the 10 WETH closed (the close factor)


def test_gas_model__limits__estimate_plus_headroom_over_the_modelled_figure_under_the_cap(
    keeper, make_keeper
):
    model = GasModel()
    assert STORAGE_SURPRISE == 22_100 + 2_900 + 2 * 2_100
    assert model.headroom(58_871) == STORAGE_SURPRISE  # 20 % is 11,775: the floor
    assert model.headroom(1_000_000) == 200_000
    gas = make_keeper().gas
    assert gas.quote("oracle.update", 58_871, cap=30_000_000).limit == 88_071
    assert gas.quote("oracle.update", 58_871, cap=30_000_000, modelled=150_000).limit == 150_000
    assert gas.quote("liquidateMany", 1_000_000, cap=30_000_000, modelled=900_000).limit == 1_200_000
    capped = gas.quote("liquidateMany", 1_000_000, cap=1_100_000)
    assert (capped.limit, capped.fits) == (1_100_000, True)
    assert not gas.quote("liquidateMany", 1_000_000, cap=999_999).fits
    assert GasModel(max_limit=500_000).cap(block_gas_limit=30_000_000, budget=800_000) == 500_000
    assert model.cap(block_gas_limit=30_000_000, budget=-5) == 0


def test_gas_model__out_of_gas__retry_factor_then_learned_per_kind_within_four_times(make_keeper):
    gas = make_keeper().gas
    quote = gas.quote("oracle.update", 60_000, cap=10**7)  # 89,200
    assert gas.out_of_gas(quote, quote.limit, cap=10**7) == 133_800
    assert gas.factor_bps("oracle.update") == 15_000
    assert gas.quote("oracle.update", 60_000, cap=10**7).limit == 133_800
    assert gas.out_of_gas(quote, quote.limit, cap=quote.limit) is None  # no room for more: no retry
    for _ in range(5):  # a transaction that burns whatever it is given
        again = gas.quote("oracle.update", 60_000, cap=10**8)
        gas.out_of_gas(again, again.limit, cap=10**8)
    assert gas.factor_bps("oracle.update") == 40_000
    assert gas.factor_bps("liquidate") == 10_000


def test_gas_model__bad_settings__one_line_naming_the_field(project, engine, keeper, state_path):
    from ballast.keepers.liquidation import KeeperError, build_keeper, connect_contracts

    contracts = connect_contracts(project, "local", engine=engine.address)
    with pytest.raises(KeeperError, match=r"^gas\.retry_factor_bps: Input should be greater than 10000$"):
        build_keeper(contracts, keeper, state_path, gas={"retry_factor_bps": 10_000})
    with pytest.raises(KeeperError, match=r"^gas\.headroom_floors: Extra inputs are not permitted$"):
        build_keeper(contracts, keeper, state_path, gas={"headroom_floors": 1})
    assert build_keeper(contracts, keeper, state_path, gas={"headroomBps": 500}).gas.model.headroom_bps == 500


def test_sender__batch_out_of_gas_revert__counted_as_out_of_gas_and_retried_with_a_larger_limit():
    """`liquidateMany` reverts `BatchOutOfGas` (leaving 1/64 of the gas) when one account's frame runs out: the sender
    treats it as running out of gas, retries once with a larger limit, and the model learns."""

    class Receipt:
        txn_hash = "0xabc"
        block_number = 7
        gas_used = 150_000
        failed = False
        error = None

    limits: list[int] = []

    def method(*_args, sender, gas_limit, raise_on_revert):  # a stand-in for an ape contract method
        limits.append(gas_limit)
        if len(limits) == 1:
            raise ContractLogicError("BatchOutOfGas(0x2222, 98000)")
        return Receipt()

    gas = KeeperGas(GasModel())
    sender = TransactionSender(None, gas, lambda _what, fn: fn(), logging.getLogger("test"))
    quote = gas.quote("liquidateMany", 100_000, cap=10**7)
    outcome = sender.send("liquidateMany", method, [], block_gas_limit=30_000_000, quote=quote)
    assert ran_out_of_gas("ContractLogicError: BatchOutOfGas(0x2222, 98000)")
    assert not ran_out_of_gas("ContractLogicError: NotLiquidatable(0x2222, 1, 2)")
    assert len(outcome.attempts) == 2 and outcome.attempts[0].out_of_gas
    assert limits[1] > limits[0]
    assert outcome.attempts[1].ok
    assert gas.factor_bps("liquidateMany") > 10_000
