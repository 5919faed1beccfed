"""The Monte Carlo's output: the terminal tables (the sets, the recommendation, the run's speed) and the files under
`--out`: `runs.csv` (one line per task, written as results arrive), `sets.csv` (one line per set),
`frontier.png` and `summary.md` (the table, the recommendation and the parameter changes it asks of the base
config)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ballast.calibration.candidates import Candidate
from ballast.calibration.plan import Grid
from ballast.calibration.runner import RunStats
from ballast.calibration.summary import SetSummary
from ballast.calibration.tasks import TaskResult
from ballast.config import diff_configs

#: The config sections a candidate changes.
RISK_SECTIONS = ("collateral", "markets")


def write_runs(results: Sequence[TaskResult], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, [f.name for f in fields(TaskResult)], lineterminator="\n")
        writer.writeheader()
        writer.writerows(asdict(r) for r in results)
    return path


def write_sets(summaries: Sequence[SetSummary], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, [f.name for f in fields(SetSummary)], lineterminator="\n")
        writer.writeheader()
        writer.writerows(asdict(s) for s in summaries)
    return path


def changes(candidate: Candidate, base: Candidate) -> list[str]:
    """The collateral and market parameters `candidate` changes from `base`, one line each (`path: old -> new`)."""
    old, new = base.config.normalized(), candidate.config.normalized()
    lines = [line for key in RISK_SECTIONS for line in diff_configs(old[key], new[key], key)]
    for i, m in enumerate(base.config.markets):
        lines = [line.replace(f"markets[{i}].", f"markets.{m.name}.") for line in lines]
    return lines


HEADERS = (
    "set",
    "runs",
    "errors",
    "bad debt p95",
    "bad debt p99",
    "bad debt max",
    "LP loss p95",
    "LP loss p99",
    "liquidations mean",
    "liquidations p95",
    "leverage",
    "buffer (bps)",
    "meets target",
)


def _cells(s: SetSummary, recommended: SetSummary | None) -> list[str]:
    mark = " (recommended)" if recommended is not None and s.candidate == recommended.candidate else ""
    return [
        s.candidate + mark,
        str(s.runs),
        str(s.errors),
        f"{s.bad_debt_p95:,.0f}",
        f"{s.bad_debt_p99:,.0f}",
        f"{s.bad_debt_max:,.0f}",
        f"{s.lp_loss_p95:,.0f}",
        f"{s.lp_loss_p99:,.0f}",
        f"{s.liquidations_mean:,.1f}",
        f"{s.liquidations_p95:,.1f}",
        f"{s.leverage:.3f}",
        "-" if s.buffer_bps is None else f"{s.buffer_bps:,}",
        "yes" if s.meets_target else "no",
    ]


def markdown_table(summaries: Sequence[SetSummary], recommended: SetSummary | None) -> str:
    """The sets as a markdown table (USD amounts)."""
    lines = [
        "| " + " | ".join(HEADERS) + " |",
        "|---|" + "--:|" * (len(HEADERS) - 2) + "---|",
    ]
    lines += ["| " + " | ".join(_cells(s, recommended)) + " |" for s in summaries]
    return "\n".join(lines)


def print_sets(
    summaries: Sequence[SetSummary], recommended: SetSummary | None, loss_target: float, console: Console
) -> None:
    table = Table(title=f"parameter sets (USD; loss target: bad debt p99 <= ${loss_target:,.0f})")
    for h in HEADERS:
        table.add_column(h, justify="left" if h in ("set", "meets target") else "right")
    for s in summaries:
        table.add_row(*_cells(s, recommended))
    console.print(table)


def recommendation_lines(
    recommended: SetSummary | None,
    summaries: Sequence[SetSummary],
    candidates: Sequence[Candidate],
    loss_target: float,
) -> list[str]:
    """What to change, and why: the recommended set's numbers against the base config's (`current`, when it ran)."""
    if recommended is None:
        return [f"no parameter set meets the loss target (bad debt p99 <= ${loss_target:,.0f})"]
    by_name = {c.name: c for c in candidates}
    chosen = by_name[recommended.candidate]
    lines = [
        f"recommended: {chosen.name} ({chosen.description}): leverage {recommended.leverage:.3f}, "
        f"bad debt p99 ${recommended.bad_debt_p99:,.0f} (target ${loss_target:,.0f}), "
        f"LP loss p99 ${recommended.lp_loss_p99:,.0f}"
    ]
    current = next((s for s in summaries if s.candidate == "current"), None)
    if current is not None and current.candidate != chosen.name:
        lines.append(
            f"current: leverage {current.leverage:.3f}, bad debt p99 ${current.bad_debt_p99:,.0f}, "
            f"LP loss p99 ${current.lp_loss_p99:,.0f}"
        )
    if "current" in by_name:
        diff = changes(chosen, by_name["current"])
        lines += [f"  {line}" for line in diff] or ["  (the current parameters)"]
    return lines


def write_summary(
    path: Path,
    grid: Grid,
    stats: RunStats,
    summaries: Sequence[SetSummary],
    recommended: SetSummary | None,
    candidates: Sequence[Candidate],
    loss_target: float,
    errors: Sequence[TaskResult],
) -> Path:
    """summary.md: the grid, the run's speed, the sets, the recommendation with its parameter changes, errors."""
    text = [
        "# Monte Carlo calibration",
        "",
        f"- grid: {grid.describe()}; {grid.accounts} traders, leverage `{grid.leverage}`, blocks "
        + (str(grid.blocks) if grid.blocks else "each path's own"),
        f"- paths: {', '.join(grid.paths)}; seeds: {', '.join(map(str, grid.seeds))}",
        f"- cluster: {stats.cluster} ({stats.workers} workers); start {stats.startup_seconds:.1f} s; tasks "
        f"{stats.wall_seconds:.1f} s, {stats.tasks_per_minute:.2f} tasks per minute",
        f"- loss target: bad debt p99 <= ${loss_target:,.0f} per run",
        "",
        markdown_table(summaries, recommended),
        "",
        "![frontier](frontier.png)",
        "",
        *(f"    {line}" for line in recommendation_lines(recommended, summaries, candidates, loss_target)),
        "",
    ]
    if errors:
        text += [
            "## Errors",
            "",
            *(f"- {e.candidate} / {e.path} / seed {e.seed}: {e.error}" for e in errors),
            "",
        ]
    text += ["## Parameter sets", "", *(f"- `{c.name}`: {c.description}" for c in candidates), ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(text), encoding="utf-8")
    return path
