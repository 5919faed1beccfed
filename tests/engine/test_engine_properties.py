"""Hypothesis properties of the MarginEngine and the Liquidator: docs/design.md#invariants, items 4 to 9,
self-liquidation under every valid Liquidator parameter set, and the 2022 Mango pattern.

Each example runs inside `chain.isolate()`. The example count comes from the hypothesis profile (tests/conftest.py):
`default` for `make test`, HYPOTHESIS_PROFILE=deep for a long exploration. Where a property compares health before
and after an action, the action's block is pinned to the previous block's timestamp, so no borrow fee accrues in
between and the comparison is exact.
"""

import ape
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

from ballast.risk import borrow_fee, div_up, pnl_down, value_down

from support.core import (
    BPS,
    DECIMALS,
    MARKET_ASSET,
    MARKETS,
    MAX_UINT,
    PRICES,
    SYMBOLS,
    WAD,
    WBTC_PERP,
    WETH_PERP,
    account_books,
    feed_price,
    health_dict,
    mark_value,
    model_health,
    pin_time,
    price_ranges,
    price_where,
    units,
    wad,
)


def surplus(h) -> int:
    return h.maintenanceEquity - h.maintenanceMargin


def max_open_size(books: dict, market: int, long: bool, prices, index: int) -> int:
    """Largest size (base units) the model lets `books` open in `market` at the current prices: initial equity,
    net of the trading fee, covers the initial margin and the stress equity stays non-negative."""
    symbol = MARKET_ASSET[market]
    price = prices[symbol][1] if long else prices[symbol][0]
    fee_bps = MARKETS[market][4]

    def fits(size: int) -> bool:
        fee = div_up(div_up(div_up(size * price, WAD) * fee_bps, BPS) * 10**6, WAD)
        trial = {
            **books,
            "scaled_debt": books["scaled_debt"] + div_up(fee * WAD, index),
            "positions": {**books["positions"], market: (size if long else -size, price, index)},
        }
        h = model_health(trial, prices, index)
        return h["initialEquity"] >= h["initialMargin"] and h["stressEquity"] >= 0

    low, high = 0, 10**30
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if fits(mid) else (low, mid)
    return low


def round_size(size: int, market: int) -> int:
    """Round a size down to a multiple of ten minimum sizes."""
    step = MARKETS[market][6] * 10
    return size // step * step


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def funded(
    seeded,
    tokens,
    engine,
    insurance,
    pool,
    trader,
    trader2,
    stranger,
    keeper,
    fresh,
    lp,
    gov,
    risk_manager,
    guardian,
):
    """A billion dollars of each token an account uses, approved to the engine (and to the fund, the Pool)."""
    uses = {
        trader: SYMBOLS,
        trader2: ("USDC", "WETH", "WBTC"),
        stranger: ("USDC", "WETH", "WBTC", "LTT"),  # gifts, and the InsuranceFund's seed
        fresh: SYMBOLS,
        keeper: ("WETH", "WBTC"),  # keeper and role holders try to move these into the victim's account
        gov: ("WETH", "WBTC"),
        risk_manager: ("WETH", "WBTC"),
        guardian: ("WETH", "WBTC"),
    }
    for account, symbols in uses.items():
        for symbol in symbols:
            tokens[symbol].mint(account, units(symbol, 10**9 / PRICES[symbol]), sender=account)
            tokens[symbol].approve(engine, MAX_UINT, sender=account)
    tokens["USDC"].approve(insurance, MAX_UINT, sender=stranger)
    for symbol in ("USDC", "WBTC", "WETH"):
        tokens[symbol].mint(lp, units(symbol, 10**9 / PRICES[symbol]), sender=lp)
        tokens[symbol].approve(pool, MAX_UINT, sender=lp)
    return seeded


