"""The liquidation keeper (ballast.keepers.liquidation) against the whole core: it liquidates an account in the block
after the one that made it liquidatable, splits a batch across blocks when its gas budget is small (largest shortfall
first), resumes from its state file after being killed, survives RPC failures, counts lost races as done, and
refreshes a stale price a liquidation needs."""

import json
import logging

import pytest
from requests.exceptions import ConnectionError as RequestsConnectionError

from ballast.keepers.common import JsonFormatter
from ballast.keepers.liquidation import KeeperStateError
from ballast.risk import Health

pytestmark = pytest.mark.usefixtures("seeded")

WETH_CRASH = 2_250  # -25 % from 3,000


def liquidation_blocks(chain, liquidator, report) -> dict[str, int]:
    """{account: block} of the Liquidated events of the report's transactions."""
    blocks = {}
    for tx in report.transactions:
        receipt = chain.provider.get_receipt(tx)
        for e in receipt.events.filter(liquidator.Liquidated):
            blocks[e.account] = receipt.block_number
    return blocks


def test_keeper__account_turns_liquidatable__liquidated_in_the_next_block(
    chain, engine, liquidator, traders, open_long, post, crash, make_keeper
):
    victim, bystander = traders(2)
    open_long(victim, 4, 10)  # $12k of WETH backing a $30k long: liquidatable below about $2,450
    post(bystander, "USDC", 100_000 * 10**6)
    engine.modifyPosition(0, 10**18, 10**30, sender=bystander)
    keeper = make_keeper()

    first = keeper.step()
    assert {victim.address, bystander.address} <= set(first.discovered)
    assert first.liquidatable == []

    seen: dict[int, bool] = {}
    reports = []

    def after_block():
        head = chain.blocks.head.number
        seen[head] = engine.health(victim, block_id=head).liquidatable
        reports.append(keeper.step())

    crash("WETH", WETH_CRASH, after_block)
    turned = min(b for b, liquidatable in seen.items() if liquidatable)
    liquidations = [liquidation_blocks(chain, liquidator, r) for r in reports]
    acted = next(i for i, blocks in enumerate(liquidations) if blocks)
    assert liquidations[acted] == {victim.address: turned + 1}
    # Until then only prices changed: the keeper recomputed health from the books it had, re-reading none.
    assert [r.refreshed for r in reports[: acted + 1]] == [0] * (acted + 1)
    # Partly closed, it may stay liquidatable as the TWAP keeps falling: the keeper goes on until it is healthy.
    assert not engine.liquidationHealth(victim).liquidatable
    assert not engine.health(bystander).liquidatable


def test_keeper__health__equals_engine_view_for_every_known_account(
    chain, engine, traders, open_long, post, crash, make_keeper
):
    """The health the keeper keeps current is the engine's, to the wei, for every account it knows."""
    a, b, c = traders(3)
    open_long(a, 4, 10)
    post(b, "WBTC", 10**7)
    engine.withdraw(engine.settlementAsset(), 1_000 * 10**6, b, sender=b)
    post(c, "USDC", 5_000 * 10**6)
    engine.modifyPosition(1, -(10**16), 0, sender=c)
    keeper = make_keeper(gas_budget_per_block=1)  # watch, never liquidate
    crash("WETH", 2_600)
    report = keeper.step()
    assert {a.address, b.address, c.address} <= set(keeper.health)
    for account, h in keeper.health.items():
        assert h == Health.from_chain(engine.health(account, block_id=report.block))


def small_longs(traders, open_long, collaterals):
    """Accounts with a 0.3 WETH long ($900) on `collaterals` WETH each: a 20 % crash makes each liquidatable with
    positive equity, the less collateral the larger the shortfall; under the $50 dust margin a liquidation closes
    the whole position, after which the account is healthy."""
    accounts = traders(len(collaterals))
    for account, weth in zip(accounts, collaterals, strict=True):
        open_long(account, weth, 0.3)
    return accounts


