"""Proposals: hand-computed on a tiny series, always within the contracts' bounds (clamped, and saying so), each
figure carrying its method and inputs; the bounds are those of the deployment config's schema."""

import math
from pathlib import Path

import numpy as np
import pytest
from annotated_types import Ge, Le

from ballast.config.schema import CollateralConfig, MarketConfig
from ballast.errors import RiskDataError
from ballast.riskdata.history import PriceHistory, load_csv
from ballast.riskdata.proposals import (
    INITIAL_HAIRCUT_MAX,
    INITIAL_MARGIN_MAX,
    MAINT_HAIRCUT_BOUNDS,
    MAINTENANCE_MARGIN_BOUNDS,
    STRESS_SHOCK_BOUNDS,
    Settings,
    propose,
)

ROOT = Path(__file__).resolve().parents[2]
HOUR = 3_600


def hourly(*prices: float) -> PriceHistory:
    return PriceHistory(
        "X", np.arange(len(prices), dtype=np.int64) * HOUR, np.array(prices, dtype=float), "test"
    )


def test_propose__100_100_90_90_hourly__by_hand():
    # horizon 1 h = 1 period; worst fall 1 - 90/100 = 10 %, worst rise 0
    # returns 0, ln 0.9, 0; EWMA: s2_1 = 0, s2_2 = 0.06 * ln(0.9)^2 = 0.06 * 0.0111008 = 0.00066605,
    # s2_3 = 0.94 * 0.00066605 = 0.00062609; sigma = sqrt(0.00062609) = 0.0250218 = sigma_h (h = 1)
    sigma_h = math.sqrt(0.94 * 0.06 * math.log(0.9) ** 2)
    assert sigma_h == pytest.approx(0.0250218, abs=1e-7)
    p = propose(hourly(100, 100, 90, 90), Settings(horizon_seconds=HOUR))
    assert p.estimates.horizon_periods == 1 and p.estimates.ewma_vol_period == pytest.approx(sigma_h)
    assert p.maint_haircut_bps.value == 1250  # 10 % * 1.25
    assert p.initial_haircut_bps.value == 1751  # 12.5 % + 2 * 2.50218 % = 17.50436 %, rounded up
    assert p.stress_shock_bps.value == 1000  # max(10 %, 3 * 2.50218 % = 7.50654 %)
    assert p.maintenance_margin_bps.value == 1250  # max(10 %, 0) * 1.25
    assert p.initial_margin_bps.value == 1751
    assert p.supply_cap.value is None and p.supply_cap.method.startswith("not proposed")


def test_propose__figures_carry_their_method_and_inputs():
    p = propose(hourly(100, 100, 90, 90), Settings(horizon_seconds=HOUR))
    assert p.maint_haircut_bps.method == (
        "worst fall within 1 periods x safety factor 1.25; rounded up to whole bps"
    )
    assert p.maint_haircut_bps.inputs["worst_down"] == pytest.approx(0.1)
    assert p.maint_haircut_bps.inputs["safety_factor"] == 1.25
    assert p.initial_haircut_bps.inputs["maint_haircut_bps"] == 1250
    assert p.initial_haircut_bps.inputs["sigma_h"] == pytest.approx(0.0250218, abs=1e-7)
    assert p.stress_shock_bps.inputs["stress_k"] == 3.0
    for figure in p.figures().values():
        assert figure.method


def test_propose__crash_beyond_the_bounds__is_clamped_and_says_so():
    # a 95 % fall in one hour: 95 % * 1.25 = 11,875 bps
    p = propose(hourly(100, 100, 5, 5), Settings(horizon_seconds=HOUR))
    assert p.maint_haircut_bps.value == 9_000
    assert "clamped down from 11875 to the maximum 9000 bps" in p.maint_haircut_bps.method
    assert p.initial_haircut_bps.value == 9_500
    assert p.stress_shock_bps.value == 9_000 and "clamped" in p.stress_shock_bps.method
    assert p.maintenance_margin_bps.value == 5_000 and "clamped" in p.maintenance_margin_bps.method
    assert p.initial_margin_bps.value > p.maintenance_margin_bps.value