@pytest.fixture(scope="module")
def book(funded, engine, tokens, trader, trader2):
    """The victim (`trader`): WETH and LTT collateral, a USDC loan, long WETH and short WBTC. The bystander
    (`trader2`): USDC cash, long WETH and short WBTC, far from liquidation."""
    engine.deposit(tokens["WETH"], units("WETH", 4), trader, sender=trader)
    engine.deposit(tokens["LTT"], units("LTT", 500), trader, sender=trader)
    engine.modifyPosition(WETH_PERP, wad(5), wad(10**6), sender=trader)
    engine.modifyPosition(WBTC_PERP, -wad(0.1), 0, sender=trader)
    engine.withdraw(tokens["USDC"], units("USDC", 2_000), trader, sender=trader)
    engine.deposit(tokens["USDC"], units("USDC", 100_000), trader2, sender=trader2)
    engine.modifyPosition(WETH_PERP, wad(2), wad(10**6), sender=trader2)
    engine.modifyPosition(WBTC_PERP, -wad(0.2), 0, sender=trader2)
    return funded


@pytest.fixture(scope="module")
def tick(feeds, oracle, tokens, gov):
    """Set each symbol's feed and update the oracle once: the median moves, the TWAP lags (maybe `Deviated`)."""

    def _tick(prices: dict[str, int]):
        for symbol, price in prices.items():
            feeds[symbol].setAnswer(price, sender=gov)
            oracle.update(tokens[symbol], sender=gov)

    return _tick


# ---------------------------------------------------------------- item 4: only prices and accrual lower health


@given(
    pct=st.integers(40, 150),
    donor_is_owner=st.booleans(),
    symbol=st.sampled_from(["USDC", "WETH", "LTT"]),
    amount=st.integers(1, 10**24),
)
def test_gift__any_amount_from_anyone__never_lowers_health(
    chain, book, engine, tokens, tick, trader, stranger, pct, donor_is_owner, symbol, amount
):
    """Item 4: collateral or settlement tokens deposited into an account, by its owner or by a stranger, at any
    WETH price (healthy or not), raise or keep every equity figure and leave the margins alone."""
    with chain.isolate():
        if pct != 100:
            tick({"WETH": feed_price("WETH", pct)})
        amount = amount % (units(symbol, 10**6 / PRICES[symbol])) + 1  # at most $1M
        donor = trader if donor_is_owner else stranger
        before = engine.health(trader)
        pin_time(chain)
        engine.deposit(tokens[symbol], amount, trader, sender=donor)
        after = engine.health(trader)
        assert after.maintenanceEquity >= before.maintenanceEquity
        assert after.initialEquity >= before.initialEquity
        assert after.stressEquity >= before.stressEquity
        assert (after.maintenanceMargin, after.initialMargin) == (
            before.maintenanceMargin,
            before.initialMargin,
        )
        assert before.liquidatable or not after.liquidatable


OTHERS_OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("trade"),
            st.sampled_from([WETH_PERP, WBTC_PERP]),
            st.one_of(st.integers(1, 30), st.integers(-30, -1)),
        ),
        st.tuples(st.just("gift"), st.just(None), st.integers(1, 10**6)),
        st.tuples(st.just("borrow"), st.just(None), st.integers(1, 10**4)),
        st.tuples(st.just("lp"), st.sampled_from(["USDC", "WBTC", "WETH"]), st.integers(1, 10**6)),
        st.tuples(st.just("batch"), st.just(None), st.just(None)),
    ),
    min_size=1,
    max_size=4,
)