def test_keeper__gas_budget_for_two__splits_four_across_blocks_largest_shortfall_first(
    chain, engine, liquidator, traders, open_long, crash, make_keeper, tmp_path
):
    accounts = small_longs(traders, open_long, [0.095, 0.089, 0.098, 0.092])
    crash("WETH", 2_400)
    shortfall = {a.address: Health.from_chain(engine.health(a)).shortfall for a in accounts}
    ranked = sorted(shortfall, key=shortfall.get, reverse=True)
    assert all(shortfall[a] > 0 for a in ranked)
    assert ranked == [accounts[i].address for i in (1, 3, 0, 2)]  # least collateral first
    # A budget for two of them, not three (the four have the same shape: the same gas).
    probe = make_keeper(gas_budget_per_block=1, state_path=tmp_path / "probe.json")
    probe.step()
    two, three = probe.gas_estimate(ranked[:2]), probe.gas_estimate(ranked[:3])
    budget = (two + three) // 2
    keeper = make_keeper(gas_budget_per_block=budget)

    first = keeper.step()
    assert first.liquidatable == ranked
    assert first.liquidated == ranked[:2]
    assert first.deferred == ranked[2:]
    assert 0 < first.gas_committed <= budget
    second = keeper.step()
    assert second.block == first.block + 1  # the first step's transaction
    assert second.liquidated == ranked[2:]
    assert second.gas_committed <= budget
    assert keeper.step().liquidatable == []
    assert not any(engine.liquidationHealth(a).liquidatable for a in accounts)


def test_keeper__killed_mid_scan_and_restarted__catches_up_on_accounts_opened_while_down(
    chain, engine, liquidator, traders, open_long, crash, make_keeper, state_path
):
    early, *late = traders(4)
    open_long(early, 4, 10)
    keeper = make_keeper(log_chunk_blocks=2)
    keeper.step()
    assert early.address in keeper.state.accounts
    for account in late:  # opened while the keeper is down
        open_long(account, 4, 10)
    crash("WETH", WETH_CRASH)

    # Killed (Ctrl-C) in the middle of its catch-up scan, after two chunks of logs: the cursor it saved is mid-way.
    scanned_before = keeper.state.last_block
    provider_class = type(keeper.provider)
    original = provider_class.make_request
    chunks = []

    def killed_on_third_chunk(self, rpc, parameters=None):
        if rpc == "eth_getLogs":
            chunks.append(parameters)
            if len(chunks) == 3:
                raise KeyboardInterrupt
        return original(self, rpc, parameters)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(provider_class, "make_request", killed_on_third_chunk)
        with pytest.raises(KeyboardInterrupt):
            keeper.step()
    saved = json.loads(state_path.read_text())
    assert saved["last_block"] == scanned_before + 4 < chain.blocks.head.number

    restarted = make_keeper()
    report = restarted.step()
    assert set(restarted.state.accounts) >= {early.address, *(a.address for a in late)}
    assert set(report.liquidated) == {early.address, *(a.address for a in late)}
    saved = json.loads(state_path.read_text())
    assert saved["last_block"] == report.block
    assert set(saved["accounts"]) == restarted.state.accounts


def test_keeper__state_file_of_another_engine__refused_with_a_clear_error(make_keeper, state_path):
    state_path.write_text(
        json.dumps({"version": 1, "chain_id": 1, "engine": "0x" + "11" * 20, "last_block": 5, "accounts": []})
    )
    with pytest.raises(KeeperStateError, match="belongs to engine"):
        make_keeper()


def test_keeper__rpc_errors__retried_with_exponential_backoff_then_liquidates(
    chain, engine, liquidator, traders, open_long, crash, make_keeper, sleeps
):
    (victim,) = traders(1)
    open_long(victim, 4, 10)
    keeper = make_keeper(backoff_base=0.25, max_retries=4)
    keeper.step()
    crash("WETH", WETH_CRASH)

    # The node's connection fails for the next three requests, single or batched.
    web3_provider = chain.provider.web3.provider
    failures = []

    def flaky(method):
        def call(*args, **kwargs):
            if len(failures) < 3:
                failures.append(method.__name__)
                raise RequestsConnectionError("connection reset by peer")
            return method(*args, **kwargs)

        return call

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(web3_provider, "make_request", flaky(web3_provider.make_request))
        patch.setattr(web3_provider, "make_batch_request", flaky(web3_provider.make_batch_request))
        report = keeper.step()
    assert len(failures) == 3
    assert sleeps == [0.25, 0.5, 1.0]
    assert report.liquidated == [victim.address]


