"""Attacks on the LPs' side: first-depositor inflation, donations to the Pool and the InsuranceFund, draining the
InsuranceFund, flash LP round trips, 1-unit rounding loops, and edge amounts on the Pool and the InsuranceFund.

The Pool lists its assets without fees here (tests/engine's core), so share counts are exact. The forge fuzz tests
of tests/forge/pool/ (first depositor with any donation in Deposit.t.sol, LP round trips with any amount in
Withdraw.t.sol) explore the same attacks against a Pool alone; these are their whole-core unit cases.
"""

import ape

from support.attacks import USD, ZERO, books_covered, call, selector, words
from support.core import MAX_UINT, WETH_PERP, units, wad
from support.isolation import isolated

COOLDOWN = 900  # CoreParams' LP cooldown
INSURANCE_TARGET = 100_000 * 10**6  # CoreParams' InsuranceFund target


def test_first_depositor_inflation__one_unit_then_donation__victim_gets_the_undonated_share_count(
    core, pool, tokens, give, lp, stranger, chain
):
    """The classic ERC4626 attack on an empty pool: the attacker mints for 1 unit, then sends $1M straight to the
    Pool to inflate the share price so the victim's deposit rounds to nothing. Direct transfers are not booked and
    virtual shares price the first shares: the victim gets exactly the shares of an untouched pool."""
    usdc = tokens["USDC"]
    deposit = units("USDC", 10_000)
    give(lp, usdc, deposit, pool)
    give(stranger, usdc, units("USDC", 1_000_000) + 1, pool)
    with isolated(chain):
        pool.deposit(usdc, deposit, 0, lp, sender=lp)
        fair = pool.balanceOf(lp)
    assert fair == deposit * 10**12  # $1 per share

    pool.deposit(usdc, 1, 0, stranger, sender=stranger)
    usdc.transfer(pool, units("USDC", 1_000_000), sender=stranger)
    assert pool.reserves(usdc) == 1
    assert pool.sharePrice(True) == pool.sharePrice(False) == USD
    tx = pool.deposit(usdc, deposit, 0, lp, sender=lp)

    assert tx.events.filter(pool.Deposit)[0].shares == pool.balanceOf(lp) == fair
    chain.pending_timestamp += COOLDOWN + 1
    pool.withdraw(pool.balanceOf(lp), usdc, 0, lp, sender=lp)
    pool.withdraw(pool.balanceOf(stranger), usdc, 0, stranger, sender=stranger)
    assert usdc.balanceOf(lp) == deposit  # the victim loses nothing
    assert usdc.balanceOf(stranger) == 1  # the attacker gets its one unit back; the donation stays unbooked
    assert usdc.balanceOf(pool) == units("USDC", 1_000_000) and pool.reserves(usdc) == 0


def test_first_depositor_inflation__booked_donation_through_insurance_sweep__victim_loses_at_most_a_unit(
    core, pool, insurance, tokens, give, lp, stranger, chain
):
    """The booked variant: the InsuranceFund's `sweep` books its excess into the Pool's reserves, and anyone can
    fund it and sweep. The attacker mints for 1 unit and pushes $1M through the fund into an empty pool; the
    virtual shares take the donation's value with them, so the victim's deposit comes back less at most one unit
    of rounding, and the attacker recovers about a millionth of its donation."""
    usdc = tokens["USDC"]
    deposit, donation = units("USDC", 10_000), units("USDC", 1_000_000)
    give(lp, usdc, deposit, pool)
    give(stranger, usdc, donation + INSURANCE_TARGET + 1, pool, insurance)
    pool.deposit(usdc, 1, 0, stranger, sender=stranger)
    insurance.fund(donation + INSURANCE_TARGET, b"donation".ljust(32, b"\0"), sender=stranger)
    tx = insurance.sweep(sender=stranger)
    assert tx.events.filter(insurance.Swept)[0].amount == donation
    assert pool.reserves(usdc) == donation + 1
    assert pool.sharePrice(False) > 10**5 * USD  # inflated a hundred-thousandfold and more

    pool.deposit(usdc, deposit, 0, lp, sender=lp)
    chain.pending_timestamp += COOLDOWN + 1
    pool.withdraw(pool.balanceOf(lp), usdc, 0, lp, sender=lp)
    assert deposit - 1 <= usdc.balanceOf(lp) <= deposit
    pool.withdraw(pool.balanceOf(stranger), usdc, 0, stranger, sender=stranger)
    assert usdc.balanceOf(stranger) < units("USDC", 2)  # ~1e-6 of the donation


