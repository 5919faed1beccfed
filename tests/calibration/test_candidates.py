"""Parameter sets: scalings of the base config rounded and bounded by hand, the data's proposal put on WETH and WBTC,
every set validated by the config loader, and the names the command accepts."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from ballast.calibration.candidates import build, parse_names, proposals, scaled, with_proposals
from ballast.errors import CalibrationError

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "config" / "local.yaml"


@pytest.fixture(scope="module")
def base() -> dict:
    return yaml.safe_load(BASE.read_text())


def _market(data: dict, name: str) -> dict:
    return next(m for m in data["markets"] if m["name"] == name)


def test_scaled__products_rounded_to_the_nearest_bps_halves_up(base):
    data = scaled(base, Decimal("0.8"), Decimal("0.85"))

    assert data["collateral"]["WETH"] == {**base["collateral"]["WETH"], "initialHaircutBps": 1200,
                                          "maintHaircutBps": 800, "stressShockBps": 1600}  # fmt: skip
    ltt = _market(data, "LTT-PERP")
    # 2500 x 0.85 = 2125, 1250 x 0.85 = 1062.5 -> 1063, 5000 x 0.85 = 4250
    assert (ltt["initialMarginBps"], ltt["maintenanceMarginBps"], ltt["stressShockBps"]) == (2125, 1063, 4250)
    assert _market(base, "LTT-PERP")["maintenanceMarginBps"] == 1250  # the base is left alone


def test_scaled__clamped_to_the_schema_bounds(base):
    data = scaled(base, Decimal(2), Decimal(3))

    ltt = data["collateral"]["LTT"]  # 5000 / 4000 / 5000 doubled
    assert (ltt["initialHaircutBps"], ltt["maintHaircutBps"], ltt["stressShockBps"]) == (9_500, 8_000, 9_000)
    weth = _market(data, "WETH-PERP")  # 1000 / 500 / 2000 tripled
    assert (weth["initialMarginBps"], weth["maintenanceMarginBps"], weth["stressShockBps"]) == (
        3_000,
        1_500,
        6_000,
    )
    ltt_perp = _market(data, "LTT-PERP")  # 2500 / 1250 / 5000 tripled
    assert (ltt_perp["initialMarginBps"], ltt_perp["maintenanceMarginBps"], ltt_perp["stressShockBps"]) == (
        7_500, 3_750, 9_000,
    )  # fmt: skip


def test_with_proposals__sets_the_asset_as_collateral_and_on_its_markets(base):
    made = proposals(ROOT)
    weth = next(p for p in made if p.asset == "WETH")
    data = with_proposals(base, made)

    # docs/risk-data.md: the ETH crash of 2022-11-09 proposes 1,296 / 1,555 / 1,037 and 1,296 / 1,555.
    assert data["collateral"]["WETH"]["maintHaircutBps"] == weth.maint_haircut_bps.value == 1_296
    assert data["collateral"]["WETH"]["initialHaircutBps"] == 1_555
    assert data["collateral"]["WETH"]["stressShockBps"] == 1_037
    perp = _market(data, "WETH-PERP")
    assert (perp["maintenanceMarginBps"], perp["initialMarginBps"], perp["stressShockBps"]) == (
        1_296,
        1_555,
        1_037,
    )
    assert data["collateral"]["LTT"] == base["collateral"]["LTT"]  # no data: as in the base
    assert _market(data, "LTT-PERP") == _market(base, "LTT-PERP")


def test_build__writes_and_validates_every_set(tmp_path):
    made = build(["current", "c1.25-m1"], BASE, tmp_path)

    assert [c.name for c in made] == ["current", "c1.25-m1"]
    assert [c.path.name for c in made] == ["current.yaml", "c1.25-m1.yaml"]
    assert made[1].config.collateral["WBTC"].stress_shock_bps == 2_500
    assert made[1].config.markets[0].stress_shock_bps == 2_000
    assert made[0].config.config_hash() != made[1].config.config_hash()


def test_build__a_set_the_contracts_refuse__one_line_naming_it(tmp_path):
    # Margins x0.8: WETH-PERP's maintenance margin 400 is not above the liquidation's maximum penalty (400).
    with pytest.raises(CalibrationError, match=r"^parameter set c1-m0.8: .*maxPenaltyBps") as err:
        build(["c1-m0.8"], BASE, tmp_path)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "give at least one parameter set"),
        ("current,c0.8", "'c0.8' is not a parameter set"),
        ("current,current", "named twice"),
    ],
)
def test_parse_names__malformed__clear_error(text, message):
    with pytest.raises(CalibrationError, match=message):
        parse_names(text)


def test_parse_names__current_proposed_and_scalings():
    assert parse_names(" current, proposed,c0.8-m1.25 ") == ["current", "proposed", "c0.8-m1.25"]
