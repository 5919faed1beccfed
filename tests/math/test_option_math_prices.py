"""BlackScholes' mirror (`ballast.optionmath`, bit-exact with the Solidity by the forge vectors) against mpmath over the
whole supported domain: S, K in [1e-6, 1e12] USD, sigma in [1 %, 1,000 %], tau in [0, 2 years]. A deterministic sweep
prints the largest errors seen; hypothesis draws its own rows. Asserted for every row (E = priceErrorBound(S, K)):

- Down <= exact <= Up and Up - Down <= 2 E + 1 wei, for the call and the put;
- max(S - K, 0) <= call Down, call Up <= S; max(K - S, 0) <= put Down, put Up <= K (so never negative);
- put-call parity: Down_C - Up_P <= S - K <= Up_C - Down_P, and |(C - P) - (S - K)| <= 2 E + 1 for the Up (and the
  Down) prices;
- the unrounded price within (S + K) * 4e-25 + 1 wei of exact; delta within 1 wei; vega within 3 wei + S / 2**94 +
  1e-24 of it.
"""

from __future__ import annotations

import mpmath as mp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from option_math_reference import (
    DELTA_ERR,
    PRICE_RAW_REL,
    REF_TOL,
    VEGA_ABS_ERR,
    VEGA_REL_ERR,
    WAD,
    black_scholes,
    option_rows,
)

from ballast import optionmath as om

SWEEP = 3_000
EXAMPLES = max(500, settings().max_examples)

Row = tuple[int, int, int, int]


def check_row(row: Row) -> dict[str, mp.mpf]:
    """Assert every stated bound for one row; return its errors (see the module docstring)."""
    spot, strike, _, tau = row
    e = om.price_error_bound(spot, strike)
    call, put, delta, vega = black_scholes(*row)
    c_down, c_up = om.call_price_down(*row), om.call_price_up(*row)
    p_down, p_up = om.put_price_down(*row), om.put_price_up(*row)
    errors: dict[str, mp.mpf] = {}
    for name, down, up, exact, intrinsic, cap in (
        ("call", c_down, c_up, call, max(spot - strike, 0), spot),
        ("put", p_down, p_up, put, max(strike - spot, 0), strike),
    ):
        assert intrinsic <= down <= exact + REF_TOL, (name, row, down, exact)
        assert exact <= up + REF_TOL and up <= cap, (name, row, up, exact)
        assert up - down <= 2 * e + 1, (name, row)
        errors[f"{name}_up"] = up - exact
        errors[f"{name}_down"] = exact - down
        if exact >= max(mp.mpf(spot + strike) * mp.mpf("1e-12"), mp.mpf(10**6)):
            errors[f"{name}_rel"] = (up - down) / exact
    forward = spot - strike
    assert c_down - p_up <= forward <= c_up - p_down, row
    assert abs((c_up - p_up) - forward) <= 2 * e + 1, row
    assert abs((c_down - p_down) - forward) <= 2 * e + 1, row
    errors["parity"] = mp.mpf(max(abs((c_up - p_up) - forward), abs((c_down - p_down) - forward)))
    if tau:
        raw = mp.mpf(om._call_raw(*row)) / om.ONE
        err = abs(raw - call)
        assert err <= (spot + strike) * PRICE_RAW_REL + 1, (row, err)
        errors["raw"] = err
        errors["raw_scaled"] = err / (spot + strike)
    c_delta = om.call_delta(*row)
    assert abs(c_delta - delta) <= DELTA_ERR, (row, c_delta, delta)
    assert om.put_delta(*row) == c_delta - WAD
    errors["delta"] = abs(c_delta - delta)
    got_vega = om.vega(*row)
    assert abs(got_vega - vega) <= VEGA_ABS_ERR + mp.mpf(spot) / 2**94 + VEGA_REL_ERR * vega, (
        row,
        got_vega,
        vega,
    )
    errors["vega"] = abs(got_vega - vega)
    if vega >= 10**9:
        errors["vega_rel"] = abs(got_vega - vega) / vega
    return errors