def test_donation__tokens_sent_to_the_pool__book_nothing_and_change_no_share_price(
    seeded, pool, tokens, give, lp, stranger, chain
):
    """$1M of USDC and 100 WETH sent to the Pool without an entry point change neither its reserves, NAV, share
    price, utilization nor what the next deposit mints."""
    usdc, weth = tokens["USDC"], tokens["WETH"]
    give(lp, usdc, units("USDC", 50_000), pool)
    views = {
        "reserves": lambda: [pool.reserves(t) for t in tokens.values()],
        "nav": lambda: (pool.nav(True), pool.nav(False)),
        "price": lambda: (pool.sharePrice(True), pool.sharePrice(False)),
        "utilization": pool.utilization,
        "liquidity": lambda: pool.availableLiquidity(usdc),
    }
    with isolated(chain):
        chain.pending_timestamp = chain.blocks.head.timestamp + 10
        fair = (
            pool.deposit(usdc, units("USDC", 50_000), 0, lp, sender=lp).events.filter(pool.Deposit)[0].shares
        )
    before = {name: view() for name, view in views.items()}

    give(stranger, usdc, units("USDC", 1_000_000))
    give(stranger, weth, units("WETH", 100))
    usdc.transfer(pool, units("USDC", 1_000_000), sender=stranger)
    weth.transfer(pool, units("WETH", 100), sender=stranger)
    assert {name: view() for name, view in views.items()} == before

    chain.pending_timestamp = chain.blocks.head.timestamp + 10  # same time as the deposit above: same accrual
    shares = pool.deposit(usdc, units("USDC", 50_000), 0, lp, sender=lp).events.filter(pool.Deposit)[0].shares
    assert shares == fair
    assert usdc.balanceOf(pool) == pool.reserves(usdc) + units("USDC", 1_000_000)


def test_donation__tokens_sent_to_the_insurance_fund__book_nothing_and_can_be_neither_swept_nor_withdrawn(
    seeded, insurance, tokens, give, gov, stranger
):
    """$500k sent straight to the InsuranceFund (five times its target) is not booked: `sweep` finds nothing
    above the target and governance can withdraw only what is booked. Funding through `fund` books exactly what
    arrived."""
    usdc = tokens["USDC"]
    give(stranger, usdc, units("USDC", 501_000), insurance)
    usdc.transfer(insurance, units("USDC", 500_000), sender=stranger)
    assert insurance.bookedBalance() == 0
    with ape.reverts(insurance.NothingToSweep, balance=0, target=INSURANCE_TARGET):
        insurance.sweep(sender=stranger)
    with ape.reverts(insurance.InsufficientBalance, amount=units("USDC", 500_000), balance=0):
        insurance.withdraw(gov, units("USDC", 500_000), sender=gov)

    tx = insurance.fund(units("USDC", 1_000), b"gift".ljust(32, b"\0"), sender=stranger)
    event = tx.events.filter(insurance.Funded)[0]
    assert (event["from"], event.amount) == (stranger.address, units("USDC", 1_000))
    assert insurance.bookedBalance() == units("USDC", 1_000)
    assert usdc.balanceOf(insurance) == units("USDC", 501_000)


