"""`ape run calibrate monte-carlo`: the plan from the grid and the options, the candidates written and validated, the
jump models fitted, the tasks run on the cluster, the summary, the recommendation and the files
(`scripts/calibrate.py` is the thin click script)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from ballast.calibration.candidates import Candidate, build
from ballast.calibration.paths import GBM, fit_models
from ballast.calibration.plan import Grid, tasks
from ballast.calibration.plots import save_frontier
from ballast.calibration.report import (
    print_sets,
    recommendation_lines,
    write_runs,
    write_sets,
    write_summary,
)
from ballast.calibration.runner import RunStats, run_tasks
from ballast.calibration.summary import (
    DEFAULT_MIN_BUFFER_BPS,
    SetSummary,
    liquidation_buffer_bps,
    recommend,
    summarize,
)
from ballast.calibration.tasks import DEFAULT_TIMEOUT, TaskResult
from ballast.config import load_config


@dataclass(frozen=True)
class Outcome:
    candidates: list[Candidate]
    results: list[TaskResult]
    summaries: list[SetSummary]
    recommended: SetSummary | None
    stats: RunStats
    loss_target: float
    out: Path

    @property
    def errors(self) -> list[TaskResult]:
        return [r for r in self.results if not r.ok]


def monte_carlo(
    grid: Grid,
    base_config: Path,
    out: Path,
    workers: int = 2,
    scheduler: str | None = None,
    loss_target: float | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    console: Console | None = None,
    min_buffer_bps: int = DEFAULT_MIN_BUFFER_BPS,
) -> Outcome:
    """Run `grid` on the candidates of `base_config` and write the report to `out` (module docstring). The loss target
    defaults to the base config's InsuranceFund seed."""
    console = console or Console()
    target = float(load_config(base_config).insurance.seed) if loss_target is None else loss_target
    candidates = build(grid.candidates, base_config, out / "configs")
    models = fit_models() if GBM in grid.paths else ()
    for m in models:
        console.print(
            f"gbm {m.asset}: {Path(m.source).name}, {m.returns} returns, {m.jumps} jumps: mu {m.mu:.2f}/yr, "
            f"sigma {m.sigma:.3f}/yr, {m.jump_rate:,.0f} jumps/yr of N({m.jump_mean:.4f}, {m.jump_sd:.4f})"
        )
    specs = tasks(grid, candidates, models, timeout)
    console.print(
        f"monte carlo: {grid.describe()}, {grid.accounts} traders each, on "
        + (scheduler or f"{workers} local worker{'s' if workers > 1 else ''}")
    )
    runs_csv = out / "runs.csv"
    results, stats = run_tasks(
        specs, workers, scheduler, console, on_result=lambda done: write_runs(done, runs_csv)
    )
    write_runs(results, runs_csv)
    buffers = {c.name: liquidation_buffer_bps(c.config) for c in candidates}
    summaries = summarize(results, target, buffers, min_buffer_bps)
    recommended = recommend(summaries)
    print_sets(summaries, recommended, target, console)
    for line in recommendation_lines(recommended, summaries, candidates, target):
        console.print(line)
    errors = [r for r in results if not r.ok]
    for e in errors:
        console.print(f"[red]error[/red] {e.candidate} / {e.path} / seed {e.seed}: {e.error}")
    console.print(
        f"{stats.tasks} tasks on {stats.cluster}: {stats.wall_seconds:.1f} s ({stats.tasks_per_minute:.2f} tasks "
        f"per minute) after {stats.startup_seconds:.1f} s to start the workers"
    )
    write_sets(summaries, out / "sets.csv")
    save_frontier(
        summaries,
        target,
        recommended,
        out / "frontier.png",
        f"Monte Carlo: {grid.size} runs, {grid.accounts} traders, leverage {grid.leverage}",
    )
    summary = write_summary(
        out / "summary.md", grid, stats, summaries, recommended, candidates, target, errors
    )
    console.print(f"report: {summary}")
    return Outcome(candidates, results, summaries, recommended, stats, target, out)
