"""The Merton fit by threshold separation, on returns whose every statistic is computed by hand, and the fitted
GBM paths: seeded, and drawn from the model's parameters."""

import math

import numpy as np
import pytest

from ballast.calibration.jumps import MAD_TO_SD, fit, fit_returns, separate
from ballast.calibration.paths import GBM_BLOCK_TIME, FittedPaths
from ballast.errors import SeriesError
from ballast.riskdata.history import PriceHistory
from ballast.scenarios.paths import SECONDS_PER_YEAR
from ballast.scenarios.record import RunSettings

# Five calm returns and two jumps. median 0; |r| sorted 0, .001, .001, .002, .002, .04, .05: MAD .002, robust sd
# 1.4826 x .002 = .0029652, threshold 4 x that = .0118608: only -.05 and .04 lie beyond it.
RETURNS = [0.001, -0.001, 0.002, -0.002, 0.0, -0.05, 0.04]


def test_separate__returns_beyond_k_robust_sds_from_the_median_are_jumps():
    mask, robust = separate(RETURNS, threshold=4.0)

    assert robust == pytest.approx(MAD_TO_SD * 0.002)
    assert mask.tolist() == [False, False, False, False, False, True, True]


def test_fit_returns__hand_computed_diffusion_and_jump_parameters():
    model = fit_returns(RETURNS, periods_per_year=100.0, asset="WETH")

    # Diffusion: mean 0, sample variance (1 + 1 + 4 + 4 + 0) e-6 / 4 = 2.5e-6 per period.
    sigma = math.sqrt(2.5e-6 * 100)
    assert model.sigma == pytest.approx(sigma)
    assert model.mu == pytest.approx(0.0 + sigma**2 / 2)
    # Jumps: 2 of 7 periods, sizes -0.05 and 0.04 (less the diffusion mean 0).
    assert model.jump_rate == pytest.approx(2 / 7 * 100)
    assert model.jump_mean == pytest.approx(-0.005)
    assert model.jump_sd == pytest.approx(0.045 * math.sqrt(2))
    assert (model.returns, model.jumps, model.asset) == (7, 2, "WETH")


def test_fit_returns__jump_size_is_the_return_less_the_diffusion_mean():
    returns = [0.002, 0.0, 0.002, 0.0, 0.001, 0.1]
    model = fit_returns(returns, periods_per_year=1.0)
    # median 0.0015, |r - c| = .0005 .0015 .0005 .0015 .0005 .0985: MAD .001; threshold 4 x .0014826: only 0.1.
    assert model.jumps == 1
    assert model.jump_mean == pytest.approx(0.1 - 0.001)  # calm mean (.002 + 0 + .002 + 0 + .001) / 5
    assert model.jump_sd == 0.0  # one jump: no spread


def test_fit__annualises_by_the_history_s_period():
    prices = 100 * np.exp(np.cumsum([0.0, *RETURNS]))
    stamps = np.arange(len(prices), dtype=np.int64) * 300  # 5-minute closes: 105,120 periods a year
    model = fit(PriceHistory("WETH", stamps, prices, "hand"))

    assert model.period_seconds == pytest.approx(300)
    assert model.sigma == pytest.approx(math.sqrt(2.5e-6 * 105_120))
    assert model.jump_rate == pytest.approx(2 / 7 * 105_120)
    assert model.jumps_per_block(600) == pytest.approx(2 / 7 * 105_120 * 600 / SECONDS_PER_YEAR)


def test_fit_returns__too_few_calm_returns__clear_error():
    with pytest.raises(SeriesError, match="fewer than two returns without a jump"):
        # median 0, MAD 0.4: beyond 0.5 x 1.4826 x 0.4 = 0.2965 lie 0.4 and -0.5, one calm return is left.
        fit_returns([0.0, 0.4, -0.5], periods_per_year=1.0, source="x.csv", threshold=0.5)


def _model(**changes):
    base = fit_returns(RETURNS, 100.0, asset="WETH")
    return base.__class__(**{**base.__dict__, **changes})


def test_fitted_paths__drift_only_model_grows_by_mu_dt_per_block():
    dt = GBM_BLOCK_TIME / SECONDS_PER_YEAR
    mu = 0.01 / dt  # +1 % in logs per block
    paths = FittedPaths((_model(mu=mu, sigma=0.0, jump_rate=0.0),))
    out = paths(
        np.random.default_rng(1),
        {"WETH": 3000.0, "USDC": 1.0},
        RunSettings(blocks=4, block_time=GBM_BLOCK_TIME),
    )

    assert out["WETH"] == pytest.approx(3000.0 * np.exp([0.0, 0.01, 0.02, 0.03]))
    assert out["USDC"].tolist() == [1.0] * 4  # not modelled: flat


def test_fitted_paths__same_seed_same_path_other_seed_another():
    paths = FittedPaths((fit_returns(RETURNS, 105_120.0, asset="WETH"),))
    settings = RunSettings(blocks=48, block_time=GBM_BLOCK_TIME)
    prices = {"WETH": 3000.0}

    first = paths(np.random.default_rng(5), prices, settings)["WETH"]
    again = paths(np.random.default_rng(5), prices, settings)["WETH"]
    other = paths(np.random.default_rng(6), prices, settings)["WETH"]

    assert first.tolist() == again.tolist()
    assert first.tolist() != other.tolist()
    assert first[0] == 3000.0 and len(first) == 48
