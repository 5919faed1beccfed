"""InsuranceFund unit tests: booked inflows, cover by the Liquidator, sweep of the excess to LPs, governance."""

import ape
from pool_setup import INSURANCE_TARGET, units


def fund_insurance(insurance, usdc, account, amount, reason=b"donation"):
    usdc.mint(account, amount, sender=account)
    usdc.approve(insurance, amount, sender=account)
    return insurance.fund(amount, reason.ljust(32, b"\0"), sender=account)


def test_fund__external_caller__books_balance_and_emits_funded(insurance, usdc, stranger):
    tx = fund_insurance(insurance, usdc, stranger, units("USDC", 1_000))
    assert insurance.bookedBalance() == units("USDC", 1_000) == usdc.balanceOf(insurance)
    event = tx.events.filter(insurance.Funded)[0]
    assert (event["from"], event.amount) == (stranger.address, units("USDC", 1_000))
    assert event.reason.rstrip(b"\0") == b"donation"


def test_fund__member_holding_the_lock__books_penalty(insurance, engine, usdc, admin):
    usdc.mint(engine, units("USDC", 10), sender=admin)
    tx = engine.fundInsurance(insurance, units("USDC", 10), sender=admin)
    assert insurance.bookedBalance() == units("USDC", 10)
    assert tx.events.filter(insurance.Funded)[0].reason.rstrip(b"\0") == b"penalty"


def test_fund__zero__reverts(insurance, stranger):
    with ape.reverts(insurance.ZeroAmount):
        insurance.fund(0, b"".ljust(32, b"\0"), sender=stranger)


def test_donation__direct_transfer__is_not_booked(insurance, usdc, stranger):
    usdc.mint(stranger, 500, sender=stranger)
    usdc.transfer(insurance, 500, sender=stranger)
    assert insurance.bookedBalance() == 0
    assert usdc.balanceOf(insurance) == 500


def test_cover__deficit_within_balance__pays_it_all(insurance, engine, usdc, admin, stranger):
    fund_insurance(insurance, usdc, stranger, units("USDC", 1_000))
    tx = engine.cover(insurance, units("USDC", 400), sender=admin)
    assert usdc.balanceOf(engine) == units("USDC", 400)
    assert insurance.bookedBalance() == units("USDC", 600)
    event = tx.events.filter(insurance.Covered)[0]
    assert (event.deficit, event.covered, event.uncovered) == (units("USDC", 400), units("USDC", 400), 0)


def test_cover__deficit_above_balance__pays_balance_and_returns_rest(
    insurance, engine, usdc, admin, stranger
):
    fund_insurance(insurance, usdc, stranger, units("USDC", 100))
    tx = engine.cover(insurance, units("USDC", 250), sender=admin)
    assert insurance.bookedBalance() == 0
    assert usdc.balanceOf(engine) == units("USDC", 100)
    event = tx.events.filter(insurance.Covered)[0]
    assert (event.covered, event.uncovered) == (units("USDC", 100), units("USDC", 150))


def test_cover__not_liquidator__reverts(insurance, stranger):
    with ape.reverts(insurance.Unauthorized, caller=stranger.address):
        insurance.cover(1, sender=stranger)


def test_sweep__above_target__moves_excess_to_pool_reserves(seeded, insurance, usdc, stranger):
    pool = seeded
    fund_insurance(insurance, usdc, stranger, INSURANCE_TARGET + units("USDC", 7_000))
    reserve, price = pool.reserves(usdc), pool.sharePrice(False)
    tx = insurance.sweep(sender=stranger)
    assert tx.events.filter(insurance.Swept)[0].amount == units("USDC", 7_000)
    assert insurance.bookedBalance() == INSURANCE_TARGET
    assert pool.reserves(usdc) == reserve + units("USDC", 7_000)
    assert pool.sharePrice(False) > price


def test_sweep__at_or_below_target__reverts(insurance, usdc, stranger):
    fund_insurance(insurance, usdc, stranger, INSURANCE_TARGET)
    with ape.reverts(insurance.NothingToSweep, balance=INSURANCE_TARGET, target=INSURANCE_TARGET):
        insurance.sweep(sender=stranger)


def test_withdraw__governance_only_and_within_balance(insurance, usdc, admin, stranger):
    fund_insurance(insurance, usdc, stranger, units("USDC", 50))
    with ape.reverts(insurance.AccessControlUnauthorizedAccount):
        insurance.withdraw(stranger, 1, sender=stranger)
    with ape.reverts(insurance.InsufficientBalance, amount=units("USDC", 51), balance=units("USDC", 50)):
        insurance.withdraw(admin, units("USDC", 51), sender=admin)
    tx = insurance.withdraw(admin, units("USDC", 20), sender=admin)
    assert usdc.balanceOf(admin) == units("USDC", 20)
    assert insurance.bookedBalance() == units("USDC", 30)
    assert tx.events.filter(insurance.GovernanceWithdrawal)[0].amount == units("USDC", 20)


def test_set_target__governance_only(insurance, admin, risk_manager, stranger):
    for caller in (stranger, risk_manager):
        with ape.reverts(insurance.AccessControlUnauthorizedAccount):
            insurance.setTarget(1, sender=caller)
    tx = insurance.setTarget(123, sender=admin)
    assert insurance.target() == 123
    assert tx.events.filter(insurance.TargetSet)[0].target == 123


def test_withdraw__to_zero_address__reverts(insurance, admin):
    with ape.reverts(insurance.ZeroAddress):
        insurance.withdraw("0x0000000000000000000000000000000000000000", 0, sender=admin)
