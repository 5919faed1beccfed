"""Auto-deleveraging (docs/design.md#liquidation-and-the-loss-waterfall): when traders' net PnL exceeds a governed share
of the Pool's value, anyone may reduce positions that pass the on-chain selection rule, without penalty, back to the
target share. Checked here against the Pool's public numbers and `ballast.risk` over a multi-trade rally; the
selection rule's reverts and the parameters' bounds are tested in tests/forge/engine/AutoDeleverage.t.sol and
Governance.t.sol."""

import pytest

from ballast.risk import borrow_fee, div_up

from support.core import BPS, WAD, WETH_PERP, units, wad

THRESHOLD_BPS, TARGET_BPS = 1_000, 800  # ADL above 10 % of pool value, down to 8 %
MIN_SIZE = 10**16  # the WETH market's minimum size


@pytest.fixture
def rally(seeded, engine, post, move_price, gov, accounts):
    """Longs of 100 WETH at 3,000 and 50 at 4,000, a short of 5 at 4,000, then WETH at 6,000 (within what the
    Pool's $1M of USDC can back)."""
    engine.setAdlParams(THRESHOLD_BPS, TARGET_BPS, sender=gov)
    early, late, short = accounts[2], accounts[7], accounts[8]
    for account in (early, late, short):
        post(account, "USDC", units("USDC", 400_000))
    engine.modifyPosition(WETH_PERP, wad(100), wad(10**6), sender=early)
    move_price({"WETH": 4_000})
    engine.modifyPosition(WETH_PERP, wad(50), wad(10**6), sender=late)
    engine.modifyPosition(WETH_PERP, -wad(5), 0, sender=short)
    move_price({"WETH": 6_000})
    return early, late, short


def expected_state(engine, pool):
    """ADL state from the Pool's public numbers: its lower NAV, traders' PnL at the prices worst for the Pool."""
    _, trader_pnl, _, _ = engine.poolExposure(False)
    pool_value = pool.nav(False) + trader_pnl
    active = trader_pnl > pool_value * THRESHOLD_BPS // BPS
    # Paying the excess out lowers the pool's value as much as the PnL: (pnl - x) <= target * (value - x).
    over = trader_pnl - pool_value * TARGET_BPS // BPS
    excess = div_up(over * BPS, BPS - TARGET_BPS) if active else 0
    return trader_pnl, pool_value, active, excess


def test_adl_state__traders_pnl_above_threshold__active_with_excess_to_target(rally, engine, pool):
    state = engine.adlState()
    assert (state.traderPnl, state.poolValue, state.active, state.excessUsd) == expected_state(engine, pool)
    assert state.active
    # 100 WETH up 3,000 and 50 up 2,000, the short down 2,000 on 5: ~$390k of trader profit.
    assert abs(state.traderPnl - wad(390_000)) < wad(1_000)


def test_auto_deleverage__best_entry_of_the_side__closes_to_target_without_penalty(
    rally, engine, pool, stranger, tokens
):
    early, _, _ = rally
    _, _, _, excess = expected_state(engine, pool)
    before = engine.position(early, WETH_PERP)
    credit_before = engine.cash(early).credit

    tx = engine.autoDeleverage(early, WETH_PERP, sender=stranger)

    (event,) = tx.events.filter(engine.AutoDeleveraged)
    # The excess at the transaction's own timestamp: borrow fees accrued since the view moved it a little.
    assert abs(event.excessUsd - excess) <= excess // 10**5
    price = wad(6_000)
    closing = div_up(event.excessUsd * WAD, price - before.entryPrice)
    assert 0 < closing < before.size - MIN_SIZE
    assert (event.account, event.market, event.sizeDelta, event.price) == (early, WETH_PERP, -closing, price)
    assert event.caller == stranger
    assert engine.position(early, WETH_PERP).size == before.size - closing
    # No penalty and no trading fee: the realized PnL is the price gain less the position's accrued borrow fee
    # (settled at the index the trade stamps on the position), and the account's credit grows by it, in USDC at $1.
    after_position = engine.position(early, WETH_PERP)
    fee = borrow_fee(before.size, before.entryPrice, before.entryIndex, after_position.entryIndex)
    realized = closing * (price - before.entryPrice) // WAD - fee
    assert event.realizedPnl == realized
    assert engine.cash(early).credit - credit_before == realized // 10**12
    # Back at the target share, within the rounding of the realized PnL to USDC units.
    after = engine.adlState()
    assert not after.active
    assert after.traderPnl <= after.poolValue * TARGET_BPS // BPS + fee


def test_auto_deleverage__small_remainder__closes_the_whole_position(
    seeded, engine, post, move_price, gov, accounts, stranger
):
    trader = accounts[2]
    engine.setAdlParams(1_000, 0, sender=gov)  # target 0: the whole profit must go
    post(trader, "USDC", units("USDC", 400_000))
    engine.modifyPosition(WETH_PERP, wad(100), wad(10**6), sender=trader)
    move_price({"WETH": 6_000})
    tx = engine.autoDeleverage(trader, WETH_PERP, sender=stranger)
    (event,) = tx.events.filter(engine.AutoDeleveraged)
    assert event.sizeDelta == -wad(100)
    assert engine.position(trader, WETH_PERP).size == 0
    assert engine.accountMasks(trader)[1] == 0