def test_prices_and_greeks_sweep(capsys):
    rows = option_rows(seed=8, count=SWEEP)
    worst: dict[str, mp.mpf] = {}
    for row in rows:
        for key, value in check_row(row).items():
            worst[key] = max(worst.get(key, mp.mpf(0)), value)

    def w(key: str, digits: int = 3) -> str:
        return mp.nstr(worst.get(key, mp.mpf(0)), digits)

    with capsys.disabled():
        print(
            f"\n  BlackScholes: {len(rows)} rows; unrounded price max abs error {w('raw')} wei, max "
            f"{w('raw_scaled')} of S + K; Up - exact max {w('call_up')} / {w('put_up')} wei (call / put), "
            f"exact - Down max {w('call_down')} / {w('put_down')} wei; (Up - Down) / exact max {w('call_rel')} / "
            f"{w('put_rel')} (prices >= 1e-12 (S + K) and 1e6 wei); parity max |C - P - (S - K)| {w('parity')} wei"
            f"\n  greeks: delta max abs error {w('delta', 4)} wei; vega max abs error {w('vega')} wei, max rel "
            f"{w('vega_rel')} (vega >= 1e9 wei)",
            end="",
        )


log_prices = st.floats(-6, 12).map(lambda e: min(max(int(10 ** (e + 18)), om.MIN_PRICE), om.MAX_PRICE))
prices = st.one_of(st.integers(om.MIN_PRICE, om.MAX_PRICE), log_prices)
sigmas = st.one_of(
    st.integers(om.MIN_VOL, om.MAX_VOL),
    st.floats(-2, 1).map(lambda e: min(max(int(10 ** (e + 18)), om.MIN_VOL), om.MAX_VOL)),
)
taus = st.one_of(st.integers(0, om.MAX_TAU), st.integers(0, 3_600), st.sampled_from((0, 1, om.MAX_TAU)))


@settings(max_examples=EXAMPLES, deadline=None)
@given(row=st.tuples(prices, prices, sigmas, taus))
def test_bounds_hold(row):
    check_row(row)


@settings(max_examples=EXAMPLES, deadline=None)
@given(spot=prices, ratio=st.floats(-0.5, 0.5), sigma=sigmas, tau=taus)
def test_bounds_hold_near_the_money(spot, ratio, sigma, tau):
    strike = min(max(int(spot * (1 + ratio)), om.MIN_PRICE), om.MAX_PRICE)
    check_row((spot, strike, sigma, tau))


# ---------------------------------------------------------------- domain errors


@pytest.mark.parametrize(
    ("row", "error", "args"),
    [
        ((om.MIN_PRICE - 1, WAD, WAD, 1), om.SpotOutOfRange, (om.MIN_PRICE - 1, om.MIN_PRICE, om.MAX_PRICE)),
        ((om.MAX_PRICE + 1, WAD, WAD, 1), om.SpotOutOfRange, (om.MAX_PRICE + 1, om.MIN_PRICE, om.MAX_PRICE)),
        ((WAD, 0, WAD, 1), om.StrikeOutOfRange, (0, om.MIN_PRICE, om.MAX_PRICE)),
        (
            (WAD, om.MAX_PRICE + 1, WAD, 1),
            om.StrikeOutOfRange,
            (om.MAX_PRICE + 1, om.MIN_PRICE, om.MAX_PRICE),
        ),
        ((WAD, WAD, om.MIN_VOL - 1, 1), om.VolatilityOutOfRange, (om.MIN_VOL - 1, om.MIN_VOL, om.MAX_VOL)),
        ((WAD, WAD, om.MAX_VOL + 1, 0), om.VolatilityOutOfRange, (om.MAX_VOL + 1, om.MIN_VOL, om.MAX_VOL)),
        ((WAD, WAD, WAD, om.MAX_TAU + 1), om.TimeToExpiryOutOfRange, (om.MAX_TAU + 1, om.MAX_TAU)),
    ],
)
@pytest.mark.parametrize(
    "function",
    [
        om.call_price_up,
        om.call_price_down,
        om.put_price_up,
        om.put_price_down,
        om.call_delta,
        om.put_delta,
        om.vega,
    ],
)
def test_domain_errors_carry_the_values(function, row, error, args):
    with pytest.raises(error) as raised:
        function(*row)
    assert raised.value.args == args
