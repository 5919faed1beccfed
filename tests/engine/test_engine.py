"""MarginEngine and Liquidator: collateral, cash, positions, health math, liquidation, absorb and the loss
waterfall, against independent Python computations of docs/design.md#account-math,
docs/design.md#liquidation-and-the-loss-waterfall."""

import ape

from ballast.risk import div_up

from support.core import (
    KEEPER_SHARE_BPS,
    MIN_KEEPER_REWARD,
    PENALTY_BPS,
    WAD,
    WETH_PERP,
    open_long_weth,
    units,
    wad,
)

# ---------------------------------------------------------------- positions and health


def test_modify_position__open_long__books_position_fee_debt_and_health(
    seeded, engine, pool, insurance, post, trader
):
    tx = open_long_weth(engine, trader, post, 5, 10)

    pos = engine.position(trader, WETH_PERP)
    assert (pos.size, pos.entryPrice) == (wad(5), wad(3_000))
    fee = div_up(15_000 * 10**6 * 10, 10_000)  # 10 bps of $15,000 in USDC units
    event = tx.events.filter(engine.PositionModified)[0]
    assert (event.sizeAfter, event.executionPrice, event.fee) == (wad(5), wad(3_000), fee)
    # No credit: the whole fee is owed to the Pool (the fund's share comes out of credit only; no Pool loan).
    assert insurance.bookedBalance() == 0
    credit, _, debt = engine.cash(trader)
    assert credit == 0
    assert debt >= fee

    # Independent health (docs/design.md#account-math): WETH at $3,000, haircuts 10 % / 15 %, mmf 5 %, imf 10 %, shocks
    # 20 %.
    h = engine.health(trader)
    debt_usd = debt * WAD // 10**6
    assert h.maintenanceEquity == 27_000 * WAD - debt_usd  # 10 WETH * $3,000 * 90 %
    assert h.maintenanceMargin == 750 * WAD  # $15,000 * 5 %
    assert h.initialEquity == 25_500 * WAD - debt_usd  # 10 WETH * $3,000 * 85 %
    assert h.initialMargin == 1_500 * WAD  # $15,000 * 10 %
    assert h.stressEquity == h.initialEquity - 5_100 * WAD - 3_000 * WAD  # 20 % of $25,500 and of $15,000
    assert not h.liquidatable


def test_modify_position__beyond_initial_margin__reverts(seeded, engine, post, trader):
    post(trader, "WETH", units("WETH", 1))  # $2,550 of initial collateral value
    with ape.reverts(engine.InsufficientMargin):
        engine.modifyPosition(WETH_PERP, wad(10), wad(1_000_000), sender=trader)


def test_close__at_profit__realizes_pnl_into_credit_then_withdrawable(
    seeded, engine, post, trader, move_price, tokens
):
    open_long_weth(engine, trader, post, 5, 10)
    move_price({"WETH": 3_300})
    engine.modifyPosition(WETH_PERP, -wad(5), 0, sender=trader)
    credit, scaled, _ = engine.cash(trader)
    # +$1,500 of profit, less the two fees and the opening fee's debt (repaid from the profit).
    assert scaled == 0
    assert units("USDC", 1_400) < credit < units("USDC", 1_500)
    engine.withdraw(tokens["USDC"], credit, trader, sender=trader)
    assert tokens["USDC"].balanceOf(trader) == credit
    assert engine.accountMasks(trader)[1] == 0


def test_withdraw__unrealized_profit__cannot_be_withdrawn_mango(
    seeded, engine, post, trader, move_price, tokens
):
    open_long_weth(engine, trader, post, 5, 2)  # $6,000 of collateral behind $15,000 long
    move_price({"WETH": 4_000})  # +$5,000 unrealized, collateral now $8,000
    h = engine.health(trader)
    assert h.maintenanceEquity > wad(5_000)
    # Initial equity counts the collateral only: pulling most of it must fail although uPnL is large.
    with ape.reverts(engine.InsufficientMargin):
        engine.withdraw(tokens["WETH"], units("WETH", 1.5), trader, sender=trader)
    with ape.reverts(engine.InsufficientMargin):
        engine.withdraw(tokens["USDC"], units("USDC", 4_000), trader, sender=trader)


