"""Bit-exact Python mirror of the option math: `contracts/libraries/WadMath.sol` and `BlackScholes.sol`.

Every function reproduces its Solidity counterpart step by step in integer arithmetic, with the same rounding (`>>` is
an arithmetic shift, rounding toward minus infinity, as on `int256`; `_sdiv` truncates toward zero as Solidity's
signed `/`; `//` on non-negative operands is the unsigned `/`), so the off-chain risk engine computes what the chain
computes, to the wei (tests/math/test_option_math.py holds the two equal). Out-of-range inputs raise the exception
named as the Solidity custom error, with the same arguments. The algorithms and error bounds are in
docs/option-math.md; the polynomial coefficients come from `tools/optionmath_fit.py`.
"""

from __future__ import annotations

from math import isqrt

WAD = 10**18
ONE = 1 << 96  # 1.0 in X96 fixed point
UINT256_MAX = (1 << 256) - 1

# ---------------------------------------------------------------- WadMath constants (X96 unless named otherwise)

LN2_X96 = 54916777467707473351141471128
INV_LN2_X96 = 114302077158074026402637675937
SQRT2_X96 = 112045541949572279837463876454  # floor(sqrt(2) * 2**96)
LN_2_96_OVER_WAD_X96 = 1988278089788132588087242333381  # ln(2**96 / 1e18)
INV_SQRT_2PI_X96 = 31607463825455920808620519744

#: ln m = 2 z sum(LN_POLY[i] w**i), z = (m - 1) / (m + 1), w = z**2 (lowest degree first).
LN_POLY = (
    79228162514264337593543950147,
    26409387504754779197849829608,
    15845632502852867515720794100,
    11318308930609192977847319705,
    8803129168250973798904740104,
    7202560228688926677308283153,
    6094474024967617617762081026,
    5281878672890912281010146175,
    4660417471827715729283967450,
    4172110344118223306721688436,
    3723786177947951174050290256,
    4059686083823660053731511330,
)
#: e**r = sum(EXP_POLY[i] r**i) for |r| <= 0.35.
EXP_POLY = (
    79228162514264337593543944467,
    79228162514264337593543949991,
    39614081257132168796778108080,
    13204693752377389598924352421,
    3301173438094347398679658411,
    660234687618869479884366383,
    110039114603144981981147755,
    15719873514734991655741498,
    1964984189339671745401103,
    218331576593412002962981,
    21833157697693512017679,
    1984832516741661931416,
    165402339717602300598,
    12723263597873269320,
    910663340683478339,
    60696311821639831,
)
#: N(-x) = t exp(g(u) - x**2 / 2), g(u) = sum(CDF_POLY[i] u**i), t = 4 / (4 + x), u = (58 t - 37) / 21.
CDF_POLY = (
    -113339163245370368420470492662,
    52131347572965307414604353516,
    7614497750442666707791973854,
    -686281071250607258816725947,
    -684855735720207676315866343,
    -26953059034017092019860246,
    74273041018106569907998046,
    9885685516327384604750234,
    -8980528699021439910811764,
    -1821765600361697830278440,
    1157669136047780013936318,
    289877095805325637624798,
    -154206269316011341572365,
    -43117398685429987688219,
    20664906630798534843656,
    6179627961078947683705,
    -2722428056197225173614,
    -874804772485966153309,
    346631118802980780171,
    125536335196947280066,
    -42342033806012227047,
    -18598494549403351651,
    4992627645079555028,
    2832826627064412987,
    -577835144642387478,
    -428041816419756043,
    65426843879953189,
    59396165272835572,
    -6545466777874478,
    -6503257711039150,
    410565954961284,
    399492486851073,
)

EXP_X96_MIN = -(67 << 96)  # below: e**y * 2**96 < 1, the result is 0
EXP_X96_MAX = 100 << 96
EXP_WAD_MIN = -42_139_678_854_452_767_621  # below: e**x * 1e18 < 0.5, the result is 0
EXP_WAD_MAX = 135_305_999_368_893_231_589  # the largest x with e**x * 1e18 < 2**255
CDF_CUT_X96 = 21 << 95  # 10.5: N(-x) < 4.3e-26 beyond, taken as 0
CDF_CUT_WAD = 10_500_000_000_000_000_000
SQRT_WAD_MAX = UINT256_MAX // WAD

