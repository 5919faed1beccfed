"""The coefficients: the mirror's and the contract's are what tools/optionmath_fit.py derives, and each fit is within
the error the script states."""

from __future__ import annotations

import importlib.util
import re
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import mpmath as mp
import pytest

from ballast import optionmath as om

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fit() -> ModuleType:
    return _load("optionmath_fit")


def _solidity_constants(path: Path) -> dict[str, int]:
    """Every `NAME = <number literal>;` of a Solidity file (`1_000`, `1e12`, `0.01e18`; expressions skipped)."""
    text = path.read_text()
    found = re.findall(r"constant (\w+) = (-?[0-9_.]+(?:e[0-9]+)?);", text)
    return {name: int(Decimal(value.replace("_", ""))) for name, value in found}


def test_mirror_coefficients_are_the_fit(fit):
    assert fit.ln_coefficients() == om.LN_POLY
    assert fit.exp_coefficients() == om.EXP_POLY
    assert fit.cdf_coefficients() == om.CDF_POLY
    for name, value in fit.constants().items():
        assert getattr(om, name) == value, name


def test_contract_constants_are_the_mirrors():
    """WadMath.sol's literals equal the mirror's (the vectors check the behaviour; this names a drifted constant)."""
    sol = _solidity_constants(ROOT / "contracts" / "libraries" / "WadMath.sol")
    for prefix, poly in (("LN", om.LN_POLY), ("EXP", om.EXP_POLY), ("CDF", om.CDF_POLY)):
        assert tuple(sol[f"{prefix}_{i}"] for i in range(len(poly))) == poly, prefix
        assert f"{prefix}_{len(poly)}" not in sol, prefix
    for name in ("LN2_X96", "INV_LN2_X96", "SQRT2_X96", "LN_2_96_OVER_WAD_X96", "INV_SQRT_2PI_X96"):
        assert sol[name] == getattr(om, name), name
    assert sol["EXP_WAD_MIN"] == om.EXP_WAD_MIN
    assert sol["EXP_WAD_MAX"] == om.EXP_WAD_MAX
    bs = _solidity_constants(ROOT / "contracts" / "libraries" / "BlackScholes.sol")
    assert (bs["MIN_PRICE"], bs["MAX_PRICE"]) == (om.MIN_PRICE, om.MAX_PRICE)
    assert (bs["MIN_VOL"], bs["MAX_VOL"]) == (om.MIN_VOL, om.MAX_VOL)
    assert bs["PRICE_ERROR_SHIFT"] == om.ERROR_SHIFT


def test_domain_constants_are_exact():
    """The clamps and overflow limits mean what the NatSpec says."""
    with mp.workdps(80):
        # expWad: e**x * 1e18 < 0.5 below EXP_WAD_MIN; at EXP_WAD_MAX the result still fits in int256.
        assert mp.exp(mp.mpf(om.EXP_WAD_MIN - 1) / om.WAD) * om.WAD < mp.mpf("0.5")
        assert mp.exp(mp.mpf(om.EXP_WAD_MAX) / om.WAD) * om.WAD < 2**255
        assert mp.exp(mp.mpf(om.EXP_WAD_MAX + 1) / om.WAD) * om.WAD >= 2**255 * (1 - mp.mpf("1e-18"))
        # expX96: below EXP_X96_MIN the result is under one unit.
        assert mp.exp(mp.mpf(om.EXP_X96_MIN) / om.ONE) * om.ONE < 1
        # The CDF's cut: N(-10.5) * 1e18 < 1e-7 wei, far below the rounding.
        assert mp.ncdf(mp.mpf(om.CDF_CUT_X96) / -om.ONE) < mp.mpf("4.4e-26")
    assert om.SQRT_WAD_MAX * om.WAD < 2**256 <= (om.SQRT_WAD_MAX + 1) * om.WAD


def test_fit_errors_within_the_stated(fit, capsys):
    """ln < 1e-27 (absolute in ln m), exp < 1.1e-25 (relative), cdf < 1.5e-24 (in the exponent g)."""
    errors = fit.fit_errors(points=1_000)
    with capsys.disabled():
        print("\n  fit errors: " + ", ".join(f"{k} {mp.nstr(v, 3)}" for k, v in errors.items()), end="")
    assert errors["ln"] < mp.mpf("1e-27")
    assert errors["exp"] < mp.mpf("1.1e-25")
    assert errors["cdf"] < mp.mpf("1.5e-24")
