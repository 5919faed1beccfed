"""Attacks on trader accounts and governance: self-liquidation from a second address, front-running a top-up with a
liquidation, dust positions, a victim's asset list stuffed by strangers, pause abuse, risk-parameter changes that
would make healthy accounts liquidatable, the penalty vs maintenance fraction rule, flash open/close round trips,
1-unit collateral and cash loops, and edge amounts and addresses on the engine.
"""

import ape
import pytest

from support.attacks import ZERO, all_words, call, revert_name
from support.core import (
    COLLATERAL,
    MARKETS,
    MAX_UINT,
    PRICES,
    WAD,
    WETH_PERP,
    account_books,
    div_up,
    mark_value,
    model_health,
    open_long_weth,
    pin_time,
    price_ranges,
    price_where,
    units,
    wad,
)
from support.isolation import isolated

ADMIN_ROLE = b"\0" * 32


@pytest.fixture(scope="module")
def thin_long(seeded, engine, tokens, give, attacker):
    """Open 5 WETH long on $3,100 of USDC cash for `account`: maintenance margin $750 (5 %) against $3,085 of
    equity; liquidatable from an mmf of about 20.6 %."""

    def _open(account=attacker):
        give(account, "USDC", units("USDC", 3_100), engine)
        engine.deposit(tokens["USDC"], units("USDC", 3_100), account, sender=account)
        engine.modifyPosition(WETH_PERP, wad(5), wad(10**6), sender=account)

    return _open


def market_params(weth, **changes) -> tuple:
    """WETH-PERP's parameters with `changes`."""
    names = ("asset", "imf", "mmf", "shock", "fee", "reserve", "min_size", "long_cap", "short_cap")
    params = dict(zip(names, MARKETS[WETH_PERP], strict=True)) | {"asset": weth.address} | changes
    return tuple(params.values())


# ---------------------------------------------------------------- liquidation games


def test_self_liquidation__owner_liquidates_from_a_second_address__gains_nothing(
    seeded, engine, liquidator, pool, oracle, tokens, post, settle, trader, attacker, chain
):
    """The owner of an unhealthy account liquidates it from another address it controls. The keeper reward comes
    out of the penalty its own account pays (here in its own WETH: the account has no credit), so what it holds (the
    account's value at the median, never below zero, plus the USDC and WETH of both addresses) falls by the
    penalty's fund share. Any valid Liquidator parameters and any depth:
    tests/forge/engine/properties/Liquidate.t.sol (`testFuzz_liquidate__ownAccount*`, `test_liquidate__ownAccount*`)."""
    open_long_weth(engine, trader, post, 10, 4)  # $30,000 long on 4 WETH
    settle({"WETH": 2_270 * 10**8})
    assert engine.liquidationHealth(trader).liquidatable
    usdc, weth = tokens["USDC"], tokens["WETH"]
    prices, index = price_ranges(oracle, tokens), pool.borrowIndex()

    def held() -> int:
        value = mark_value(account_books(engine, tokens, trader), prices, index)
        # The keeper's reward is credited to its own engine account (it has no positions, so it is worth its marks).
        rewards = mark_value(account_books(engine, tokens, attacker), prices, index)
        wallets = (usdc.balanceOf(trader) + usdc.balanceOf(attacker)) * 10**12
        wallets += (weth.balanceOf(trader) + weth.balanceOf(attacker)) * wad(2_270) // WAD
        return max(value, 0) + rewards + wallets

    before = held()
    pin_time(chain)  # no accrual between the valuation and the liquidation
    tx = liquidator.liquidate(trader, sender=attacker)
    event = tx.events.filter(liquidator.Liquidated)[0]
    gain = held() - before
    assert engine.collateralBalance(attacker, weth) == div_up(event.keeperReward * 10**12 * WAD, wad(2_270))
    assert weth.balanceOf(attacker) == 0  # credited in the engine, never transferred
    assert event.keeperReward > 0
    assert event.penalty > event.keeperReward
    assert gain <= -(event.penalty - event.keeperReward) * 10**12 + 10**12  # within one USDC unit of rounding
    assert gain < 0


