"""The keeper's duties for what it cannot liquidate in a block (ballast/keepers/liveness.py, docs/design.md#liveness):
it records the provision of underwater accounts it has to defer, and it winds down an asset whose sources have left it
Stale for the oracle's `windDownAfter`, then liquidates the accounts holding it at the wind-down price."""

import pytest

from ballast.prices import restamp_and_update

from support.core import FEED_DECIMALS, units

pytestmark = pytest.mark.usefixtures("seeded")

WIND_DOWN = 4  # IOracleAggregator.Status


def test_keeper__gas_budget_spent__provisions_the_deferred_underwater_account(
    engine, traders, open_long, crash, make_keeper
):
    first, second = traders(2)
    open_long(first, 4, 10)
    open_long(second, 4, 10)
    # Room for one liquidation (415,000 modelled: one position, one collateral asset, may absorb) and the provision of
    # the other (180,000), not for two liquidations (680,000).
    keeper = make_keeper(gas_budget_per_block=620_000)
    keeper.step()
    crash("WETH", 1_900)  # both under water: equity 4 * 1,900 * 0.9 - 11,000 - fees < 0

    report = keeper.step()

    assert len(report.liquidated) == 1 and len(report.deferred) == 1
    (deferred,) = report.deferred
    assert report.provisioned == [deferred]
    provision = engine.provisionOf(deferred)
    assert provision == -engine.liquidationHealth(deferred).maintenanceEquity > 0
    # The loss counts in what an LP redeems for: the lower NAV subtracts it.
    assert engine.totalProvision() == provision
    assert engine.poolExposure(False)[3] == provision
    report = keeper.step()
    assert report.liquidated == [deferred]
    assert engine.totalProvision() == 0  # the liquidation cleared it


def test_keeper__asset_stale_past_wind_down_after__proposes_executes_then_liquidates(
    chain, engine, oracle, tokens, feeds, gov, post, traders, make_keeper, crash
):
    (victim,) = traders(1)
    post(victim, "LTT", units("LTT", 5_000))  # $50,000 at $10
    engine.modifyPosition(0, 10 * 10**18, 10**24, sender=victim)  # 10 WETH long at $3,000
    keeper = make_keeper()
    keeper.step()
    crash("LTT", 2)  # accepted: $10,000 of LTT
    crash("WETH", 2_500)  # the long loses $5,000: under maintenance at these prices
    # LTT's only feed now answers $0.5 stamped older than its heartbeat: excluded, so LTT is Stale for good.
    feeds["LTT"].setRoundData(
        2, int(0.5 * 10**FEED_DECIMALS), chain.blocks.head.timestamp - 86_401, sender=gov
    )
    oracle.update(tokens["LTT"], sender=gov)
    assert engine.health(victim).liquidatable

    report = keeper.step()
    assert report.blocked == {victim.address: [tokens["LTT"].address]}
    assert report.wind_downs == []  # not Stale long enough yet

    params = oracle.livenessParams()
    others = {tokens[s]: [feeds[s]] for s in ("USDC", "WETH", "WBTC")}
    chain.pending_timestamp += 3_600 + params.windDownAfter
    restamp_and_update(oracle, others, gov)  # the other prices stay fresh, as a price keeper keeps them
    report = keeper.step()
    assert report.wind_downs == [f"proposed {tokens['LTT'].address}"]
    assert oracle.windDownProposal(tokens["LTT"]).price == int(0.5 * 10**18)  # what the feed reports

    chain.pending_timestamp += params.windDownDelay
    restamp_and_update(oracle, others, gov)
    report = keeper.step()
    assert report.wind_downs == [f"executed {tokens['LTT'].address}"]
    assert oracle.status(tokens["LTT"]) == WIND_DOWN

    report = keeper.step()
    assert report.liquidated == [victim.address]
    assert engine.position(victim, 0).size == 0