# ---------------------------------------------------------------- BlackScholes constants

YEAR = 31_536_000  # 365 days: sigma is per year of 365 days
MIN_PRICE = 10**12  # 1e-6 USD
MAX_PRICE = 10**30  # 1e12 USD
MIN_VOL = 10**16  # 1 %
MAX_VOL = 10**19  # 1,000 %
MAX_TAU = 2 * YEAR
ERROR_SHIFT = 72  # price error bound: (S + K) / 2**72 + 1 wei


# ---------------------------------------------------------------- errors (the Solidity custom errors)


class OptionMathError(ValueError):
    """A revert of the option math: `name` is the custom error, `args` its arguments."""

    def __init__(self, *args: int) -> None:
        super().__init__(*args)

    @property
    def name(self) -> str:
        return type(self).__name__


class LnWadUndefined(OptionMathError):
    """lnWad(x) with x <= 0."""


class LnX96Undefined(OptionMathError):
    """lnX96(0)."""


class ExpWadOverflow(OptionMathError):
    """expWad(x) with x > EXP_WAD_MAX."""


class ExpX96Overflow(OptionMathError):
    """expX96(y) with y > EXP_X96_MAX."""


class SqrtWadOverflow(OptionMathError):
    """sqrtWad(x) with x * 1e18 >= 2**256."""


class SpotOutOfRange(OptionMathError):
    """spot outside [MIN_PRICE, MAX_PRICE]: (spot, min, max)."""


class StrikeOutOfRange(OptionMathError):
    """strike outside [MIN_PRICE, MAX_PRICE]: (strike, min, max)."""


class VolatilityOutOfRange(OptionMathError):
    """sigma outside [MIN_VOL, MAX_VOL]: (sigma, min, max)."""


class TimeToExpiryOutOfRange(OptionMathError):
    """tau above MAX_TAU: (tau, max)."""


# ---------------------------------------------------------------- integer helpers


def _sdiv(a: int, b: int) -> int:
    """Solidity's signed `/`: the quotient truncated toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _horner(coefficients: tuple[int, ...], x: int) -> int:
    """sum(c_i x**i) in X96, Horner's scheme from the highest degree, each product rounded toward minus infinity."""
    p = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        p = ((p * x) >> 96) + c
    return p


# ---------------------------------------------------------------- WadMath


def ln_x96(x: int) -> int:
    """ln(x / 2**96) in X96 for an X96 number x > 0 (`WadMath.lnX96`)."""
    if x <= 0:
        raise LnX96Undefined()
    k = x.bit_length() - 1
    m = x >> (k - 96) if k >= 96 else x << (96 - k)  # x = m 2**(k - 96), m in [1, 2) X96
    e = k - 96
    if m >= SQRT2_X96:  # ln m = ln 2 + ln(m / 2), m / 2 in [1/sqrt 2, 1)
        z = _sdiv((m - 2 * ONE) * ONE, m + 2 * ONE)
        e += 1
    else:
        z = _sdiv((m - ONE) * ONE, m + ONE)
    w = (z * z) >> 96
    return e * LN2_X96 + ((z * _horner(LN_POLY, w)) >> 95)


def ln_wad(x: int) -> int:
    """ln(x / 1e18) * 1e18, rounded to nearest (`WadMath.lnWad`)."""
    if x <= 0:
        raise LnWadUndefined(x)
    y = ln_x96(x) + LN_2_96_OVER_WAD_X96
    return (y * WAD + (1 << 95)) >> 96


def _exp_reduced(y: int) -> tuple[int, int]:
    """(k, e**r in X96) with y = k ln 2 + r, k = round(y / ln 2)."""
    k = (y * INV_LN2_X96 + (1 << 191)) >> 192
    r = y - k * LN2_X96
    return k, _horner(EXP_POLY, r)


