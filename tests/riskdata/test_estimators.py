"""The estimators against values computed by hand on tiny series (the arithmetic is written out in each test)."""

import math

import numpy as np
import pytest

from ballast.riskdata.estimators import (
    RISKMETRICS_LAMBDA,
    ewma_variances,
    ewma_volatility,
    log_returns,
    realised_volatility,
    worst_move,
)

LN_1_1 = 0.09531017980432493  # ln(1.1)
LN_0_9 = -0.10536051565782628  # ln(0.9)


def test_log_returns__100_110_99__are_ln_1_1_and_ln_0_9():
    # 110 / 100 = 1.1; 99 / 110 = 0.9
    assert log_returns([100, 110, 99]) == pytest.approx([LN_1_1, LN_0_9], abs=1e-15)


def test_log_returns__a_non_positive_price__is_refused():
    with pytest.raises(ValueError, match="positive"):
        log_returns([100, 0, 99])


def test_realised_volatility__two_returns__is_their_sample_stdev_times_sqrt_periods_per_year():
    # mean = (0.0953101798 - 0.1053605157) / 2 = -0.0050251679
    # deviations = +-0.1003353477; sample variance = 2 * 0.1003353477^2 / (2 - 1) = 0.0201343640
    # stdev = sqrt(0.0201343640) = 0.1418956; annualised with 365 periods a year: * 19.1049732 = 2.7109118
    per_period = math.sqrt(2 * 0.1003353477**2 / (2 - 1))
    assert per_period == pytest.approx(0.1418956, abs=1e-7)
    assert realised_volatility([LN_1_1, LN_0_9], periods_per_year=1) == pytest.approx(per_period, rel=1e-9)
    assert realised_volatility([LN_1_1, LN_0_9], periods_per_year=365) == pytest.approx(2.7109118, abs=1e-7)


def test_ewma_variances__three_steps__follow_the_riskmetrics_recursion_by_hand():
    # r = 0.01, -0.02, 0.03; lambda = 0.94
    # s2_1 = 0.01^2 = 0.0001
    # s2_2 = 0.94 * 0.0001 + 0.06 * 0.0004 = 0.000094 + 0.000024 = 0.000118
    # s2_3 = 0.94 * 0.000118 + 0.06 * 0.0009 = 0.00011092 + 0.000054 = 0.00016492
    variances = ewma_variances([0.01, -0.02, 0.03], lam=0.94)
    assert variances == pytest.approx([0.0001, 0.000118, 0.00016492], rel=1e-12)


def test_ewma_volatility__is_the_last_variance_annualised():
    # sqrt(0.00016492) = 0.0128421182 per period; * sqrt(365): sqrt(0.00016492 * 365) = sqrt(0.0601958) = 0.2453483
    assert ewma_volatility([0.01, -0.02, 0.03], periods_per_year=1) == pytest.approx(0.0128421182, abs=1e-10)
    assert ewma_volatility([0.01, -0.02, 0.03], periods_per_year=365) == pytest.approx(0.2453483, abs=1e-7)


def test_ewma__default_lambda_is_riskmetrics_0_94():
    assert RISKMETRICS_LAMBDA == 0.94
    assert ewma_volatility([0.01, -0.02, 0.03], 1) == ewma_volatility([0.01, -0.02, 0.03], 1, lam=0.94)


def test_ewma__lambda_outside_0_1__is_refused():
    with pytest.raises(ValueError, match="lambda"):
        ewma_variances([0.01], lam=1.0)


PRICES = [100, 120, 90, 99, 80]


def test_worst_move__one_period__is_the_worst_single_step_each_way():
    # steps: 120/100 = +20 %, 90/120 = -25 %, 99/90 = +10 %, 80/99 = -19.19 %
    move = worst_move(PRICES, 1)
    assert move.down == pytest.approx(0.25) and move.down_at == (1, 2)
    assert move.up == pytest.approx(0.20) and move.up_at == (0, 1)


def test_worst_move__two_periods__by_hand():
    # two-step windows add 90/100 = -10 %, 99/120 = -17.5 %, 80/90 = -11.1 %: the worst fall stays 120 -> 90, -25 %
    move = worst_move(PRICES, 2)
    assert (move.down, move.down_at, move.up, move.up_at) == (
        pytest.approx(0.25),
        (1, 2),
        pytest.approx(0.2),
        (0, 1),
    )


def test_worst_move__three_periods__reaches_120_to_80():
    # three-step windows add 99/100 = -1 % and 80/120 = -33.3 %: the worst fall is now 1 - 80/120 = 1/3
    move = worst_move(PRICES, 3)
    assert move.down == pytest.approx(1 / 3) and move.down_at == (1, 4)
    assert move.either == pytest.approx(1 / 3)


def test_worst_move__rising_prices__have_no_fall():
    move = worst_move([1, 2, 3], 2)
    assert move.down == 0.0
    assert move.up == pytest.approx(2.0)  # 3 / 1 - 1


def test_worst_move__horizon_longer_than_the_series__is_cut_to_the_series():
    assert worst_move(PRICES, 100).horizon == len(PRICES) - 1


def test_worst_move__matches_a_brute_force_over_every_pair():
    prices = np.exp(np.cumsum(np.random.default_rng(3).normal(0, 0.02, 60))) * 100
    for h in (1, 5, 17):
        pairs = [(i, j) for i in range(60) for j in range(i + 1, min(i + h, 59) + 1)]
        down = max(max(1 - prices[j] / prices[i] for i, j in pairs), 0.0)
        up = max(max(prices[j] / prices[i] - 1 for i, j in pairs), 0.0)
        move = worst_move(prices, h)
        assert (move.down, move.up) == (pytest.approx(down, abs=1e-15), pytest.approx(up, abs=1e-15))
