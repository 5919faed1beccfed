"""Differential test of `ballast.options_risk` against the OptionsBook listed as the engine's margin product: random
option portfolios (long and short calls and puts on WETH and WBTC) opened through `MarginEngine.tradeProduct`, random
price moves (settled TWAPs, or one oracle tick that splits median and TWAP), then time passing (up to and past
expiry). The cash each trade moves and every field of `accountRisk` must equal the mirror's to the wei, and the
engine's health must count exactly those figures.

Each example runs on a chain snapshot (`support.isolation.isolated`); the example count comes from the hypothesis
profile (tests/conftest.py).
"""

import pytest
from eth_abi import encode
from hypothesis import event, given
from hypothesis import strategies as st

from ballast.options_risk import OptionsRiskParams, Series, account_risk, premium, spread_bps
from ballast.prices import settle_prices
from ballast.reader import (
    fetch_account,
    fetch_borrow_index,
    fetch_max_price_ages,
    fetch_prices,
    fetch_risk_params,
)
from ballast.risk import Health, health

from support.core import FEED_DECIMALS, MAX_UINT, PRICES, TWAP_WINDOW, units, wad
from support.isolation import isolated

WEEK = 7 * 86_400
SETTLEMENT_WINDOW = 120
OPTIONS_PARAMS = (50, 500, 2_000, 1_500, 3_000, 3_000, 6_000, 100)
#: (symbol, strike as a multiple of the price in percent, call)
SERIES = (
    ("WETH", 100, True),
    ("WETH", 90, False),
    ("WETH", 130, True),
    ("WBTC", 110, False),
    ("WBTC", 100, True),
)


def trade(series_id: int, delta: int, limit: int) -> bytes:
    return encode(["(uint256,int256,int256)"], [(series_id, delta, limit)])


@pytest.fixture(scope="module")
def writer(seeded, tokens, engine, fresh):
    """`fresh` with $2M of USDC in the engine: margin for any portfolio the test opens."""
    tokens["USDC"].mint(fresh, units("USDC", 2_000_000), sender=fresh)
    tokens["USDC"].approve(engine, MAX_UINT, sender=fresh)
    engine.deposit(tokens["USDC"], units("USDC", 2_000_000), fresh, sender=fresh)
    return fresh


@pytest.fixture(scope="module")
def options(writer, project, engine, tokens, gov, risk_manager, chain):
    """An OptionsBook listed as margin product 0, 80 % implied vol on WETH and 60 % on WBTC, five series a week out."""
    book = project.OptionsBook.deploy(
        engine, gov, risk_manager, OPTIONS_PARAMS, SETTLEMENT_WINDOW, sender=gov
    )
    engine.listMarginProduct(book, sender=gov)
    book.setImpliedVol(tokens["WETH"], wad(0.8), sender=risk_manager)
    book.setImpliedVol(tokens["WBTC"], wad(0.6), sender=risk_manager)
    expiry = chain.pending_timestamp + WEEK
    for symbol, pct, call in SERIES:
        book.listSeries(
            tokens[symbol], wad(PRICES[symbol] * pct / 100), expiry, call, wad(1_000), sender=risk_manager
        )
    return book


@pytest.fixture(scope="module")
def params(options, engine, chain):
    return fetch_risk_params(engine, chain.blocks.head.number)


def chain_series(book, series_id: int) -> Series:
    s = book.series(series_id)
    return Series(
        str(s.asset), int(s.expiry), bool(s.isCall), int(s.strike), bool(s.settled), int(s.settlementPrice)
    )


def ranges(oracle, assets, block) -> dict[str, tuple[int, int]]:
    out = {}
    for asset in assets:
        d = oracle.getPriceData(asset, block_id=block)
        out[asset] = (min(d.median, d.twap), max(d.median, d.twap))
    return out


TRADES = st.lists(
    st.tuples(st.integers(1, len(SERIES)), st.integers(-20, -1) | st.integers(1, 20)), min_size=1, max_size=4
)
MOVES = st.dictionaries(st.sampled_from(("WETH", "WBTC")), st.integers(60, 160), max_size=2)


