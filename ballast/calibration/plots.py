"""The efficiency frontier: each parameter set's leverage against its 99th percentile of bad debt per run, the loss
target as a line, the sets no other set beats joined, the recommended set marked. A bare `Figure` rendered by the Agg
canvas, as the scenario plots (`ballast.scenarios.plots`): no display, no pyplot state."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ballast.calibration.summary import SetSummary, frontier
from ballast.scenarios.plots import UsdFormatter

DPI = 110


def plot_frontier(
    summaries: Sequence[SetSummary], loss_target: float, recommended: SetSummary | None, title: str
) -> Figure:
    figure = Figure(figsize=(9, 5.5), layout="constrained")
    axes = figure.subplots()
    shown = [s for s in summaries if s.runs]
    meets = [s for s in shown if s.meets_target]
    misses = [s for s in shown if not s.meets_target]
    for group, colour, marker, label in (
        (meets, "#2a9d8f", "o", "meets the loss target"),
        (misses, "#e63946", "x", "misses it"),
    ):
        if group:
            axes.scatter(
                [s.leverage for s in group],
                [s.bad_debt_p99 for s in group],
                color=colour,
                marker=marker,
                label=label,
                zorder=3,
            )
    edge = frontier(shown)
    axes.plot(
        [s.leverage for s in edge],
        [s.bad_debt_p99 for s in edge],
        color="#6c757d",
        lw=1.0,
        ls="--",
        label="frontier (no set beats these on both)",
    )
    for s in shown:
        axes.annotate(
            s.candidate, (s.leverage, s.bad_debt_p99), textcoords="offset points", xytext=(5, 5), fontsize=8
        )
    axes.axhline(loss_target, color="#f4a261", lw=1.2, label=f"loss target ${loss_target:,.0f}")
    if recommended is not None:
        axes.scatter(
            [recommended.leverage],
            [recommended.bad_debt_p99],
            s=260,
            marker="*",
            color="#ffb703",
            edgecolor="#1d3557",
            label=f"recommended: {recommended.candidate}",
            zorder=4,
        )
    axes.set_xlabel("average allowed leverage (notional per dollar of deposits)")
    axes.set_ylabel("bad debt per run, 99th percentile")
    axes.yaxis.set_major_formatter(UsdFormatter())
    axes.grid(alpha=0.3)
    axes.legend(loc="best", fontsize="small")
    axes.set_title(title)
    return figure


def save_frontier(
    summaries: Sequence[SetSummary],
    loss_target: float,
    recommended: SetSummary | None,
    path: Path,
    title: str = "Monte Carlo: leverage vs bad debt",
) -> Path:
    """Draw the frontier to the PNG at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure = plot_frontier(summaries, loss_target, recommended, title)
    FigureCanvasAgg(figure)
    figure.savefig(path, format="png", dpi=DPI)
    figure.clear()
    return path
