"""Oracle attacks on the whole core: one source of three manipulated by +-50 %, stale, zero, negative and
out-of-bounds answers, a price moved within one block (TWAP), a collateral price going to zero, a frozen asset, and
the 2022 GMX pattern. WETH is priced here by three sources (quorum two); every other asset by one.

Enums (IOracleAggregator): Status Ok 0, Deviated 1, Stale 2, Frozen 3; Action AddRisk 0, Reduce 1, Liquidate 2.
docs/design.md#oracle-policy is the policy asserted.
"""

import ape
import pytest

from ballast.prices import settle_prices

from support.core import (
    FEED_DECIMALS,
    MARKETS,
    MAX_PRICE_AGE,
    TWAP_WINDOW,
    WBTC_PERP,
    WETH_PERP,
    pin_time,
    units,
    wad,
)
from support.isolation import isolated

OK, DEVIATED, STALE, FROZEN = range(4)
ADD_RISK, REDUCE, LIQUIDATE, VALUE = range(4)
NON_POSITIVE, STALE_ANSWER, OUT_OF_BOUNDS = 2, 5, 6  # IOracleAggregator.Exclusion
WETH_BOUNDS = (100 * 10**FEED_DECIMALS, 100_000 * 10**FEED_DECIMALS)  # each WETH source's min/max answer


def answer(usd: float) -> int:
    return int(usd * 10**FEED_DECIMALS)


@pytest.fixture(scope="module")
def weth_feeds(seeded, project, oracle, feeds, tokens, gov, chain):
    """WETH priced by three feeds at $3,000 (the core's feed and two more), quorum 2, 5 % dispersion and deviation
    bounds, answers bounded to $100..$100,000, and two TWAP windows of history (every price restamped)."""
    extra = [project.MockFeed.deploy(FEED_DECIMALS, answer(3_000), f"ETH #{i}", sender=gov) for i in (2, 3)]
    three = [feeds["WETH"], *extra]
    sources = [(f.address, 86_400, *WETH_BOUNDS) for f in three]
    oracle.setAssetConfig(tokens["WETH"], (sources, 2, 500, 500, TWAP_WINDOW, MAX_PRICE_AGE, 16), sender=gov)
    by_asset = {token: [feeds[s]] for s, token in tokens.items()} | {tokens["WETH"]: three}
    settle_prices(chain, oracle, by_asset, TWAP_WINDOW, gov)
    return three


@pytest.fixture(scope="module")
def book(weth_feeds, engine, pool, tokens, give, trader, trader2, stranger):
    """`trader`: 5 WETH long on $3,100 of USDC cash (liquidatable below about $2,508); `trader2`: 5 WETH short on
    $3,100 (liquidatable above about $3,444). `stranger` holds $1M of USDC approved to the engine."""
    for account, size in ((trader, wad(5)), (trader2, -wad(5))):
        give(account, "USDC", units("USDC", 3_100), engine)
        engine.deposit(tokens["USDC"], units("USDC", 3_100), account, sender=account)
        engine.modifyPosition(WETH_PERP, size, wad(10**6) if size > 0 else 0, sender=account)
    give(stranger, "USDC", units("USDC", 1_000_000), engine, pool)
    return weth_feeds