def test_insurance_fund_drain__strangers_and_risk_manager__only_liquidator_cover_and_governance_withdrawal_pay_out(
    seeded,
    engine,
    pool,
    liquidator,
    insurance,
    tokens,
    give,
    post,
    settle,
    gov,
    risk_manager,
    stranger,
    trader,
    keeper,
):
    """Every way out of the fund: `cover` is the Liquidator's, `withdraw` and `setTarget` governance's; `sweep`
    is open but pays only the excess above the target, and only to the Pool. A crash then takes exactly the
    covered deficit out (to the Pool, not to the liquidated owner nor the keeper), and governance withdraws the rest."""
    usdc = tokens["USDC"]
    give(stranger, usdc, units("USDC", 150_000), insurance)
    insurance.fund(units("USDC", 150_000), b"seed".ljust(32, b"\0"), sender=stranger)
    wallet = usdc.balanceOf(stranger)
    admin_role = b"\0" * 32
    with ape.reverts(insurance.Unauthorized, caller=stranger.address):
        insurance.cover(units("USDC", 150_000), sender=stranger)
    for who in (stranger, risk_manager):
        with ape.reverts(
            insurance.AccessControlUnauthorizedAccount, account=who.address, neededRole=admin_role
        ):
            insurance.withdraw(who, 1, sender=who)
        with ape.reverts(
            insurance.AccessControlUnauthorizedAccount, account=who.address, neededRole=admin_role
        ):
            insurance.setTarget(0, sender=who)

    reserves = pool.reserves(usdc)
    tx = insurance.sweep(sender=stranger)
    assert tx.events.filter(insurance.Swept)[0].amount == units("USDC", 50_000)
    assert pool.reserves(usdc) == reserves + units("USDC", 50_000)
    assert insurance.bookedBalance() == INSURANCE_TARGET
    assert usdc.balanceOf(stranger) == wallet

    # A crash leaves a deficit: the Liquidator takes exactly the covered part, and it goes to the Pool.
    post(trader, "LTT", units("LTT", 2_000))  # $20,000 of long-tail collateral
    engine.modifyPosition(WETH_PERP, wad(5), wad(10**6), sender=trader)
    settle({"WETH": 1_500 * 10**8, "LTT": 2 * 10**8})
    owner_wallet, fund_balance = usdc.balanceOf(trader), usdc.balanceOf(insurance)
    booked = insurance.bookedBalance()  # the target plus the fee share of the trade
    debt_before = pool.totalScaledDebt()
    tx = liquidator.liquidate(trader, sender=keeper)
    covered = tx.events.filter(insurance.Covered)[0]
    absorbed = tx.events.filter(liquidator.Absorbed)[0]
    assert 0 < absorbed.deficit == covered.deficit == covered.covered == absorbed.insuranceCovered
    assert not tx.events.filter(pool.DeficitSocialized)
    assert insurance.bookedBalance() == booked - covered.covered
    assert usdc.balanceOf(insurance) == fund_balance - covered.covered
    assert usdc.balanceOf(trader) == owner_wallet and usdc.balanceOf(keeper) == 0
    assert pool.totalScaledDebt() < debt_before

    booked = insurance.bookedBalance()
    tx = insurance.withdraw(gov, booked, sender=gov)
    assert tx.events.filter(insurance.GovernanceWithdrawal)[0].amount == booked
    assert insurance.bookedBalance() == 0 == usdc.balanceOf(insurance)
    assert books_covered(pool, engine, insurance, tokens)


