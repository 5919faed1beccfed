"""The Monte Carlo end to end on Dask: CI's small grid on two local worker processes, each run on its own anvil, and
the runner recording failed and timed-out tasks as results."""

from pathlib import Path

from rich.console import Console

from ballast.calibration.command import monte_carlo
from ballast.calibration.plan import SMALL
from ballast.calibration.runner import run_tasks
from ballast.calibration.summary import DEFAULT_MIN_BUFFER_BPS, liquidation_buffer_bps, percentile
from ballast.calibration.tasks import TaskSpec

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "config" / "local.yaml"


def test_monte_carlo__small_grid_on_two_workers__rows_summary_and_recommendation_agree(tmp_path):
    outcome = monte_carlo(SMALL, BASE, tmp_path, workers=2, console=Console(quiet=True))
    results = outcome.results

    assert outcome.stats.workers == 2
    assert outcome.loss_target == 125_000.0  # the base config's InsuranceFund seed
    assert [(r.candidate, r.path, r.seed) for r in results] == [
        (c, p, s) for c in SMALL.candidates for p in SMALL.paths for s in SMALL.seeds
    ]
    assert [r.error for r in results] == [None] * SMALL.size
    assert all(r.bad_debt >= r.insurance_covered >= 0 and r.lp_loss >= 0 and r.leverage > 0 for r in results)
    for s in outcome.summaries:
        rows = [r for r in results if r.candidate == s.candidate]
        assert s.runs == len(rows) == len(SMALL.paths) * len(SMALL.seeds)
        assert s.bad_debt_p99 == percentile([r.bad_debt for r in rows], 99)
        assert s.lp_loss_p99 == percentile([r.lp_loss for r in rows], 99)
        buffer = liquidation_buffer_bps(next(c for c in outcome.candidates if c.name == s.candidate).config)
        assert s.buffer_bps == buffer
        assert s.meets_target == (s.bad_debt_p99 <= outcome.loss_target and buffer >= DEFAULT_MIN_BUFFER_BPS)
    current, looser = outcome.summaries
    assert looser.leverage > current.leverage  # lower haircuts and margins allow more notional per dollar
    meeting = [s for s in outcome.summaries if s.meets_target]
    if meeting:
        assert outcome.recommended is not None and outcome.recommended.meets_target
        assert outcome.recommended.leverage == max(s.leverage for s in meeting)
    else:
        assert outcome.recommended is None
    assert len((tmp_path / "runs.csv").read_text().splitlines()) == 1 + SMALL.size
    assert (tmp_path / "frontier.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| set | runs | errors |" in (tmp_path / "summary.md").read_text()


def test_run_tasks__failed_and_timed_out_tasks_come_back_as_errors(tmp_path):
    text = BASE.read_text()
    specs = [
        TaskSpec("slow", text, "eth_2021-05-19", 1, 30, 40, "max", (), timeout=1.0),
        TaskSpec(
            "broken",
            text.replace("stressShockBps: 2000", "stressShockBps: 20000", 1),
            "gbm",
            1,
            5,
            5,
            "max",
            (),
        ),
    ]
    results, stats = run_tasks(specs, workers=1, console=Console(quiet=True))

    assert results[0].error.startswith("timed out after 1 s")
    assert results[1].error.startswith("ConfigError: ")
    assert "collateral.WBTC.stressShockBps" in results[1].error
    assert (stats.tasks, stats.workers) == (2, 1)
