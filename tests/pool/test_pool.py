"""Pool tests against independent Python statements of its rules (the weight fee, NAV and share math across 6, 8
and 18 decimals, the kinked rate model and its accrual), flows of several transactions, and token handling (USDT-style,
return-false, fee-on-transfer and callback tokens). Every other Pool rule is tested in tests/forge/pool/."""

import ape
import pytest

from support.pool import (
    COOLDOWN,
    DECIMALS,
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
    seeded_pool, deposit, lp2, symbol, tokens
):
    pool = seeded_pool
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


def test_deposit__toward_target__pays_less_fee_than_away(seeded_pool, deposit, lp2, tokens):
    pool = seeded_pool
    # Push WETH above target first, then compare a USDC deposit (toward its target) with a WETH one (away).
    deposit(lp2, "WETH", units("WETH", 300_000 / PRICES["WETH"]))
    toward = deposit(lp2, "USDC", units("USDC", 300_000)).events.filter(pool.Deposit)[0].feeBps
    away = deposit(lp2, "WETH", units("WETH", 10_000 / PRICES["WETH"])).events.filter(pool.Deposit)[0].feeBps
    assert toward < 30 < away


def test_deposit__pool_asset_price_deviated__reverts(
    seeded_pool, set_price, fund_account, oracle, lp2, usdc, weth
):
    pool = seeded_pool
    set_price("WETH", PRICES["WETH"] * 1.2)  # median jumps 20 %, TWAP lags: Deviated
    assert oracle.status(weth) == 1
    fund_account(lp2, "USDC", units("USDC", 100))
    with ape.reverts(oracle.PriceUnavailable):
        pool.deposit(usdc, units("USDC", 100), 0, lp2, sender=lp2)


def test_deposit__market_price_not_ok__reverts(seeded_pool, engine, fund_account, lp2, usdc, gov):
    engine.setMarketsNotOk(True, sender=gov)
    fund_account(lp2, "USDC", units("USDC", 100))
    with ape.reverts(engine.MarketsNotOk):
        seeded_pool.deposit(usdc, units("USDC", 100), 0, lp2, sender=lp2)


# ---------------------------------------------------------------- withdraw and cooldown