def test_keeper__run__survives_a_failing_step_and_exits_cleanly_on_ctrl_c(
    chain, traders, open_long, make_keeper, sleeps, caplog
):
    (trader,) = traders(1)
    open_long(trader, 4, 10)
    keeper = make_keeper(max_retries=1, poll_interval=7)
    web3_provider = chain.provider.web3.provider
    calls = {"n": 0}
    original = web3_provider.make_request

    def down_for_a_while(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= 4:
            raise RequestsConnectionError("node restarting")
        return original(*args, **kwargs)

    def sleep(seconds):
        sleeps.append(seconds)
        if seconds == 7:  # the first poll after a successful step: Ctrl-C
            raise KeyboardInterrupt

    keeper.sleep = keeper.retry.sleep = sleep
    with pytest.MonkeyPatch.context() as patch, caplog.at_level(logging.INFO, logger=keeper.logger.name):
        patch.setattr(web3_provider, "make_request", down_for_a_while)
        assert keeper.run() == 0
    events = [r.getMessage() for r in caplog.records]
    assert "step_failed" in events
    assert events[-1] == "keeper_stopped"
    assert trader.address in keeper.state.accounts
    line = json.loads(JsonFormatter().format(caplog.records[-1]))
    assert (line["event"], line["reason"]) == ("keeper_stopped", "interrupted")


def test_keeper__someone_else_liquidates_first_in_a_batch__counts_the_race_as_done(
    chain, liquidator, traders, open_long, crash, make_keeper, stranger
):
    a, b, c = small_longs(traders, open_long, [0.089, 0.092, 0.095])
    keeper = make_keeper()
    keeper.step()
    crash("WETH", 2_400)
    judged = chain.blocks.head.number
    liquidator.liquidate(a, sender=stranger)  # a competitor is first with a
    report = keeper.step(judged)  # the keeper judges the block before: a, b and c liquidatable
    assert report.liquidatable == [a.address, b.address, c.address]
    assert report.liquidated == [b.address, c.address]
    assert report.raced == [a.address]  # liquidateMany skipped it
    assert report.failed == []


def test_keeper__someone_else_liquidates_first_alone__counts_the_reverted_race_as_done(
    chain, liquidator, traders, open_long, crash, make_keeper, stranger
):
    (a,) = small_longs(traders, open_long, [0.089])
    keeper = make_keeper()
    keeper.step()
    crash("WETH", 2_400)
    judged = chain.blocks.head.number
    liquidator.liquidate(a, sender=stranger)
    report = keeper.step(judged)  # one account: `liquidate`, which reverts NotLiquidatable
    assert report.liquidatable == [a.address]
    assert report.raced == [a.address]
    assert report.transactions == [] and report.failed == []


def test_keeper__stale_price_needed__updates_the_oracle_then_liquidates(
    chain, engine, oracle, tokens, traders, open_long, crash, make_keeper
):
    (victim,) = traders(1)
    open_long(victim, 4, 10)
    keeper = make_keeper()
    keeper.step()
    crash("WETH", WETH_CRASH)
    chain.pending_timestamp += 3_601  # USDC's and WETH's stored prices turn stale
    chain.mine(1)
    assert oracle.status(tokens["USDC"]) == 2
    report = keeper.step()
    assert set(report.oracle_updates) == {tokens["USDC"].address, tokens["WETH"].address}
    assert report.liquidated == [victim.address]


def test_keeper__reorg_depth__rescans_the_last_blocks_each_step(chain, traders, open_long, make_keeper):
    (trader,) = traders(1)
    keeper = make_keeper(reorg_depth=3)
    keeper.step()
    scanned_to = keeper.state.last_block
    open_long(trader, 4, 10)  # four blocks
    provider_class = type(keeper.provider)
    original = provider_class.make_request
    ranges = []

    def recording(self, rpc, parameters=None):
        if rpc == "eth_getLogs":
            ranges.append((int(parameters[0]["fromBlock"], 16), int(parameters[0]["toBlock"], 16)))
        return original(self, rpc, parameters)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(provider_class, "make_request", recording)
        report = keeper.step()
    assert ranges == [(scanned_to - 2, chain.blocks.head.number)]
    assert report.discovered == [trader.address]


def test_keeper__liquidation_receipt__events_read_by_name_from_the_liquidator_alone(
    chain, engine, liquidator, traders, open_long, crash, make_keeper
):
    """The keeper reads a liquidation's outcome by event name (a `LiquidationFailed` the Liquidator's ABI does not
    have yet is simply none) and only from the Liquidator (the engine's events in the same receipt are not)."""
    from ballast.keepers.liquidation.batches import events_by_name

    a, b = small_longs(traders, open_long, [0.089, 0.092])
    keeper = make_keeper()
    keeper.step()
    crash("WETH", 2_400)
    report = keeper.step()
    (tx,) = report.transactions
    receipt = chain.provider.get_receipt(tx)
    events = events_by_name(receipt, liquidator.address)
    assert [e.account for e in events["Liquidated"]] == [a.address, b.address] == report.liquidated
    assert events["LiquidationFailed"] == [] and report.failed == []
    assert "PositionModified" not in events  # an engine event of the same receipt
    assert any(e.event_name == "PositionModified" for e in receipt.events)
