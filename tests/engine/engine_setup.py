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
