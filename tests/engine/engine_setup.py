"""Constants and helpers of the MarginEngine and Liquidator tests (imported by tests/engine/conftest.py)."""

WAD = 10**18
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
# asset, imfBps, mmfBps, stressShockBps, tradingFeeBps, reserveFactorBps, minSize, longCap, shortCap
WETH_PERP, WBTC_PERP = 0, 1
MARKETS = {
    WETH_PERP: ("WETH", 1_000, 500, 2_000, 10, 10_000, 10**16, 10**24, 10**24),
    WBTC_PERP: ("WBTC", 1_000, 500, 2_000, 10, 10_000, 10**14, 10**24, 10**24),
}
PENALTY_BPS, KEEPER_SHARE_BPS, MIN_KEEPER_REWARD = 100, 3_000, 1_000_000
INSURANCE_FEE_SHARE_BPS = 2_000


def units(symbol: str, amount: float) -> int:
    return round(amount * 10 ** DECIMALS[symbol])


def wad(x: float) -> int:
    return round(x * WAD)


# ---------------------------------------------------------------- independent model of the account math
# A plain-integer Python mirror of DESIGN section 4 with the rounding FixedPointMath names (equity down, requirements
# and debt up), to check the engine's views and to size trades in the end-to-end and property tests.

BPS = 10_000
MARKET_ASSET = {market: params[0] for market, params in MARKETS.items()}


def div_up(a: int, b: int) -> int:
    return -(-a // b)


def open_long_weth(engine, trader, post, size_eth: float, collateral_eth: float):
    """Post `collateral_eth` WETH and open a WETH long of `size_eth` at any price."""
    post(trader, "WETH", units("WETH", collateral_eth))
    return engine.modifyPosition(WETH_PERP, wad(size_eth), wad(1_000_000), sender=trader)


def value_down(amount: int, price: int, decimals: int) -> int:
    return amount * price // 10**decimals


def value_up(amount: int, price: int, decimals: int) -> int:
    return div_up(amount * price, 10**decimals)


def pnl_down(size: int, entry: int, price: int) -> int:
    """size * (price - entry) / WAD, rounded toward minus infinity."""
    gain = (size > 0) == (price >= entry)
    magnitude = abs(size) * abs(price - entry)
    return magnitude // WAD if gain else -div_up(magnitude, WAD)


def borrow_fee(size: int, entry: int, entry_index: int, index: int) -> int:
    if size == 0 or index <= entry_index:
        return 0
    return div_up(div_up(abs(size) * entry, WAD) * (index - entry_index), entry_index)


def model_health(books: dict, prices: dict[str, tuple[int, int]], index: int) -> dict[str, int]:
    """Health of an account's `books` (see `account_books`) at `prices` ({symbol: (low, high)}) and borrow
    `index`, as `MarginEngine.health` computes it."""
    maintenance = margin_m = initial = margin_i = stress = 0
    for symbol, amount in books["collateral"].items():
        initial_hc, maint_hc, shock, _ = COLLATERAL[symbol]
        low, high = prices[symbol]
        maintenance += value_down(amount, high, DECIMALS[symbol]) * (BPS - maint_hc) // BPS
        value = value_down(amount, low, DECIMALS[symbol]) * (BPS - initial_hc) // BPS
        initial += value
        stress += div_up(value * shock, BPS)
    for market, (size, entry, entry_index) in books["positions"].items():
        symbol, imf, mmf, shock, *_ = MARKETS[market]
        low, high = prices[symbol]
        fee = borrow_fee(size, entry, entry_index, index)
        better, worse = (high, low) if size > 0 else (low, high)
        maintenance += pnl_down(size, entry, better) - fee
        margin_m += div_up(div_up(abs(size) * better, WAD) * mmf, BPS)
        initial += min(pnl_down(size, entry, worse) - fee, 0)
        notional = div_up(abs(size) * worse, WAD)
        margin_i += div_up(notional * imf, BPS)
        stress += div_up(notional * shock, BPS)
    debt = div_up(books["scaled_debt"] * index, WAD)
    low, high = prices["USDC"]
    maintenance += value_down(books["credit"], high, 6) - value_up(debt, low, 6)
    initial += value_down(books["credit"], low, 6) - value_up(debt, high, 6)
    return {
        "maintenanceEquity": maintenance,
        "maintenanceMargin": margin_m,
        "initialEquity": initial,
        "initialMargin": margin_i,
        "stressEquity": initial - stress,
        "liquidatable": maintenance < margin_m if margin_m else maintenance < 0,
    }


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


def feed_price(symbol: str, pct: int) -> int:
    """`pct` percent of the symbol's starting price, as an 8-decimal feed answer."""
    return PRICES[symbol] * 10**FEED_DECIMALS * pct // 100


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