def test_propose__quiet_market__maintenance_margin_is_clamped_up_to_50_bps():
    p = propose(hourly(100, 100.01, 100, 100.01), Settings(horizon_seconds=HOUR))
    assert p.maintenance_margin_bps.value == 50
    assert "clamped up from 2 to the minimum 50 bps" in p.maintenance_margin_bps.method
    assert p.initial_margin_bps.value >= 51


def test_propose__horizon__is_converted_to_periods_of_the_series():
    history = load_csv(ROOT / "data/crashes/eth_2022-11-09.csv", "WETH")
    assert propose(history, Settings(horizon_seconds=3_600)).estimates.horizon_periods == 12  # 5-minute bars
    assert propose(history, Settings(horizon_seconds=60)).estimates.horizon_periods == 1  # at least one


@pytest.mark.parametrize("horizon", [300, 3_600, 86_400])
def test_propose__eth_crash__every_figure_within_the_contract_bounds(horizon):
    p = propose(load_csv(ROOT / "data/crashes/eth_2022-11-09.csv", "WETH"), Settings(horizon_seconds=horizon))
    values = {name: f.value for name, f in p.figures().items()}
    assert MAINT_HAIRCUT_BOUNDS[0] <= values["maint_haircut_bps"] <= MAINT_HAIRCUT_BOUNDS[1]
    assert values["maint_haircut_bps"] <= values["initial_haircut_bps"] <= INITIAL_HAIRCUT_MAX
    assert STRESS_SHOCK_BOUNDS[0] <= values["stress_shock_bps"] <= STRESS_SHOCK_BOUNDS[1]
    assert MAINTENANCE_MARGIN_BOUNDS[0] <= values["maintenance_margin_bps"] <= MAINTENANCE_MARGIN_BOUNDS[1]
    assert values["maintenance_margin_bps"] < values["initial_margin_bps"] <= INITIAL_MARGIN_MAX
    assert all(isinstance(v, int) for n, v in values.items() if n != "supply_cap")


def test_propose__longer_horizon__never_lowers_the_maintenance_haircut():
    history = load_csv(ROOT / "data/crashes/eth_2022-11-09.csv", "WETH")
    haircuts = [
        propose(history, Settings(horizon_seconds=h)).maint_haircut_bps.value for h in (300, 3_600, 86_400)
    ]
    assert haircuts == sorted(haircuts) and haircuts[0] < haircuts[-1]


def test_supply_cap__depth_given__is_twice_the_depth_in_whole_tokens():
    p = propose(hourly(100, 100, 90, 90), Settings(horizon_seconds=HOUR), depth_tokens=1_234.9)
    assert p.supply_cap.value == 2_469  # floor(2 * 1234.9 = 2469.8)
    assert p.supply_cap.inputs == {"depth_tokens": 1_234.9, "depth_multiple": 2.0}


def test_propose__too_short_a_history__is_refused():
    with pytest.raises(RiskDataError, match="at least three prices"):
        propose(hourly(100, 90), Settings())


def test_settings__non_positive_horizon__is_refused():
    with pytest.raises(RiskDataError, match="horizon"):
        Settings(horizon_seconds=0)


def _bounds(model, name):
    metadata = model.model_fields[name].metadata
    return (
        next(m.ge for m in metadata if isinstance(m, Ge)),
        next(m.le for m in metadata if isinstance(m, Le)),
    )


def test_bounds__match_the_deployment_schema():
    assert _bounds(CollateralConfig, "maint_haircut_bps") == MAINT_HAIRCUT_BOUNDS
    assert _bounds(CollateralConfig, "initial_haircut_bps")[1] == INITIAL_HAIRCUT_MAX
    assert _bounds(CollateralConfig, "stress_shock_bps") == STRESS_SHOCK_BOUNDS
    assert _bounds(MarketConfig, "stress_shock_bps") == STRESS_SHOCK_BOUNDS
    assert _bounds(MarketConfig, "maintenance_margin_bps") == MAINTENANCE_MARGIN_BOUNDS
    assert _bounds(MarketConfig, "initial_margin_bps")[1] == INITIAL_MARGIN_MAX