@given(ops=OTHERS_OPS)
def test_healthy_account__other_accounts_actions_without_price_move__leave_its_health_unchanged(
    chain, book, engine, pool, liquidator, tokens, trader, trader2, stranger, keeper, lp, ops
):
    """Item 4 (and 10): with prices and the borrow index still, nothing another trader, an LP or a keeper does
    changes an account's books or health."""
    with chain.isolate():
        books, health = account_books(engine, tokens, trader), health_dict(engine.health(trader))
        for op, arg, n in ops:
            pin_time(chain)
            if op == "trade":  # multiples of ten minimum sizes: never dust
                size = n * MARKETS[arg][6] * 10
                engine.modifyPosition(arg, size, wad(10**6) if size > 0 else 0, sender=trader2)
            elif op == "gift":
                engine.deposit(tokens["USDC"], units("USDC", n), trader2, sender=stranger)
            elif op == "borrow":
                engine.withdraw(tokens["USDC"], units("USDC", n), trader2, sender=trader2)
            elif op == "lp":
                pool.deposit(tokens[arg], units(arg, n / PRICES[arg]) + 1, 0, lp, sender=lp)
            else:
                tx = liquidator.liquidateMany([trader, trader2], sender=keeper)
                skipped = [e.account for e in tx.events.filter(liquidator.Skipped)]
                assert skipped == [trader.address, trader2.address]
            assert account_books(engine, tokens, trader) == books
            assert health_dict(engine.health(trader)) == health


# ---------------------------------------------------------------- item 5: liquidation


@given(
    weth_pct=st.integers(30, 110),
    batch=st.booleans(),
)
def test_liquidate__only_unhealthy__raises_health_or_closes_and_touches_no_other_account(
    chain, book, engine, liquidator, tokens, settle, trader, trader2, keeper, weth_pct, batch
):
    """Item 5: after WETH moves, liquidating the victim (alone or in a batch with a healthy bystander) reverts or
    is skipped when it is healthy; otherwise its maintenance surplus (equity - margin) rises, or it is closed out.
    The bystander's books and health do not change."""
    with chain.isolate():
        settle({"WETH": feed_price("WETH", weth_pct)})
        before = engine.liquidationHealth(trader)
        bystander = (account_books(engine, tokens, trader2), health_dict(engine.health(trader2)))
        victim_books = account_books(engine, tokens, trader)
        pin_time(chain)
        if batch:
            tx = liquidator.liquidateMany([trader, trader2], sender=keeper)
            skipped = [e.account for e in tx.events.filter(liquidator.Skipped)]
            assert skipped == [a.address for a in (trader, trader2) if a != trader or not before.liquidatable]
        elif before.liquidatable:
            liquidator.liquidate(trader, sender=keeper)
        else:
            with ape.reverts(liquidator.NotLiquidatable, account=trader.address):
                liquidator.liquidate(trader, sender=keeper)

        after = engine.liquidationHealth(trader)
        event("liquidated" if before.liquidatable else "healthy")
        if before.liquidatable:
            assert surplus(after) > surplus(before)
        else:
            assert account_books(engine, tokens, trader) == victim_books
        assert (account_books(engine, tokens, trader2), health_dict(engine.health(trader2))) == bystander


# ---------------------------------------------------------------- item 6: the loss waterfall

BASKETS = st.sampled_from(["USDC", "WETH", "WBTC", "LTT"])


