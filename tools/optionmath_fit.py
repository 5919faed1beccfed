"""Derive the polynomial coefficients of contracts/libraries/WadMath.sol (and its mirror, ballast/optionmath.py).

Every approximation is a Chebyshev interpolant (mpmath.chebyfit, 60 significant digits) on the reduced interval of
docs/option-math.md, converted to monomial coefficients and rounded to the nearest multiple of 2**-96 (X96):

- ln: f(w) = atanh(sqrt(w)) / sqrt(w) for w = z**2 in [0, (3 - 2 sqrt 2)**2 (1 + 1e-9)], degree 11; ln m = 2 z f(z**2)
  with z = (m - 1) / (m + 1), m in [1/sqrt 2, sqrt 2];
- exp: e**r for r in [-0.35, 0.35], degree 15 (the reduced argument y - k ln 2, k = round(y / ln 2), stays within
  ln(2) / 2 + 1e-27);
- normal CDF: g(u) = ln(N(-x) / t) + x**2 / 2 for x in [0, 10.5], t = 4 / (4 + x), u = (58 t - 37) / 21 in [-1, 1],
  degree 31, exact at x = 0 (g(u) = g(1) + (u - 1) q(u), q interpolated); N(-x) = t exp(g(u) - x**2 / 2). Its
  constant term is then moved by the few units that make N(0) exactly 1/2 after the rounding (`_pin_half`).

`python tools/optionmath_fit.py` prints the Solidity constants, the Python tuples and each fit's error (`fit_errors`:
the rounded polynomial against the function it approximates, on a dense grid of its interval, in exact arithmetic):

    ln   |2 z (f_poly(w) - f(w))|   8.4e-28, stated < 1e-27   (absolute, in ln m)
    exp  |p(r) / e**r - 1|          1.03e-25, stated < 1.1e-25 (relative)
    cdf  |g_poly(u) - g(u)|         1.43e-24, stated < 1.5e-24 (absolute in the exponent: relative in N(-x))

These are the approximations alone; the fixed-point evaluation (Horner in X96, each product floored) adds a few units
of 2**-96, and docs/option-math.md gives the functions' measured errors.

tests/math/test_option_math_fit.py checks that the mirror's tuples and the contract's constants are what this script
derives, and that the fit errors are within the figures above.
"""

from __future__ import annotations

import mpmath as mp

ONE = 1 << 96
DPS = 60

LN_DEGREE = 11
EXP_DEGREE = 15
CDF_DEGREE = 31
EXP_HALF_WIDTH = "0.35"
CDF_CUT = "10.5"  # N(-x) is taken as 0 beyond (N(-10.5) = 4.3e-26)
CDF_C = 4  # t = C / (C + x)


def _to_x96(coefficients: list[mp.mpf]) -> tuple[int, ...]:
    """mpmath's coefficients (lowest degree first) as X96 integers."""
    return tuple(int(mp.nint(c * ONE)) for c in coefficients)


def ln_coefficients() -> tuple[int, ...]:
    with mp.workdps(DPS):
        w_max = (3 - 2 * mp.sqrt(2)) ** 2 * (1 + mp.mpf("1e-9"))

        def f(w: mp.mpf) -> mp.mpf:
            if w == 0:
                return mp.mpf(1)
            s = mp.sqrt(w)
            return mp.atanh(s) / s

        return _to_x96(mp.chebyfit(f, [0, w_max], LN_DEGREE + 1, asc=True))


def exp_coefficients() -> tuple[int, ...]:
    with mp.workdps(DPS):
        a = mp.mpf(EXP_HALF_WIDTH)
        return _to_x96(mp.chebyfit(mp.exp, [-a, a], EXP_DEGREE + 1, asc=True))


def cdf_coefficients() -> tuple[int, ...]:
    with mp.workdps(DPS):
        cut = mp.mpf(CDF_CUT)
        t_min = CDF_C / (CDF_C + cut)

        def g(u: mp.mpf) -> mp.mpf:
            t = t_min + (u + 1) * (1 - t_min) / 2
            x = CDF_C / t - CDF_C
            return mp.log(mp.ncdf(-x) / t) + x * x / 2

        # g(u) = g(1) + (u - 1) q(u): exact at u = 1 (x = 0), q interpolated.
        g1 = g(mp.mpf(1))
        q = mp.chebyfit(
            lambda u: (g(u) - g1) / (u - 1) if u != 1 else mp.diff(g, 1), [-1, 1], CDF_DEGREE, asc=True
        )
        c = [g1 - q[0]] + [q[i - 1] - q[i] for i in range(1, CDF_DEGREE)] + [q[-1]]
        return _pin_half(tuple(int(mp.nint(a * ONE)) for a in c))


