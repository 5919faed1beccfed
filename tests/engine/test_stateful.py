"""Stateful fuzzing of the whole deployed system (docs/design.md#invariants): LPs, traders, a keeper and the guardian
act in random order while prices move, time passes and the oracle fails; every invariant is checked after every step.

Each hypothesis example runs inside `isolated(chain)` (tests/support/isolation.py) (entered when the machine starts, left at its teardown), so
examples never see each other's state. The machine opens a leveraged book and moves one market before its first
rule, so that liquidations, absorptions with a deficit and auto-deleveraging happen in short runs too; what each
example reached is counted (hypothesis `event()`s, and a summary printed at the end: `ape test ... -s`).
`HYPOTHESIS_PROFILE=deep` runs far more and longer examples (README).

Where each docs/design.md#invariants invariant is checked:
- 8.1 (balances cover the books), 8.2 (LP balances sum to the supply), 8.3 (debts sum to the Pool's receivable):
  the `books_hold` invariant, after every step.
- 8.2 (share price falls only by a socialized deficit): after LP deposits and withdrawals (both priced in the pool's
  favour) in `lp_deposit` and `lp_withdraw`.
- 8.4 (a gift never lowers health): `add_collateral`.
- 8.5 (liquidation only of unhealthy accounts, touching no other account), 8.6 (no account left with positions and
  negative equity; every deficit covered by the InsuranceFund or socialized, with events): every liquidation
  (`liquidate_one`, `keeper_liquidates`, and the keeper pass after each settled market move).
- 8.8 (adding collateral always works; with no debt and no positions a withdrawal always works):
  `add_collateral`, `withdraw_collateral`.
- 8.9 and 8.10 (nobody else's books move on a trade): `trade`.
- 8.7 (one-block round trips) is held by the forge fuzz tests of the Pool
  (`tests/forge/pool/Withdraw.t.sol::testFuzz_withdraw__afterDeposit__neverReturnsMore`) and of the engine
  (`tests/forge/engine/properties/RoundTrip.t.sol`): anvil mines a block per transaction here.

An attacker (the stranger, also an LP) borrows the settlement cash with a pile of collateral, redeems its LP shares
and opens large positions on purpose (`attack`), and the liveness rules of docs/design.md#liveness are checked on the
state every step leaves, each by simulating the action (`eth_call`, nothing mined):
- L1 a healthy account can close any position (`liveness_holds`);
- L2 an account liquidatable at usable prices is liquidated by a keeper with no tokens (`liveness_holds`), and no
  liquidation takes a Pool loan (`check_liquidation`: no `Lent` event);
- L3 an LP can withdraw 99 % of what the Pool reports available when every price is Ok (`liveness_holds`);
- L4 a liquidation takes no more than the debt and the penalty (`check_liquidation`);
- L5 a guardian freeze expires by itself (`time_passes`);
- L6 `liquidateMany` liquidates every account that liquidates alone (`liquidate_everyone`).
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from ape.exceptions import ContractLogicError
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from ballast.prices import restamp_and_update, settle_prices
from ballast.risk import borrow_fee, pnl_down, value_down, value_up

from support.core import (
    MARKETS,
    PRICES,
    SYMBOLS,
    TWAP_WINDOW,
    WAD,
    WBTC_PERP,
    WETH_PERP,
    pin_time,
    units,
    wad,
)
from support.isolation import isolated

VOLATILE = ("WBTC", "WETH", "LTT")
COLLATERAL_SYMBOLS = ("USDC", "WBTC", "WETH", "LTT")
POOL_SYMBOLS = ("USDC", "WBTC", "WETH")
MARKET_IDS = (WETH_PERP, WBTC_PERP)
OK, DEVIATED, STALE, FROZEN = 0, 1, 2, 3  # IOracleAggregator.Status
#: L4: how much more than its penalty a liquidation may take through rounding alone, USD WAD (a unit of each
#: collateral moved, a unit of USDC per conversion).
TAKE_TOLERANCE = 10**16
ATTACKER_LP_USD = 200_000
ADL_THRESHOLD_BPS, ADL_TARGET_BPS = 1_000, 800  # the lowest threshold governance may set: ADL is reachable
INSURANCE_TARGET = 100 * 10**6  # USDC units: the opening trades' fees pass it
FEED_FAULTS = ("zero", "negative", "stale", "reverting", "out of bounds")
#: Rounding of a socialized deficit: the uncovered part is scaled up by the borrow index and back (settlement units).
SOCIALIZED_ROUNDING = 2
DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
# Each step is a few transactions and ~40 view calls through ape: the default keeps the machine near a minute and
# a half on an idle machine (every example reaches liquidations through its opening book and crash).
STATEFUL = settings(
    max_examples=200 if DEEP else 4,
    stateful_step_count=60 if DEEP else 10,
)
#: What the examples of one run reached ("liquidation", "deficit", "adl", ...): one Counter per example.
REACHED: list[Counter] = []


@pytest.fixture(scope="module")
def actors(accounts, seeded, tokens, pool, engine, insurance, gov, stranger):
    """Two LPs (the seeding LP is accounts[1]) and three traders, each holding $2M of every token with both the
    Pool and the engine approved (once per module: every example starts from this state). Governance sets the
    lowest auto-deleveraging threshold it may (10 % of pool value), so that a whale's profit can reach it, and an
    InsuranceFund target of $100, which the fees of the opening trades pass (so the keeper sweeps and the fund
    still covers part of the first deficit). The keeper and the guardian are role fixtures."""
    lps, traders = [accounts[1], accounts[8]], [accounts[2], accounts[7], accounts[9]]
    attacker = stranger
    for account in (*lps, *traders, attacker):
        for symbol in SYMBOLS:
            tokens[symbol].mint(account, units(symbol, 2_000_000 / PRICES[symbol]), sender=account)
            tokens[symbol].approve(pool, 2**256 - 1, sender=account)
            tokens[symbol].approve(engine, 2**256 - 1, sender=account)
    pool.deposit(tokens["USDC"], units("USDC", ATTACKER_LP_USD), 0, attacker, sender=attacker)
    engine.setAdlParams(ADL_THRESHOLD_BPS, ADL_TARGET_BPS, sender=gov)
    insurance.setTarget(INSURANCE_TARGET, sender=gov)
    return {"lps": lps, "traders": traders, "attacker": attacker}


def test_system__random_actions__every_invariant_holds_after_every_step(
    chain, pool, engine, liquidator, insurance, oracle, feeds, tokens, gov, guardian, keeper, actors
):
    lps, traders, attacker = actors["lps"], actors["traders"], actors["attacker"]
    accounts_ = [*traders, attacker]  # every account that trades
    book_accounts = [*accounts_, keeper]  # every engine account: the keeper is paid in its own
    holders = [*lps, attacker]  # every LP
    usdc = tokens["USDC"]
    probe_keeper = "0x000000000000000000000000000000000000bEEF"  # holds nothing
    REACHED.clear()

    def try_tx(call, *args, **kwargs):
        """Send a transaction that may legitimately revert (margin, caps, cooldown, oracle status): its receipt, or
        None if it reverted."""
        name = call.abis[0].name
        try:
            tx = call(*args, **kwargs)
        except ContractLogicError:
            event(f"{name} reverted")  # hypothesis statistics: --hypothesis-show-statistics
            return None
        event(f"{name} ok")
        return tx

    class System(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self._isolation = isolated(chain)
            self._isolation.__enter__()
            self.reached: Counter = Counter()
            self.good_answers: dict[str, int] = {}  # feeds in a fault -> their last good answer

        def teardown(self) -> None:
            self._isolation.__exit__(None, None, None)
            for what in ("liquidation", "absorption", "deficit", "insurance cover", "socialized", "adl"):
                event(f"reached {what}: {'yes' if self.reached[what] else 'no'}")
            REACHED.append(self.reached)
            print(f"stateful example {len(REACHED)}: {dict(self.reached)}")  # progress, with `-s`

        # ------------------------------------------------------------ the opening book and market move

        @initialize(
            crash=st.tuples(st.sampled_from(MARKET_IDS), st.integers(3_000, 6_000)),
            whale_usd=st.integers(800_000, 1_200_000),
            other=st.tuples(
                st.sampled_from(VOLATILE), st.sampled_from(MARKET_IDS), st.sampled_from((-3, -2, 2, 3))
            ),
        )
        def open_book(self, crash: tuple[int, int], whale_usd: int, other: tuple[str, int, int]) -> None:
            """The book a short run needs to reach liquidations, deficits and auto-deleveraging, then a crash:
            - a trader posts $20k of the crashing market's asset and goes long 3x (2x or 1x if the engine refuses):
              exposed twice, a fall of 20 % or more makes it liquidatable, of 25 % to 33 % or more leaves a deficit;
            - a whale posts $500k of USDC and shorts $800k to $1.2M of the same asset (down to half of it if a cap
              refuses): a fall of 30 % or more can take traders' net profit past the auto-deleveraging threshold;
            - the third trader posts $20k of one volatile collateral and opens 2x or 3x long or short on any market.
            The keeper sweeps the InsuranceFund's fees above its target; then the asset falls by 30 % to 60 % for
            good and the keeper makes its pass."""
            market, fall_bps = crash
            symbol = MARKETS[market][0]
            whale, exposed, third = traders
            engine.deposit(tokens[symbol], units(symbol, 20_000 / PRICES[symbol]), exposed, sender=exposed)
            for leverage in (3, 2, 1):
                if self.open(exposed, market, 20_000 * leverage):
                    break
            engine.deposit(usdc, units("USDC", 500_000), whale, sender=whale)
            for share in (6, 4, 3):  # stepping down by sixths when a cap refuses it
                if self.open(whale, market, -whale_usd * share // 6):
                    self.reached["whale opened"] += 1
                    break
            other_symbol, other_market, leverage = other
            engine.deposit(
                tokens[other_symbol], units(other_symbol, 20_000 / PRICES[other_symbol]), third, sender=third
            )
            for lev in range(abs(leverage), 0, -1):
                if self.open(third, other_market, 20_000 * lev * (1 if leverage > 0 else -1)):
                    break
            self.sweep_insurance()  # the keeper sweeps the fee income above the target
            self.settled_move({symbol: -fall_bps}, attacked=True)

        def open(self, trader, market: int, notional_usd: int) -> bool:
            size = wad(notional_usd / PRICES[MARKETS[market][0]])
            return (
                try_tx(engine.modifyPosition, market, size, wad(10**9) if size > 0 else 0, sender=trader)
                is not None
            )

        # ------------------------------------------------------------ LPs

        @rule(who=st.integers(0, 1), symbol=st.sampled_from(POOL_SYMBOLS), usd=st.integers(1, 200_000))
        def lp_deposit(self, who: int, symbol: str, usd: int) -> None:
            lp = lps[who]
            price_before = pool.sharePrice(False)
            if try_tx(pool.deposit, tokens[symbol], units(symbol, usd / PRICES[symbol]), 0, lp, sender=lp):
                # A deposit is priced in the pool's favour: it never lowers the share price.
                assert pool.sharePrice(False) >= price_before

        @rule(who=st.integers(0, 1), symbol=st.sampled_from(POOL_SYMBOLS), share_bps=st.integers(1, 10_000))
        def lp_withdraw(self, who: int, symbol: str, share_bps: int) -> None:
            lp = lps[who]
            shares = pool.balanceOf(lp) * share_bps // 10_000
            if shares == 0:
                return
            price_before = pool.sharePrice(False)
            if try_tx(pool.withdraw, shares, tokens[symbol], 0, lp, sender=lp):
                assert pool.sharePrice(False) >= price_before

        # ------------------------------------------------------------ traders

        @rule(who=st.integers(0, 2), symbol=st.sampled_from(COLLATERAL_SYMBOLS), usd=st.integers(1, 100_000))
        def add_collateral(self, who: int, symbol: str, usd: int) -> None:
            trader = traders[who]
            before = engine.health(trader).maintenanceEquity if self.prices_usable() else None
            # docs/design.md#invariants (8): adding collateral (and, in USDC, repaying) always works, paused or not.
            engine.deposit(tokens[symbol], units(symbol, usd / PRICES[symbol]), trader, sender=trader)
            if before is not None:
                assert engine.health(trader).maintenanceEquity >= before  # 8.4: a gift never lowers health

        @rule(
            who=st.integers(0, 2),
            symbol=st.sampled_from(COLLATERAL_SYMBOLS),
            share_bps=st.integers(1, 10_000),
        )
        def withdraw_collateral(self, who: int, symbol: str, share_bps: int) -> None:
            trader = traders[who]
            amount = engine.collateralBalance(trader, tokens[symbol]) * share_bps // 10_000
            if amount == 0:
                return
            books = self.account_books(trader)
            no_risk = books["markets"] == 0 and books["scaledDebt"] == 0
            done = try_tx(engine.withdraw, tokens[symbol], amount, trader, sender=trader)
            if no_risk:
                assert done, "8.8: with no debt and no positions a withdrawal always works"
            if done and not no_risk:
                health = engine.health(trader)
                assert health.initialEquity >= health.initialMargin  # withdrawing needs initial margin

        @rule(
            who=st.integers(0, 2),
            market=st.sampled_from(MARKET_IDS),
            notional_usd=st.integers(-60_000, 60_000),
        )
        def trade(self, who: int, market: int, notional_usd: int) -> None:
            trader = traders[who]
            price = PRICES[MARKETS[market][0]]
            size = wad(notional_usd / price)
            if abs(size) < MARKETS[market][6]:
                return
            limit = wad(10**9) if size > 0 else 0
            others = {t.address: self.account_books(t) for t in traders if t != trader}
            if try_tx(engine.modifyPosition, market, size, limit, sender=trader):
                for address, books in others.items():  # 8.10 and 8.9: nobody else's books move
                    assert self.account_books(address) == books

        @rule(who=st.integers(0, 2), market=st.sampled_from(MARKET_IDS))
        def close(self, who: int, market: int) -> None:
            trader = traders[who]
            size = engine.position(trader, market).size
            if size != 0:
                try_tx(engine.modifyPosition, market, -size, 0 if size > 0 else wad(10**9), sender=trader)

        # ------------------------------------------------------------ prices per source, time, oracle faults

        @rule(symbol=st.sampled_from(VOLATILE), move_bps=st.integers(-5_000, 3_000))
        def move_price(self, symbol: str, move_bps: int) -> None:
            """The asset's feed moves and the keeper updates at once: the median moves, the TWAP follows over
            time."""
            self.heal(symbol)
            feed = feeds[symbol]
            answer = feed.answer() * (10_000 + move_bps) // 10_000
            feed.setAnswer(max(answer, 1), sender=gov)
            try_tx(oracle.update, tokens[symbol], sender=keeper)

        @rule(symbol=st.sampled_from(VOLATILE), move_bps=st.integers(-6_000, 6_000))
        def shock(self, symbol: str, move_bps: int) -> None:
            """One asset moves by up to 60 % for good (its TWAP catches up) and the keeper, in the loop, liquidates
            whoever the move made liquidatable."""
            self.settled_move({symbol: move_bps})

        @rule(move_bps=st.integers(-4_000, 4_000))
        def market_moves_and_settles(self, move_bps: int) -> None:
            """A lasting market-wide move of every volatile asset, then the keeper's pass."""
            self.settled_move(dict.fromkeys(VOLATILE, move_bps))

        def settled_move(self, moves: dict[str, int], attacked: bool = False) -> None:
            """Move the prices and let the TWAPs catch up, then the keeper's pass. `attacked`: before the pass the
            attacker borrows the Pool's settlement cash, and every account left liquidatable is probed (L2) while
            the Pool is drained."""
            for symbol in SYMBOLS:
                self.heal(symbol)
            for symbol, move_bps in moves.items():
                feed = feeds[symbol]
                feed.setAnswer(max(feed.answer() * (10_000 + move_bps) // 10_000, 1), sender=gov)
            # The moved assets' TWAPs catch up over the windows; the others, whose price held, are restamped and
            # updated at the final time (status Ok).
            settle_prices(chain, oracle, {tokens[s]: [feeds[s]] for s in moves}, TWAP_WINDOW, keeper)
            restamp_and_update(oracle, {tokens[s]: [feeds[s]] for s in SYMBOLS if s not in moves}, keeper)
            if attacked:
                self.attack("borrow", 3)
                self.probe_liquidations()
            self.keeper_pass()

        @rule(seconds=st.sampled_from((1, 60, 601, 3_601, 86_401)))
        def time_passes(self, seconds: int) -> None:
            chain.pending_timestamp += seconds
            chain.mine()
            for symbol in SYMBOLS:  # L5: a freeze expires by itself
                until = oracle.frozenUntil(tokens[symbol])
                if until and chain.blocks.head.timestamp >= until:
                    assert oracle.status(tokens[symbol]) != FROZEN, (
                        f"L5: the {symbol} freeze outlived its expiry"
                    )
            for (
                symbol
            ) in SYMBOLS:  # the healthy feeds answer again (stamped now) and the keeper updates the oracle
                if symbol not in self.good_answers:
                    feeds[symbol].setAnswer(feeds[symbol].answer(), sender=gov)
                try_tx(oracle.update, tokens[symbol], sender=keeper)

        @rule(symbol=st.sampled_from(SYMBOLS), fault=st.sampled_from(FEED_FAULTS))
        def feed_fails(self, symbol: str, fault: str) -> None:
            """The asset's only source turns bad (docs/design.md#oracle-policy: not fresh) and the keeper tries to
            update."""
            feed = feeds[symbol]
            self.good_answers.setdefault(symbol, feed.answer())
            if fault == "zero":
                feed.setAnswer(0, sender=gov)
            elif fault == "negative":
                feed.setAnswer(-self.good_answers[symbol], sender=gov)
            elif fault == "stale":
                feed.setUpdatedAt(max(chain.blocks.head.timestamp - 86_401, 1), sender=gov)
            elif fault == "reverting":
                feed.setReverting(True, sender=gov)
            else:
                feed.setAnswer(10**18 + 1, sender=gov)  # above the source's maxAnswer
            event(f"feed fault {fault}")
            try_tx(oracle.update, tokens[symbol], sender=keeper)

        @rule(symbol=st.sampled_from(SYMBOLS))
        def feed_recovers(self, symbol: str) -> None:
            self.heal(symbol)
            try_tx(oracle.update, tokens[symbol], sender=keeper)

        def heal(self, symbol: str) -> None:
            """A feed in a fault answers its last good answer again, stamped now."""
            if symbol in self.good_answers:
                feeds[symbol].setReverting(False, sender=gov)
                feeds[symbol].setAnswer(self.good_answers.pop(symbol), sender=gov)

        @rule(symbol=st.sampled_from(SYMBOLS))
        def guardian_toggles_freeze(self, symbol: str) -> None:
            """The guardian lifts a freeze, or freezes (refused within a freeze's length of the last one's end)."""
            frozen = oracle.status(tokens[symbol]) == FROZEN
            try_tx(oracle.setFrozen, tokens[symbol], not frozen, sender=guardian)

        @rule(symbol=st.sampled_from(SYMBOLS))
        def update_oracle(self, symbol: str) -> None:
            try_tx(oracle.update, tokens[symbol], sender=keeper)

        # ------------------------------------------------------------ keeper

        @rule()
        def keeper_liquidates(self) -> None:
            self.keeper_pass()

        def keeper_pass(self) -> None:
            """What the keeper does each round: liquidate whoever is liquidatable, deleverage once if traders'
            profit is above the threshold, sweep the InsuranceFund above its target."""
            self.liquidate_everyone()
            if engine.adlState().active:
                self.reached["adl active"] += 1
                self.auto_deleverage()
            if insurance.bookedBalance() > insurance.target():
                self.sweep_insurance()

        @rule(who=st.integers(0, 2))
        def liquidate_one(self, who: int) -> None:
            trader = traders[who]
            pin_time(chain)  # no accrual between the health read and the liquidation
            liquidatable = engine.liquidationHealth(trader).liquidatable if self.prices_usable() else None
            before = {t.address: self.account_books(t) for t in traders}
            values = {a.address: self.net_value(a) for a in accounts_}
            tx = try_tx(liquidator.liquidate, trader, sender=keeper)
            if tx is not None:
                assert liquidatable is not False, "8.5: liquidation succeeds only on unhealthy accounts"
                self.check_liquidation(tx, before, values)

        def liquidate_everyone(self) -> None:
            before = {t.address: self.account_books(t) for t in traders}
            values = {a.address: self.net_value(a) for a in accounts_}
            # L6: every account whose liquidation succeeds alone is liquidated by the batch.
            alone = [
                a.address
                for a in accounts_
                if self.liquidatable(a) and self.succeeds(liquidator.liquidate, a)
            ]
            tx = liquidator.liquidateMany(accounts_, sender=keeper)
            liquidated = {e.account for e in tx.events.filter(liquidator.Liquidated)}
            assert set(alone) <= liquidated, "L6: the batch skipped an account that liquidates alone"
            self.check_liquidation(tx, before, values)

        def check_liquidation(self, tx, before: dict, values: dict) -> None:
            liquidated = {e.account for e in tx.events.filter(liquidator.Liquidated)}
            # L2: a liquidation never borrows from the Pool (the keeper is paid out of the account).
            assert not list(tx.events.filter(pool.Lent)), "L2: a liquidation borrowed from the Pool"
            self.check_takes(tx, values)
            absorbed = list(tx.events.filter(liquidator.Absorbed))
            self.reached["liquidation"] += len(liquidated)
            self.reached["absorption"] += len(absorbed)
            event(f"liquidated {len(liquidated)}")
            socialized = sum(e.amount for e in tx.events.filter(pool.DeficitSocialized))
            covered = sum(e.covered for e in tx.events.filter(insurance.Covered))
            uncovered = 0
            for absorption in absorbed:
                if absorption.deficit:
                    self.reached["deficit"] += 1
                    uncovered += absorption.deficit - absorption.insuranceCovered
            # 8.6: every deficit is covered by the InsuranceFund or socialized to LPs, each with its event.
            assert covered == sum(a.insuranceCovered for a in absorbed)
            assert abs(socialized - uncovered) <= SOCIALIZED_ROUNDING * len(absorbed)
            self.reached["insurance cover"] += covered > 0
            self.reached["socialized"] += socialized > 0
            touched = liquidated | {e.account for e in absorbed}
            for trader in traders:
                if trader.address not in touched:
                    # 8.5: touches no other account
                    assert self.account_books(trader) == before[trader.address]
                    continue
                # 8.6: no account is left with positions and negative equity.
                health = engine.liquidationHealth(trader) if self.prices_usable() else None
                if health is not None and health.maintenanceMargin != 0:
                    assert health.maintenanceEquity >= 0

        @rule()
        def auto_deleverage(self) -> None:
            """The keeper deleverages the first position the engine accepts (the most profitable ones qualify
            while traders' profit is above the threshold)."""
            for trader in traders:
                for market in MARKET_IDS:
                    if engine.position(trader, market).size == 0:
                        continue
                    if try_tx(engine.autoDeleverage, trader, market, sender=keeper):
                        self.reached["adl"] += 1
                        return

        def check_takes(self, tx, values: dict) -> None:
            """L4: what each liquidated trader lost, valued without haircuts at the liquidation prices, is at most its
            penalty (at the higher settlement price) plus rounding. Not held while USDC's price is spread (a close
            converts a profit at its higher price and a loss at its lower one, by design)."""
            usdc_data = oracle.getPriceData(usdc)
            if usdc_data.median != usdc_data.twap:
                return
            for e in tx.events.filter(liquidator.Liquidated):
                lost = values[e.account] - self.net_value(e.account)
                self.reached["L4 liquidation valued"] += 1
                allowed = value_up(e.penalty, usdc_data.median, 6) + TAKE_TOLERANCE
                assert lost <= allowed, f"L4: a liquidation took {lost} from {e.account}, allowed {allowed}"

        def net_value(self, account) -> int:
            """`account`'s worth without haircuts, USD WAD: credit less debt, collateral at its lower price, positions at
            the price a liquidation closes them at, less their borrow fees."""
            s = oracle.getPriceData(usdc)
            credit, _, debt = engine.cash(account)
            value = value_down(credit, max(s.median, s.twap), 6) - value_up(debt, min(s.median, s.twap), 6)
            for symbol in VOLATILE:
                amount = engine.collateralBalance(account, tokens[symbol])
                if amount:
                    p = oracle.getPriceData(tokens[symbol])
                    value += value_down(amount, min(p.median, p.twap), tokens[symbol].decimals())
            index = pool.borrowIndex()
            for market in MARKET_IDS:
                pos = engine.position(account, market)
                if pos.size == 0:
                    continue
                p = oracle.getPriceData(tokens[MARKETS[market][0]])
                price = max(p.median, p.twap) if pos.size > 0 else min(p.median, p.twap)
                value += pnl_down(pos.size, pos.entryPrice, price)
                value -= borrow_fee(pos.size, pos.entryPrice, pos.entryIndex, index)
            return value

        # ------------------------------------------------------------ the attacker

        @rule(mode=st.sampled_from(("borrow", "redeem", "open", "restore")), leverage=st.integers(1, 3))
        def attack(self, mode: str, leverage: int) -> None:
            """The attacker works to leave others unpaid: it posts WETH worth three times the Pool's USDC and borrows
            as much USDC as the Pool lets it (halving the ask until one passes), redeems its unlocked LP shares for
            USDC, opens a long on WETH to take reserved liquidity, or repays and restores."""
            self.reached[f"attack {mode}"] += 1
            if mode == "borrow":
                reserve = pool.reserves(usdc)
                weth = units("WETH", 3 * reserve / 10**6 / PRICES["WETH"])
                tokens["WETH"].mint(attacker, weth, sender=attacker)
                engine.deposit(tokens["WETH"], weth, attacker, sender=attacker)
                credit = engine.cash(attacker).credit
                ask = reserve
                while ask > 10**6 and not try_tx(
                    engine.withdraw, usdc, credit + ask, attacker, sender=attacker
                ):
                    ask //= 2
            elif mode == "redeem":
                locked, _ = pool.lockedShares(attacker)
                shares = pool.balanceOf(attacker) - locked
                while shares > WAD and not try_tx(pool.withdraw, shares, usdc, 0, attacker, sender=attacker):
                    shares //= 2
            elif mode == "open":
                debt = engine.cash(attacker).debt
                if (
                    engine.collateralBalance(attacker, tokens["WETH"]) * PRICES["WETH"]
                    > 10**22 + debt * 10**12
                ):
                    self.open(attacker, WETH_PERP, 50_000 * leverage)
            else:
                debt = engine.cash(attacker).debt
                if debt:
                    usdc.mint(attacker, debt, sender=attacker)
                    engine.deposit(usdc, debt, attacker, sender=attacker)
                try_tx(pool.deposit, usdc, units("USDC", 50_000), 0, attacker, sender=attacker)

        # ------------------------------------------------------------ liveness (docs/design.md#liveness)

        @staticmethod
        def succeeds(method, *args, sender=None) -> bool:
            """Whether `method(*args)` would succeed now from `sender` (an `eth_call`: nothing is mined)."""
            try:
                method.call(*args, sender=sender or probe_keeper)
            except ContractLogicError:
                return False
            return True

        def liquidatable(self, account) -> bool:
            try:
                return bool(engine.liquidationHealth(account).liquidatable)
            except ContractLogicError:
                return False  # a price it needs is Stale: not liquidatable now

        def exit_priced(self, symbol: str) -> bool:
            return oracle.sourceStatus(tokens[symbol]) in (OK, DEVIATED)

        @invariant()
        def liveness_holds(self) -> None:
            """L1, L2 and L3 on the state the step left, each simulated."""
            for account in accounts_:
                healthy = not engine.health(account).liquidatable
                for market in MARKET_IDS:
                    size = engine.position(account, market).size
                    if size == 0 or not healthy or not self.exit_priced(MARKETS[market][0]):
                        continue
                    limit = 0 if size > 0 else wad(10**9)
                    assert self.succeeds(engine.modifyPosition, market, -size, limit, sender=account), (
                        f"L1: healthy {account} could not close market {market}"
                    )
                    self.reached["L1 close probed"] += 1
            self.probe_liquidations()
            if all(oracle.status(tokens[s]) == OK for s in SYMBOLS):
                for holder in holders:
                    locked, _ = pool.lockedShares(holder)
                    free = pool.balanceOf(holder) - locked
                    available = pool.availableLiquidity(usdc) * 99 // 100
                    shares = min(free, value_down(available, WAD, 6) * WAD // pool.sharePrice(False))
                    if shares < 10**15:
                        continue
                    assert self.succeeds(pool.withdraw, shares, usdc, 0, holder, sender=holder), (
                        f"L3: {holder} could not withdraw {shares} shares of available USDC"
                    )
                    self.reached["L3 LP exit probed"] += 1

        def probe_liquidations(self) -> None:
            """L2: every account liquidatable at usable prices can be liquidated by a keeper with no tokens."""
            for account in accounts_:
                if self.liquidatable(account):
                    assert self.succeeds(liquidator.liquidate, account), (
                        f"L2: {account} is liquidatable but a keeper with no tokens could not liquidate it"
                    )
                    self.reached["L2 liquidation probed"] += 1

        @rule()
        def sweep_insurance(self) -> None:
            if try_tx(insurance.sweep, sender=keeper):
                self.reached["sweep"] += 1

        # ------------------------------------------------------------ invariants

        def prices_usable(self) -> bool:
            return all(oracle.status(tokens[s]) in (0, 1) for s in SYMBOLS)  # Ok or Deviated

        @staticmethod
        def account_books(account) -> dict:
            credit, scaled_debt, _ = engine.cash(account)
            collateral_mask, markets_mask = engine.accountMasks(account)
            return {
                "credit": credit,
                "scaledDebt": scaled_debt,
                "markets": markets_mask,
                "collateral": collateral_mask,
                "balances": tuple(engine.collateralBalance(account, tokens[s]) for s in COLLATERAL_SYMBOLS),
                "positions": tuple(tuple(engine.position(account, m)) for m in MARKET_IDS),
            }

        @invariant()
        def books_hold(self) -> None:
            """docs/design.md#invariants (1 to 3) after every step, with one read of each number."""
            cash = [engine.cash(t) for t in book_accounts]
            for symbol in SYMBOLS:
                token = tokens[symbol]
                total = engine.totalCollateral(token)
                # The engine's per-asset total is the sum of the accounts' balances.
                assert sum(engine.collateralBalance(t, token) for t in book_accounts) == total
                # 8.1: every contract holds at least what its books say (the engine also holds traders' credit).
                credit = sum(c[0] for c in cash) if symbol == "USDC" else 0
                assert token.balanceOf(engine) >= total + credit
                if symbol in POOL_SYMBOLS:
                    assert token.balanceOf(pool) >= pool.reserves(token)
            assert usdc.balanceOf(insurance) >= insurance.bookedBalance()
            # 8.2: the LP balances sum to the supply.
            assert sum(pool.balanceOf(holder) for holder in holders) == pool.totalSupply()
            # 8.3: the accounts' scaled debts sum to the Pool's receivable.
            assert sum(c[1] for c in cash) == pool.totalScaledDebt()

    System.TestCase.settings = STATEFUL
    run_state_machine_as_test(System, settings=STATEFUL)

    # What the examples reached (`-s` shows it): the opening book and move are there to make these happen.
    runs = len(REACHED)
    summary = ", ".join(
        f"{what} {sum(1 for r in REACHED if r[what])}/{runs}"
        for what in (
            "liquidation",
            "absorption",
            "deficit",
            "insurance cover",
            "socialized",
            "whale opened",
            "adl active",
            "adl",
            "sweep",
            "attack borrow",
            "attack redeem",
            "L1 close probed",
            "L2 liquidation probed",
            "L3 LP exit probed",
            "L4 liquidation valued",
        )
    )
    print(f"\nstateful machine: {runs} examples reached {summary}")
