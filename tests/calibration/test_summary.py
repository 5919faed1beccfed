"""Per-set tails and the recommendation, from runs whose percentiles are computed by hand (numpy's linear
interpolation: rank q/100 x (n - 1) between the sorted values)."""

import pytest

from ballast.calibration.summary import frontier, percentile, recommend, summarize
from ballast.calibration.tasks import TaskResult
from ballast.errors import CalibrationError


def _run(candidate, bad_debt=0.0, lp_loss=0.0, liquidations=0, leverage=3.0, error=None, seed=1):
    return TaskResult(
        candidate=candidate, path="gbm", seed=seed, accounts=10, liquidations=liquidations, bad_debt=bad_debt,
        insurance_covered=bad_debt - lp_loss, lp_loss=lp_loss, liquidatable_at_end=0, leverage=leverage,
        notional=1e6, passed=error is None, wall_seconds=1.0, worker="w:1", error=error,
    )  # fmt: skip


def test_percentile__linear_interpolation_between_ranks():
    # rank 0.99 x 3 = 2.97: 1,000 + 0.97 x 9,000; rank 0.95 x 3 = 2.85: 1,000 + 0.85 x 9,000
    assert percentile([10_000.0, 0.0, 1_000.0, 100.0], 99) == pytest.approx(9_730.0)
    assert percentile([10_000.0, 0.0, 1_000.0, 100.0], 95) == pytest.approx(8_650.0)
    assert percentile([], 99) == 0.0


def test_summarize__per_set_tails_means_and_target():
    runs = [
        _run("a", 0.0, 0.0, 2, 3.0),
        _run("a", 100.0, 0.0, 4, 3.5),
        _run("a", 1_000.0, 0.0, 6, 4.0),
        _run("a", 10_000.0, 2_000.0, 12, 4.5),
        _run("b", 50.0, 0.0, 1, 2.0),
    ]
    a, b = summarize(runs, loss_target=9_730.0)

    assert (a.candidate, a.runs, a.errors) == ("a", 4, 0)
    assert a.bad_debt_p99 == pytest.approx(9_730.0)
    assert a.bad_debt_p95 == pytest.approx(8_650.0)
    assert a.bad_debt_max == 10_000.0
    assert a.lp_loss_p99 == pytest.approx(0.97 * 2_000.0)  # 0, 0, 0, 2,000
    assert a.liquidations_mean == 6.0
    assert a.liquidations_p95 == pytest.approx(6 + 0.85 * 6)
    assert a.leverage == pytest.approx(3.75)
    assert a.meets_target  # p99 equal to the target meets it
    assert not summarize(runs, loss_target=9_729.0)[0].meets_target
    assert (b.bad_debt_p99, b.leverage, b.meets_target) == (50.0, 2.0, True)


def test_summarize__a_set_with_a_failed_run_does_not_meet_the_target():
    (s,) = summarize([_run("a", 0.0), _run("a", error="NodeError: anvil exited", seed=2)], loss_target=1e9)

    assert (s.runs, s.errors, s.meets_target) == (1, 1, False)


def test_summarize__negative_target__clear_error():
    with pytest.raises(CalibrationError, match=r"--loss-target: -1\.0 is negative"):
        summarize([_run("a")], -1.0)


def test_recommend__most_leverage_among_sets_meeting_the_target():
    runs = [
        _run("tight", 0.0, leverage=2.0),
        _run("middle", 900.0, leverage=3.0),
        _run("loose", 5_000.0, leverage=5.0),  # more leverage, misses the target
    ]
    summaries = summarize(runs, loss_target=1_000.0)

    assert recommend(summaries).candidate == "middle"
    assert recommend(summarize(runs, loss_target=10.0)).candidate == "tight"
    assert recommend(summarize(runs, loss_target=1.0e6)).candidate == "loose"


def test_recommend__ties_on_leverage_go_to_less_bad_debt_then_the_name():
    runs = [_run("b", 10.0, leverage=3.0), _run("a", 10.0, leverage=3.0), _run("c", 5.0, leverage=3.0)]
    assert recommend(summarize(runs, 100.0)).candidate == "c"
    assert recommend(summarize(runs[:2], 100.0)).candidate == "a"


def test_recommend__none_meets_the_target__no_recommendation():
    assert recommend(summarize([_run("a", 10.0)], loss_target=5.0)) is None


def test_frontier__sets_no_other_beats_on_both_by_leverage():
    runs = [
        _run("tight", 0.0, leverage=2.0),
        _run("dominated", 500.0, leverage=1.5),  # less leverage and more bad debt than tight
        _run("middle", 900.0, leverage=3.0),
        _run("loose", 5_000.0, leverage=5.0),
    ]
    assert [s.candidate for s in frontier(summarize(runs, 1_000.0))] == ["tight", "middle", "loose"]


def test_recommend__a_set_below_the_liquidation_buffer_is_not_recommended():
    """The most leverage is in `thin`, whose positions opened at the limit are liquidated after a 2.6 % move (a
    259 bps margin gap): below the 500 bps floor it does not meet the target, and `wide` is recommended."""
    runs = [_run("thin", 100.0, leverage=6.0), _run("wide", 200.0, leverage=3.5)]
    thin, wide = summarize(runs, 1e6, {"thin": 259, "wide": 500}, min_buffer_bps=500)
    assert (thin.buffer_bps, thin.meets_target) == (259, False)
    assert (wide.buffer_bps, wide.meets_target) == (500, True)
    assert recommend([thin, wide]) is wide
    assert recommend(summarize(runs, 1e6, {"thin": 259, "wide": 500}, min_buffer_bps=0)).candidate == "thin"
    with pytest.raises(CalibrationError, match="--min-buffer-bps: -1 is negative"):
        summarize(runs, 1e6, min_buffer_bps=-1)


def test_liquidation_buffer__smallest_market_margin_gap_of_the_local_config():
    from ballast.calibration.summary import liquidation_buffer_bps
    from ballast.config import load_config

    config = load_config("config/local.yaml")
    # WETH-PERP and WBTC-PERP: 1,000 - 500; LTT-PERP: 2,500 - 1,250
    assert [m.initial_margin_bps - m.maintenance_margin_bps for m in config.markets] == [500, 500, 1_250]
    assert liquidation_buffer_bps(config) == 500