def test_flash_round_trip__lp_deposit_then_withdraw_in_one_transaction__cooldown_blocks_and_never_returns_more(
    seeded, pool, tokens, give, deploy_batcher, risk_manager
):
    """A flash-loan-sized LP deposit and withdrawal in one transaction (the Batcher): the cooldown refuses the
    withdrawal; without a cooldown the round trip returns no more than it put in (exactly as much without fees,
    less with them), and the share price of the other LPs does not fall. docs/design.md#invariants (7) (property:
    tests/forge/pool/Withdraw.t.sol::testFuzz_withdraw__afterDeposit__neverReturnsMore)."""
    usdc = tokens["USDC"]
    batcher = deploy_batcher()
    amount = units("USDC", 1_000_000)
    give(batcher, usdc, amount)
    batcher.run([call(usdc, "approve", pool, MAX_UINT)], 1, [], sender=risk_manager)
    reads = [call(usdc, "balanceOf", batcher), call(pool, "sharePrice", False)]

    result = batcher.lpRoundTrips.call(pool, usdc, amount, 1, reads)
    assert (result.withdrawn, result.failed) == (0, 1)
    assert result.lastError[:4] == bytes.fromhex(selector(pool.CooldownActive)[2:])

    pool.setCooldown(0, sender=risk_manager)
    result = batcher.lpRoundTrips.call(pool, usdc, amount, 1, reads)
    (wallet, price), (wallet_after, price_after) = words(result.before), words(result.afterwards)
    assert result.failed == 0
    assert wallet_after <= wallet and result.withdrawn <= amount
    assert price_after >= price

    pool.setAssetParams(usdc, (5_000, 10_000, 30, 50, 2**127), sender=risk_manager)  # 30 bps base fee, 50 tax
    result = batcher.lpRoundTrips.call(pool, usdc, amount, 1, reads)
    (wallet, price), (wallet_after, price_after) = words(result.before), words(result.afterwards)
    assert wallet_after == wallet - amount + result.withdrawn
    assert (
        result.withdrawn <= amount * (10_000 - 30) // 10_000
    )  # at least the 30 bps base fee, moving away from target
    assert price_after >= price


def test_rounding_loop__1000_lp_round_trips_of_one_unit__extract_nothing(
    seeded, pool, insurance, tokens, give, deploy_batcher, risk_manager, big_calls
):
    """1,000 LP deposits of one USDC unit ($0.000001), each followed by a withdrawal of every share held, in one
    call: the share conversions round against the caller, so the withdrawals pay out at most the 1,000 units put
    in (a withdrawal worth less than a unit reverts ZeroAmount and the shares wait) and the share price never
    falls. Then again with the share price pushed off $1 by a trader's loss, where every conversion rounds."""
    usdc = tokens["USDC"]
    pool.setCooldown(0, sender=risk_manager)
    batcher = deploy_batcher()
    give(batcher, usdc, 1_000)
    batcher.run([call(usdc, "approve", pool, MAX_UINT)], 1, [], sender=risk_manager)
    reads = [
        call(usdc, "balanceOf", batcher),
        call(pool, "balanceOf", batcher),
        call(pool, "sharePrice", False),
    ]

    for odd_price in (False, True):
        if (
            odd_price
        ):  # a gift of $0.777777 booked through the InsuranceFund: every share is worth a bit over $1
            give(risk_manager, usdc, INSURANCE_TARGET + 777_777, insurance)
            insurance.fund(INSURANCE_TARGET + 777_777, b"gift".ljust(32, b"\0"), sender=risk_manager)
            insurance.sweep(sender=risk_manager)
            assert pool.sharePrice(False) > USD
        result = big_calls(batcher.lpRoundTrips, pool, usdc, 1, 1_000, reads)
        (wallet, shares, price), (wallet_after, shares_after, price_after) = map(
            words, (result.before, result.afterwards)
        )
        assert wallet_after == wallet - 1_000 + result.withdrawn
        assert result.withdrawn <= 1_000
        # What came back plus what the shares still held are worth: never more than the 1,000 units.
        assert result.withdrawn * 10**12 + (shares_after - shares) * price_after // USD <= 1_000 * 10**12
        assert price_after >= price
        if odd_price:  # every conversion rounds now: half the withdrawals are worth less than a unit
            assert result.failed > 0 and result.withdrawn < 1_000
            assert result.lastError[:4] == bytes.fromhex(selector(pool.ZeroAmount)[2:])


