"""Hypothesis property of the MarginEngine and the Liquidator: docs/design.md#invariants, item 6 (the loss waterfall).
The other items, self-liquidation and the 2022 Mango pattern are forge fuzz tests in tests/forge/engine/properties/.

Each example runs inside `chain.isolate()`. The example count comes from the hypothesis profile (tests/conftest.py):
`default` for `make test`, HYPOTHESIS_PROFILE=deep for a long exploration. Where a property compares health before
and after an action, the action's block is pinned to the previous block's timestamp, so no borrow fee accrues in
between and the comparison is exact.
"""

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

from ballast.risk import div_up, value_down

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
    model_health,
    price_ranges,
    price_where,
    units,
    wad,
)


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
