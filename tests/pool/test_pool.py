"""Pool unit tests: LP deposit and withdraw at NAV, weights and fees, cooldown, utilization, rate model,
protocol entry points, governance bounds and token handling."""

import ape
import pytest
from pool_setup import (
    COOLDOWN,
    DECIMALS,
    MAX_UTILIZATION_BPS,
    PRICES,
    RATE_MODEL,
    WAD,
    asset_params,
    units,
)

SECONDS_PER_YEAR = 365 * 24 * 3600
VIRTUAL = WAD


def weight_fee_bps(before: int, after: int, target: int, base: int, tax: int) -> int:
    """Independent statement of the documented fee rule (bps)."""
    d0, d1 = abs(before - target), abs(after - target)
    if d1 < d0:
        if target == 0:
            return 0
        rebate = tax * (d0 - d1) // target
        return max(base - rebate, 0)
    if target == 0:
        return base + tax
    avg = min((d0 + d1) // 2, target)
    return base + -(-tax * avg // target)


def rate_per_second(u: int) -> int:
    """The documented kinked model, rates and kink in annual bps, utilization in WAD."""
    base, slope1, kink, slope2 = RATE_MODEL
    if u <= kink * 10**14:
        annual = base * 10**14 + slope1 * u // kink
    else:
        excess = min(u, WAD) - kink * 10**14
        annual = (base + slope1) * 10**14 + slope2 * excess // (10_000 - kink)
    return annual // SECONDS_PER_YEAR


def value_of(symbol: str, amount: int) -> int:
    return amount * PRICES[symbol] * WAD // 10 ** DECIMALS[symbol]


# ---------------------------------------------------------------- deposit


def test_deposit__first_deposit__mints_value_after_fee_at_one_usd_per_share(pool, deposit, lp, usdc):
    amount = units("USDC", 1_000_000)
    tx = deposit(lp, "USDC", amount)

    fee = weight_fee_bps(0, 10_000, 5_000, 30, 50)
    value = value_of("USDC", amount)
    value -= -(-value * fee // 10_000)
    assert fee == 80
    assert pool.balanceOf(lp) == value  # share price 1 USD: virtual shares and value are equal
    assert pool.totalSupply() == value
    assert pool.reserves(usdc) == amount
    event = tx.events.filter(pool.Deposit)[0]
    assert (event.receiver, event.asset, event.amount, event.feeBps, event.shares) == (
        lp.address,
        usdc.address,
        amount,
        fee,
        value,
    )


@pytest.mark.parametrize("symbol", ["USDC", "WBTC", "WETH"])
def test_deposit__6_8_18_decimal_assets__shares_match_independent_nav_math(
    seeded, deposit, lp2, symbol, tokens
):
    pool = seeded
    amount = units(symbol, 10_000 / PRICES[symbol])
    nav_before, supply_before = pool.nav(True), pool.totalSupply()
    reserve_mid = sum(value_of(s, pool.reserves(tokens[s])) for s in tokens)
    params = pool.assetParams(tokens[symbol])
    before_value = value_of(symbol, pool.reserves(tokens[symbol]))
    w0 = before_value * 10_000 // reserve_mid
    w1 = (before_value + value_of(symbol, amount)) * 10_000 // (reserve_mid + value_of(symbol, amount))
    fee = weight_fee_bps(w0, w1, params.targetWeightBps, params.baseFeeBps, params.taxFeeBps)
    value = value_of(symbol, amount)
    value -= -(-value * fee // 10_000)

    deposit(lp2, symbol, amount)

    assert pool.balanceOf(lp2) == value * (supply_before + VIRTUAL) // (nav_before + VIRTUAL)
    assert pool.reserves(tokens[symbol]) > 0


def test_deposit__above_cap__reverts(pool, admin, risk_manager, deposit, fund_account, lp, weth):
    pool.setAssetParams(weth, asset_params(2_500, cap=units("WETH", 10)), sender=risk_manager)
    fund_account(lp, "WETH", units("WETH", 11))
    with ape.reverts(
        pool.DepositCapExceeded, asset=weth.address, reserveAfter=units("WETH", 11), cap=units("WETH", 10)
    ):
        pool.deposit(weth, units("WETH", 11), 0, lp, sender=lp)


def test_deposit__above_max_weight__reverts(seeded, risk_manager, fund_account, lp2, wbtc):
    pool = seeded
    pool.setAssetParams(wbtc, asset_params(2_500, max_bps=3_000), sender=risk_manager)
    amount = units("WBTC", 300_000 / PRICES["WBTC"])  # 800k of 2.3M = 34.8 %
    fund_account(lp2, "WBTC", amount)
    with ape.reverts(pool.MaxWeightExceeded):
        pool.deposit(wbtc, amount, 0, lp2, sender=lp2)


def test_deposit__toward_target__pays_less_fee_than_away(seeded, deposit, lp2, tokens):
    pool = seeded
    # Push WETH above target first, then compare a USDC deposit (toward its target) with a WETH one (away).
    deposit(lp2, "WETH", units("WETH", 300_000 / PRICES["WETH"]))
    toward = deposit(lp2, "USDC", units("USDC", 300_000)).events.filter(pool.Deposit)[0].feeBps
    away = deposit(lp2, "WETH", units("WETH", 10_000 / PRICES["WETH"])).events.filter(pool.Deposit)[0].feeBps
    assert toward < 30 < away


def test_deposit__min_shares_not_met__reverts(pool, fund_account, lp, usdc):
    fund_account(lp, "USDC", units("USDC", 100))
    with ape.reverts(pool.SlippageExceeded):
        pool.deposit(usdc, units("USDC", 100), 200 * WAD, lp, sender=lp)


def test_deposit__bad_inputs__revert(pool, fund_account, lp, usdc, stranger):
    fund_account(lp, "USDC", units("USDC", 100))
    with ape.reverts(pool.ZeroAmount):
        pool.deposit(usdc, 0, 0, lp, sender=lp)
    with ape.reverts(pool.ZeroAddress):
        pool.deposit(usdc, 100, 0, "0x0000000000000000000000000000000000000000", sender=lp)
    with ape.reverts(pool.AssetNotListed, asset=stranger.address):
        pool.deposit(stranger, 100, 0, lp, sender=lp)


def test_deposit__paused_by_guardian__reverts_until_unpaused(pool, guardian, fund_account, lp, usdc):
    fund_account(lp, "USDC", units("USDC", 100))
    tx = pool.setDepositsPaused(True, sender=guardian)
    assert tx.events.filter(pool.DepositsPausedSet)[0].paused
    with ape.reverts(pool.DepositsPaused):
        pool.deposit(usdc, units("USDC", 100), 0, lp, sender=lp)
    pool.setDepositsPaused(False, sender=guardian)
    pool.deposit(usdc, units("USDC", 100), 0, lp, sender=lp)
    assert pool.reserves(usdc) == units("USDC", 100)


def test_deposit__pool_asset_price_deviated__reverts(
    seeded, set_price, fund_account, oracle, lp2, usdc, weth
):
    pool = seeded
    set_price("WETH", PRICES["WETH"] * 1.2)  # median jumps 20 %, TWAP lags: Deviated
    assert oracle.status(weth) == 1
    fund_account(lp2, "USDC", units("USDC", 100))
    with ape.reverts(oracle.PriceUnavailable):
        pool.deposit(usdc, units("USDC", 100), 0, lp2, sender=lp2)


def test_deposit__market_price_not_ok__reverts(seeded, engine, fund_account, lp2, usdc, admin):
    engine.setMarketsNotOk(True, sender=admin)
    fund_account(lp2, "USDC", units("USDC", 100))
    with ape.reverts(engine.MarketsNotOk):
        seeded.deposit(usdc, units("USDC", 100), 0, lp2, sender=lp2)


# ---------------------------------------------------------------- withdraw and cooldown


def test_withdraw__after_cooldown__pays_share_value_at_upper_price_minus_fee(seeded, lp, usdc):
    pool = seeded
    shares = pool.balanceOf(lp) // 10
    nav_low, supply = pool.nav(False), pool.totalSupply()
    balance_before = usdc.balanceOf(lp)

    tx = pool.withdraw(shares, usdc, 0, lp, sender=lp)

    gross = (shares * (nav_low + VIRTUAL) // (supply + VIRTUAL)) * 10**6 // WAD
    event = tx.events.filter(pool.Withdraw)[0]
    assert event.amount == gross - -(-gross * event.feeBps // 10_000)
    assert usdc.balanceOf(lp) - balance_before == event.amount
    assert pool.balanceOf(lp) + shares == supply


def test_withdraw__during_cooldown__reverts_then_succeeds_after(pool, deposit, lp, usdc, chain):
    deposit(lp, "USDC", units("USDC", 1_000))
    shares = pool.balanceOf(lp)
    locked, unlocks_at = pool.lockedShares(lp)
    assert locked == shares
    with ape.reverts(pool.CooldownActive, account=lp.address, lockedShares=shares, unlocksAt=unlocks_at):
        pool.withdraw(shares, usdc, 0, lp, sender=lp)
    chain.pending_timestamp = unlocks_at + 1
    pool.withdraw(shares, usdc, 0, lp, sender=lp)
    assert pool.balanceOf(lp) == 0


def test_transfer__locked_shares__reverts_but_older_shares_move(seeded, deposit, lp, lp2):
    pool = seeded
    old = pool.balanceOf(lp)
    deposit(lp, "USDC", units("USDC", 1_000))
    with ape.reverts(pool.CooldownActive):
        pool.transfer(lp2, old + 1, sender=lp)
    pool.transfer(lp2, old, sender=lp)
    assert pool.balanceOf(lp2) == old


def test_deposit__for_another_receiver__locks_only_the_deposited_shares(seeded, deposit, lp, stranger):
    pool = seeded
    own = pool.balanceOf(lp)
    deposit(stranger, "USDC", units("USDC", 10), receiver=lp)
    locked, _ = pool.lockedShares(lp)
    assert locked == pool.balanceOf(lp) - own
    pool.transfer(stranger, own, sender=lp)  # the victim's older shares stay free


def test_withdraw__more_than_reserve__reverts(seeded, lp, wbtc):
    with ape.reverts(seeded.InsufficientLiquidity):
        seeded.withdraw(seeded.balanceOf(lp), wbtc, 0, lp, sender=lp)


def test_withdraw__breaking_max_utilization__reverts(seeded, engine, admin, lp, weth, risk_manager):
    pool = seeded
    engine.setExposure(0, 0, 900_000 * WAD, sender=admin)  # covered by the $1M USDC reserve
    pool.setMaxUtilization(5_000, sender=risk_manager)  # 45 % now, 50 % at most
    with ape.reverts(pool.UtilizationExceeded):
        pool.withdraw(pool.balanceOf(lp) // 5, weth, 0, lp, sender=lp)  # $400k of WETH out


def test_withdraw__settlement_below_reserved_liquidity__reverts(seeded, engine, admin, lp, usdc):
    pool = seeded
    engine.setExposure(0, 0, 900_000 * WAD, sender=admin)
    # Utilization would allow it (the WETH and WBTC reserves back the pool), but profits are paid in USDC.
    with ape.reverts(pool.SettlementBackingShort):
        pool.withdraw(pool.balanceOf(lp) // 10, usdc, 0, lp, sender=lp)  # $200k of the $1M USDC out


def test_deposit__third_party_while_receiver_locked__reverts(pool, deposit, lp, stranger):
    deposit(lp, "USDC", units("USDC", 1_000))
    locked, unlocks_at = pool.lockedShares(lp)
    with ape.reverts(pool.CooldownActive, account=lp.address, lockedShares=locked, unlocksAt=unlocks_at):
        deposit(stranger, "USDC", 1, receiver=lp)  # dust cannot keep the LP's shares locked


def test_withdraw__min_amount_not_met__reverts(seeded, lp, usdc):
    with ape.reverts(seeded.SlippageExceeded):
        seeded.withdraw(10 * WAD, usdc, 10**12, lp, sender=lp)


# ---------------------------------------------------------------- NAV, utilization, rates


def test_nav__reserves_plus_receivables_minus_trader_pnl(seeded, engine, admin, tokens):
    pool = seeded
    reserves = sum(value_of(s, pool.reserves(tokens[s])) for s in tokens)
    assert pool.nav(False) == pool.nav(True) == reserves

    engine.receiveLoss(0, units("USDC", 50_000), sender=admin)  # a trader now owes 50k
    engine.setExposure(20_000 * WAD, 30_000 * WAD, 0, sender=admin)
    receivable = pool.totalDebt() * WAD // 10**6
    assert receivable >= 50_000 * WAD
    assert pool.nav(False) == reserves + receivable - 30_000 * WAD
    assert pool.nav(True) == reserves + receivable - 20_000 * WAD


def test_donation__tokens_sent_directly__change_neither_reserves_nor_share_price(seeded, usdc, stranger):
    pool = seeded
    price = pool.sharePrice(False)
    usdc.mint(stranger, units("USDC", 1_000_000), sender=stranger)
    usdc.transfer(pool, units("USDC", 1_000_000), sender=stranger)
    assert pool.sharePrice(False) == price
    assert usdc.balanceOf(pool) == pool.reserves(usdc) + units("USDC", 1_000_000)


def test_utilization__reserved_and_receivables_over_backing(seeded, engine, admin):
    pool = seeded
    assert pool.utilization() == 0
    engine.setExposure(0, 0, 500_000 * WAD, sender=admin)
    backing = pool.nav(False)
    assert pool.utilization() == -(-500_000 * WAD * WAD // backing)


def test_available_liquidity__bounded_by_reserve_and_max_utilization(seeded, engine, admin, usdc, wbtc):
    pool = seeded
    assert pool.availableLiquidity(wbtc) == pool.reserves(wbtc)
    engine.setExposure(0, 0, 1_700_000 * WAD, sender=admin)
    backing = pool.nav(False)
    needed = -(-1_700_000 * WAD * 10_000 // MAX_UTILIZATION_BPS)
    by_utilization = (backing - needed) * 10**6 // WAD
    # The settlement reserve also keeps backing the reserved payouts (USDC at 1.00).
    by_backing = pool.reserves(usdc) - 1_700_000 * 10**6
    assert pool.availableLiquidity(usdc) == max(0, min(by_utilization, by_backing))


def test_accrual__index_compounds_at_rate_of_last_utilization(seeded, engine, admin, chain):
    pool = seeded
    engine.setExposure(0, 0, 1_000_000 * WAD, sender=admin)
    poke = pool.poke(sender=admin)
    u = pool.utilization()
    rate = rate_per_second(u)
    assert pool.ratePerSecond() == rate
    index0, t0 = poke.events.filter(pool.Accrued)[0].borrowIndex, poke.timestamp

    loss = engine.receiveLoss(0, units("USDC", 100_000), sender=admin)
    index1 = index0 + -(-index0 * rate * (loss.timestamp - t0) // WAD)
    chain.pending_timestamp = loss.timestamp + 30 * 24 * 3600
    chain.mine()
    index2 = index1 + -(-index1 * rate * (30 * 24 * 3600) // WAD)
    assert pool.borrowIndex() == index2
    assert pool.totalDebt() == pool.totalScaledDebt() * index2 // WAD > units("USDC", 100_000)


def test_rate_model__above_kink__uses_second_slope(seeded, engine, admin):
    pool = seeded
    engine.setExposure(0, 0, 1_750_000 * WAD, sender=admin)
    pool.poke(sender=admin)
    u = pool.utilization()
    assert u > RATE_MODEL[2] * 10**14
    assert pool.ratePerSecond() == rate_per_second(u)


# ---------------------------------------------------------------- protocol entry points


def test_pay_profit__transfers_settlement_to_engine_and_lowers_reserves(seeded, engine, admin, usdc):
    pool = seeded
    reserve = pool.reserves(usdc)
    tx = engine.payProfit(units("USDC", 1_000), sender=admin)
    assert pool.reserves(usdc) == reserve - units("USDC", 1_000)
    assert usdc.balanceOf(engine) == units("USDC", 1_000)
    assert tx.events.filter(pool.ProfitPaid)[0].amount == units("USDC", 1_000)


def test_pay_profit__more_than_reserve__pays_what_the_reserve_holds(pool, engine, admin, usdc):
    # An empty settlement reserve pays nothing and never reverts: the engine pays the rest in kind
    # (docs/design.md#liveness).
    before = usdc.balanceOf(engine)
    tx = engine.payProfit(1, sender=admin)
    assert usdc.balanceOf(engine) == before
    assert not list(tx.events.filter(pool.ProfitPaid))


def test_receive_loss__pulls_paid_and_books_borrowed_as_debt_rounded_up(seeded, engine, admin, usdc, chain):
    pool = seeded
    usdc.mint(engine, units("USDC", 500), sender=admin)
    reserve = pool.reserves(usdc)
    chain.pending_timestamp += 3600
    tx = engine.receiveLoss(units("USDC", 500), units("USDC", 700), sender=admin)
    index = pool.borrowIndex()
    scaled = tx.events.filter(pool.LossReceived)[0].scaledDebt
    assert scaled == -(-units("USDC", 700) * WAD // index)
    assert pool.totalScaledDebt() == scaled
    assert pool.reserves(usdc) == reserve + units("USDC", 500)


def test_lend_then_repay__same_scaled_debt__clears_debt_and_restores_reserves(
    seeded, engine, admin, usdc, chain
):
    pool = seeded
    reserve = pool.reserves(usdc)
    scaled = engine.lend(units("USDC", 2_000), engine, sender=admin).events.filter(pool.Lent)[0].scaledDebt
    assert pool.reserves(usdc) == reserve - units("USDC", 2_000)
    assert pool.totalDebt() >= units("USDC", 2_000)
    chain.pending_timestamp += 7 * 24 * 3600
    usdc.mint(engine, units("USDC", 100), sender=admin)  # interest
    tx = engine.repay(scaled, sender=admin)
    repaid = tx.events.filter(pool.Repaid)[0].amount
    assert repaid == -(-scaled * pool.borrowIndex() // WAD) > units("USDC", 2_000)
    assert pool.totalScaledDebt() == 0
    assert pool.reserves(usdc) == reserve - units("USDC", 2_000) + repaid


def test_absorb__books_collateral_and_cancels_debt(seeded, engine, admin, weth):
    pool = seeded
    scaled = (
        engine.receiveLoss(0, units("USDC", 1_000), sender=admin)
        .events.filter(pool.LossReceived)[0]
        .scaledDebt
    )
    weth.mint(engine, units("WETH", 1), sender=admin)
    engine.approve(weth, pool, sender=admin)
    reserve = pool.reserves(weth)
    engine.absorb(weth, units("WETH", 1), scaled, sender=admin)
    assert pool.reserves(weth) == reserve + units("WETH", 1)
    assert pool.totalScaledDebt() == 0


def test_socialize_deficit__nav_falls_by_written_off_debt_with_event(seeded, engine, admin, chain):
    pool = seeded
    scaled = (
        engine.receiveLoss(0, units("USDC", 5_000), sender=admin)
        .events.filter(pool.LossReceived)[0]
        .scaledDebt
    )
    nav_before = pool.nav(False)
    read_at = chain.blocks.head.timestamp
    tx = engine.socializeDeficit(scaled, sender=admin)
    event = tx.events.filter(pool.DeficitSocialized)[0]
    assert event.amount >= units("USDC", 5_000)
    # The view valued the debt at `read_at`; the write-off values it when mined, after the interest of the seconds
    # in between (0 when both fall in the same second).
    accrued = event.valueUsd * pool.ratePerSecond() * (tx.timestamp - read_at) // WAD + 1
    assert nav_before - pool.nav(False) == pytest.approx(event.valueUsd, abs=WAD // 10**6 + accrued)
    with ape.reverts(pool.DebtUnderflow, scaled=1, totalScaled=0):
        engine.socializeDeficit(1, sender=admin)


def test_check_utilization__above_max__reverts(seeded, engine, admin):
    engine.setExposure(0, 0, 1_990_000 * WAD, sender=admin)
    with ape.reverts(seeded.UtilizationExceeded):
        engine.checkUtilization(sender=admin)


@pytest.mark.parametrize(
    "call",
    [
        lambda p, s: p.payProfit(1, sender=s),
        lambda p, s: p.receiveLoss(0, 1, sender=s),
        lambda p, s: p.lend(1, s, sender=s),
        lambda p, s: p.repay(0, sender=s),
        lambda p, s: p.absorb(p.settlementAsset(), 0, 0, sender=s),
        lambda p, s: p.socializeDeficit(0, sender=s),
        lambda p, s: p.receiveInsuranceExcess(1, sender=s),
        lambda p, s: p.checkUtilization(sender=s),
    ],
)
def test_protocol_entry_points__stranger__reverts_unauthorized(pool, stranger, call):
    with ape.reverts(pool.Unauthorized, caller=stranger.address):
        call(pool, stranger)


# ---------------------------------------------------------------- governance


def test_list_asset__twice_or_by_non_admin__reverts(pool, admin, usdc, stranger):
    with ape.reverts(pool.AssetAlreadyListed, asset=usdc.address):
        pool.listAsset(usdc, asset_params(100), sender=admin)
    with ape.reverts(pool.AccessControlUnauthorizedAccount):
        pool.listAsset(stranger, asset_params(100), sender=stranger)


def test_list_asset__beyond_max_assets__reverts(project, pool, admin, oracle, list_in_oracle):
    for i in range(5):
        token = project.MockERC20.deploy(f"T{i}", f"T{i}", 18, sender=admin)
        list_in_oracle(token, 1)
        pool.listAsset(token, asset_params(0), sender=admin)
    extra = project.MockERC20.deploy("X", "X", 18, sender=admin)
    list_in_oracle(extra, 1)
    with ape.reverts(pool.TooManyAssets, max=8):
        pool.listAsset(extra, asset_params(0), sender=admin)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        (asset_params(10_001), "targetWeightBps"),
        (asset_params(5_000, max_bps=4_000), "maxWeightBps"),
        (asset_params(5_000, base_fee=101), "baseFeeBps"),
        (asset_params(5_000, tax=201), "taxFeeBps"),
        (asset_params(5_000, cap=0), "depositCap"),
    ],
)
def test_set_asset_params__out_of_bounds__reverts_with_name(pool, risk_manager, usdc, params, name):
    with ape.reverts(pool.ParamOutOfBounds, name=name.encode().ljust(32, b"\0")):
        pool.setAssetParams(usdc, params, sender=risk_manager)


def test_risk_setters__bounded_and_role_gated(pool, risk_manager, stranger):
    with ape.reverts(pool.ParamOutOfBounds):
        pool.setRateModel((20_000, 0, 5_000, 0), sender=risk_manager)
    with ape.reverts(pool.ParamOutOfBounds):
        pool.setRateModel((0, 0, 10_000, 0), sender=risk_manager)
    with ape.reverts(pool.ParamOutOfBounds):
        pool.setMaxUtilization(10_001, sender=risk_manager)
    with ape.reverts(pool.ParamOutOfBounds):
        pool.setCooldown(3 * 24 * 3600, sender=risk_manager)
    with ape.reverts(pool.AccessControlUnauthorizedAccount):
        pool.setCooldown(0, sender=stranger)
    with ape.reverts(pool.AccessControlUnauthorizedAccount):
        pool.setDepositsPaused(True, sender=stranger)
    tx = pool.setCooldown(60, sender=risk_manager)
    assert pool.cooldown() == 60
    assert tx.events.filter(pool.CooldownSet)[0].cooldown == 60
    pool.setMaxUtilization(5_000, sender=risk_manager)
    assert pool.maxUtilizationBps() == 5_000
    assert COOLDOWN != 60


# ---------------------------------------------------------------- token handling


@pytest.fixture
def list_token(pool, admin, list_in_oracle):
    def _list(token, price: float = 1.0):
        list_in_oracle(token, price)
        pool.listAsset(token, asset_params(0, cap=2**127, base_fee=0, tax=0), sender=admin)
        return token

    return _list


def test_usdt_style_token__no_return_value__deposits_and_withdraws(
    project, pool, admin, lp, list_token, chain
):
    usdt = list_token(project.MockNoReturnToken.deploy(6, sender=admin))
    usdt.mint(lp, 1_000 * 10**6, sender=lp)
    usdt.approve(pool, 2**256 - 1, sender=lp)
    pool.deposit(usdt, 1_000 * 10**6, 0, lp, sender=lp)
    assert pool.reserves(usdt) == 1_000 * 10**6
    chain.pending_timestamp += COOLDOWN + 1
    pool.withdraw(pool.balanceOf(lp), usdt, 0, lp, sender=lp)
    assert usdt.balanceOf(lp) > 990 * 10**6


def test_return_false_token__failed_transfer__reverts(project, pool, admin, lp, list_token):
    bad = list_token(project.MockFalseToken.deploy(sender=admin))
    bad.mint(lp, 10**18, sender=lp)
    bad.approve(pool, 2**256 - 1, sender=lp)
    bad.setFailing(True, sender=admin)
    with ape.reverts(pool.SafeERC20FailedOperation, token=bad.address):
        pool.deposit(bad, 10**18, 0, lp, sender=lp)


def test_fee_on_transfer_token__credited_by_balance_difference(project, pool, admin, lp, list_token):
    fee_token = list_token(project.MockFeeToken.deploy(18, 100, sender=admin))  # 1 % fee
    fee_token.mint(lp, 10**20, sender=lp)
    fee_token.approve(pool, 2**256 - 1, sender=lp)
    tx = pool.deposit(fee_token, 10**20, 0, lp, sender=lp)
    assert pool.reserves(fee_token) == 99 * 10**18 == fee_token.balanceOf(pool)
    assert tx.events.filter(pool.Deposit)[0].amount == 99 * 10**18


def test_reentrancy__token_callback_into_pool_or_insurance__reverts_locked(
    project, pool, insurance, lock, admin, lp, list_token
):
    token = list_token(project.MockCallbackToken.deploy(sender=admin))
    token.mint(lp, 10**20, sender=lp)
    token.approve(pool, 2**256 - 1, sender=lp)
    for target, data in (
        (pool, pool.deposit.encode_input(token, 10**18, 0, lp)),
        (pool, pool.withdraw.encode_input(1, token, 0, lp)),
        (insurance, insurance.sweep.encode_input()),
    ):
        token.arm(target, data, sender=admin)
        with ape.reverts(lock.Locked):
            pool.deposit(token, 10**18, 0, lp, sender=lp)
    assert pool.reserves(token) == 0


def test_list_asset__first_asset_not_settlement__reverts(project, admin, lock, oracle, engine, usdc, weth):
    wiring = (lock, oracle, usdc, engine, engine, engine, admin, admin, admin)
    fresh = project.Pool.deploy(wiring, RATE_MODEL, MAX_UTILIZATION_BPS, 0, sender=admin)
    with ape.reverts(fresh.SettlementAssetFirst, settlementAsset=usdc.address):
        fresh.listAsset(weth, asset_params(100), sender=admin)


def test_protocol_lock__members_fixed_and_strangers_refused(lock, pool, engine, insurance, stranger):
    assert lock.members() == [pool.address, engine.address, engine.address, insurance.address]
    assert lock.isMember(pool) and not lock.isMember(stranger)
    assert not lock.isLocked()
    with ape.reverts(lock.NotMember, caller=stranger.address):
        lock.lock(sender=stranger)
    with ape.reverts(lock.NotMember, caller=stranger.address):
        lock.unlock(sender=stranger)


def test_protocol_lock__unlock_without_lock__reverts_and_a_lock_never_outlives_its_transaction(
    project, stranger
):
    lock = project.ProtocolLock.deploy([stranger] * 4, sender=stranger)
    with ape.reverts(lock.NotLocked):
        lock.unlock(sender=stranger)
    lock.lock(sender=stranger)
    assert not lock.isLocked()  # transient storage: cleared when the transaction ends
    lock.lock(sender=stranger)  # so the next transaction can take it again


def test_list_asset__unknown_to_oracle__reverts(project, pool, admin, oracle):
    token = project.MockERC20.deploy("N", "N", 18, sender=admin)
    # The oracle's AssetNotListed(address) reaches ape through the Pool, whose ABI has the same error.
    with ape.reverts(pool.AssetNotListed, asset=token.address):
        pool.listAsset(token, asset_params(0), sender=admin)


def test_deposit__empty_pool_with_max_weight_below_100_percent__accepts_first_deposit(
    pool, risk_manager, deposit, lp, usdc
):
    pool.setAssetParams(usdc, asset_params(5_000, max_bps=6_000), sender=risk_manager)
    deposit(lp, "USDC", units("USDC", 100))
    assert pool.reserves(usdc) == units("USDC", 100)


def test_deposit_and_withdraw__traders_profit_above_pool_value__revert_pool_insolvent(
    seeded, engine, admin, fund_account, lp, lp2, usdc
):
    pool = seeded
    engine.setExposure(3_000_000 * WAD, 3_000_000 * WAD, 0, sender=admin)  # traders up $3M on a $2M pool
    fund_account(lp2, "USDC", units("USDC", 100))
    with ape.reverts(pool.PoolInsolvent):
        pool.deposit(usdc, units("USDC", 100), 0, lp2, sender=lp2)
    with ape.reverts(pool.PoolInsolvent):
        pool.withdraw(WAD, usdc, 0, lp, sender=lp)


def test_withdraw__zero_shares__reverts(pool, lp, usdc):
    with ape.reverts(pool.ZeroAmount):
        pool.withdraw(0, usdc, 0, lp, sender=lp)