def test_edge_amounts__pool_and_insurance_fund__zero_and_max_and_zero_address__revert_with_custom_errors(
    seeded, pool, insurance, liquidator, tokens, give, gov, lp, stranger, chain
):
    usdc = tokens["USDC"]
    give(stranger, usdc, 2**200, pool, insurance)
    with ape.reverts(pool.ZeroAmount):
        pool.deposit(usdc, 0, 0, stranger, sender=stranger)
    with ape.reverts(pool.ZeroAddress):
        pool.deposit(usdc, 1, 0, ZERO, sender=stranger)
    with ape.reverts(pool.AssetNotListed, asset=stranger.address):
        pool.deposit(stranger, 1, 0, stranger, sender=stranger)
    with ape.reverts(pool.DepositCapExceeded, asset=usdc.address, cap=2**127):
        pool.deposit(usdc, 2**200, 0, stranger, sender=stranger)
    with ape.reverts(
        pool.ERC20InsufficientBalance, sender=stranger.address, needed=MAX_UINT
    ):  # the token's error
        pool.deposit(usdc, MAX_UINT, 0, stranger, sender=stranger)
    with ape.reverts(pool.SlippageExceeded):
        pool.deposit(usdc, 1, MAX_UINT, stranger, sender=stranger)

    chain.pending_timestamp += COOLDOWN + 1
    shares = pool.balanceOf(lp)
    with ape.reverts(pool.ZeroAmount):
        pool.withdraw(0, usdc, 0, lp, sender=lp)
    with ape.reverts(pool.ZeroAddress):
        pool.withdraw(shares, usdc, 0, ZERO, sender=lp)
    with ape.reverts(pool.ZeroAmount):
        pool.withdraw(1, usdc, 0, lp, sender=lp)  # one share is worth less than a unit
    with ape.reverts(pool.InsufficientLiquidity, asset=usdc.address):
        pool.withdraw(shares, usdc, 0, lp, sender=lp)  # all of the $2M in USDC: more than the USDC reserve
    with ape.reverts(pool.SlippageExceeded):
        pool.withdraw(10**18, usdc, MAX_UINT, lp, sender=lp)

    with ape.reverts(insurance.ZeroAmount):
        insurance.fund(0, b"\0" * 32, sender=stranger)
    with ape.reverts(usdc.ERC20InsufficientBalance, sender=stranger.address, needed=MAX_UINT):
        insurance.fund(MAX_UINT, b"\0" * 32, sender=stranger)
    insurance.fund(units("USDC", 10), b"\0" * 32, sender=stranger)
    with ape.reverts(insurance.ZeroAddress):
        insurance.withdraw(ZERO, 1, sender=gov)
    with ape.reverts(insurance.InsufficientBalance, amount=MAX_UINT, balance=units("USDC", 10)):
        insurance.withdraw(gov, MAX_UINT, sender=gov)
    with ape.reverts(liquidator.NotLiquidatable, account=ZERO, equity=0, margin=0):
        liquidator.liquidate(ZERO, sender=stranger)
    tx = liquidator.liquidateMany([], sender=stranger)
    assert tx.return_value == 0 and not tx.events


def test_edge_amounts__pool_withdraw_of_max_uint_shares__reverts_with_a_custom_error(
    seeded, engine, pool, tokens, post, trader, lp, chain
):
    post(trader, "WETH", units("WETH", 1))
    engine.modifyPosition(WETH_PERP, wad(1), wad(10**6), sender=trader)  # its trading fee goes to the LPs
    chain.pending_timestamp += COOLDOWN + 1
    assert pool.sharePrice(False) > USD
    # The shares are checked against the caller's balance before they are priced.
    held = pool.balanceOf(lp)
    with ape.reverts(pool.ERC20InsufficientBalance, sender=lp.address, balance=held, needed=MAX_UINT):
        pool.withdraw(MAX_UINT, tokens["USDC"], 0, lp, sender=lp)
