"""Constants and helpers of the MarginEngine and Liquidator tests and of every suite on the whole core."""

from ballast.risk import (
    AccountState,
    AssetPrice,
    PositionState,
    PriceStatus,
    RiskParams,
    borrow_fee,
    div_up,
    health,
    pnl_down,
    value_down,
)

WAD = 10**18
MAX_UINT = 2**256 - 1
SYMBOLS = ("USDC", "WBTC", "WETH", "LTT")  # the core's assets, in the order the Pool lists them
PRICES = {"USDC": 1, "WBTC": 60_000, "WETH": 3_000, "LTT": 10}
DECIMALS = {"USDC": 6, "WBTC": 8, "WETH": 18, "LTT": 18}
FEED_DECIMALS = 8
TWAP_WINDOW = 600
MAX_PRICE_AGE = 3_600
# initialHaircutBps, maintHaircutBps, stressShockBps, supplyCap
COLLATERAL = {
    "WBTC": (1_500, 1_000, 2_000, 2**127),
    "WETH": (1_500, 1_000, 2_000, 2**127),
    "LTT": (5_000, 4_000, 5_000, 2**127),
}
# asset, initialMarginBps, maintenanceMarginBps, stressShockBps, tradingFeeBps, reserveFactorBps, minSize, longCap,
# shortCap
WETH_PERP, WBTC_PERP = 0, 1
MARKETS = {
    WETH_PERP: ("WETH", 1_000, 500, 2_000, 10, 10_000, 10**16, 10**24, 10**24),
    WBTC_PERP: ("WBTC", 1_000, 500, 2_000, 10, 10_000, 10**14, 10**24, 10**24),
}
INSURANCE_FEE_SHARE_BPS = 2_000


def units(symbol: str, amount: float) -> int:
    return round(amount * 10 ** DECIMALS[symbol])


def wad(x: float) -> int:
    return round(x * WAD)


# ---------------------------------------------------------------- the account math, from ballast.risk
# `ballast.risk` is the one Python copy of docs/design.md#account-math with the rounding FixedPointMath names (equity
# down, requirements and debt up); tests/engine/test_risk.py holds it equal to the engine's views. Here it checks the
# engine's views in the end-to-end and property tests and sizes their trades, with symbols as asset keys.

BPS = 10_000
MARKET_ASSET = {market: params[0] for market, params in MARKETS.items()}
RISK_PARAMS = RiskParams.from_listings(
    "USDC", DECIMALS["USDC"], {s: (DECIMALS[s], params) for s, params in COLLATERAL.items()}, MARKETS
)


def open_long_weth(engine, trader, post, size_eth: float, collateral_eth: float):
    """Post `collateral_eth` WETH and open a WETH long of `size_eth` at any price."""
    post(trader, "WETH", units("WETH", collateral_eth))
    return engine.modifyPosition(WETH_PERP, wad(size_eth), wad(1_000_000), sender=trader)


def account_state(books: dict) -> AccountState:
    """`books` (see `account_books`) as a `ballast.risk.AccountState` keyed by symbol."""
    return AccountState(
        collateral=books["collateral"],
        credit=books["credit"],
        scaled_debt=books["scaled_debt"],
        positions={m: PositionState(*p) for m, p in books["positions"].items()},
    )


def symbol_prices(prices: dict[str, tuple[int, int]]) -> dict[str, AssetPrice]:
    """{symbol: (low, high)} as `ballast.risk` prices (the health view reads no status)."""
    return {s: AssetPrice(low, high, PriceStatus.OK, 0, MAX_PRICE_AGE) for s, (low, high) in prices.items()}


def model_health(books: dict, prices: dict[str, tuple[int, int]], index: int) -> dict[str, int]:
    """Health of an account's `books` (see `account_books`) at `prices` ({symbol: (low, high)}) and borrow
    `index`, as `MarginEngine.health` computes it."""
    return health(account_state(books), RISK_PARAMS, symbol_prices(prices), index).as_dict()


def account_books(engine, tokens, account) -> dict:
    """What the engine books for `account`: collateral {symbol: amount}, credit, scaled debt, and positions
    {market: (size, entry, entryIndex)}, for the assets and markets its masks list."""
    collateral_mask, market_mask = engine.accountMasks(account)
    held = [s for i, s in enumerate(COLLATERAL) if collateral_mask >> i & 1]  # bits in listing order
    collateral = {s: engine.collateralBalance(account, tokens[s]) for s in held}
    credit, scaled_debt, _ = engine.cash(account)
    positions = {}
    for market in (m for m in MARKETS if market_mask >> m & 1):
        p = engine.position(account, market)
        positions[market] = (p.size, p.entryPrice, p.entryIndex)
    return {"collateral": collateral, "credit": credit, "scaled_debt": scaled_debt, "positions": positions}


def price_ranges(oracle, tokens) -> dict[str, tuple[int, int]]:
    """{symbol: (low, high)} of {median, TWAP}, as the engine's health and the Pool's NAV read them."""
    ranges = {}
    for symbol, token in tokens.items():
        d = oracle.getPriceData(token)
        ranges[symbol] = (min(d.median, d.twap), max(d.median, d.twap))
    return ranges


def health_dict(h) -> dict[str, int]:
    """An engine `Health` struct as the dict `model_health` returns."""
    keys = ("maintenanceEquity", "maintenanceMargin", "initialEquity", "initialMargin", "stressEquity")
    return {**{k: getattr(h, k) for k in keys}, "liquidatable": h.liquidatable}


# ---------------------------------------------------------------- prices and values for attacks and properties


def mark_value(books: dict, prices, index: int) -> int:
    """What an account is worth at the oracle median without haircuts (USD, WAD): collateral, cash and PnL net of
    borrow fees, each rounded down."""
    value = sum(value_down(a, prices[s][0], DECIMALS[s]) for s, a in books["collateral"].items())
    value += books["credit"] * 10**12 - div_up(books["scaled_debt"] * index, WAD) * 10**12
    for market, (size, entry, entry_index) in books["positions"].items():
        value += pnl_down(size, entry, prices[MARKET_ASSET[market]][0])
        value -= borrow_fee(size, entry, entry_index, index)
    return value


def price_where(symbol: str, holds, prices, rising: bool = False) -> int:
    """The 8-decimal feed answer nearest `symbol`'s current price, below it (above it when `rising`, up to a
    hundredfold), from which on `holds(prices)` is true: a condition false now and true at the far end (bisection
    on the model)."""

    def at(answer: int) -> dict:
        p = answer * 10 ** (18 - FEED_DECIMALS)
        return {**prices, symbol: (p, p)}

    now = prices[symbol][0] // 10 ** (18 - FEED_DECIMALS)
    near, far = now, now * 100 if rising else 1
    assert holds(at(far)) and not holds(at(near))
    while abs(far - near) > 1:
        mid = (near + far) // 2
        near, far = (near, mid) if holds(at(mid)) else (mid, far)
    return far


def pin_time(chain):
    """Mine the next block at the head's timestamp: no borrow fee accrues between a view and the next action."""
    chain.pending_timestamp = chain.blocks.head.timestamp
