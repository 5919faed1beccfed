"""Constants and helpers shared by the Pool and InsuranceFund tests (imported by tests/pool/conftest.py)."""

WAD = 10**18
PRICES = {"USDC": 1, "WBTC": 60_000, "WETH": 3_000}
DECIMALS = {"USDC": 6, "WBTC": 8, "WETH": 18}
FEED_DECIMALS = 8
MIN_TWAP_WINDOW = 60
TWAP_WINDOW = 600
MAX_PRICE_AGE = 3_600
COOLDOWN = 900
RATE_MODEL = (200, 1_000, 8_000, 15_000)  # annual bps: base, slope above 0, kink, slope above the kink
MAX_UTILIZATION_BPS = 9_000
INSURANCE_TARGET = 50_000 * 10**6


def units(symbol: str, amount: float) -> int:
    return int(amount * 10 ** DECIMALS[symbol])


def asset_params(
    target_bps: int, max_bps: int = 10_000, base_fee: int = 30, tax: int = 50, cap: int = 2**127
):
    return (target_bps, max_bps, base_fee, tax, cap)
