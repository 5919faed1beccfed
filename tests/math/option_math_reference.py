"""The exact reference (mpmath at 60 significant digits) and the stated error bounds of the option math.

Shared by the tests/math modules: each bound below is the one docs/option-math.md states and the one the NatSpec of
`WadMath` / `BlackScholes` states (the tests assert the Python mirror is within it; the forge vectors hold the
Solidity equal to the mirror).
"""

from __future__ import annotations

import random

import mpmath as mp

from ballast import optionmath as om
from ballast.optionmath_inputs import Row, domain_corners, option_row

mp.mp.dps = 60
WAD = om.WAD
ONE = om.ONE
INT256_MIN, INT256_MAX = -(2**255), 2**255 - 1
UINT256_MAX = 2**256 - 1

#: The reference is exact to ~1e-55 relative; a comparison with an integer allows it this much (wei).
REF_TOL = mp.mpf("1e-20")

# ---------------------------------------------------------------- stated bounds

LN_WAD_ERR = mp.mpf("0.5") + mp.mpf("1e-8")  # wei
LN_X96_ERR = mp.mpf("1e-26")  # absolute, of 1.0
EXP_REL_ERR = mp.mpf("2e-25")  # relative, plus 0.5 wei (expWad) or 1 unit of 2**-96 (expX96)
CDF_WAD_ERR = mp.mpf("0.5") + mp.mpf("1e-6")  # wei
CDF_X96_ERR = mp.mpf("1e-24")  # absolute, of 1.0
PRICE_RAW_REL = mp.mpf("4e-25")  # unrounded price: |raw - exact| <= (S + K) * this + 1 wei
DELTA_ERR = mp.mpf(1)  # wei
VEGA_ABS_ERR, VEGA_REL_ERR = mp.mpf(3), mp.mpf("1e-24")  # plus S / 2**94 (phi(d1) is floored in X96)


# ---------------------------------------------------------------- exact values


def ln_wad(x: int) -> mp.mpf:
    return mp.log(mp.mpf(x) / WAD) * WAD


def ln_x96(x: int) -> mp.mpf:
    """ln(x / 2**96) in units of 1.0."""
    return mp.log(mp.mpf(x) / ONE)


def exp_wad(x: int) -> mp.mpf:
    return mp.exp(mp.mpf(x) / WAD) * WAD


def exp_x96(y: int) -> mp.mpf:
    return mp.exp(mp.mpf(y) / ONE) * ONE


def norm_cdf_wad(x: int) -> mp.mpf:
    return mp.ncdf(mp.mpf(x) / WAD) * WAD


def norm_cdf_x96(x: int) -> mp.mpf:
    """N(x / 2**96) in units of 1.0."""
    return mp.ncdf(mp.mpf(x) / ONE)


def black_scholes(spot: int, strike: int, sigma: int, tau: int) -> tuple[mp.mpf, mp.mpf, mp.mpf, mp.mpf]:
    """Exact (call, put, call delta, vega) in wei at a zero rate; at tau = 0 the intrinsic values and the limits."""
    s, k = mp.mpf(spot) / WAD, mp.mpf(strike) / WAD
    if tau == 0:
        delta = 1 if spot > strike else 0 if spot < strike else mp.mpf("0.5")
        return max(s - k, 0) * WAD, max(k - s, 0) * WAD, delta * WAD, mp.mpf(0)
    years = mp.mpf(tau) / om.YEAR
    v = mp.mpf(sigma) / WAD * mp.sqrt(years)
    d1 = mp.log(s / k) / v + v / 2
    d2 = d1 - v
    call = s * mp.ncdf(d1) - k * mp.ncdf(d2)
    put = k * mp.ncdf(-d2) - s * mp.ncdf(-d1)
    return call * WAD, put * WAD, mp.ncdf(d1) * WAD, s * mp.npdf(d1) * mp.sqrt(years) * WAD


# ---------------------------------------------------------------- inputs


def option_rows(seed: int, count: int) -> list[Row]:
    """The corners of the domain, then `count` random rows (`ballast.optionmath_inputs.option_row`): strikes
    log-normal around the spot with a spread of 0.7, tau 0 one time in 50."""
    rng = random.Random(seed)
    return domain_corners() + [option_row(rng, strike_spread=0.7, expiry_share=0.02) for _ in range(count)]