def test_pool_exposure__trader_profit__lowers_nav_by_it(seeded, engine, pool, post, trader, move_price):
    open_long_weth(engine, trader, post, 10, 20)
    nav_before = pool.nav(False)
    move_price({"WETH": 3_150})
    low, high, reserved, provision = engine.poolExposure(False)
    assert provision == 0
    assert low == high  # median == TWAP after the move
    assert wad(1_499) < high <= wad(1_500)  # +$1,500 minus accrued borrow fees
    assert reserved == wad(10 * 3_150)
    weth_lp_gain = 500_000 / 3_000 * 150  # the pool's own WETH rose too
    assert abs((pool.nav(False) - nav_before) - (wad(weth_lp_gain) - high)) < wad(1)


# ---------------------------------------------------------------- liquidation


def test_liquidate__healthy_account__reverts(seeded, engine, liquidator, post, trader, keeper):
    open_long_weth(engine, trader, post, 1, 5)
    assert not engine.health(trader).liquidatable
    with ape.reverts(liquidator.NotLiquidatable, account=trader.address):
        liquidator.liquidate(trader, sender=keeper)


def test_liquidate__unhealthy__closes_half_and_pays_keeper_from_account(
    seeded, engine, pool, liquidator, insurance, post, trader, keeper, move_price, tokens
):
    open_long_weth(engine, trader, post, 10, 4)  # $30k long on $12k of WETH
    # At $2,270: maintenance equity 4 * 2,270 * 0.9 - 7,300 - fee = ~$857 < MM $1,135, above half of it.
    move_price({"WETH": 2_270})
    assert engine.health(trader).liquidatable
    insurance_before = insurance.bookedBalance()

    tx = liquidator.liquidate(trader, sender=keeper)

    event = tx.events.filter(liquidator.Liquidated)[0]
    assert event.fractionBps == 5_000
    assert engine.position(trader, WETH_PERP).size == wad(5)
    assert event.closedNotional == 5 * 2_270 * WAD
    penalty = div_up(11_350 * 10**6 * PENALTY_BPS, 10_000)
    reward = min(penalty, MIN_KEEPER_REWARD + penalty * KEEPER_SHARE_BPS // 10_000)
    assert (event.penalty, event.keeperReward) == (penalty, reward)
    # The account has no credit (its loss is debt): the keeper, who brought no capital, is paid in the account's WETH
    # at the upper liquidation price; the fund's share is owed to the Pool as the account's debt. No Pool loan.
    assert tokens["WETH"].balanceOf(keeper) == div_up(reward * 10**12 * WAD, wad(2_270))
    assert tokens["USDC"].balanceOf(keeper) == 0
    assert insurance.bookedBalance() == insurance_before
    (charge,) = [e for e in tx.events.filter(engine.CashChanged) if e.reason.rstrip(b"\0") == b"penalty"]
    assert -charge.delta == penalty - reward
    assert not list(tx.events.filter(pool.Lent))


def test_liquidate_many__skips_healthy_and_liquidates_the_rest(
    seeded, engine, liquidator, post, trader, trader2, keeper, move_price
):
    open_long_weth(engine, trader, post, 10, 4)
    open_long_weth(engine, trader2, post, 1, 10)
    move_price({"WETH": 2_270})
    tx = liquidator.liquidateMany([trader, trader2], sender=keeper)
    assert [e.account for e in tx.events.filter(liquidator.Liquidated)] == [trader.address]
    assert [e.account for e in tx.events.filter(liquidator.Skipped)] == [trader2.address]


def test_liquidate__stale_prices__waits_and_batch_skips(
    seeded, engine, liquidator, oracle, post, trader, keeper, move_price, chain
):
    open_long_weth(engine, trader, post, 10, 4)
    move_price({"WETH": 2_270})
    chain.pending_timestamp += 2 * 3_600
    chain.mine()
    with ape.reverts(oracle.PriceUnavailable):
        liquidator.liquidate(trader, sender=keeper)
    tx = liquidator.liquidateMany([trader], sender=keeper)
    assert [e.account for e in tx.events.filter(liquidator.Skipped)] == [trader.address]


def test_liquidate__deep_crash__absorbs_then_insurance_then_socializes(
    seeded, engine, liquidator, pool, insurance, post, trader, keeper, move_price, tokens, accounts
):
    # Fund the insurance with $100, far less than the coming deficit.
    donor = accounts[8]
    tokens["USDC"].mint(donor, units("USDC", 100), sender=donor)
    tokens["USDC"].approve(insurance, units("USDC", 100), sender=donor)
    insurance.fund(units("USDC", 100), b"seed".ljust(32, b"\0"), sender=donor)
    post(trader, "LTT", units("LTT", 2_000))  # $20,000 of long-tail collateral
    engine.modifyPosition(WETH_PERP, wad(5), wad(1_000_000), sender=trader)  # $15k long
    move_price({"WETH": 1_500, "LTT": 2})  # -$7,500 uPnL, collateral $4,000: deep under water
    insurance_before = insurance.bookedBalance()

    tx = liquidator.liquidate(trader, sender=keeper)

    liquidated = tx.events.filter(liquidator.Liquidated)[0]
    assert liquidated.fractionBps == 10_000  # critical health: full close
    # Worth less than nothing after the close: no penalty, so no reward paid by the InsuranceFund or the LPs.
    assert (liquidated.penalty, liquidated.keeperReward) == (0, 0)
    assert tokens["USDC"].balanceOf(keeper) == 0
    absorbed = tx.events.filter(liquidator.Absorbed)[0]
    assert absorbed.deficit > 0
    # The fund, including the penalty share it just received, is emptied before LPs lose anything.
    penalty_share = liquidated.penalty - liquidated.keeperReward
    assert absorbed.insuranceCovered == insurance_before + penalty_share
    assert insurance.bookedBalance() == 0
    social = tx.events.filter(pool.DeficitSocialized)[0]
    assert social.amount + absorbed.insuranceCovered >= absorbed.deficit
    assert engine.cash(trader)[1] == 0
    assert engine.accountMasks(trader)[0] == 0
    assert pool.reserves(tokens["LTT"]) == units("LTT", 2_000)  # the collateral joined the reserves
    assert pool.totalScaledDebt() == 0


# ---------------------------------------------------------------- governance bounds


def test_list_market__maintenance_fraction_not_above_penalty__reverts(seeded, engine, gov, tokens):
    # Liquidating at the threshold must not create bad debt: mmf must exceed the 1 % liquidation penalty.
    params = (tokens["WETH"], 1_000, PENALTY_BPS, 2_000, 10, 10_000, 10**16, 10**24, 10**24)
    with ape.reverts(engine.ParamOutOfBounds, value=PENALTY_BPS, min=PENALTY_BPS + 1):
        engine.listMarket(params, sender=gov)


def test_set_collateral_params__risk_manager_steps_bounded_timelock_not(
    seeded, engine, gov, risk_manager, tokens
):
    weth = tokens["WETH"]
    with ape.reverts(engine.ParamOutOfBounds, value=1_600, min=500, max=1_500):
        engine.setCollateralParams(
            weth, (2_000, 1_600, 2_000, 2**127), sender=risk_manager
        )  # +600 bps at once
    engine.setCollateralParams(weth, (1_900, 1_500, 2_000, 2**127), sender=risk_manager)  # +500: allowed
    engine.setCollateralParams(weth, (3_000, 2_500, 2_000, 2**127), sender=gov)  # the timelock: any in bounds
    assert engine.collateralParams(weth).maintHaircutBps == 2_500


def test_liquidator_params__penalty_not_below_every_mmf__reverts(seeded, liquidator, risk_manager):
    with ape.reverts(liquidator.ParamOutOfBounds, value=500):
        liquidator.setParams(
            (5_000, 5_000, 100, 500, 3_000, MIN_KEEPER_REWARD, 50 * WAD), sender=risk_manager
        )


def test_self_liquidation__keeper_reward_never_exceeds_penalty(
    seeded, engine, liquidator, post, trader, move_price, tokens
):
    open_long_weth(engine, trader, post, 10, 4)
    move_price({"WETH": 2_270})
    weth_before = tokens["WETH"].balanceOf(trader)
    tx = liquidator.liquidate(trader, sender=trader)  # the trader liquidates itself
    event = tx.events.filter(liquidator.Liquidated)[0]
    assert event.keeperReward <= event.penalty
    # It received the reward (in its own WETH: the account has no credit) but its account paid the whole penalty:
    # a net loss of penalty - reward.
    assert tokens["WETH"].balanceOf(trader) - weth_before == div_up(
        event.keeperReward * 10**12 * WAD, wad(2_270)
    )
    assert event.penalty - event.keeperReward > 0
