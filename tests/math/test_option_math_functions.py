"""WadMath's mirror (`ballast.optionmath`, bit-exact with the Solidity by the forge vectors) against mpmath over each
function's whole domain: deterministic sweeps (a fixed seed plus the edges) that print the largest errors seen, and
hypothesis tests that draw their own inputs. Every assertion is a bound the NatSpec and docs/option-math.md state."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable

import mpmath as mp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from option_math_reference import (
    CDF_WAD_ERR,
    CDF_X96_ERR,
    EXP_REL_ERR,
    INT256_MAX,
    INT256_MIN,
    LN_WAD_ERR,
    LN_X96_ERR,
    ONE,
    UINT256_MAX,
    WAD,
)
from option_math_reference import (
    exp_wad as exact_exp_wad,
)
from option_math_reference import (
    exp_x96 as exact_exp_x96,
)
from option_math_reference import (
    ln_wad as exact_ln_wad,
)
from option_math_reference import (
    ln_x96 as exact_ln_x96,
)
from option_math_reference import (
    norm_cdf_wad as exact_norm_cdf_wad,
)
from option_math_reference import (
    norm_cdf_x96 as exact_norm_cdf_x96,
)

from ballast import optionmath as om
from ballast.optionmath_inputs import magnitudes

SWEEP = 3_000
EXAMPLES = max(500, settings().max_examples)


def _report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    with capsys.disabled():
        print(f"\n  {line}", end="")


def _sweep(
    xs: Iterable[int],
    mirror: Callable[[int], int],
    exact: Callable[[int], mp.mpf],
    allowed: Callable[[mp.mpf], mp.mpf],
    rel_from: mp.mpf,
) -> tuple[int, mp.mpf, mp.mpf]:
    """Assert |mirror - exact| <= allowed(exact) for each x; return (count, max abs error, max relative error over
    exact values of at least rel_from)."""
    count, worst_abs, worst_rel = 0, mp.mpf(0), mp.mpf(0)
    for x in xs:
        got, want = mirror(x), exact(x)
        err = abs(got - want)
        assert err <= allowed(want), (x, got, want, err)
        worst_abs = max(worst_abs, err)
        if abs(want) >= rel_from:
            worst_rel = max(worst_rel, err / abs(want))
        count += 1
    return count, worst_abs, worst_rel


# ---------------------------------------------------------------- sweeps


def test_ln_wad_sweep(capsys):
    rng = random.Random(1)
    xs = [1, 2, 3, WAD - 1, WAD, WAD + 1, 2 * WAD, 10**36, INT256_MAX]
    xs += [2**k for k in range(255)] + [2**k - 1 for k in range(2, 255)]
    xs += magnitudes(rng, SWEEP, 255) + [WAD + rng.randrange(-(10**17), 10**17) for _ in range(SWEEP // 5)]
    n, worst, rel = _sweep(xs, om.ln_wad, exact_ln_wad, lambda _: LN_WAD_ERR, mp.mpf(WAD))
    _report(
        capsys,
        f"lnWad: {n} inputs, max abs error {mp.nstr(worst, 6)} wei, max rel {mp.nstr(rel, 3)} (|ln| >= 1)",
    )


def test_ln_x96_sweep(capsys):
    rng = random.Random(2)
    xs = [1, ONE - 1, ONE, ONE + 1, om.SQRT2_X96, om.SQRT2_X96 + 1, UINT256_MAX, *magnitudes(rng, SWEEP, 256)]
    n, worst, _ = _sweep(
        xs, lambda x: om.ln_x96(x), lambda x: exact_ln_x96(x) * ONE, lambda _: LN_X96_ERR * ONE, mp.inf
    )
    _report(capsys, f"lnX96: {n} inputs, max abs error {mp.nstr(worst / ONE, 3)} (of 1.0)")


def test_exp_wad_sweep(capsys):
    rng = random.Random(3)
    xs = [
        0,
        1,
        -1,
        WAD,
        -WAD,
        om.EXP_WAD_MAX,
        om.EXP_WAD_MAX - 1,
        om.EXP_WAD_MIN,
        om.EXP_WAD_MIN - 1,
        INT256_MIN,
    ]
    xs += [rng.randrange(om.EXP_WAD_MIN, om.EXP_WAD_MAX + 1) for _ in range(SWEEP)]
    xs += [rng.randrange(-5 * WAD, 5 * WAD) for _ in range(SWEEP // 5)]
    xs += [k * 346_573_590_279_972_654 + d for k in range(-122, 391) for d in (-1, 0, 1)]
    xs = [x for x in xs if x <= om.EXP_WAD_MAX]
    n, _, rel = _sweep(
        xs, om.exp_wad, exact_exp_wad, lambda w: mp.mpf("0.5") + EXP_REL_ERR * w, mp.mpf(10**30)
    )
    small = [x for x in xs if x <= 12 * WAD]  # e**x * 1e18 below 1.7e23: the 0.5 wei rounding dominates
    _, worst_small, _ = _sweep(
        small, om.exp_wad, exact_exp_wad, lambda w: mp.mpf("0.5") + EXP_REL_ERR * w, mp.inf
    )
    _report(
        capsys,
        f"expWad: {n} inputs, max rel error {mp.nstr(rel, 3)} (results >= 1e30), max abs error "
        f"{mp.nstr(worst_small, 6)} wei (x <= 12)",
    )


def test_exp_x96_sweep(capsys):
    rng = random.Random(4)
    ys = [0, om.EXP_X96_MAX, om.EXP_X96_MIN, om.EXP_X96_MIN - 1]
    ys += [rng.randrange(om.EXP_X96_MIN - ONE, om.EXP_X96_MAX + 1) for _ in range(SWEEP)]
    n, _, rel = _sweep(ys, om.exp_x96, exact_exp_x96, lambda w: 1 + EXP_REL_ERR * w, mp.mpf(2**128))
    _report(capsys, f"expX96: {n} inputs, max rel error {mp.nstr(rel, 3)} (results >= 2**32)")


def test_sqrt_is_exact(capsys):
    rng = random.Random(5)
    xs = [0, 1, 2, 3, 4, WAD - 1, WAD, WAD + 1, om.SQRT_WAD_MAX, om.SQRT_WAD_MAX - 1]
    xs += [min(x, om.SQRT_WAD_MAX) for x in magnitudes(rng, SWEEP, 197)]
    xs += [(rng.randrange(1, 2**98) ** 2) // WAD + d for _ in range(SWEEP // 10) for d in (0, 1)]
    for x in xs:
        down, up = om.sqrt_wad(x), om.sqrt_wad_up(x)
        assert down * down <= x * WAD < (down + 1) ** 2, x
        assert (up - 1) ** 2 < x * WAD <= up * up or x == 0, x
    _report(capsys, f"sqrtWad/sqrtWadUp: {len(xs)} inputs, each exactly the floor/ceiling (error < 1 wei)")


def test_norm_cdf_wad_sweep(capsys):
    rng = random.Random(6)
    cut = om.CDF_CUT_WAD
    xs = [0, 1, -1, cut, cut - 1, -cut, -cut + 1, INT256_MIN, INT256_MAX, WAD, -WAD]
    xs += [rng.randrange(-11 * WAD, 11 * WAD) for _ in range(SWEEP)]
    xs += [rng.randrange(-WAD, WAD) for _ in range(SWEEP // 5)]
    n, worst, _ = _sweep(xs, om.norm_cdf_wad, exact_norm_cdf_wad, lambda _: CDF_WAD_ERR, mp.inf)
    _report(capsys, f"normCdfWad: {n} inputs, max abs error {mp.nstr(worst, 6)} wei")


def test_norm_cdf_x96_sweep(capsys):
    rng = random.Random(7)
    cut = om.CDF_CUT_X96
    qs = [0, 1, -1, cut, cut - 1, -cut, -cut + 1, INT256_MIN, INT256_MAX]
    qs += [rng.randrange(-11 * ONE, 11 * ONE) for _ in range(SWEEP)]
    qs += [rng.randrange(-ONE // 64, ONE // 64) for _ in range(SWEEP // 5)]
    n, worst, _ = _sweep(
        qs,
        om.norm_cdf_x96,
        lambda q: exact_norm_cdf_x96(q) * ONE,
        lambda _: CDF_X96_ERR * ONE,
        mp.inf,
    )
    # The lower tail, relatively: N(-x) for x in [0, 10.5) is t e**(g - x**2 / 2), each factor within ~2e-24.
    tail = [-rng.randrange(0, cut) for _ in range(SWEEP // 5)]
    _, _, tail_rel = _sweep(
        tail,
        om.norm_cdf_x96,
        lambda q: exact_norm_cdf_x96(q) * ONE,
        lambda w: 2 + w * mp.mpf("5e-24"),
        mp.mpf(2**86),
    )
    _report(
        capsys,
        f"normCdfX96: {n} inputs, max abs error {mp.nstr(worst / ONE, 3)} (of 1.0); lower tail max rel error "
        f"{mp.nstr(tail_rel, 3)} (N >= 2**-10)",
    )


# ---------------------------------------------------------------- hypothesis


@settings(max_examples=EXAMPLES, deadline=None)
@given(x=st.one_of(st.integers(1, INT256_MAX), st.integers(WAD // 2, 2 * WAD)))
def test_ln_wad_within_bound(x):
    assert abs(om.ln_wad(x) - exact_ln_wad(x)) <= LN_WAD_ERR


@settings(max_examples=EXAMPLES, deadline=None)
@given(x=st.integers(om.EXP_WAD_MIN, om.EXP_WAD_MAX))
def test_exp_wad_within_bound(x):
    want = exact_exp_wad(x)
    assert abs(om.exp_wad(x) - want) <= mp.mpf("0.5") + EXP_REL_ERR * want


@settings(max_examples=EXAMPLES, deadline=None)
@given(x=st.one_of(st.integers(-11 * WAD, 11 * WAD), st.integers(-WAD, WAD)))
def test_norm_cdf_wad_within_bound(x):
    assert abs(om.norm_cdf_wad(x) - exact_norm_cdf_wad(x)) <= CDF_WAD_ERR


@settings(max_examples=EXAMPLES, deadline=None)
@given(x=st.integers(-11 * ONE, 11 * ONE))
def test_norm_cdf_x96_within_bound_and_symmetric(x):
    got = om.norm_cdf_x96(x)
    assert abs(got - exact_norm_cdf_x96(x) * ONE) <= CDF_X96_ERR * ONE
    if x != 0:
        assert got + om.norm_cdf_x96(-x) == ONE


@settings(max_examples=EXAMPLES, deadline=None)
@given(x=st.integers(0, om.SQRT_WAD_MAX))
def test_sqrt_wad_floor_and_ceiling(x):
    down, up = om.sqrt_wad(x), om.sqrt_wad_up(x)
    assert down * down <= x * WAD < (down + 1) ** 2
    assert up == down + (down * down < x * WAD)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("function", "arg", "error"),
    [
        (om.ln_wad, 0, om.LnWadUndefined),
        (om.ln_wad, -1, om.LnWadUndefined),
        (om.ln_wad, INT256_MIN, om.LnWadUndefined),
        (om.exp_wad, om.EXP_WAD_MAX + 1, om.ExpWadOverflow),
        (om.exp_x96, om.EXP_X96_MAX + 1, om.ExpX96Overflow),
        (om.sqrt_wad, om.SQRT_WAD_MAX + 1, om.SqrtWadOverflow),
        (om.sqrt_wad_up, UINT256_MAX, om.SqrtWadOverflow),
    ],
)
def test_errors_carry_the_value(function, arg, error):
    with pytest.raises(error) as raised:
        function(arg)
    assert raised.value.args == (arg,)
    assert raised.value.name == error.__name__


def test_ln_x96_of_zero():
    with pytest.raises(om.LnX96Undefined):
        om.ln_x96(0)