def test_front_running_a_top_up__liquidation_lands_first__top_up_still_credited_and_no_second_liquidation(
    seeded, engine, liquidator, tokens, give, post, settle, trader, keeper, chain
):
    """A keeper's liquidation lands in the same second just before the owner's top-up: the top-up still goes
    through and is credited in full (nothing is seized after the close), the account is healthy, and a second
    liquidation (single or batch) finds nothing to do: one close of half the position, once."""
    weth = tokens["WETH"]
    open_long_weth(engine, trader, post, 10, 4)
    settle({"WETH": 2_270 * 10**8})
    assert engine.liquidationHealth(trader).liquidatable
    give(trader, weth, units("WETH", 2), engine)

    pin_time(chain)
    tx = liquidator.liquidate(trader, sender=keeper)
    assert tx.events.filter(liquidator.Liquidated)[0].fractionBps == 5_000
    # No credit: the keeper's reward came out of the account's WETH, into the keeper's engine account.
    paid = engine.collateralBalance(keeper, weth)
    pin_time(chain)
    engine.deposit(weth, units("WETH", 2), trader, sender=trader)

    assert engine.collateralBalance(trader, weth) == units("WETH", 6) - paid
    assert engine.position(trader, WETH_PERP).size == wad(5)
    assert not engine.liquidationHealth(trader).liquidatable
    with ape.reverts(liquidator.NotLiquidatable, account=trader.address):
        liquidator.liquidate(trader, sender=keeper)
    tx = liquidator.liquidateMany([trader], sender=keeper)
    assert not tx.events.filter(liquidator.Liquidated)
    assert [e.account for e in tx.events.filter(liquidator.Skipped)] == [trader.address]


def test_dust__positions_below_min_size_refused_and_liquidation_leaves_no_dust(
    seeded, engine, liquidator, tokens, give, settle, risk_manager, attacker, keeper, chain
):
    """A position (or what a reduce leaves) below the market's minimum size is refused. Liquidating a 0.015 WETH
    long (minimum 0.01) closes all of it: under the dust-margin rule ($50 of maintenance margin) it is a full
    close; without that rule the close factor's half would leave 0.0075, so the engine closes the rest too."""
    usdc, min_size = tokens["USDC"], MARKETS[WETH_PERP][6]
    give(attacker, usdc, units("USDC", 12), engine)
    engine.deposit(usdc, units("USDC", 12), attacker, sender=attacker)
    with ape.reverts(engine.PositionTooSmall, market=WETH_PERP, size=min_size - 1, minSize=min_size):
        engine.modifyPosition(WETH_PERP, min_size - 1, wad(10**6), sender=attacker)
    engine.modifyPosition(WETH_PERP, 15 * 10**15, wad(10**6), sender=attacker)  # 0.015 WETH
    with ape.reverts(engine.PositionTooSmall, market=WETH_PERP, size=6 * 10**15, minSize=min_size):
        engine.modifyPosition(WETH_PERP, -9 * 10**15, 0, sender=attacker)

    settle({"WETH": 2_300 * 10**8})
    h = engine.liquidationHealth(attacker)
    assert h.liquidatable and 2 * h.maintenanceEquity >= h.maintenanceMargin  # unhealthy, not critical
    with isolated(chain):
        tx = liquidator.liquidate(attacker, sender=keeper)
        assert tx.events.filter(liquidator.Liquidated)[0].fractionBps == 10_000
        assert engine.position(attacker, WETH_PERP).size == 0

    liquidator.setParams((5_000, 5_000, 100, 100, 3_000, 1_000_000, 0), sender=risk_manager)  # no dust rule
    tx = liquidator.liquidate(attacker, sender=keeper)
    assert tx.events.filter(liquidator.Liquidated)[0].fractionBps == 5_000
    closed = tx.events.filter(engine.PositionModified)[0]
    assert (closed.sizeDelta, closed.sizeAfter) == (-15 * 10**15, 0)
    assert engine.accountMasks(attacker).markets == 0


# ---------------------------------------------------------------- strangers and the guardian


