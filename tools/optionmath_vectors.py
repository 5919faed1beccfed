"""Write tests/forge/math/OptionMathVectors.sol: inputs and the outputs `ballast.optionmath` computes for them.

The forge test tests/forge/math/OptionMathVectors.t.sol runs `WadMath` and `BlackScholes` on the same inputs and
requires the same outputs to the wei, so the Python mirror is checked bit for bit against the Solidity without forge
calling Python. The inputs are deterministic (a fixed seed) and cover each function's whole domain: the edges, powers
of two, log-uniform magnitudes and the region around 1.0; option rows span the supported spot, strike, volatility and
time range (log-uniform), with strikes near the spot, far from it and equal to it, and expiry (tau = 0) now and then.

    python tools/optionmath_vectors.py          # rewrite the fixture
    python tools/optionmath_vectors.py --check  # exit 1 if the committed fixture is not what this script writes

tests/math/test_option_math_vectors.py runs the check under pytest.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from eth_abi.abi import encode

from ballast import optionmath as om
from ballast.optionmath_inputs import Row, domain_corners, magnitudes, option_row

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "forge" / "math" / "OptionMathVectors.sol"
SEED = 17_2024
WAD = om.WAD
ONE = om.ONE
INT256_MIN, INT256_MAX = -(2**255), 2**255 - 1

SCALAR_COUNT = 256
X96_COUNT = 128
OPTION_COUNT = 256


def ln_inputs(rng: random.Random) -> list[int]:
    edges = [1, 2, 3, WAD - 1, WAD, WAD + 1, 2 * WAD, INT256_MAX]
    near_one = [WAD + rng.randrange(-(10**17), 10**17) for _ in range(40)]
    return edges + near_one + magnitudes(rng, SCALAR_COUNT - len(edges) - len(near_one), 255)


def ln_x96_inputs(rng: random.Random) -> list[int]:
    edges = [1, ONE - 1, ONE, ONE + 1, 2**256 - 1]
    return edges + magnitudes(rng, X96_COUNT - len(edges), 256)


def exp_inputs(rng: random.Random) -> list[int]:
    edges = [0, 1, -1, WAD, -WAD, om.EXP_WAD_MAX, om.EXP_WAD_MIN, om.EXP_WAD_MIN - 1]
    # The range reduction's boundaries: multiples of ln(2) / 2, where k = round(x / ln 2) changes.
    half_ln2 = [k * 346_573_590_279_972_654 + d for k in range(-120, 390, 37) for d in (-1, 1)]
    small = [rng.randrange(-5 * WAD, 5 * WAD) for _ in range(40)]
    rest = SCALAR_COUNT - len(edges) - len(half_ln2) - len(small)
    return edges + half_ln2 + small + [rng.randrange(om.EXP_WAD_MIN, om.EXP_WAD_MAX + 1) for _ in range(rest)]


def exp_x96_inputs(rng: random.Random) -> list[int]:
    edges = [0, om.EXP_X96_MAX, om.EXP_X96_MIN, om.EXP_X96_MIN - 1]
    return edges + [rng.randrange(om.EXP_X96_MIN, om.EXP_X96_MAX + 1) for _ in range(X96_COUNT - len(edges))]


def sqrt_inputs(rng: random.Random) -> list[int]:
    edges = [0, 1, 2, 4, WAD - 1, WAD, WAD + 1, om.SQRT_WAD_MAX]
    squares = [(rng.randrange(1, 2**98) ** 2) // WAD + d for _ in range(20) for d in (0, 1)]
    rest = X96_COUNT - len(edges) - len(squares)
    return edges + squares + [min(x, om.SQRT_WAD_MAX) for x in magnitudes(rng, rest, 196)]


def cdf_inputs(rng: random.Random) -> list[int]:
    cut = om.CDF_CUT_WAD
    edges = [0, 1, -1, cut, cut - 1, -cut, -cut + 1, INT256_MIN, INT256_MAX, WAD, -WAD]
    near_zero = [rng.randrange(-WAD, WAD) for _ in range(60)]
    rest = SCALAR_COUNT - len(edges) - len(near_zero)
    return edges + near_zero + [rng.randrange(-11 * WAD, 11 * WAD) for _ in range(rest)]


def cdf_x96_inputs(rng: random.Random) -> list[int]:
    cut = om.CDF_CUT_X96
    edges = [0, 1, -1, cut, cut - 1, -cut, -cut + 1, INT256_MIN, INT256_MAX]
    return edges + [rng.randrange(-11 * ONE, 11 * ONE) for _ in range(X96_COUNT - len(edges))]


def option_inputs(rng: random.Random) -> list[Row]:
    """The corners of the domain, then random rows (see the module docstring)."""
    rows = domain_corners()
    while len(rows) < OPTION_COUNT:
        rows.append(option_row(rng, strike_spread=0.5, expiry_share=0.03))
    return rows


def option_outputs(row: tuple[int, int, int, int]) -> tuple[int, ...]:
    """Every BlackScholes output for one row, in the fixture's column order."""
    return (
        om.call_price_down(*row),
        om.call_price_up(*row),
        om.put_price_down(*row),
        om.put_price_up(*row),
        om.call_delta(*row),
        om.put_delta(*row),
        om.vega(*row),
    )


