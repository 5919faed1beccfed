"""Stateful fuzzing of the whole deployed system (DESIGN section 8): LPs, traders, a keeper and the guardian act in
random order while prices move, time passes and the oracle fails; every invariant is checked after every step.

Each hypothesis example runs inside `chain.isolate()` (entered when the machine starts, left at its teardown), so
examples never see each other's state. `HYPOTHESIS_PROFILE=deep` runs far more and longer examples (README).
"""

from __future__ import annotations

import os

import pytest
from ape.exceptions import ContractLogicError
from engine_setup import MARKETS, PRICES, TWAP_WINDOW, WBTC_PERP, WETH_PERP, units, wad
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from ballast.prices import settle_prices

SYMBOLS = ("USDC", "WBTC", "WETH", "LTT")
COLLATERAL_SYMBOLS = ("USDC", "WBTC", "WETH", "LTT")
POOL_SYMBOLS = ("USDC", "WBTC", "WETH")
MARKET_IDS = (WETH_PERP, WBTC_PERP)
FROZEN = 3  # IOracleAggregator.Status
DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
# Each step is a few transactions and ~35 view calls through ape: the default keeps `make test` near a minute.
STATEFUL = settings(
    max_examples=200 if DEEP else 4,
    stateful_step_count=60 if DEEP else 12,
)


@pytest.fixture(scope="module")
def actors(accounts, seeded, tokens, pool, engine):
    """Two LPs (the seeding LP is accounts[1]) and three traders, each holding $2M of every token with both the
    Pool and the engine approved (once per module: every example starts from this state). The keeper and the
    guardian are role fixtures."""
    lps, traders = [accounts[1], accounts[8]], [accounts[2], accounts[7], accounts[9]]
    for account in (*lps, *traders):
        for symbol in SYMBOLS:
            tokens[symbol].mint(account, units(symbol, 2_000_000 / PRICES[symbol]), sender=account)
            tokens[symbol].approve(pool, 2**256 - 1, sender=account)
            tokens[symbol].approve(engine, 2**256 - 1, sender=account)
    return {"lps": lps, "traders": traders}