def test_asset_list_stuffing__strangers_cannot_add_assets_to_a_victims_list__only_top_up(
    seeded, engine, tokens, give, post, trader, stranger
):
    """Could strangers fill a victim's collateral list (at most 8 assets per account) with dust so the victim cannot
    add an asset it needs? A stranger may deposit only what the account already holds (a gift, which never lowers
    health) and settlement cash (which repays its debt); adding a new asset to someone else's list reverts
    NotAccountOwner. The victim still adds every other listed collateral itself."""
    post(trader, "WETH", units("WETH", 4))
    engine.modifyPosition(WETH_PERP, wad(1), wad(10**6), sender=trader)  # the fee is borrowed: some debt
    mask = engine.accountMasks(trader).collateral
    for symbol in ("WBTC", "LTT"):
        give(stranger, symbol, 10**9, engine)
        with ape.reverts(engine.NotAccountOwner, account=trader.address, caller=stranger.address):
            engine.deposit(tokens[symbol], 1, trader, sender=stranger)
    health = engine.health(trader)
    give(stranger, "WETH", 1, engine)
    engine.deposit(tokens["WETH"], 1, trader, sender=stranger)
    give(stranger, "USDC", units("USDC", 100), engine)
    engine.deposit(tokens["USDC"], units("USDC", 100), trader, sender=stranger)
    assert engine.accountMasks(trader).collateral == mask == 0b10
    assert engine.cash(trader).scaledDebt == 0
    assert engine.health(trader).maintenanceEquity > health.maintenanceEquity

    for symbol in ("WBTC", "LTT"):
        post(trader, symbol, 10**8)
    assert engine.accountMasks(trader).collateral == 0b111


def test_pause_abuse__guardian_pauses_new_risk_and_deposits__exits_repay_and_liquidation_still_work(
    seeded, engine, pool, liquidator, tokens, give, post, settle, guardian, trader, trader2, keeper, lp
):
    """With the engine's new risk and the Pool's deposits paused by the guardian: opening and LP deposits
    revert, while reducing, adding collateral, repaying, closing, liquidating and LP withdrawals all work."""
    weth, usdc = tokens["WETH"], tokens["USDC"]
    open_long_weth(engine, trader, post, 2, 4)  # healthy, with the opening fee as debt
    open_long_weth(engine, trader2, post, 10, 4)  # liquidatable below ~$2,300
    settle({"WETH": 2_270 * 10**8})
    engine.setNewRiskPaused(True, sender=guardian)
    pool.setDepositsPaused(True, sender=guardian)
    give(trader, usdc, units("USDC", 1_000), engine, pool)

    with ape.reverts(engine.NewRiskPaused):
        engine.modifyPosition(WETH_PERP, wad(1), wad(10**6), sender=trader)
    with ape.reverts(pool.DepositsPaused):
        pool.deposit(usdc, units("USDC", 1), 0, trader, sender=trader)
    engine.modifyPosition(WETH_PERP, -wad(1), 0, sender=trader)  # reduce
    post(trader, "WETH", units("WETH", 1))  # add collateral
    engine.deposit(usdc, units("USDC", 1_000), trader, sender=trader)  # repay
    assert engine.cash(trader).scaledDebt == 0
    engine.modifyPosition(WETH_PERP, -wad(1), 0, sender=trader)  # close
    assert engine.position(trader, WETH_PERP).size == 0
    engine.withdraw(weth, units("WETH", 1), trader, sender=trader)  # collateral above the margin
    tx = liquidator.liquidate(trader2, sender=keeper)
    assert tx.events.filter(liquidator.Liquidated)[0].account == trader2.address
    out = pool.withdraw(10**24, usdc, 0, lp, sender=lp).events.filter(pool.Withdraw)[0].amount
    assert out > 0 and usdc.balanceOf(lp) == out


def test_pause_abuse__borrowing_while_new_risk_is_paused__is_refused(
    seeded, engine, tokens, post, guardian, trader
):
    post(trader, "WETH", units("WETH", 10))
    engine.setNewRiskPaused(True, sender=guardian)
    with ape.reverts(engine.NewRiskPaused):
        engine.withdraw(tokens["USDC"], units("USDC", 1_000), trader, sender=trader)


# ---------------------------------------------------------------- governance bounds