@given(
    trades=TRADES,
    moves=MOVES,
    settle=st.booleans(),
    elapsed=st.sampled_from([0, 1, 3_600, 86_400 * 3, WEEK - 30, WEEK + 600]),
    through_expiry=st.booleans(),
    tick_first=st.sampled_from([0, 990, 1_008]),
    settle_series=st.booleans(),
)
def test_options_risk__random_portfolios_and_prices__equal_the_book_to_the_wei(
    chain,
    options,
    params,
    engine,
    pool,
    oracle,
    feeds,
    tokens,
    gov,
    writer,
    trades,
    moves,
    settle,
    elapsed,
    through_expiry,
    settle_series,
    tick_first,
):
    with isolated(chain):
        book = options
        risk = OptionsRiskParams.from_chain(book.riskParams())
        vols = {str(tokens[s].address): int(book.impliedVol(tokens[s])) for s in ("WETH", "WBTC")}
        held: dict[int, int] = {}
        if tick_first:  # one oracle tick before the trades: the median moves, the TWAP lags (low != high)
            for symbol in ("WETH", "WBTC"):
                feeds[symbol].setAnswer(PRICES[symbol] * 10**FEED_DECIMALS * tick_first // 1_000, sender=gov)
                oracle.update(tokens[symbol], sender=gov)
        for series_id, tenths in trades:
            delta = wad(tenths / 10)
            block = chain.blocks.head.number
            s = book.series(series_id, block_id=block)
            # The spread the book sees: the open interest after the trade on the side it adds to.
            size = held.get(series_id, 0)
            after = size + delta
            long_after = s.longOpen - max(size, 0) + max(after, 0)
            short_after = s.shortOpen - max(-size, 0) + max(-after, 0)
            net = max(long_after - short_after, 0) if delta > 0 else max(short_after - long_after, 0)
            spread = spread_bps(risk, net, s.maxOpenSize)
            adds_risk = abs(after) > abs(size) or size * after < 0
            low, high = oracle.priceBounds(s.asset, 0 if adds_risk else 1, block_id=block)
            receipt = engine.tradeProduct(0, trade(series_id, delta, -(10**30)), sender=writer)
            timestamp = chain.blocks[receipt.block_number].timestamp
            expected = premium(
                chain_series(book, series_id), delta, vols[str(s.asset)], low, high, spread, timestamp
            )
            traded = list(receipt.decode_logs(book.OptionTraded))
            assert len(traded) == 1
            assert traded[0].cashUsd == expected, "premium"
            assert traded[0].spreadBps == spread
            held[series_id] = after
            if after == 0:
                del held[series_id]

        for symbol, pct in moves.items():
            feeds[symbol].setAnswer(PRICES[symbol] * 10**FEED_DECIMALS * pct // 100, sender=gov)
            if not settle:
                oracle.update(tokens[symbol], sender=gov)
        if settle and moves:
            settle_prices(chain, oracle, {tokens[s]: [feeds[s]] for s in moves}, TWAP_WINDOW, gov)
        expiry = min(int(book.series(i).expiry) for i in range(1, len(SERIES) + 1))
        if through_expiry:
            # The keepers update the oracle every minute across expiry: the ring records the settlement window.
            start = max(chain.blocks.head.timestamp + 1, expiry - 300)
            for t in range(start, expiry + 240, 60):
                chain.pending_timestamp = t
                for symbol in ("WETH", "WBTC"):
                    feeds[symbol].setUpdatedAt(t, sender=gov)
                    oracle.update(tokens[symbol], sender=gov)
            if settle_series:
                for i in range(1, len(SERIES) + 1):
                    book.settle(i, sender=gov)
        elif elapsed:
            chain.mine(1, timestamp=chain.blocks.head.timestamp + elapsed)
        head = chain.blocks.head
        block = head.number

        series = {i: chain_series(book, i) for i in range(1, len(SERIES) + 1)}
        assets = {str(tokens[s].address) for s in ("WETH", "WBTC")}
        positions = {
            i: int(book.positionOf(writer, i, block_id=block))
            for i in book.accountSeries(writer, block_id=block)
        }
        assert positions == held
        recorded = {}
        for i, s in series.items():
            if head.timestamp >= s.expiry:
                price, complete, observed = oracle.twapEndingAt(
                    s.asset, SETTLEMENT_WINDOW, s.expiry, block_id=block
                )
                if complete and observed >= SETTLEMENT_WINDOW:
                    recorded[i] = int(price)
        ours = account_risk(
            positions, series, vols, ranges(oracle, assets, block), risk, head.timestamp, recorded
        )
        theirs = book.accountRisk(writer, False, block_id=block)
        assert (
            ours.maintenance_value,
            ours.maintenance_margin,
            ours.initial_value,
            ours.initial_margin,
            ours.stress_loss,
        ) == tuple(theirs)

        # The engine counts exactly these figures (the reader reads them from the book).
        max_ages = fetch_max_price_ages(oracle, sorted(params.assets()), block)
        account = fetch_account(engine, params, writer.address, block)
        assert account.products.get(0) == (ours if positions else None)
        mine = health(
            account, params, fetch_prices(oracle, max_ages, block, max_ages), fetch_borrow_index(pool, block)
        )
        assert mine == Health.from_chain(engine.health(writer, block_id=block))
        event(f"{len(positions)} series held")
        event("short" if any(v < 0 for v in positions.values()) else "long only")
        event("expired" if head.timestamp >= expiry else "live")
        event(f"{len(recorded)} recorded, {sum(s.settled for s in series.values())} settled")
