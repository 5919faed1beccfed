"""Token attacks on the whole core: decimals (6, 8, 18: equal value, equal health and shares), fee-on-transfer
collateral, USDT-style tokens that return nothing, and tokens whose transfers return false.

Extra tokens listed here at $1 with WETH's collateral parameters: D6 (a plain 6-decimal token), FEE (18 decimals,
1 % burnt on every transfer), USDT (6 decimals, no return values), FALSE (18 decimals, returns false when told to).
"""

import ape
import pytest

from support.core import COLLATERAL, WETH_PERP, health_dict, pin_time, wad
from support.isolation import isolated

WETH_COLLATERAL = COLLATERAL["WETH"]


@pytest.fixture(scope="module")
def extra(seeded, project, gov, list_token):
    tokens = {
        "D6": project.MockERC20.deploy("Six", "D6", 6, sender=gov),
        "FEE": project.MockFeeToken.deploy(18, 100, sender=gov),
        "USDT": project.MockNoReturnToken.deploy(6, sender=gov),
        "FALSE": project.MockFalseToken.deploy(sender=gov),
    }
    for token in tokens.values():
        list_token(token, 1.0, WETH_COLLATERAL)
    return tokens


def test_decimals__6_8_18_decimal_collateral_of_equal_value__equal_health(
    extra, engine, tokens, give, trader, trader2, attacker, chain
):
    """$30,000 of collateral in a 6-, an 8- and an 18-decimal token with the same haircuts, then the same WETH
    long opened in the same second: the three accounts' health is identical to the wei."""
    holdings = (
        (trader, extra["D6"], 30_000 * 10**6),
        (trader2, tokens["WBTC"], 50_000_000),
        (attacker, tokens["WETH"], 10 * 10**18),
    )
    for account, token, amount in holdings:
        give(account, token, amount, engine)
        engine.deposit(token, amount, account, sender=account)
    healths = [health_dict(engine.health(account)) for account, _, _ in holdings]
    assert healths[0] == healths[1] == healths[2]
    assert healths[0]["maintenanceEquity"] == wad(27_000) and healths[0]["initialEquity"] == wad(25_500)

    for account, _, _ in holdings:
        pin_time(chain)
        engine.modifyPosition(WETH_PERP, wad(5), wad(10**6), sender=account)
    healths = [health_dict(engine.health(account)) for account, _, _ in holdings]
    assert healths[0] == healths[1] == healths[2]
    assert not healths[0]["liquidatable"]