def test_risk_parameters__risk_manager_steps_bounded_and_timelock_not__healthy_account(
    thin_long, engine, tokens, gov, risk_manager, attacker, chain
):
    """A risk-manager change beyond 500 bps of a maintenance parameter reverts (market mmf 5 % -> 11 %, WETH's
    maintenance haircut 10 % -> 16 %); a 500 bps step goes through and leaves the thin account healthy. Only
    governance (the timelock, here its stand-in) may move mmf to 30 % in one call; the rise ramps over the engine's
    ramp duration, so the account is still healthy after the call and liquidatable once the ramp is over."""
    thin_long()
    with ape.reverts(engine.ParamOutOfBounds, value=1_100, min=0, max=1_000):
        engine.setMarketParams(
            WETH_PERP, market_params(tokens["WETH"], imf=1_600, mmf=1_100), sender=risk_manager
        )
    initial, _, shock, cap = COLLATERAL["WETH"]
    with ape.reverts(engine.ParamOutOfBounds, value=1_600, min=500, max=1_500):
        engine.setCollateralParams(tokens["WETH"], (initial + 600, 1_600, shock, cap), sender=risk_manager)
    engine.setMarketParams(
        WETH_PERP, market_params(tokens["WETH"], imf=1_500, mmf=1_000), sender=risk_manager
    )
    assert not engine.health(attacker).liquidatable

    engine.setMarketParams(WETH_PERP, market_params(tokens["WETH"], imf=3_500, mmf=3_000), sender=gov)
    assert not engine.health(attacker).liquidatable
    ramp = engine.marketRamp(WETH_PERP)
    # from the value in force (the risk manager's own step to 10 % is still ramping from 5 %)
    assert ramp.fromBps <= 1_000 and (ramp.targetBps, ramp.end - ramp.start) == (3_000, engine.rampDuration())
    chain.pending_timestamp = ramp.end
    chain.mine()
    assert engine.marketRamp(WETH_PERP).currentBps == 3_000
    assert engine.health(attacker).liquidatable


def test_risk_parameters__risk_manager_chaining_steps_in_one_second__cannot_make_a_healthy_account_liquidatable(
    thin_long, engine, tokens, risk_manager, attacker, chain
):
    """Each risk-manager step is bounded (500 bps) and tightening steps on one market are a day apart: chaining
    them in one second stops at the first, which leaves the thin account healthy."""
    thin_long()
    pin_time(chain)
    engine.setMarketParams(
        WETH_PERP, market_params(tokens["WETH"], imf=1_500, mmf=1_000), sender=risk_manager
    )
    subject = (WETH_PERP | 1 << 255).to_bytes(32, "big")
    next_at = chain.blocks.head.timestamp + 86_400
    pin_time(chain)
    with ape.reverts(engine.RiskStepTooSoon, subject=subject, nextAllowedAt=next_at):
        engine.setMarketParams(
            WETH_PERP, market_params(tokens["WETH"], imf=2_000, mmf=1_500), sender=risk_manager
        )
    # Loosening is never spaced; the next tightening step waits a day.
    engine.setMarketParams(WETH_PERP, market_params(tokens["WETH"], imf=1_400, mmf=900), sender=risk_manager)
    chain.pending_timestamp = next_at
    engine.setMarketParams(
        WETH_PERP, market_params(tokens["WETH"], imf=1_900, mmf=1_400), sender=risk_manager
    )
    assert engine.marketParams(WETH_PERP).maintenanceMarginBps == 1_400


