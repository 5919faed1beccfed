"""The backtest's outputs: a table of the runs side by side (static | dynamic per replay), a CSV with one line per run
and a PNG of bad debt, LP loss, liquidations and average allowed leverage per replay (matplotlib's Agg canvas on a
bare Figure, as `ballast.scenarios.plots`)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from rich.table import Table

from ballast.riskdata.backtest import BacktestRow

COLOURS = {"static": "#8d99ae", "dynamic": "#2a9d8f"}


def pairs(rows: Sequence[BacktestRow]) -> list[tuple[str, BacktestRow | None, BacktestRow | None]]:
    """(scenario, static row, dynamic row) in the order the scenarios first appear."""
    order = list(dict.fromkeys(r.scenario for r in rows))
    by = {(r.scenario, r.mode): r for r in rows}
    return [(s, by.get((s, "static")), by.get((s, "dynamic"))) for s in order]


def _one(row: BacktestRow | None, fmt: str, attr: str) -> str:
    return "-" if row is None else format(getattr(row, attr), fmt)


def _both(a: BacktestRow | None, b: BacktestRow | None, fmt: str, attr: str) -> str:
    left = "-" if a is None else format(getattr(a, attr), fmt)
    right = "-" if b is None else format(getattr(b, attr), fmt)
    return f"{left} | {right}"


def backtest_table(rows: Sequence[BacktestRow]) -> Table:
    """One line per replay, each figure as `static | dynamic`."""
    table = Table(
        title="backtest: static | dynamic risk parameters",
        caption="USD; leverage: notional per dollar deposited",
    )
    for column in (
        "replay",
        "traders",
        "liquidations",
        "bad debt",
        "LP loss",
        "avg allowed leverage",
        "risk steps (tightening)",
        "held by spacing",
        "failed txs",
        "wall s",
    ):
        table.add_column(column, justify="left" if column == "replay" else "right")
    for scenario, s, d in pairs(rows):
        any_row = s or d
        assert any_row is not None
        table.add_row(
            scenario,
            f"{any_row.accounts}",
            _both(s, d, ",d", "liquidations"),
            _both(s, d, ",.0f", "bad_debt"),
            _both(s, d, ",.0f", "lp_loss"),
            _both(s, d, ".3f", "avg_allowed_leverage"),
            "-" if d is None else f"{d.risk_steps} ({d.tightenings})",
            "-" if d is None else f"{d.tightenings_held}",
            "-" if d is None else f"{d.risk_failures}",
            _both(s, d, ".0f", "wall_seconds"),
        )
    return table


def markdown_table(rows: Sequence[BacktestRow]) -> str:
    """The table as Markdown (for docs): each figure in a static and a dynamic column."""
    lines = [
        "| replay | traders | liquidations static | dynamic | bad debt static (USD) | dynamic | LP loss static (USD) "
        "| dynamic | avg allowed leverage static | dynamic | risk steps (tightening) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for scenario, s, d in pairs(rows):
        any_row = s or d
        assert any_row is not None
        cells = [scenario, f"{any_row.accounts}"]
        for fmt, attr in (
            (",d", "liquidations"),
            (",.0f", "bad_debt"),
            (",.0f", "lp_loss"),
            (".3f", "avg_allowed_leverage"),
        ):
            cells += [_one(s, fmt, attr), _one(d, fmt, attr)]
        cells.append("-" if d is None else f"{d.risk_steps} ({d.tightenings})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_csv(rows: Sequence[BacktestRow], path: Path) -> Path:
    """One line per run, the `BacktestRow` fields as columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, [f.name for f in fields(BacktestRow)], lineterminator="\n")
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
    return path


def write_plot(rows: Sequence[BacktestRow], path: Path) -> Path:
    """Four panels, one bar per replay and mode: bad debt, LP loss, liquidations, average allowed leverage."""
    path.parent.mkdir(parents=True, exist_ok=True)
    grouped = pairs(rows)
    names = [g[0] for g in grouped]
    x = np.arange(len(names))
    figure = Figure(figsize=(max(8.0, 1.6 * len(names) + 4), 8.0))
    panels = (
        ("bad debt (USD)", "bad_debt"),
        ("LP loss (USD)", "lp_loss"),
        ("liquidations", "liquidations"),
        ("average allowed leverage", "avg_allowed_leverage"),
    )
    for k, (title, attr) in enumerate(panels):
        axes = figure.add_subplot(2, 2, k + 1)
        for j, mode in enumerate(("static", "dynamic")):
            values = [float(getattr(g[1 + j], attr)) if g[1 + j] is not None else 0.0 for g in grouped]
            axes.bar(x + (j - 0.5) * 0.38, values, width=0.38, label=mode, color=COLOURS[mode])
        axes.set_title(title)
        axes.set_xticks(x, names, rotation=20, ha="right", fontsize=8)
        axes.grid(axis="y", alpha=0.3)
        if k == 0:
            axes.legend()
    figure.suptitle("Crash replays: static parameters vs the risk keeper stepping them")
    figure.tight_layout()
    FigureCanvasAgg(figure)
    figure.savefig(path, format="png", dpi=110)
    return path