def test_system__random_actions__every_invariant_holds_after_every_step(
    chain, pool, engine, liquidator, insurance, oracle, feeds, tokens, admin, guardian, keeper, actors
):
    lps, traders = actors["lps"], actors["traders"]
    usdc = tokens["USDC"]

    def try_tx(call, *args, **kwargs) -> bool:
        """Send a transaction that may legitimately revert (margin, caps, cooldown, oracle status)."""
        name = call.abis[0].name
        try:
            call(*args, **kwargs)
        except ContractLogicError:
            event(f"{name} reverted")  # hypothesis statistics: --hypothesis-show-statistics
            return False
        event(f"{name} ok")
        return True

    class System(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self._isolation = chain.isolate()
            self._isolation.__enter__()

        def teardown(self) -> None:
            self._isolation.__exit__(None, None, None)

        @initialize(
            book=st.lists(
                st.tuples(
                    st.sampled_from(("WBTC", "WETH", "LTT")), st.sampled_from(MARKET_IDS), st.integers(-3, 3)
                ),
                min_size=3,
                max_size=3,
            )
        )
        def open_book(self, book: list[tuple[str, int, int]]) -> None:
            """Each trader starts with $20k of one collateral and a position of up to 3x (long or short: about the
            most the correlation stress check allows on one asset), so
            price moves make liquidations reachable within a short run."""
            for trader, (symbol, market, leverage) in zip(traders, book, strict=True):
                engine.deposit(tokens[symbol], units(symbol, 20_000 / PRICES[symbol]), trader, sender=trader)
                if leverage:
                    size = wad(20_000 * leverage / PRICES[MARKETS[market][0]])
                    try_tx(engine.modifyPosition, market, size, wad(10**9) if size > 0 else 0, sender=trader)

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
            # DESIGN 8.8: adding collateral (and, in USDC, repaying) always works, paused or not.
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

        # ------------------------------------------------------------ prices, time, oracle faults

        @rule(symbol=st.sampled_from(("WBTC", "WETH", "LTT")), move_bps=st.integers(-5_000, 3_000))
        def move_price(self, symbol: str, move_bps: int) -> None:
            """The feed moves and the keeper updates at once: the median moves, the TWAP follows over time."""
            feed = feeds[symbol]
            answer = feed.answer() * (10_000 + move_bps) // 10_000
            feed.setAnswer(max(answer, 1), sender=admin)
            try_tx(oracle.update, tokens[symbol], sender=keeper)

        @rule(move_bps=st.integers(-4_000, 4_000))
        def market_moves_and_settles(self, move_bps: int) -> None:
            """A lasting market-wide move of every volatile asset: the TWAPs catch up (statuses back to Ok) and the
            keeper, in the loop, liquidates whoever the move made liquidatable."""
            for symbol in ("WBTC", "WETH", "LTT"):
                feed = feeds[symbol]
                feed.setAnswer(max(feed.answer() * (10_000 + move_bps) // 10_000, 1), sender=admin)
            settle_prices(chain, oracle, {tokens[s]: [feeds[s]] for s in SYMBOLS}, TWAP_WINDOW, keeper)
            self.liquidate_everyone()

        @rule(seconds=st.sampled_from((1, 60, 601, 3_601)))
        def time_passes(self, seconds: int) -> None:
            chain.pending_timestamp += seconds
            for symbol in SYMBOLS:  # the feeds answer again (stamped now) and the keeper updates the oracle
                feeds[symbol].setAnswer(feeds[symbol].answer(), sender=admin)
                try_tx(oracle.update, tokens[symbol], sender=keeper)

        @rule(symbol=st.sampled_from(SYMBOLS))
        def guardian_toggles_freeze(self, symbol: str) -> None:
            frozen = oracle.status(tokens[symbol]) == FROZEN
            oracle.setFrozen(tokens[symbol], not frozen, sender=guardian)

        @rule(symbol=st.sampled_from(SYMBOLS))
        def update_oracle(self, symbol: str) -> None:
            try_tx(oracle.update, tokens[symbol], sender=keeper)

        # ------------------------------------------------------------ keeper

        @rule()
        def keeper_liquidates(self) -> None:
            self.liquidate_everyone()

        def liquidate_everyone(self) -> None:
            before = {t.address: self.account_books(t) for t in traders}
            tx = liquidator.liquidateMany(traders, sender=keeper)
            liquidated = {e.account for e in tx.events.filter(liquidator.Liquidated)}
            event(f"liquidated {len(liquidated)}")
            liquidated |= {e.account for e in tx.events.filter(liquidator.Absorbed)}
            for trader in traders:
                if trader.address not in liquidated:
                    assert (
                        self.account_books(trader) == before[trader.address]
                    )  # 8.5: touches no other account
                    continue
                # 8.6: no account is left with positions and negative equity.
                health = engine.liquidationHealth(trader) if self.prices_usable() else None
                if health is not None and health.maintenanceMargin != 0:
                    assert health.maintenanceEquity >= 0

        @rule(who=st.integers(0, 2), market=st.sampled_from(MARKET_IDS))
        def auto_deleverage(self, who: int, market: int) -> None:
            try_tx(engine.autoDeleverage, traders[who], market, sender=keeper)

        @rule()
        def sweep_insurance(self) -> None:
            try_tx(insurance.sweep, sender=keeper)

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
            """DESIGN 8.1 to 8.3 after every step, with one read of each number."""
            cash = [engine.cash(t) for t in traders]
            for symbol in SYMBOLS:
                token = tokens[symbol]
                total = engine.totalCollateral(token)
                # The engine's per-asset total is the sum of the accounts' balances.
                assert sum(engine.collateralBalance(t, token) for t in traders) == total
                # 8.1: every contract holds at least what its books say (the engine also holds traders' credit).
                credit = sum(c[0] for c in cash) if symbol == "USDC" else 0
                assert token.balanceOf(engine) >= total + credit
                if symbol in POOL_SYMBOLS:
                    assert token.balanceOf(pool) >= pool.reserves(token)
            assert usdc.balanceOf(insurance) >= insurance.bookedBalance()
            # 8.2: the LP balances sum to the supply.
            assert sum(pool.balanceOf(lp) for lp in lps) == pool.totalSupply()
            # 8.3: the accounts' scaled debts sum to the Pool's receivable.
            assert sum(c[1] for c in cash) == pool.totalScaledDebt()

    System.TestCase.settings = STATEFUL
    run_state_machine_as_test(System, settings=STATEFUL)