def exp_x96(y: int) -> int:
    """e**(y / 2**96) * 2**96, rounded down from the polynomial's value (`WadMath.expX96`)."""
    if y < EXP_X96_MIN:
        return 0
    if y > EXP_X96_MAX:
        raise ExpX96Overflow(y)
    k, p = _exp_reduced(y)
    return p << k if k >= 0 else p >> -k


def exp_wad(x: int) -> int:
    """e**(x / 1e18) * 1e18, rounded to nearest (`WadMath.expWad`)."""
    if x < EXP_WAD_MIN:
        return 0
    if x > EXP_WAD_MAX:
        raise ExpWadOverflow(x)
    k, p = _exp_reduced(_sdiv(x * ONE, WAD))
    if k >= 96:
        return (p * WAD) << (k - 96)
    shift = 96 - k
    return (p * WAD + (1 << (shift - 1))) >> shift


def sqrt_wad(x: int) -> int:
    """floor(sqrt(x / 1e18) * 1e18) exactly (`WadMath.sqrtWad`)."""
    if x > SQRT_WAD_MAX:
        raise SqrtWadOverflow(x)
    return isqrt(x * WAD)


def sqrt_wad_up(x: int) -> int:
    """ceil(sqrt(x / 1e18) * 1e18) exactly (`WadMath.sqrtWadUp`)."""
    r = sqrt_wad(x)
    return r + 1 if r * r < x * WAD else r


def norm_cdf_x96(x: int) -> int:
    """The standard normal CDF at the X96 number x, in X96 (`WadMath.normCdfX96`)."""
    a = abs(x)
    if a >= CDF_CUT_X96:
        tail = 0
    else:
        t = ((4 * ONE) << 96) // (4 * ONE + a)
        u = _sdiv(58 * t - 37 * ONE, 21)
        tail = (t * exp_x96(_horner(CDF_POLY, u) - ((a * a) >> 97))) >> 96
    return ONE - tail if x > 0 else tail


def norm_cdf_wad(x: int) -> int:
    """N(x / 1e18) * 1e18, rounded to nearest (`WadMath.normCdfWad`)."""
    if x >= CDF_CUT_WAD:
        return WAD
    if x <= -CDF_CUT_WAD:
        return 0
    n = norm_cdf_x96(_sdiv(x * ONE, WAD))
    return (n * WAD + (1 << 95)) >> 96


# ---------------------------------------------------------------- BlackScholes


def _validate(spot: int, strike: int, sigma: int, tau: int) -> None:
    if not MIN_PRICE <= spot <= MAX_PRICE:
        raise SpotOutOfRange(spot, MIN_PRICE, MAX_PRICE)
    if not MIN_PRICE <= strike <= MAX_PRICE:
        raise StrikeOutOfRange(strike, MIN_PRICE, MAX_PRICE)
    if not MIN_VOL <= sigma <= MAX_VOL:
        raise VolatilityOutOfRange(sigma, MIN_VOL, MAX_VOL)
    if tau > MAX_TAU:
        raise TimeToExpiryOutOfRange(tau, MAX_TAU)