def _pin_half(coefficients: tuple[int, ...]) -> tuple[int, ...]:
    """Move the constant term by the few units (of 2**-96) that make the contract's N(0) exactly 1/2.

    At x = 0, t = u = 1, so g = sum(coefficients) and N(0) = floor(e**g in X96 / 2): it is exactly 2**95 when the
    exponential's polynomial, evaluated at r = g + ln 2 as `WadMath` does, gives 2**96 or 2**96 + 1. Then
    N(-x) and N(x) = 1 - N(-x) meet at 0 without a step (the interpolant alone is off by 3e-25 there, which would
    make N decrease by that much across 0). The shift, 1e-25 at most, makes up for the exponential's error at ln(1/2).
    """
    exp_poly = exp_coefficients()
    ln2 = constants()["LN2_X96"]
    c = list(coefficients)
    for _ in range(8):
        r = sum(c) + ln2
        p = exp_poly[-1]
        for a in reversed(exp_poly[:-1]):
            p = ((p * r) >> 96) + a
        if p in (ONE, ONE + 1):
            return tuple(c)
        c[0] += ONE - p
    raise RuntimeError("could not pin N(0) to 1/2")


def constants() -> dict[str, int]:
    """The scalar X96 constants (rounded to nearest unless the name says otherwise)."""
    with mp.workdps(DPS):
        return {
            "LN2_X96": int(mp.nint(mp.log(2) * ONE)),
            "INV_LN2_X96": int(mp.nint(ONE / mp.log(2))),
            "SQRT2_X96": int(mp.floor(mp.sqrt(2) * ONE)),
            "LN_2_96_OVER_WAD_X96": int(mp.nint(mp.log(mp.mpf(ONE) / 10**18) * ONE)),
            "INV_SQRT_2PI_X96": int(mp.nint(ONE / mp.sqrt(2 * mp.pi))),
        }


def _poly(coefficients: tuple[int, ...], x: mp.mpf) -> mp.mpf:
    """The X96 polynomial (lowest degree first) at x, in exact (mpmath) arithmetic."""
    p = mp.mpf(0)
    for c in reversed(coefficients):
        p = p * x + mp.mpf(c) / ONE
    return p


def _grid(a: mp.mpf, b: mp.mpf, n: int) -> list[mp.mpf]:
    """n + 1 points from a to b, denser toward the ends (Chebyshev extrema), where an interpolant's error peaks."""
    return [a + (b - a) * (1 - mp.cos(mp.pi * i / n)) / 2 for i in range(n + 1)]


def fit_errors(points: int = 2_000) -> dict[str, mp.mpf]:
    """The largest error of each rounded polynomial on its interval (see the module docstring for what is measured)."""
    with mp.workdps(DPS):
        w_max = (3 - 2 * mp.sqrt(2)) ** 2
        ln_poly = ln_coefficients()
        ln_err = max(
            abs(2 * mp.sqrt(w) * (_poly(ln_poly, w) - (mp.atanh(mp.sqrt(w)) / mp.sqrt(w) if w else 1)))
            for w in _grid(mp.mpf(0), w_max, points)
        )
        a = mp.mpf(EXP_HALF_WIDTH)
        exp_poly = exp_coefficients()
        exp_err = max(abs(_poly(exp_poly, r) / mp.exp(r) - 1) for r in _grid(-a, a, points))
        cut = mp.mpf(CDF_CUT)
        t_min = CDF_C / (CDF_C + cut)
        cdf_poly = cdf_coefficients()
        cdf_err = mp.mpf(0)
        for u in _grid(mp.mpf(-1), mp.mpf(1), points):
            t = t_min + (u + 1) * (1 - t_min) / 2
            x = CDF_C / t - CDF_C
            g = mp.log(mp.ncdf(-x) / t) + x * x / 2
            cdf_err = max(cdf_err, abs(_poly(cdf_poly, u) - g))
        return {"ln": ln_err, "exp": exp_err, "cdf": cdf_err}


def _solidity(name: str, values: tuple[int, ...]) -> str:
    return "\n".join(f"    int256 private constant {name}_{i} = {v};" for i, v in enumerate(values))


def main() -> None:
    for name, value in constants().items():
        print(f"{name} = {value}")
    for name, values in (("LN", ln_coefficients()), ("EXP", exp_coefficients()), ("CDF", cdf_coefficients())):
        print(f"\n{name}_POLY = {values!r}\n")
        print(_solidity(name, values))
    print()
    for name, err in fit_errors().items():
        print(f"fit error {name}: {mp.nstr(err, 3)}")


if __name__ == "__main__":
    main()