def test_withdraw__after_cooldown__pays_share_value_at_upper_price_minus_fee(seeded_pool, lp, usdc):
    pool = seeded_pool
    shares = pool.balanceOf(lp) // 10
    nav_low, supply = pool.nav(False), pool.totalSupply()
    balance_before = usdc.balanceOf(lp)

    tx = pool.withdraw(shares, usdc, 0, lp, sender=lp)

    gross = (shares * (nav_low + VIRTUAL) // (supply + VIRTUAL)) * 10**6 // WAD
    event = tx.events.filter(pool.Withdraw)[0]
    assert event.amount == gross - -(-gross * event.feeBps // 10_000)
    assert usdc.balanceOf(lp) - balance_before == event.amount
    assert pool.balanceOf(lp) + shares == supply


# ---------------------------------------------------------------- NAV, utilization, rates


def test_nav__reserves_plus_receivables_minus_trader_pnl(seeded_pool, engine, gov, tokens):
    pool = seeded_pool
    reserves = sum(value_of(s, pool.reserves(tokens[s])) for s in tokens)
    assert pool.nav(False) == pool.nav(True) == reserves

    engine.receiveLoss(0, units("USDC", 50_000), sender=gov)  # a trader now owes 50k
    engine.setExposure(20_000 * WAD, 30_000 * WAD, 0, sender=gov)
    receivable = pool.totalDebt() * WAD // 10**6
    assert receivable >= 50_000 * WAD
    assert pool.nav(False) == reserves + receivable - 30_000 * WAD
    assert pool.nav(True) == reserves + receivable - 20_000 * WAD


def test_donation__tokens_sent_directly__change_neither_reserves_nor_share_price(seeded_pool, usdc, stranger):
    pool = seeded_pool
    price = pool.sharePrice(False)
    usdc.mint(stranger, units("USDC", 1_000_000), sender=stranger)
    usdc.transfer(pool, units("USDC", 1_000_000), sender=stranger)
    assert pool.sharePrice(False) == price
    assert usdc.balanceOf(pool) == pool.reserves(usdc) + units("USDC", 1_000_000)


def test_utilization__reserved_and_receivables_over_backing(seeded_pool, engine, gov):
    pool = seeded_pool
    assert pool.utilization() == 0
    engine.setExposure(0, 0, 500_000 * WAD, sender=gov)
    backing = pool.nav(False)
    assert pool.utilization() == -(-500_000 * WAD * WAD // backing)


def test_accrual__index_compounds_at_rate_of_last_utilization(seeded_pool, engine, gov, chain):
    pool = seeded_pool
    engine.setExposure(0, 0, 1_000_000 * WAD, sender=gov)
    poke = pool.poke(sender=gov)
    u = pool.utilization()
    rate = rate_per_second(u)
    assert pool.ratePerSecond() == rate
    index0, t0 = poke.events.filter(pool.Accrued)[0].borrowIndex, poke.timestamp

    loss = engine.receiveLoss(0, units("USDC", 100_000), sender=gov)
    index1 = index0 + -(-index0 * rate * (loss.timestamp - t0) // WAD)
    chain.pending_timestamp = loss.timestamp + 30 * 24 * 3600
    chain.mine()
    index2 = index1 + -(-index1 * rate * (30 * 24 * 3600) // WAD)
    assert pool.borrowIndex() == index2
    assert pool.totalDebt() == pool.totalScaledDebt() * index2 // WAD > units("USDC", 100_000)


def test_rate_model__above_kink__uses_second_slope(seeded_pool, engine, gov):
    pool = seeded_pool
    engine.setExposure(0, 0, 1_750_000 * WAD, sender=gov)
    pool.poke(sender=gov)
    u = pool.utilization()
    assert u > RATE_MODEL[2] * 10**14
    assert pool.ratePerSecond() == rate_per_second(u)


# ---------------------------------------------------------------- protocol entry points


def test_pay_profit__transfers_settlement_to_engine_and_lowers_reserves(seeded_pool, engine, gov, usdc):
    pool = seeded_pool
    reserve = pool.reserves(usdc)
    tx = engine.payProfit(units("USDC", 1_000), sender=gov)
    assert pool.reserves(usdc) == reserve - units("USDC", 1_000)
    assert usdc.balanceOf(engine) == units("USDC", 1_000)
    assert tx.events.filter(pool.ProfitPaid)[0].amount == units("USDC", 1_000)


def test_receive_loss__pulls_paid_and_books_borrowed_as_debt_rounded_up(
    seeded_pool, engine, gov, usdc, chain
):
    pool = seeded_pool
    usdc.mint(engine, units("USDC", 500), sender=gov)
    reserve = pool.reserves(usdc)
    chain.pending_timestamp += 3600
    tx = engine.receiveLoss(units("USDC", 500), units("USDC", 700), sender=gov)
    index = pool.borrowIndex()
    scaled = tx.events.filter(pool.LossReceived)[0].scaledDebt
    assert scaled == -(-units("USDC", 700) * WAD // index)
    assert pool.totalScaledDebt() == scaled
    assert pool.reserves(usdc) == reserve + units("USDC", 500)


def test_lend_then_repay__same_scaled_debt__clears_debt_and_restores_reserves(
    seeded_pool, engine, gov, usdc, chain
):
    pool = seeded_pool
    reserve = pool.reserves(usdc)
    scaled = engine.lend(units("USDC", 2_000), engine, sender=gov).events.filter(pool.Lent)[0].scaledDebt
    assert pool.reserves(usdc) == reserve - units("USDC", 2_000)
    assert pool.totalDebt() >= units("USDC", 2_000)
    chain.pending_timestamp += 7 * 24 * 3600
    usdc.mint(engine, units("USDC", 100), sender=gov)  # interest
    tx = engine.repay(scaled, sender=gov)
    repaid = tx.events.filter(pool.Repaid)[0].amount
    assert repaid == -(-scaled * pool.borrowIndex() // WAD) > units("USDC", 2_000)
    assert pool.totalScaledDebt() == 0
    assert pool.reserves(usdc) == reserve - units("USDC", 2_000) + repaid


def test_socialize_deficit__nav_falls_by_written_off_debt_with_event(seeded_pool, engine, gov, chain):
    pool = seeded_pool
    scaled = (
        engine.receiveLoss(0, units("USDC", 5_000), sender=gov).events.filter(pool.LossReceived)[0].scaledDebt
    )
    nav_before = pool.nav(False)
    read_at = chain.blocks.head.timestamp
    tx = engine.socializeDeficit(scaled, sender=gov)
    event = tx.events.filter(pool.DeficitSocialized)[0]
    assert event.amount >= units("USDC", 5_000)
    # The view valued the debt at `read_at`; the write-off values it when mined, after the interest of the seconds
    # in between (0 when both fall in the same second).
    accrued = event.valueUsd * pool.ratePerSecond() * (tx.timestamp - read_at) // WAD + 1
    assert nav_before - pool.nav(False) == pytest.approx(event.valueUsd, abs=WAD // 10**6 + accrued)
    with ape.reverts(pool.DebtUnderflow, scaled=1, totalScaled=0):
        engine.socializeDeficit(1, sender=gov)


# ---------------------------------------------------------------- token handling


@pytest.fixture
def list_pool_token(pool, gov, list_in_oracle):
    def _list(token, price: float = 1.0):
        list_in_oracle(token, price)
        pool.listAsset(token, asset_params(0, cap=2**127, base_fee=0, tax=0), sender=gov)
        return token

    return _list


def test_usdt_style_token__no_return_value__deposits_and_withdraws(
    project, pool, gov, lp, list_pool_token, chain
):
    usdt = list_pool_token(project.MockNoReturnToken.deploy(6, sender=gov))
    usdt.mint(lp, 1_000 * 10**6, sender=lp)
    usdt.approve(pool, 2**256 - 1, sender=lp)
    pool.deposit(usdt, 1_000 * 10**6, 0, lp, sender=lp)
    assert pool.reserves(usdt) == 1_000 * 10**6
    chain.pending_timestamp += COOLDOWN + 1
    pool.withdraw(pool.balanceOf(lp), usdt, 0, lp, sender=lp)
    assert usdt.balanceOf(lp) > 990 * 10**6


def test_return_false_token__failed_transfer__reverts(project, pool, gov, lp, list_pool_token):
    bad = list_pool_token(project.MockFalseToken.deploy(sender=gov))
    bad.mint(lp, 10**18, sender=lp)
    bad.approve(pool, 2**256 - 1, sender=lp)
    bad.setFailing(True, sender=gov)
    with ape.reverts(pool.SafeERC20FailedOperation, token=bad.address):
        pool.deposit(bad, 10**18, 0, lp, sender=lp)


def test_fee_on_transfer_token__credited_by_balance_difference(project, pool, gov, lp, list_pool_token):
    fee_token = list_pool_token(project.MockFeeToken.deploy(18, 100, sender=gov))  # 1 % fee
    fee_token.mint(lp, 10**20, sender=lp)
    fee_token.approve(pool, 2**256 - 1, sender=lp)
    tx = pool.deposit(fee_token, 10**20, 0, lp, sender=lp)
    assert pool.reserves(fee_token) == 99 * 10**18 == fee_token.balanceOf(pool)
    assert tx.events.filter(pool.Deposit)[0].amount == 99 * 10**18


def test_reentrancy__token_callback_into_pool_or_insurance__reverts_locked(
    project, pool, insurance, lock, gov, lp, list_pool_token
):
    token = list_pool_token(project.MockCallbackToken.deploy(sender=gov))
    token.mint(lp, 10**20, sender=lp)
    token.approve(pool, 2**256 - 1, sender=lp)
    for target, data in (
        (pool, pool.deposit.encode_input(token, 10**18, 0, lp)),
        (pool, pool.withdraw.encode_input(1, token, 0, lp)),
        (insurance, insurance.sweep.encode_input()),
    ):
        token.arm(target, data, sender=gov)
        with ape.reverts(lock.Locked):
            pool.deposit(token, 10**18, 0, lp, sender=lp)
    assert pool.reserves(token) == 0


def test_protocol_lock__unlock_without_lock__reverts_and_a_lock_never_outlives_its_transaction(
    project, stranger
):
    lock = project.ProtocolLock.deploy([stranger] * 4, sender=stranger)
    with ape.reverts(lock.NotLocked):
        lock.unlock(sender=stranger)
    lock.lock(sender=stranger)
    assert not lock.isLocked()  # transient storage: cleared when the transaction ends
    lock.lock(sender=stranger)  # so the next transaction can take it again


def test_list_asset__unknown_to_oracle__reverts(project, pool, gov, oracle):
    token = project.MockERC20.deploy("N", "N", 18, sender=gov)
    # The oracle's AssetNotListed(address) reaches ape through the Pool, whose ABI has the same error.
    with ape.reverts(pool.AssetNotListed, asset=token.address):
        pool.listAsset(token, asset_params(0), sender=gov)


def test_deposit_and_withdraw__traders_profit_above_pool_value__revert_pool_insolvent(
    seeded_pool, engine, gov, fund_account, lp, lp2, usdc
):
    pool = seeded_pool
    engine.setExposure(3_000_000 * WAD, 3_000_000 * WAD, 0, sender=gov)  # traders up $3M on a $2M pool
    fund_account(lp2, "USDC", units("USDC", 100))
    with ape.reverts(pool.PoolInsolvent):
        pool.deposit(usdc, units("USDC", 100), 0, lp2, sender=lp2)
    with ape.reverts(pool.PoolInsolvent):
        pool.withdraw(WAD, usdc, 0, lp, sender=lp)
