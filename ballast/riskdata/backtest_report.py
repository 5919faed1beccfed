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
from rich import box
from rich.table import Table

from ballast.riskdata.backtest import BacktestRow, BacktestRun

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
    """Two lines per replay, static then dynamic."""
    table = Table(
        box=box.SIMPLE,
        pad_edge=False,
        title="backtest: static vs dynamic risk parameters",
        caption="USD. leverage: allowed notional per dollar deposited, averaged over the blocks; steps: risk keeper "
        "transactions (tight.: tightening ones); held: keeper turns whose tightening waited for the engine's spacing",
    )
    columns = ("replay", "mode", "liq.", "bad debt", "LP loss", "leverage", "steps", "tight.", "held")
    for column in columns:
        table.add_column(column, justify="left" if column in ("replay", "mode") else "right", no_wrap=True)
    for scenario, s, d in pairs(rows):
        present = [r for r in (s, d) if r is not None]
        for k, row in enumerate(present):
            dynamic = row.mode == "dynamic"
            table.add_row(
                scenario if k == 0 else "",
                row.mode,
                f"{row.liquidations:,d}",
                f"{row.bad_debt:,.0f}",
                f"{row.lp_loss:,.0f}",
                f"{row.avg_allowed_leverage:.3f}",
                f"{row.risk_steps}" if dynamic else "-",
                f"{row.tightenings}" if dynamic else "-",
                f"{row.tightenings_held}" if dynamic else "-",
                end_section=k == len(present) - 1,
            )
    return table


def markdown_table(rows: Sequence[BacktestRow]) -> str:
    """The table as Markdown (for docs): each figure in a static and a dynamic column."""
    lines = [
        "| replay | traders | liquidations static | dynamic | bad debt static (USD) | dynamic | LP loss static (USD) "
        "| dynamic | avg allowed leverage static | dynamic | risk steps (tightening) | tightenings held |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
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
        cells.append("-" if d is None else f"{d.tightenings_held}")
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


def write_steps_csv(runs: Sequence[BacktestRun], path: Path) -> Path:
    """Every step the risk keeper sent in the dynamic runs: one line per parameter changed (block -1: the lead-in
    step before the first block)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["scenario", "block", "subject", "label", "tightens", "parameter", "before", "after", "tx"]
        )
        for run in runs:
            for st in run.record.risk_steps:
                for name, (before, after) in st.changes.items():
                    writer.writerow(
                        [
                            run.row.scenario,
                            st.block,
                            st.subject,
                            st.label,
                            st.tightens,
                            name,
                            before,
                            after,
                            st.tx,
                        ]
                    )
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
        if not any(float(getattr(r, attr)) for r in rows):
            axes.set_ylim(0, 1)
            axes.text(0.5, 0.5, "none in any run", transform=axes.transAxes, ha="center", va="center")
        axes.set_xticks(x, names, rotation=20, ha="right", fontsize=8)
        axes.grid(axis="y", alpha=0.3)
        if k == 0:
            axes.legend()
    figure.suptitle("Crash replays: static parameters vs the risk keeper stepping them")
    figure.tight_layout()
    FigureCanvasAgg(figure)
    figure.savefig(path, format="png", dpi=110)
    return path
