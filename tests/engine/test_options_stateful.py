"""Stateful fuzzing of the OptionsBook as the engine's margin product 0: three accounts with USDC collateral buy,
write and close WETH calls and puts through `MarginEngine.tradeProduct` while WETH moves, time passes across expiries,
series settle, settled positions are realized (an action with delta 0, or at the account's next trade or
liquidation) and a keeper liquidates through the Liquidator.

Checked on every realization (the book's `PositionSettled` events in the receipt): the payout is
`ballast.options_risk.position_payoff_down(size, unit_payoff(is_call, settlement price, strike))` to the wei, for the
size the account held before the call; the engine booked exactly the book's cash (`ProductTraded` /
`ProductLiquidated`: the payoffs plus the trade's or the closes' cash); a delta-0 action of an account without debt
moved its USDC credit by the payoffs (rounded down when received, up when paid). After every step: each series'
`longOpen` / `shortOpen` are the sums of the accounts' positions, and `settledLongUsd` / `settledShortUsd` bound
what unrealized settled positions are owed / owe, within one wei per position open at each settlement
(tests/forge/invariant/OptionsInvariant.t.sol states the bound).

Each example runs inside `isolated(chain)` (tests/support/isolation.py), entered when the machine starts and left at
its teardown. `HYPOTHESIS_PROFILE=deep` runs more and longer examples.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from ape.exceptions import ContractLogicError
from eth_abi import encode
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from ballast.options_risk import position_payoff_down, unit_payoff
from ballast.prices import restamp_and_update

from support.core import FEED_DECIMALS, MAX_UINT, TWAP_WINDOW, units, wad
from support.isolation import isolated

SETTLEMENT_WINDOW = 120
MIN_TENOR = 3_600
#: baseSpread, slope, maxSpread, marginShock, stressShock, volShock, maintenanceRatio, shortFloor (bps)
OPTIONS_PARAMS = (50, 500, 2_000, 1_500, 3_000, 3_000, 6_000, 100)
MAX_OPEN = wad(100)
#: Each account's USDC collateral: a deep one, a middling one and a writer that a large move makes liquidatable.
COLLATERAL_USD = (100_000, 20_000, 5_000)
#: The series each example lists: (strike as a percentage of the price, call, expiry after the first).
SERIES = ((100, True, 0), (100, False, 0), (110, True, 1_800), (90, False, 3_600))
UNIT = 10**12  # USD WAD per USDC unit (USDC at exactly 1 USD)
DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
#: About 1.5 s per step through ape (a transaction or a few, and the invariants' view calls after it).
STATEFUL = settings(max_examples=100 if DEEP else 6, stateful_step_count=40 if DEEP else 15)


def trade(series_id: int, delta: int, limit: int) -> bytes:
    return encode(["(uint256,int256,int256)"], [(series_id, delta, limit)])


@pytest.fixture(scope="module")
def options(seeded, project, engine, tokens, gov, risk_manager):
    """An OptionsBook listed as margin product 0 with WETH's implied volatility at 80 % (each example lists its own
    series: their expiries follow its clock)."""
    book = project.OptionsBook.deploy(
        engine, gov, risk_manager, OPTIONS_PARAMS, SETTLEMENT_WINDOW, sender=gov
    )
    engine.listMarginProduct(book, sender=gov)
    book.setImpliedVol(tokens["WETH"], wad(0.8), sender=risk_manager)
    return book


@pytest.fixture(scope="module")
def option_accounts(options, engine, tokens, trader, trader2, fresh):
    """Three accounts with USDC in the engine (COLLATERAL_USD)."""
    usdc = tokens["USDC"]
    out = [trader, trader2, fresh]
    for account, usd in zip(out, COLLATERAL_USD, strict=True):
        usdc.mint(account, units("USDC", usd), sender=account)
        usdc.approve(engine, MAX_UINT, sender=account)
        engine.deposit(usdc, units("USDC", usd), account, sender=account)
    return out


def test_options__random_actions__payouts_and_books_hold(
    chain, options, option_accounts, engine, liquidator, oracle, feeds, tokens, gov, risk_manager, keeper
):
    book = options
    weth, usdc = tokens["WETH"], tokens["USDC"]
    priced = {weth: [feeds["WETH"]], usdc: [feeds["USDC"]]}  # the assets the accounts' books read
    reached: Counter = Counter()

    class Options(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self._isolation = isolated(chain)
            self._isolation.__enter__()
            self.series_ids: list[int] = []
            #: Positions open at each settlement, long and short: the aggregates' rounding bound.
            self.long_slack = 0
            self.short_slack = 0

        def teardown(self) -> None:
            self._isolation.__exit__(None, None, None)

        # ------------------------------------------------------------ helpers

        def price(self) -> int:
            return int(feeds["WETH"].answer()) * 10 ** (18 - FEED_DECIMALS)

        def update(self) -> None:
            restamp_and_update(oracle, priced, gov)

        def settled_held(self, account) -> dict[int, int]:
            """The account's positions in settled series, by id."""
            out = {}
            for series_id in book.accountSeries(account):
                if book.series(series_id).settled:
                    out[int(series_id)] = int(book.positionOf(account, series_id))
            return out

        def check_realizations(self, account, held: dict[int, int], receipt) -> int:
            """Every PositionSettled in `receipt`: a settled position `account` held, paid its payout to the wei.
            Returns the payoffs' sum."""
            total = 0
            seen = set()
            for log in receipt.decode_logs(book.PositionSettled):
                assert log.account == account.address, "a realization of another account"
                series_id = int(log.seriesId)
                assert held.get(series_id) == log.size, "realized a size the account did not hold"
                s = book.series(series_id)
                expected = position_payoff_down(
                    int(log.size), unit_payoff(bool(s.isCall), int(s.settlementPrice), int(s.strike))
                )
                assert log.payoffUsd == expected, "payout is not the intrinsic value at settlement"
                total += expected
                seen.add(series_id)
                reached["realization"] += 1
            assert seen == set(held), "a settled position not realized"
            return total

        def engine_cash(self, receipt, abi_event) -> int:
            logs = list(receipt.decode_logs(abi_event))
            assert len(logs) == 1
            return int(logs[0].cashUsd)

        # ------------------------------------------------------------ the opening book

        @initialize(writes=st.lists(st.integers(1, 40), min_size=3, max_size=3), buy=st.integers(1, 40))
        def open_book(self, writes: list[int], buy: int) -> None:
            """List the series (the first two expiring an hour and 5 minutes out, the others later); the deep account
            buys the first call, each account writes some of the first put or call (tenths of a unit)."""
            self.update()
            now = chain.pending_timestamp
            first = now + SETTLEMENT_WINDOW + MIN_TENOR + 300
            price = self.price()
            for pct, call, later in SERIES:
                book.listSeries(weth, price * pct // 100, first + later, call, MAX_OPEN, sender=risk_manager)
            self.series_ids = list(
                range(int(book.seriesCount()) - len(SERIES) + 1, int(book.seriesCount()) + 1)
            )
            deep = option_accounts[0]
            self.try_trade(deep, self.series_ids[0], wad(buy / 10))
            for i, account in enumerate(option_accounts):
                self.try_trade(account, self.series_ids[i % 2], -wad(writes[i] / 10))

        # ------------------------------------------------------------ rules

        def try_trade(self, account, series_id: int, delta: int) -> bool:
            held = self.settled_held(account)
            try:
                receipt = engine.tradeProduct(0, trade(series_id, delta, -(10**30)), sender=account)
            except ContractLogicError:
                event("trade refused")
                return False
            payoffs = self.check_realizations(account, held, receipt)
            traded = list(receipt.decode_logs(book.OptionTraded))
            assert len(traded) == 1
            assert self.engine_cash(receipt, engine.ProductTraded) == payoffs + traded[0].cashUsd
            reached["trade"] += 1
            return True

        @rule(who=st.integers(0, 2), index=st.integers(0, len(SERIES) - 1), tenths=st.integers(-60, 60))
        def trade_series(self, who: int, index: int, tenths: int) -> None:
            """Buy (positive), write or sell (negative) up to 6 units; 0 closes the position."""
            account = option_accounts[who]
            series_id = self.series_ids[index]
            delta = wad(tenths / 10) if tenths else -int(book.positionOf(account, series_id))
            if delta:
                self.try_trade(account, series_id, delta)

        @rule(pct=st.integers(70, 140), hold=st.booleans())
        def move_price(self, pct: int, hold: bool) -> None:
            """WETH moves to pct % of its price (within [1,000, 9,000]); held, the TWAP catches up."""
            price = min(max(self.price() * pct // 100, wad(1_000)), wad(9_000))
            feeds["WETH"].setAnswer(price // 10 ** (18 - FEED_DECIMALS), sender=gov)
            self.update()
            if hold:
                for _ in range(2):
                    chain.pending_timestamp += TWAP_WINDOW + 1
                    self.update()

        @rule(seconds=st.integers(60, 2 * 3_600))
        def time_passes(self, seconds: int) -> None:
            chain.pending_timestamp += seconds
            self.update()

        @rule()
        def cross_expiry(self) -> None:
            """Time runs to just after the next expiry with the oracle updated before the settlement window and at
            expiry (the ring records the window), then every expired series settles."""
            now = chain.pending_timestamp
            pending = [int(book.series(i).expiry) for i in self.series_ids if not book.series(i).settled]
            later = [e for e in pending if e > now]
            if later:
                expiry = min(later)
                if now < expiry - SETTLEMENT_WINDOW - 30:
                    chain.pending_timestamp = expiry - SETTLEMENT_WINDOW - 30
                    self.update()
                chain.pending_timestamp = expiry + 1
                self.update()
            self.settle_expired()

        @rule()
        def settle_expired(self) -> None:
            now = chain.blocks.head.timestamp
            for series_id in self.series_ids:
                s = book.series(series_id)
                if s.settled or now < s.expiry:
                    continue
                positions = [int(book.positionOf(a, series_id)) for a in option_accounts]
                try:
                    book.settle(series_id, sender=keeper)
                except ContractLogicError:
                    event("settle refused")
                    continue
                self.long_slack += sum(p > 0 for p in positions)
                self.short_slack += sum(p < 0 for p in positions)
                reached["settled"] += 1

        @rule(who=st.integers(0, 2))
        def realize(self, who: int) -> None:
            """The first account from `who` holding a settled position (else `who`'s: nothing to do) realizes its
            settled positions (delta 0); its USDC credit moves by the payoffs."""
            order = [option_accounts[(who + k) % 3] for k in range(3)]
            account = next((a for a in order if self.settled_held(a)), order[0])
            held = self.settled_held(account)
            credit, scaled_debt, _ = engine.cash(account)
            try:
                receipt = engine.tradeProduct(0, trade(0, 0, 0), sender=account)
            except ContractLogicError:
                # Nothing settled to realize, or the account stays liquidatable after it (a liquidation realizes).
                event("realize refused" if held else "nothing to realize")
                return
            payoffs = self.check_realizations(account, held, receipt)
            assert self.engine_cash(receipt, engine.ProductTraded) == payoffs
            after, _, _ = engine.cash(account)
            if scaled_debt == 0:
                if payoffs >= 0:
                    assert after == credit + payoffs // UNIT, "credit: the payoffs received, rounded down"
                elif credit * UNIT >= -payoffs:
                    assert after == credit - (-payoffs + UNIT - 1) // UNIT, (
                        "credit: the payoffs paid, rounded up"
                    )

        @rule(who=st.integers(0, 2))
        def liquidate(self, who: int) -> None:
            account = option_accounts[who]
            try:
                if not engine.liquidationHealth(account).liquidatable:
                    return
            except ContractLogicError:  # a price the engine cannot use
                return
            held = self.settled_held(account)
            try:
                receipt = liquidator.liquidate(account, sender=keeper)
            except ContractLogicError:
                event("liquidation refused")
                return
            payoffs = self.check_realizations(account, held, receipt)
            closed = sum(int(log.cashUsd) for log in receipt.decode_logs(book.PositionLiquidated))
            assert self.engine_cash(receipt, engine.ProductLiquidated) == payoffs + closed
            reached["liquidation"] += 1

        # ------------------------------------------------------------ invariants

        @invariant()
        def books_hold(self) -> None:
            owed_long = owed_short = 0
            positions = {i: [int(book.positionOf(a, i)) for a in option_accounts] for i in self.series_ids}
            for series_id, sizes in positions.items():
                s = book.series(series_id)
                assert s.longOpen == sum(p for p in sizes if p > 0), "longOpen != the accounts' longs"
                assert s.shortOpen == -sum(p for p in sizes if p < 0), "shortOpen != the accounts' shorts"
                if s.settled:
                    unit = unit_payoff(bool(s.isCall), int(s.settlementPrice), int(s.strike))
                    for p in sizes:
                        payoff = position_payoff_down(p, unit)
                        owed_long += max(payoff, 0)
                        owed_short += max(-payoff, 0)
            settled_long, settled_short = int(book.settledLongUsd()), int(book.settledShortUsd())
            assert owed_long <= settled_long <= owed_long + self.long_slack, "settledLongUsd"
            assert owed_short - self.short_slack <= settled_short <= owed_short, "settledShortUsd"
            for account in option_accounts:
                assert len(book.accountSeries(account)) <= book.MAX_ACCOUNT_SERIES()
            assert len(book.liveSeries()) <= book.MAX_LIVE_SERIES()

    run_state_machine_as_test(Options, settings=STATEFUL)
    print(f"options machine reached: {dict(reached)}")  # with `-s`
    assert reached["trade"] > 0, "no trade went through"