@given(
    collateral=BASKETS,
    collateral_usd=st.integers(1_000, 50_000),
    market=st.sampled_from([WETH_PERP, WBTC_PERP]),
    long=st.booleans(),
    leverage_pct=st.integers(20, 95),
    beyond_pct=st.integers(0, 60),
    seed_usd=st.integers(0, 3_000),
)
def test_liquidation__any_crash__leaves_no_negative_equity_and_covers_or_socializes_every_deficit(
    chain,
    book,
    engine,
    pool,
    liquidator,
    insurance,
    oracle,
    tokens,
    settle,
    fresh,
    trader,
    trader2,
    stranger,
    keeper,
    collateral,
    collateral_usd,
    market,
    long,
    leverage_pct,
    beyond_pct,
    seed_usd,
):
    """The market moves against a position to where the account turns liquidatable, and `beyond_pct` percent
    further (collateral in the market's asset moves with it). Keepers liquidate until the account is healthy or
    gone; every absorption's numbers follow the waterfall."""
    asset = MARKET_ASSET[market]
    assume(long or collateral != asset)  # a short hedged by its own collateral may never turn liquidatable
    with chain.isolate():
        if seed_usd:
            insurance.fund(units("USDC", seed_usd), b"seed".ljust(32, b"\0"), sender=stranger)
        engine.deposit(
            tokens[collateral], units(collateral, collateral_usd / PRICES[collateral]), fresh, sender=fresh
        )
        prices, index = price_ranges(oracle, tokens), pool.borrowIndex()
        books = account_books(engine, tokens, fresh)
        size = round_size(max_open_size(books, market, long, prices, index) * leverage_pct // 100, market)
        engine.modifyPosition(market, size if long else -size, wad(10**6) if long else 0, sender=fresh)

        books = account_books(engine, tokens, fresh)
        edge = price_where(
            asset, lambda p: model_health(books, p, index)["liquidatable"], prices, rising=not long
        )
        settle({asset: edge * (100 - beyond_pct if long else 100 + beyond_pct) // 100})

        prices = price_ranges(oracle, tokens)
        assert engine.liquidationHealth(fresh).liquidatable
        for _ in range(8):
            if not engine.liquidationHealth(fresh).liquidatable:
                break
            fund_before = insurance.bookedBalance()
            tx = liquidator.liquidate(fresh, sender=keeper)
            (liquidated,) = tx.events.filter(liquidator.Liquidated)
            absorbed = list(tx.events.filter(liquidator.Absorbed))
            socialized = list(tx.events.filter(pool.DeficitSocialized))
            available = fund_before + liquidated.penalty - liquidated.keeperReward
            if not absorbed:
                event("partial or full close, no absorption")
                assert insurance.bookedBalance() == available
                assert not socialized
                continue
            (a,) = absorbed
            (written_off,) = tx.events.filter(engine.DebtWrittenOff)
            index = pool.borrowIndex(block_id=tx.block_number)
            symbol_of = {tokens[s].address: s for s in SYMBOLS}
            seized = [(symbol_of[e.asset], e.amount) for e in tx.events.filter(engine.CollateralSeized)]
            usd = sum(value_down(amount, prices[s][0], DECIMALS[s]) for s, amount in seized)
            assert a.collateralValue == usd * 10**6 // prices["USDC"][1]
            assert a.debt == div_up(written_off.scaledDebt * index, WAD)
            assert a.deficit == max(a.debt - a.collateralValue, 0)
            assert a.insuranceCovered == min(a.deficit, available)
            uncovered = a.deficit - a.insuranceCovered
            event("absorbed: " + ("socialized" if uncovered else "covered" if a.deficit else "no deficit"))
            if uncovered:
                (social,) = socialized
                assert uncovered <= social.amount <= uncovered + 1
            else:
                assert not socialized
            # The fund paid the cover; the rounding dust of repaying it (at most a unit) came back.
            assert 0 <= insurance.bookedBalance() - (available - a.insuranceCovered) <= 1
            assert account_books(engine, tokens, fresh) == {
                "collateral": {},
                "credit": 0,
                "scaled_debt": 0,
                "positions": {},
            }

        h = engine.liquidationHealth(fresh)
        assert not h.liquidatable
        if account_books(engine, tokens, fresh)["positions"]:
            assert h.maintenanceEquity >= 0
        # The Pool's receivable is exactly what the accounts owe (item 3).
        assert pool.totalScaledDebt() == sum(engine.cash(a)[1] for a in (fresh, trader, trader2))


# ---------------------------------------------------------------- item 7: round trips


@given(
    collateral=st.sampled_from(["WETH", "WBTC", "LTT"]),
    collateral_usd=st.integers(0, 100_000),
    cash_usd=st.integers(100, 100_000),
    market=st.sampled_from([WETH_PERP, WBTC_PERP]),
    long=st.booleans(),
    leverage_pct=st.integers(1, 90),
)
def test_round_trip__deposit_open_close_withdraw_in_one_block__never_returns_more(
    chain,
    book,
    engine,
    pool,
    oracle,
    tokens,
    fresh,
    collateral,
    collateral_usd,
    cash_usd,
    market,
    long,
    leverage_pct,
):
    """Item 7: deposit cash and collateral, open, close, withdraw everything, all at one timestamp (as in one
    block): the trader gets its collateral back and its cash less exactly the two trading fees."""
    with chain.isolate():
        usdc, token = tokens["USDC"], tokens[collateral]
        cash, amount = units("USDC", cash_usd), units(collateral, collateral_usd / PRICES[collateral])
        wallet = (usdc.balanceOf(fresh), token.balanceOf(fresh))
        pin_time(chain)
        engine.deposit(usdc, cash, fresh, sender=fresh)
        if amount:
            pin_time(chain)
            engine.deposit(token, amount, fresh, sender=fresh)
        prices, index = price_ranges(oracle, tokens), pool.borrowIndex()
        books = account_books(engine, tokens, fresh)
        price = prices[MARKET_ASSET[market]][0]
        fee_bps = MARKETS[market][4]
        # Both trading fees come out of the cash: 2 * notional * fee <= cash, with a tenth to spare.
        by_cash = cash * 10**12 * BPS // (2 * fee_bps) * 9 // 10 * WAD // price
        size = min(max_open_size(books, market, long, prices, index), by_cash) * leverage_pct // 100
        size = round_size(size, market)
        if size:
            pin_time(chain)
            engine.modifyPosition(market, size if long else -size, wad(10**6) if long else 0, sender=fresh)
            pin_time(chain)
            engine.modifyPosition(market, -size if long else size, 0 if long else wad(10**6), sender=fresh)
        credit, scaled_debt, _ = engine.cash(fresh)
        assert scaled_debt == 0  # the cash covered both fees
        if credit:
            pin_time(chain)
            engine.withdraw(usdc, credit, fresh, sender=fresh)
        if amount:
            pin_time(chain)
            engine.withdraw(token, amount, fresh, sender=fresh)

        # Back out: the collateral in full, the cash less the two trading fees, nothing more.
        fee = div_up(div_up(div_up(size * price, WAD) * fee_bps, BPS) * 10**6, WAD)
        assert token.balanceOf(fresh) == wallet[1]
        assert usdc.balanceOf(fresh) == wallet[0] - 2 * fee <= wallet[0]
        assert account_books(engine, tokens, fresh) == {
            "collateral": {},
            "credit": 0,
            "scaled_debt": 0,
            "positions": {},
        }


# ---------------------------------------------------------------- item 8: add, repay, withdraw always possible

ORACLE_TROUBLE = st.sampled_from(["ok", "deviated", "stale", "frozen"])


@pytest.fixture(scope="module")
def trouble(chain, oracle, tokens, feeds, guardian, tick):
    """Put the oracle in a state: every price `ok`, WETH and LTT `deviated`, every price `stale`, or every
    price `frozen`."""

    def _trouble(state: str):
        if state == "deviated":
            tick({"WETH": feed_price("WETH", 150), "LTT": feed_price("LTT", 50)})
        elif state == "stale":
            chain.pending_timestamp += 2 * 3_600
            chain.mine()
        elif state == "frozen":
            for token in tokens.values():
                oracle.setFrozen(token, True, sender=guardian)
        expected = {"ok": 0, "deviated": 1, "stale": 2, "frozen": 3}[state]
        touched = ("WETH", "LTT") if state == "deviated" else SYMBOLS
        assert {oracle.status(tokens[s]) for s in touched} == {expected}

    return _trouble


@given(
    state=ORACLE_TROUBLE,
    paused=st.booleans(),
    symbol=st.sampled_from(["WETH", "LTT"]),
    amount=st.integers(1, 10**22),
    repay=st.integers(1, 5_000 * 10**6),
)
def test_add_collateral_and_repay__any_oracle_status_or_pause__always_succeed(
    chain, book, engine, pool, tokens, trouble, guardian, trader, state, paused, symbol, amount, repay
):
    """Item 8: whatever the oracle status and the pause, an account with positions and debt can add collateral
    and repay; the repayment cancels exactly the scaled debt it buys."""
    with chain.isolate():
        trouble(state)
        if paused:
            engine.setNewRiskPaused(True, sender=guardian)
        collateral = engine.collateralBalance(trader, tokens[symbol])
        engine.deposit(tokens[symbol], amount, trader, sender=trader)
        assert engine.collateralBalance(trader, tokens[symbol]) == collateral + amount

        credit, scaled_debt, _ = engine.cash(trader)
        pin_time(chain)
        index = pool.borrowIndex()
        engine.deposit(tokens["USDC"], repay, trader, sender=trader)
        scaled = min(repay * WAD // index, scaled_debt)
        assert engine.cash(trader)[:2] == (credit + repay - div_up(scaled * index, WAD), scaled_debt - scaled)


@given(
    state=ORACLE_TROUBLE,
    paused=st.booleans(),
    # symbol: (amount deposited, percent of it withdrawn)
    holdings=st.dictionaries(
        st.sampled_from(SYMBOLS), st.tuples(st.integers(1, 10**24), st.integers(1, 100)), min_size=1
    ),
)
def test_withdraw__no_debt_and_no_positions__succeeds_in_any_oracle_status(
    chain, book, engine, tokens, trouble, guardian, fresh, state, paused, holdings
):
    """Item 8: an account without debt and positions withdraws any part of its collateral and cash whatever the
    oracle status and the pause."""
    with chain.isolate():
        left = {}
        for symbol, (amount, _) in holdings.items():
            left[symbol] = amount % units(symbol, 10**6 / PRICES[symbol]) + 1  # at most $1M
            engine.deposit(tokens[symbol], left[symbol], fresh, sender=fresh)
        trouble(state)
        if paused:
            engine.setNewRiskPaused(True, sender=guardian)
        for symbol, (_, percent) in holdings.items():
            token = tokens[symbol]
            out = max(left[symbol] * percent // 100, 1)
            wallet = token.balanceOf(fresh)
            engine.withdraw(token, out, fresh, sender=fresh)
            assert token.balanceOf(fresh) == wallet + out
            left[symbol] -= out
        books = account_books(engine, tokens, fresh)
        assert books["credit"] == left.pop("USDC", 0)
        assert books["collateral"] == {s: a for s, a in left.items() if a}


# ---------------------------------------------------------------- item 9: nobody else takes from an account

ATTACKS = st.lists(
    st.tuples(
        st.sampled_from(["close", "charge", "seize", "write_off", "liquidate", "gift", "gift_new"]),
        st.sampled_from(["gov", "risk_manager", "guardian", "stranger", "keeper", "trader2"]),
        st.integers(1, 10**9),
    ),
    min_size=1,
    max_size=4,
)


@given(attacks=ATTACKS)
def test_non_liquidator__any_call__never_reduces_another_accounts_collateral_or_adds_to_its_debt(
    chain,
    book,
    engine,
    liquidator,
    tokens,
    trader,
    gov,
    risk_manager,
    guardian,
    stranger,
    keeper,
    trader2,
    attacks,
):
    """Item 9: whoever calls (roles included), the Liquidator-only entry points revert Unauthorized, a liquidation
    of a healthy account reverts, and a stranger may only top up what the account holds: its collateral never
    falls, its debt never grows, its positions never move."""
    by_role = {
        "gov": gov,
        "risk_manager": risk_manager,
        "guardian": guardian,
        "stranger": stranger,
        "keeper": keeper,
        "trader2": trader2,
    }
    with chain.isolate():
        for op, role, n in attacks:
            attacker = by_role[role]
            before = account_books(engine, tokens, trader)
            if op == "close":
                with ape.reverts(engine.Unauthorized, caller=attacker.address):
                    engine.closeForLiquidation(trader, n % BPS + 1, 0, sender=attacker)
            elif op == "charge":
                with ape.reverts(engine.Unauthorized, caller=attacker.address):
                    engine.chargePenalty(trader, attacker, n, n, sender=attacker)
            elif op == "seize":
                with ape.reverts(engine.Unauthorized, caller=attacker.address):
                    engine.seizeAllCollateral(trader, sender=attacker)
            elif op == "write_off":
                with ape.reverts(engine.Unauthorized, caller=attacker.address):
                    engine.writeOffDebt(trader, sender=attacker)
            elif op == "liquidate":  # the victim is healthy
                with ape.reverts(liquidator.NotLiquidatable, account=trader.address):
                    liquidator.liquidate(trader, sender=attacker)
            elif op == "gift":  # topping up an asset the victim holds is allowed
                engine.deposit(tokens["WETH"], n, trader, sender=attacker)
            else:  # adding an asset to the victim's list is not
                with ape.reverts(engine.NotAccountOwner, account=trader.address, caller=attacker.address):
                    engine.deposit(tokens["WBTC"], n, trader, sender=attacker)
            after = account_books(engine, tokens, trader)
            assert all(after["collateral"].get(s, 0) >= a for s, a in before["collateral"].items())
            assert after["scaled_debt"] <= before["scaled_debt"]
            assert after["positions"] == before["positions"]


# ---------------------------------------------------------------- self-liquidation never pays

LIQUIDATOR_PARAMS = st.tuples(
    st.integers(1_000, 10_000),  # closeFactorBps
    st.integers(0, 10_000),  # criticalHealthBps
    st.integers(0, 499),  # penaltyBps: below every market's 500 bps maintenance fraction
    st.integers(0, 10_000),  # keeperShareBps
    st.one_of(st.integers(0, 10**8), st.integers(0, 2**64 - 1)),  # minKeeperReward
    st.one_of(st.integers(0, 10**21), st.integers(0, 2**128 - 1)),  # dustMarginUsd
)


def self_liquidation_gain(chain, engine, liquidator, pool, oracle, tokens, owner, own_keeper) -> int:
    """Liquidate `owner`'s account from `own_keeper` (in the same second: no accrual); return the change of what
    the owner holds: the account's value at the median (its claim on it: never below zero) plus the USDC in both
    wallets, in USD (WAD)."""
    prices, index = price_ranges(oracle, tokens), pool.borrowIndex()  # the liquidation changes neither
    usdc = tokens["USDC"]

    def held() -> int:
        value = mark_value(account_books(engine, tokens, owner), prices, index)
        return max(value, 0) + (usdc.balanceOf(own_keeper) + usdc.balanceOf(owner)) * 10**12

    before = held()
    pin_time(chain)
    liquidator.liquidate(owner, sender=own_keeper)
    return held() - before


@given(params=LIQUIDATOR_PARAMS, depth_bps=st.integers(0, 9_999))
def test_self_liquidation__any_valid_liquidator_params__never_profitable_for_a_solvent_account(
    chain,
    book,
    engine,
    liquidator,
    pool,
    oracle,
    tokens,
    settle,
    risk_manager,
    trader,
    own_keeper,
    params,
    depth_bps,
):
    """The owner drives its account below maintenance, to `depth_bps` of the way from the maintenance margin
    down to zero maintenance equity, and liquidates it itself. Its collateral haircuts keep its value above any
    penalty: the liquidation is paid by the account, and the owner gets back at most what it pays."""
    with chain.isolate():
        liquidator.setParams(params, sender=risk_manager)
        prices, index = price_ranges(oracle, tokens), pool.borrowIndex()
        books = account_books(engine, tokens, trader)

        def deep_enough(h) -> bool:
            return h["maintenanceEquity"] * BPS < h["maintenanceMargin"] * (BPS - depth_bps)

        settle({"WETH": price_where("WETH", lambda p: deep_enough(model_health(books, p, index)), prices)})
        assert engine.liquidationHealth(trader).liquidatable
        assert self_liquidation_gain(chain, engine, liquidator, pool, oracle, tokens, trader, own_keeper) <= 0


def test_self_liquidation__account_worth_less_than_the_keeper_reward__still_not_profitable(
    chain, book, engine, liquidator, pool, oracle, tokens, settle, trader, own_keeper
):
    """The penalty is paid only out of what the account is still worth after the close, so an owner cannot make
    the InsuranceFund or the LPs pay it the keeper reward of its own nearly worthless account."""
    prices, index = price_ranges(oracle, tokens), pool.borrowIndex()
    books = account_books(engine, tokens, trader)
    # WETH falls until the account is worth $5 at the median: less than the keeper reward (~$40 by default).
    settle({"WETH": price_where("WETH", lambda p: mark_value(books, p, index) <= 5 * WAD, prices)})
    assert engine.liquidationHealth(trader).liquidatable
    assert self_liquidation_gain(chain, engine, liquidator, pool, oracle, tokens, trader, own_keeper) <= 0


# ---------------------------------------------------------------- Mango, 2022


@given(
    collateral=st.sampled_from(["LTT", "WETH"]),
    market=st.sampled_from([WETH_PERP, WBTC_PERP]),
    pump_pct=st.integers(110, 1_000),
    borrow=st.booleans(),
    profit_share_bps=st.integers(1, 10_000),
)
def test_pumped_price__unrealized_profit__can_be_neither_withdrawn_nor_borrowed_against(
    chain,
    book,
    engine,
    pool,
    oracle,
    tokens,
    settle,
    fresh,
    collateral,
    market,
    pump_pct,
    borrow,
    profit_share_bps,
):
    """A trader long a perp (on collateral that may be the same asset) pumps the asset's price and lets the TWAP
    catch up. Its maintenance equity shows the profit; any withdrawal or loan beyond what its collateral alone
    supports, up to the full profit, reverts with InsufficientMargin."""
    with chain.isolate():
        token = tokens[collateral]
        engine.deposit(token, units(collateral, 20_000 / PRICES[collateral]), fresh, sender=fresh)
        prices, index = price_ranges(oracle, tokens), pool.borrowIndex()
        books = account_books(engine, tokens, fresh)
        size = round_size(max_open_size(books, market, True, prices, index) // 2, market)
        engine.modifyPosition(market, size, wad(10**6), sender=fresh)
        before = engine.health(fresh)

        asset = MARKET_ASSET[market]
        settle({asset: feed_price(asset, pump_pct)})
        prices, index = price_ranges(oracle, tokens), pool.borrowIndex()
        books = account_books(engine, tokens, fresh)
        assert health_dict(engine.health(fresh)) == model_health(books, prices, index)
        entry = books["positions"][market][1]
        profit_usd = pnl_down(size, entry, prices[asset][0]) - borrow_fee(
            size, entry, books["positions"][market][2], index
        )
        assert engine.health(fresh).maintenanceEquity - before.maintenanceEquity >= profit_usd * 9 // 10

        def allowed(out: int) -> bool:
            if borrow:
                trial = {**books, "scaled_debt": books["scaled_debt"] + div_up(out * WAD, index)}
            else:
                trial = {
                    **books,
                    "collateral": {**books["collateral"], collateral: books["collateral"][collateral] - out},
                }
            h = model_health(trial, prices, index)
            return h["initialEquity"] >= h["initialMargin"] and h["stressEquity"] >= 0

        symbol = "USDC" if borrow else collateral
        cap = units(symbol, 10**9) if borrow else books["collateral"][collateral]
        low, high = 0, cap + 1
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (mid, high) if allowed(mid) else (low, mid)
        profit_units = profit_usd * 10 ** DECIMALS[symbol] // prices[symbol][1]
        attempt = low + 1 + profit_units * profit_share_bps // BPS
        if borrow or attempt <= cap:
            pin_time(chain)
            with ape.reverts(engine.InsufficientMargin):
                engine.withdraw(tokens[symbol], attempt, fresh, sender=fresh)
        if low:  # what the collateral alone supports still goes through
            pin_time(chain)
            engine.withdraw(tokens[symbol], low, fresh, sender=fresh)