def test_penalty_vs_maintenance__threshold_times_one_plus_penalty_at_least_one__rejected_everywhere(
    seeded, engine, liquidator, oracle, pool, tokens, settle, thin_long, gov, risk_manager, attacker, keeper
):
    """Aave's rule "liquidation threshold x (1 + bonus) < 1" reads here: the penalty on the closed notional stays
    below every market's maintenance fraction (mmf), so liquidating at the threshold cannot create bad debt. A
    penalty equal to an mmf is refused (Liquidator.setParams), and so is an mmf at or below the penalty (listing
    or changing a market, governance included). At the highest penalty allowed (4.99 % under a 5 % mmf), an account
    liquidated just past its threshold pays the whole penalty and is left with non-negative equity: no absorb."""
    name = b"maxPenaltyBps".ljust(32, b"\0")
    with ape.reverts(liquidator.ParamOutOfBounds, name=name, value=500, min=500, max=499):
        liquidator.setParams((5_000, 10_000, 500, 500, 3_000, 1_000_000, 50 * 10**18), sender=risk_manager)
    liquidator.setParams(
        (5_000, 10_000, 499, 499, 3_000, 1_000_000, 50 * 10**18), sender=risk_manager
    )  # always full close
    for mmf in (499, 450):
        with ape.reverts(engine.ParamOutOfBounds, value=mmf, min=500, max=5_000):
            engine.listMarket(market_params(tokens["WETH"], mmf=mmf), sender=gov)
        with ape.reverts(engine.ParamOutOfBounds, value=mmf, min=500, max=5_000):
            engine.setMarketParams(WETH_PERP, market_params(tokens["WETH"], mmf=mmf), sender=gov)

    thin_long()
    books, prices, index = (
        account_books(engine, tokens, attacker),
        price_ranges(oracle, tokens),
        pool.borrowIndex(),
    )
    settle({"WETH": price_where("WETH", lambda p: model_health(books, p, index)["liquidatable"], prices)})
    h = engine.liquidationHealth(attacker)
    assert h.liquidatable and h.maintenanceEquity > 0
    tx = liquidator.liquidate(attacker, sender=keeper)
    event = tx.events.filter(liquidator.Liquidated)[0]
    assert event.fractionBps == 10_000
    assert event.penalty == div_up(div_up(event.closedNotional * 499, 10_000), 10**12)  # not capped
    assert not tx.events.filter(liquidator.Absorbed)
    after = engine.liquidationHealth(attacker)
    assert after.maintenanceMargin == 0 and after.maintenanceEquity >= 0 and not after.liquidatable


# ---------------------------------------------------------------- flash round trips and rounding loops


@pytest.fixture(scope="module")
def batcher_account(seeded, engine, tokens, give, deploy_batcher, risk_manager):
    """A Batcher holding 10 WETH and $10,000 of USDC, both approved to the engine."""
    batcher = deploy_batcher()
    give(batcher, "WETH", units("WETH", 10))
    give(batcher, "USDC", units("USDC", 10_000))
    approvals = [call(tokens[s], "approve", engine, MAX_UINT) for s in ("WETH", "USDC")]
    batcher.run(approvals, 1, [], sender=risk_manager)
    return batcher


def test_flash_round_trip__deposit_open_close_in_one_transaction__returns_no_more_than_put_in(
    batcher_account, engine, tokens
):
    """Deposit $10,000, open a 5 WETH long and close it, in one transaction: the price cannot move in between and
    no borrow fee accrues, so the cash left is the deposit less the two trading fees, exactly. docs/design.md#invariants
    (7) (any size, market and collateral: tests/forge/engine/properties/RoundTrip.t.sol)."""
    usdc, batcher = tokens["USDC"], batcher_account
    calls = [
        call(engine, "deposit", usdc, units("USDC", 10_000), batcher),
        call(engine, "modifyPosition", WETH_PERP, wad(5), wad(10**6)),
        call(engine, "modifyPosition", WETH_PERP, -wad(5), 0),
    ]
    result = batcher.run.call(calls, 1, [call(engine, "cash", batcher)])
    fee = units("USDC", 5 * PRICES["WETH"] * 10 / 10_000)  # 10 bps of $15,000
    credit, scaled_debt, _ = all_words(result.afterwards[0])
    assert (credit, scaled_debt) == (units("USDC", 10_000) - 2 * fee, 0)