def test_decimals__6_8_18_decimal_pool_deposits_of_equal_value__equal_shares(
    extra, pool, tokens, give, lp, chain
):
    """$50,000 deposited into the Pool as USDC (6 decimals), D6 (6), WBTC (8) or WETH (18), each from the same
    state and second: the same number of shares."""
    deposits = {"USDC": 50_000 * 10**6, "WBTC": 83_333_333, "WETH": 50_000 * 10**18 // 3_000}
    deposits = {tokens[s]: a for s, a in deposits.items()} | {extra["D6"]: 50_000 * 10**6}
    at = chain.blocks.head.timestamp + 5
    shares, values = [], []
    for token, amount in deposits.items():
        with isolated(chain):
            give(lp, token, amount, pool)
            chain.pending_timestamp = at
            event = pool.deposit(token, amount, 0, lp, sender=lp).events.filter(pool.Deposit)[0]
            shares.append(event.shares)
            values.append(event.value)
    # WBTC and WETH amounts are the nearest units below $50,000: compare shares per dollar deposited.
    assert values[0] == values[3] == wad(50_000) and shares[0] == shares[3]
    for s, v in zip(shares, values, strict=True):
        assert s * values[0] // v in range(shares[0] - 1, shares[0] + 1)


def test_fee_on_transfer_collateral__credited_what_arrived__books_match_balances(
    extra, engine, pool, give, trader, lp
):
    """A 1 % fee-on-transfer token: the engine credits the 990 of 1,000 that arrived (event and books), its
    balance equals its books after a deposit and after a withdrawal (the trader receives 990 less 1 %), and the
    Pool books the 99 % of an LP deposit that arrived."""
    fee = extra["FEE"]
    give(trader, fee, 1_000 * 10**18, engine)
    tx = engine.deposit(fee, 1_000 * 10**18, trader, sender=trader)
    assert tx.events.filter(engine.CollateralDeposited)[0].amount == 990 * 10**18
    assert (
        engine.collateralBalance(trader, fee)
        == engine.totalCollateral(fee)
        == fee.balanceOf(engine)
        == 990 * 10**18
    )
    assert engine.health(trader).maintenanceEquity == wad(990 * 0.9)

    engine.withdraw(fee, 990 * 10**18, trader, sender=trader)
    assert fee.balanceOf(trader) == 9801 * 10**17
    assert engine.collateralBalance(trader, fee) == engine.totalCollateral(fee) == fee.balanceOf(engine) == 0

    give(lp, fee, 1_000 * 10**18, pool)
    tx = pool.deposit(fee, 1_000 * 10**18, 0, lp, sender=lp)
    assert (
        tx.events.filter(pool.Deposit)[0].amount == pool.reserves(fee) == fee.balanceOf(pool) == 990 * 10**18
    )


def test_fee_on_transfer_collateral__insolvent_account__is_absorbed(
    extra, engine, pool, liquidator, oracle, give, settle, gov, trader, keeper
):
    fee = extra["FEE"]
    give(trader, fee, 10_000 * 10**18, engine)
    engine.deposit(fee, 10_000 * 10**18, trader, sender=trader)  # 9,900 arrive
    engine.modifyPosition(WETH_PERP, wad(5), wad(10**6), sender=trader)
    settle({"WETH": 1_000 * 10**8})  # -$10,000 on the long: insolvent
    assert engine.liquidationHealth(trader).maintenanceEquity < 0
    tx = liquidator.liquidate(trader, sender=keeper)
    assert tx.events.filter(liquidator.Absorbed)
    assert pool.reserves(fee) == fee.balanceOf(pool) > 0


def test_usdt_style_collateral__no_return_values__deposit_withdraw_and_absorb_work(
    extra, engine, pool, liquidator, give, settle, trader, trader2, keeper
):
    """USDT-style collateral (no return value from transfer, transferFrom and approve): deposits and withdrawals
    move exact amounts, and an insolvent account holding it is absorbed (the Liquidator's forceApprove works)."""
    usdt = extra["USDT"]
    give(trader2, usdt, 1_000 * 10**6, engine)
    engine.deposit(usdt, 1_000 * 10**6, trader2, sender=trader2)
    engine.withdraw(usdt, 400 * 10**6, trader2, sender=trader2)
    assert usdt.balanceOf(trader2) == 400 * 10**6
    assert engine.collateralBalance(trader2, usdt) == engine.totalCollateral(usdt) == usdt.balanceOf(engine)

    give(trader, usdt, 5_000 * 10**6, engine)
    engine.deposit(usdt, 5_000 * 10**6, trader, sender=trader)
    engine.modifyPosition(WETH_PERP, wad(2), wad(10**6), sender=trader)
    settle({"WETH": 400 * 10**8})  # -$5,200 on the long: insolvent
    tx = liquidator.liquidate(trader, sender=keeper)
    absorbed = tx.events.filter(liquidator.Absorbed)[0]
    assert absorbed.account == trader.address
    assert pool.reserves(usdt) == usdt.balanceOf(pool) == 5_000 * 10**6
    assert engine.collateralBalance(trader, usdt) == 0
    assert usdt.balanceOf(engine) == engine.totalCollateral(usdt) == 600 * 10**6


def test_return_false_collateral__failed_transfers__revert_and_book_nothing(
    extra, engine, pool, give, gov, trader, lp
):
    """A token whose transfers return false: a deposit (engine or Pool) and a withdrawal revert
    SafeERC20FailedOperation and change no books; once the token works again the withdrawal goes through."""
    bad = extra["FALSE"]
    give(trader, bad, 100 * 10**18, engine)
    engine.deposit(bad, 60 * 10**18, trader, sender=trader)
    bad.setFailing(True, sender=gov)
    with ape.reverts(engine.SafeERC20FailedOperation, token=bad.address):
        engine.deposit(bad, 40 * 10**18, trader, sender=trader)
    with ape.reverts(engine.SafeERC20FailedOperation, token=bad.address):
        engine.withdraw(bad, 60 * 10**18, trader, sender=trader)
    give(lp, bad, 10**18, pool)
    with ape.reverts(pool.SafeERC20FailedOperation, token=bad.address):
        pool.deposit(bad, 10**18, 0, lp, sender=lp)
    assert engine.collateralBalance(trader, bad) == engine.totalCollateral(bad) == 60 * 10**18
    assert bad.balanceOf(trader) == 40 * 10**18 and pool.reserves(bad) == 0

    bad.setFailing(False, sender=gov)
    engine.withdraw(bad, 60 * 10**18, trader, sender=trader)
    assert bad.balanceOf(trader) == 100 * 10**18 and engine.totalCollateral(bad) == 0