@pytest.mark.parametrize("pct", [150, 50], ids=["plus_50", "minus_50"])
def test_oracle_manipulation__one_source_of_three_moved_50_percent__median_holds_and_nothing_acts_on_it(
    book, engine, pool, liquidator, oracle, tokens, trader, trader2, stranger, keeper, lp, chain, pct
):
    """An attacker controls one WETH source and moves it by +-50 %, where the short (+50 %) or the long (-50 %)
    would be liquidated. The median of three holds at $3,000; the dispersion makes the status Deviated, which
    blocks new risk (a position, an LP deposit); nobody is liquidated, and reducing still works at the median."""
    weth = tokens["WETH"]
    victim = trader2 if pct > 100 else trader
    health = engine.health(victim)
    pin_time(chain)  # the same second throughout: no borrow fee accrues
    book[2].setAnswer(answer(3_000 * pct / 100), sender=stranger)
    pin_time(chain)
    tx = oracle.update(weth, sender=stranger)

    event = tx.events.filter(oracle.PriceUpdated)[0]
    assert (event.median, event.twap, event.status) == (wad(3_000), wad(3_000), DEVIATED)
    assert engine.liquidationHealth(victim) == health  # the same prices as before the manipulation
    with ape.reverts(liquidator.NotLiquidatable, account=victim.address):
        liquidator.liquidate(victim, sender=keeper)
    with ape.reverts(oracle.PriceUnavailable, asset=weth.address, action=ADD_RISK, status=DEVIATED):
        engine.modifyPosition(WETH_PERP, wad(1), wad(10**6), sender=stranger)
    with ape.reverts(oracle.PriceUnavailable, asset=weth.address, action=VALUE, status=DEVIATED):
        pool.deposit(tokens["USDC"], 1, 0, lp, sender=stranger)
    size = engine.position(victim, WETH_PERP).size
    tx = engine.modifyPosition(WETH_PERP, -size // 2, 0 if size > 0 else wad(10**6), sender=victim)
    assert tx.events.filter(engine.PositionModified)[0].executionPrice == wad(3_000)


@pytest.mark.parametrize("kind", ["stale", "zero", "negative", "out_of_bounds"])
def test_oracle_bad_answers__stale_zero_negative_out_of_bounds__excluded_then_quorum_lost_stops_liquidation_and_risk(
    book, engine, liquidator, oracle, tokens, trader, stranger, keeper, chain, kind
):
    """One WETH source turns bad: it is excluded with its reason and the median of the other two holds, status
    Ok. A second one turns bad: fewer fresh sources than the quorum, status Stale, the stored median is kept but no
    action gets a price: no liquidation (a batch skips), no new risk, no reduce; adding collateral still works."""
    weth = tokens["WETH"]
    now = chain.blocks.head.timestamp

    def spoil(feed):
        if kind == "stale":
            feed.setUpdatedAt(now - 86_401, sender=stranger)  # one second beyond the heartbeat
        else:
            value = {"zero": 0, "negative": -answer(3_000), "out_of_bounds": WETH_BOUNDS[1] + 1}[kind]
            feed.setAnswer(value, sender=stranger)

    reason = {"stale": STALE_ANSWER, "out_of_bounds": OUT_OF_BOUNDS}.get(kind, NON_POSITIVE)
    spoil(book[2])
    tx = oracle.update(weth, sender=stranger)
    excluded = tx.events.filter(oracle.SourceExcluded)
    assert [(e.feed, e.reason) for e in excluded] == [(book[2].address, reason)]
    assert tx.events.filter(oracle.PriceUpdated)[0].median == wad(3_000)
    assert oracle.status(weth) == OK

    updated_at = oracle.getPriceData(weth).updatedAt
    spoil(book[1])
    oracle.update(weth, sender=stranger)
    data = oracle.getPriceData(weth)
    assert (data.median, data.status, data.updatedAt) == (wad(3_000), STALE, updated_at)
    with ape.reverts(oracle.PriceUnavailable, asset=weth.address, action=LIQUIDATE, status=STALE):
        liquidator.liquidate(trader, sender=keeper)
    tx = liquidator.liquidateMany([trader], sender=keeper)
    assert [e.account for e in tx.events.filter(liquidator.Skipped)] == [trader.address]
    with ape.reverts(oracle.PriceUnavailable, asset=weth.address, action=ADD_RISK, status=STALE):
        engine.modifyPosition(WETH_PERP, wad(1), wad(10**6), sender=stranger)
    with ape.reverts(oracle.PriceUnavailable, asset=weth.address, action=REDUCE, status=STALE):
        engine.modifyPosition(WETH_PERP, -wad(1), 0, sender=trader)
    credit = engine.cash(trader).credit
    engine.deposit(tokens["USDC"], units("USDC", 100), trader, sender=stranger)
    assert engine.cash(trader).credit == credit + units("USDC", 100)


def test_twap_manipulation__every_source_moved_in_one_block__has_no_weight_and_buys_no_liquidation(
    book, engine, liquidator, oracle, tokens, trader, stranger, keeper, chain
):
    """The attacker moves every WETH source to -50 % (a spot price it pushed) in the block of the last regular
    update and updates: the new median weighs nothing in the TWAP, which stays at $3,000 to the wei; the status is
    Deviated, so it can open nothing at the pushed price, and the long it targets is valued at the TWAP (the price
    better for the account) and is not liquidatable. Holding the push for a minute moves the TWAP by at most a
    tenth of the push (60 s of a 600 s window): still no liquidation."""
    weth = tokens["WETH"]
    pin_time(chain)
    oracle.update(weth, sender=keeper)  # the regular update, in the block the attack lands in
    assert engine.health(trader).maintenanceEquity > 0
    for feed in book:
        pin_time(chain)
        feed.setAnswer(answer(1_500), sender=stranger)
    pin_time(chain)
    oracle.update(weth, sender=stranger)

    data = oracle.getPriceData(weth)
    assert (data.median, data.twap, data.status) == (wad(1_500), wad(3_000), DEVIATED)
    pin_time(chain)
    with ape.reverts(liquidator.NotLiquidatable, account=trader.address):
        liquidator.liquidate(trader, sender=keeper)
    pin_time(chain)
    with ape.reverts(oracle.PriceUnavailable, asset=weth.address, action=ADD_RISK, status=DEVIATED):
        engine.modifyPosition(WETH_PERP, -wad(1), 0, sender=stranger)  # a short at the pushed price

    chain.pending_timestamp = chain.blocks.head.timestamp + 60
    oracle.update(weth, sender=stranger)
    data = oracle.getPriceData(weth)
    assert data.status == DEVIATED
    assert data.twap >= wad(3_000) - wad(1_500) * 61 // TWAP_WINDOW
    assert not engine.liquidationHealth(trader).liquidatable
    with ape.reverts(liquidator.NotLiquidatable, account=trader.address):
        liquidator.liquidate(trader, sender=keeper)


def test_price_to_zero__collateral_source_answers_zero__stale_waits_for_liquidation_and_exits_stay_open(
    seeded, engine, pool, liquidator, oracle, tokens, feeds, give, gov, attacker, keeper, lp
):
    """LTT's only source answers 0 (the token collapsed): the answer is excluded, LTT is Stale and keeps its last
    median. A liquidation involving LTT waits for a fresh quorum, withdrawing LTT against positions is refused; the
    owner can still add collateral, repay and close its WETH position. LP deposits and withdrawals value every pool
    asset and wait too (docs/design.md#oracle-policy: LP mint/burn need Ok prices)."""
    ltt, usdc = tokens["LTT"], tokens["USDC"]
    give(attacker, ltt, units("LTT", 1_100), engine)
    give(attacker, usdc, units("USDC", 1_000), engine, pool)
    engine.deposit(ltt, units("LTT", 1_000), attacker, sender=attacker)  # $10,000
    engine.modifyPosition(WETH_PERP, wad(1), wad(10**6), sender=attacker)
    assert engine.cash(attacker).scaledDebt > 0  # the opening fee was borrowed

    feeds["LTT"].setAnswer(0, sender=gov)
    tx = oracle.update(ltt, sender=keeper)
    assert [e.reason for e in tx.events.filter(oracle.SourceExcluded)] == [NON_POSITIVE]
    data = oracle.getPriceData(ltt)
    assert (data.median, data.status) == (wad(10), STALE)

    with ape.reverts(oracle.PriceUnavailable, asset=ltt.address, action=LIQUIDATE, status=STALE):
        liquidator.liquidate(attacker, sender=keeper)
    with ape.reverts(oracle.PriceUnavailable, asset=ltt.address, action=ADD_RISK, status=STALE):
        engine.withdraw(ltt, 1, attacker, sender=attacker)
    with ape.reverts(oracle.PriceUnavailable, asset=ltt.address, action=VALUE, status=STALE):
        pool.deposit(usdc, units("USDC", 1), 0, attacker, sender=attacker)
    with ape.reverts(oracle.PriceUnavailable, asset=ltt.address, action=VALUE, status=STALE):
        pool.withdraw(10**18, usdc, 0, lp, sender=lp)

    engine.deposit(ltt, units("LTT", 100), attacker, sender=attacker)  # add collateral
    engine.deposit(usdc, units("USDC", 1_000), attacker, sender=attacker)  # repay
    assert engine.cash(attacker).scaledDebt == 0
    engine.modifyPosition(WETH_PERP, -wad(1), 0, sender=attacker)  # close
    assert engine.accountMasks(attacker).markets == 0
    # No positions and no debt: the exit is open whatever the prices.
    engine.withdraw(ltt, units("LTT", 1_100), attacker, sender=attacker)
    assert ltt.balanceOf(attacker) == units("LTT", 1_100)


def test_price_to_zero__stale_collateral__cannot_be_borrowed_against(
    seeded, engine, oracle, tokens, feeds, give, gov, attacker
):
    ltt, usdc = tokens["LTT"], tokens["USDC"]
    feeds["LTT"].setAnswer(0, sender=gov)
    oracle.update(ltt, sender=gov)
    assert oracle.getPriceData(ltt).status == STALE
    give(attacker, ltt, units("LTT", 10_000), engine)
    engine.deposit(ltt, units("LTT", 10_000), attacker, sender=attacker)  # worth nothing, last price $100,000
    # Its last price still shows in the maintenance figures, but a Stale asset gives no initial or stress equity, and
    # a loan is new risk for the Pool too: it values every pool asset, and LTT has no price (docs/design.md#liveness).
    health = engine.health(attacker)
    assert health.maintenanceEquity > 0 and health.initialEquity == 0
    with ape.reverts(oracle.PriceUnavailable, asset=ltt.address, action=VALUE, status=STALE):
        engine.withdraw(usdc, units("USDC", 20_000), attacker, sender=attacker)  # within its margin at $10
    assert usdc.balanceOf(attacker) == 0


def test_delisted_asset__guardian_freezes_it__no_new_risk_but_exits_deposits_and_repay_work(
    seeded, engine, liquidator, oracle, tokens, give, guardian, attacker, keeper, stranger
):
    """No contract can unlist an asset; the guardian's freeze is the way to stop one. A frozen market asset gives
    no price to open (the table of docs/design.md#oracle-policy), but reducing and liquidating follow its sources' own
    status (docs/design.md#liveness: a freeze brakes new risk only, and expires by itself): the healthy account is
    judged (not liquidatable, a batch skips it) and reduces; adding collateral and repaying work, and an account without
    positions or debt withdraws in full. Unfreezing restores opening."""
    weth, usdc = tokens["WETH"], tokens["USDC"]
    give(attacker, weth, units("WETH", 2), engine)
    engine.deposit(weth, units("WETH", 1), attacker, sender=attacker)
    engine.modifyPosition(WETH_PERP, wad(1), wad(10**6), sender=attacker)
    give(stranger, weth, units("WETH", 1), engine)
    engine.deposit(weth, units("WETH", 1), stranger, sender=stranger)
    oracle.setFrozen(weth, True, sender=guardian)
    assert oracle.status(weth) == FROZEN

    with ape.reverts(oracle.PriceUnavailable, asset=weth.address, action=ADD_RISK, status=FROZEN):
        engine.modifyPosition(WETH_PERP, wad(1), wad(10**6), sender=attacker)
    with ape.reverts(liquidator.NotLiquidatable, account=attacker.address):
        liquidator.liquidate(attacker, sender=keeper)  # priced and judged: healthy
    tx = liquidator.liquidateMany([attacker], sender=keeper)
    assert [e.account for e in tx.events.filter(liquidator.Skipped)] == [attacker.address]
    engine.modifyPosition(WETH_PERP, -wad(1) // 2, 0, sender=attacker)  # a reduce while frozen
    assert engine.position(attacker, WETH_PERP).size == wad(1) // 2
    engine.deposit(weth, units("WETH", 1), attacker, sender=attacker)
    give(attacker, usdc, units("USDC", 100), engine)
    engine.deposit(usdc, units("USDC", 100), attacker, sender=attacker)
    assert engine.cash(attacker).scaledDebt == 0
    engine.withdraw(weth, units("WETH", 1), stranger, sender=stranger)
    assert weth.balanceOf(stranger) == units("WETH", 1)

    oracle.setFrozen(weth, False, sender=guardian)
    engine.modifyPosition(WETH_PERP, wad(1) // 2, wad(10**6), sender=attacker)  # new risk again
    engine.modifyPosition(WETH_PERP, -wad(1), 0, sender=attacker)
    assert engine.position(attacker, WETH_PERP).size == 0


def test_gmx_2022__trading_against_the_pool_after_moving_the_market__bounded_by_open_interest_caps(
    seeded, engine, pool, oracle, tokens, feeds, give, gov, settle, attacker, stranger, chain
):
    """The 2022 GMX (AVAX) pattern: open at the oracle price with no price impact, push the market the oracle
    follows, close at a profit. Here the long open interest of the WBTC market is capped at 1 WBTC: a second
    (sybil) account cannot add to it; a close in the block of the push trades at the TWAP and gains nothing; once
    the push has lasted two TWAP windows the profit is at most the cap times the push, and so is the Pool's loss."""
    wbtc, usdc = tokens["WBTC"], tokens["USDC"]
    _, imf, mmf, shock, fee, reserve, min_size, _, _ = MARKETS[WBTC_PERP]
    cap = wad(1)
    engine.setMarketParams(WBTC_PERP, (wbtc, imf, mmf, shock, fee, reserve, min_size, cap, cap), sender=gov)
    for account in (attacker, stranger):
        give(account, usdc, units("USDC", 50_000), engine)
        engine.deposit(usdc, units("USDC", 50_000), account, sender=account)

    engine.modifyPosition(WBTC_PERP, cap, wad(10**7), sender=attacker)
    with ape.reverts(engine.OpenInterestCapExceeded, market=WBTC_PERP, openInterest=cap + wad(0.1), cap=cap):
        engine.modifyPosition(WBTC_PERP, wad(0.1), wad(10**7), sender=stranger)
    with ape.reverts(engine.OpenInterestCapExceeded, market=WBTC_PERP, openInterest=cap + wad(0.1), cap=cap):
        engine.modifyPosition(WBTC_PERP, wad(0.1), wad(10**7), sender=attacker)

    with isolated(chain):  # push and close in one block: executed at the TWAP
        pin_time(chain)
        feeds["WBTC"].setAnswer(answer(72_000), sender=gov)
        pin_time(chain)
        oracle.update(wbtc, sender=gov)
        pin_time(chain)
        tx = engine.modifyPosition(WBTC_PERP, -cap, 0, sender=attacker)
        closed = tx.events.filter(engine.PositionModified)[0]
        assert closed.executionPrice == wad(60_000) and closed.realizedPnl <= 0

    nav = pool.nav(False)
    settle({"WBTC": answer(72_000), "USDC": answer(1), "WETH": answer(3_000)})  # the push holds: +20 %
    pool_gain_on_its_own_wbtc = pool.reserves(wbtc) * wad(12_000) // 10**8
    credit = engine.cash(attacker).credit
    tx = engine.modifyPosition(WBTC_PERP, -cap, 0, sender=attacker)
    closed = tx.events.filter(engine.PositionModified)[0]
    profit = (engine.cash(attacker).credit - credit) * 10**12  # USD, after the closing fee
    assert closed.executionPrice == wad(72_000)
    assert 0 < profit <= closed.realizedPnl <= cap * 12_000  # at most the cap times the push
    assert nav + pool_gain_on_its_own_wbtc - pool.nav(False) <= cap * 12_000
    assert engine.position(attacker, WBTC_PERP).size == 0