def test_rounding_loop__1000_one_unit_collateral_and_cash_round_trips__extract_nothing(
    batcher_account, engine, pool, tokens, risk_manager, big_calls
):
    """An account with a position and debt deposits and withdraws 1 wei of WETH and 1 unit of USDC, 1,000 times
    each, in one call: every round trip passes (the health checks included), and the wallet, the collateral and
    the cash end exactly where they started, the debt no lower."""
    weth, usdc, batcher = tokens["WETH"], tokens["USDC"], batcher_account
    setup = [
        call(engine, "deposit", weth, units("WETH", 9), batcher),
        call(engine, "modifyPosition", WETH_PERP, wad(5), wad(10**6)),  # the fee is borrowed
    ]
    batcher.run(setup, 1, [], sender=risk_manager)
    loop = [
        call(engine, "deposit", weth, 1, batcher),
        call(engine, "withdraw", weth, 1, batcher),
        call(engine, "deposit", usdc, 1, batcher),
        call(engine, "withdraw", usdc, 1, batcher),
    ]
    reads = [
        call(weth, "balanceOf", batcher),
        call(usdc, "balanceOf", batcher),
        call(engine, "collateralBalance", batcher, weth),
        call(engine, "cash", batcher),
        call(pool, "totalScaledDebt"),
    ]
    result = big_calls(batcher.run, loop, 1_000, reads)
    assert list(result.failures) == [0, 0, 0, 0]
    before, after = ([all_words(r) for r in rs] for rs in (result.before, result.afterwards))
    assert before[3][1] > 0  # the account has debt
    assert after[:3] == before[:3]  # wallets and collateral
    assert after[3][0] <= before[3][0] and after[3][1] >= before[3][1]  # credit, scaled debt
    assert after[4] >= before[4]


# ---------------------------------------------------------------- edge amounts and addresses


def test_edge_amounts__engine__zero_and_max_and_zero_address__revert_with_custom_errors(
    seeded, engine, pool, tokens, post, trader, stranger
):
    weth, usdc = tokens["WETH"], tokens["USDC"]
    post(trader, "WETH", units("WETH", 1))
    for attempt in (
        lambda: engine.deposit(weth, 0, trader, sender=trader),
        lambda: engine.withdraw(weth, 0, trader, sender=trader),
        lambda: engine.modifyPosition(WETH_PERP, 0, 0, sender=trader),
    ):
        with ape.reverts(engine.ZeroAmount):
            attempt()
    with ape.reverts(engine.CollateralNotListed, asset=stranger.address):
        engine.deposit(stranger, 1, trader, sender=trader)
    with ape.reverts(engine.MarketNotListed, market=99):
        engine.modifyPosition(99, 1, 0, sender=trader)
    weth.approve(engine, MAX_UINT, sender=trader)
    with ape.reverts(weth.ERC20InsufficientBalance, sender=trader.address, needed=MAX_UINT):
        engine.deposit(weth, MAX_UINT, trader, sender=trader)
    with ape.reverts(
        engine.InsufficientCollateral, asset=weth.address, requested=MAX_UINT, available=units("WETH", 1)
    ):
        engine.withdraw(weth, MAX_UINT, trader, sender=trader)
    with ape.reverts(pool.InsufficientLiquidity, asset=usdc.address, requested=MAX_UINT):  # a loan that large
        engine.withdraw(usdc, MAX_UINT, trader, sender=trader)
    with ape.reverts(engine.OpenInterestCapExceeded, market=WETH_PERP, openInterest=2**127 - 1):
        engine.modifyPosition(WETH_PERP, 2**127 - 1, MAX_UINT, sender=trader)
    with ape.reverts(
        weth.ERC20InvalidReceiver, receiver=ZERO
    ):  # the token refuses; the engine does not check
        engine.withdraw(weth, 1, ZERO, sender=trader)
    assert engine.collateralBalance(trader, weth) == units("WETH", 1)


def test_edge_addresses__deposit_for_the_zero_address__is_refused(seeded, engine, tokens, give, stranger):
    usdc = tokens["USDC"]
    give(stranger, usdc, units("USDC", 100), engine)
    with ape.reverts(engine.ZeroAddress):
        engine.deposit(usdc, units("USDC", 100), ZERO, sender=stranger)
    assert engine.cash(ZERO).credit == 0
    assert usdc.balanceOf(stranger) == units("USDC", 100)


def test_edge_amounts__modify_position_by_int256_extremes__reverts_with_a_custom_error(
    seeded, engine, post, trader
):
    post(trader, "WETH", units("WETH", 1))
    errors = {e.name for e in engine.contract_type.errors}
    for delta, price in ((2**255 - 1, MAX_UINT), (-(2**255), 0)):
        assert (
            revert_name(lambda d=delta, p=price: engine.modifyPosition(WETH_PERP, d, p, sender=trader))
            in errors
        )