def _u256_as_int(x: int) -> int:
    """A uint256 input stored in an int256 column (two's complement), as the test casts it back."""
    return x - (1 << 256) if x > INT256_MAX else x


def _scalar_table(inputs: Sequence[int], *functions: Callable[[int], int]) -> list[list[int]]:
    return [[_u256_as_int(x)] + [f(x) for f in functions] for x in inputs]


def tables(seed: int = SEED) -> dict[str, tuple[str, list[list[int]]]]:
    """name -> (what a row holds, rows); every column is an int256."""
    rng = random.Random(seed)
    return {
        "lnWad": ("(x, lnWad(x))", _scalar_table(ln_inputs(rng), om.ln_wad)),
        "lnX96": ("(x as int256, lnX96(x))", _scalar_table(ln_x96_inputs(rng), om.ln_x96)),
        "expWad": ("(x, expWad(x))", _scalar_table(exp_inputs(rng), om.exp_wad)),
        "expX96": ("(y, expX96(y))", _scalar_table(exp_x96_inputs(rng), om.exp_x96)),
        "sqrtWad": (
            "(x, sqrtWad(x), sqrtWadUp(x))",
            _scalar_table(sqrt_inputs(rng), om.sqrt_wad, om.sqrt_wad_up),
        ),
        "normCdfWad": ("(x, normCdfWad(x))", _scalar_table(cdf_inputs(rng), om.norm_cdf_wad)),
        "normCdfX96": ("(x, normCdfX96(x))", _scalar_table(cdf_x96_inputs(rng), om.norm_cdf_x96)),
        "options": (
            "(spot, strike, sigma, tau, callPriceDown, callPriceUp, putPriceDown, putPriceUp, callDelta, putDelta, "
            "vega)",
            [list(row) + list(option_outputs(row)) for row in option_inputs(rng)],
        ),
    }


def render(seed: int = SEED) -> str:
    """The fixture's Solidity source."""
    parts = [
        "// SPDX-License-Identifier: MIT",
        "pragma solidity 0.8.30;",
        "",
        "// Generated by tools/optionmath_vectors.py from ballast/optionmath.py: do not edit.",
        "",
        "/// @title OptionMathVectors",
        "/// @notice Inputs and the outputs the Python mirror computes for them, each table `abi.encode(int256[n][])`.",
        "library OptionMathVectors {",
    ]
    for i, (name, (what, rows)) in enumerate(tables(seed).items()):
        width = len(rows[0])
        blob = encode([f"int256[{width}][]"], [rows]).hex()
        if i:
            parts.append("")
        parts += [
            f"    /// @notice {len(rows)} rows {what}.",
            f"    function {name}() internal pure returns (bytes memory) {{",
            f'        return hex"{blob}";',
            "    }",
        ]
    parts += ["}", ""]
    return "\n".join(parts)


def main(argv: Sequence[str]) -> int:
    text = render()
    if "--check" in argv:
        if FIXTURE.read_text() != text:
            print(
                f"{FIXTURE.relative_to(ROOT)} is stale: run python tools/optionmath_vectors.py",
                file=sys.stderr,
            )
            return 1
        return 0
    FIXTURE.write_text(text)
    print(f"wrote {FIXTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