def _sqrt_tau_x96(tau: int) -> int:
    """sqrt(tau / YEAR) in X96, rounded down."""
    return isqrt((tau << 192) // YEAR)


def _d1(spot: int, strike: int, sigma: int, sqrt_tau: int) -> tuple[int, int]:
    """(d1, d2) in X96 for tau > 0."""
    v = sigma * sqrt_tau // WAD  # sigma sqrt(tau / YEAR), X96
    log_moneyness = ln_x96((spot << 155) // strike) - 59 * LN2_X96  # ln(S / K), X96
    q = _sdiv(log_moneyness * ONE, v)
    h = v >> 1
    return q + h, q - h


def _call_raw(spot: int, strike: int, sigma: int, tau: int) -> int:
    """S N(d1) - K N(d2) in wei * 2**96 (tau > 0)."""
    d1, d2 = _d1(spot, strike, sigma, _sqrt_tau_x96(tau))
    return spot * norm_cdf_x96(d1) - strike * norm_cdf_x96(d2)


def _put_raw(spot: int, strike: int, sigma: int, tau: int) -> int:
    """K N(-d2) - S N(-d1) = call - (S - K) in wei * 2**96 (tau > 0)."""
    return _call_raw(spot, strike, sigma, tau) + (strike - spot) * ONE


def price_error_bound(spot: int, strike: int) -> int:
    """The bound E (wei) on |raw / 2**96 - exact| the Up/Down prices add: (S + K) / 2**72 + 1."""
    return ((spot + strike) >> ERROR_SHIFT) + 1


def _down(raw: int, bound: int, intrinsic: int) -> int:
    return max((raw >> 96) - bound, intrinsic)


def _up(raw: int, bound: int, intrinsic: int, cap: int) -> int:
    return min(max(-((-raw) >> 96) + bound, intrinsic), cap)


def call_price_down(spot: int, strike: int, sigma: int, tau: int) -> int:
    """A lower bound of the Black-Scholes call price (`BlackScholes.callPriceDown`)."""
    return _price_bound(spot, strike, sigma, tau, is_call=True, up=False)


def call_price_up(spot: int, strike: int, sigma: int, tau: int) -> int:
    """An upper bound of the Black-Scholes call price (`BlackScholes.callPriceUp`)."""
    return _price_bound(spot, strike, sigma, tau, is_call=True, up=True)


def put_price_down(spot: int, strike: int, sigma: int, tau: int) -> int:
    """A lower bound of the Black-Scholes put price (`BlackScholes.putPriceDown`)."""
    return _price_bound(spot, strike, sigma, tau, is_call=False, up=False)


def put_price_up(spot: int, strike: int, sigma: int, tau: int) -> int:
    """An upper bound of the Black-Scholes put price (`BlackScholes.putPriceUp`)."""
    return _price_bound(spot, strike, sigma, tau, is_call=False, up=True)


def _price_bound(spot: int, strike: int, sigma: int, tau: int, *, is_call: bool, up: bool) -> int:
    """`BlackScholes._priceBound`: the intrinsic value at expiry, else the raw price widened by the error bound."""
    _validate(spot, strike, sigma, tau)
    gain, cost = (spot, strike) if is_call else (strike, spot)
    intrinsic = max(gain - cost, 0)
    if tau == 0:
        return intrinsic
    raw = _call_raw(spot, strike, sigma, tau) if is_call else _put_raw(spot, strike, sigma, tau)
    bound = price_error_bound(spot, strike)
    return _up(raw, bound, intrinsic, gain) if up else _down(raw, bound, intrinsic)


def call_delta(spot: int, strike: int, sigma: int, tau: int) -> int:
    """N(d1) in WAD, rounded to nearest; at expiry 1, 0 or 1/2 at the money (`BlackScholes.callDelta`)."""
    _validate(spot, strike, sigma, tau)
    if tau == 0:
        return WAD if spot > strike else 0 if spot < strike else WAD // 2
    d1, _ = _d1(spot, strike, sigma, _sqrt_tau_x96(tau))
    return (norm_cdf_x96(d1) * WAD + (1 << 95)) >> 96


def put_delta(spot: int, strike: int, sigma: int, tau: int) -> int:
    """N(d1) - 1 in WAD (`BlackScholes.putDelta`)."""
    return call_delta(spot, strike, sigma, tau) - WAD


def vega(spot: int, strike: int, sigma: int, tau: int) -> int:
    """S phi(d1) sqrt(tau / YEAR): USD per unit of sigma (1e18 = 100 vol points), rounded down (`BlackScholes.vega`)."""
    _validate(spot, strike, sigma, tau)
    if tau == 0:
        return 0
    sqrt_tau = _sqrt_tau_x96(tau)
    d1, _ = _d1(spot, strike, sigma, sqrt_tau)
    phi = (exp_x96(-((d1 * d1) >> 97)) * INV_SQRT_2PI_X96) >> 96
    return (((spot * phi) >> 96) * sqrt_tau) >> 96


def time_to_expiry(expiry: int, timestamp: int) -> int:
    """Seconds from `timestamp` to `expiry`, 0 at or after expiry (`BlackScholes.timeToExpiry`)."""
    return expiry - timestamp if expiry > timestamp else 0
