"""The report of a scenario run: `reports/<scenario>-<seed>/` with `summary.md`, `metrics.csv` and PNG plots, and the
terminal tables printed at the end of a run.

`write_report` is deterministic: the same `ScenarioResult` gives the same `summary.md` and `metrics.csv` bytes (the
wall time is part of the result, not read here). The plots are drawn on bare `matplotlib.figure.Figure`s rendered by
the Agg canvas: pyplot (and with it any GUI backend or global figure state) is never imported, and the fonts are
matplotlib's bundled ones, so nothing needs a display or the network.
"""

from __future__ import annotations

import csv
import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import Formatter, MaxNLocator
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ballast.scenarios.lp_split import LossSplit
from ballast.scenarios.model import (
    HEALTH_BUCKETS,
    BlockMetrics,
    Outcome,
    ScenarioResult,
    Verdict,
)

SUMMARY = "summary.md"
METRICS = "metrics.csv"
#: The plots, in the order summary.md links them, with their captions.
PLOTS: tuple[tuple[str, str], ...] = (
    ("prices.png", "Oracle prices: median, TWAP and the path, with the non-Ok status bands"),
    ("health.png", "Accounts by health bucket"),
    ("liquidations.png", "Liquidations and keeper gas per block"),
    ("insurance_lp.png", "InsuranceFund balance and LP share price, with the deficits"),
)
#: Health-bucket columns of metrics.csv and bands of health.png, worst first; "flat" = no positions.
BUCKET_NAMES: tuple[str, ...] = (*(name for name, _ in HEALTH_BUCKETS), "flat")
#: The scalar BlockMetrics fields, in declaration order: the last columns of metrics.csv.
SCALAR_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(BlockMetrics) if f.name not in ("block", "timestamp", "assets", "health_buckets")
)
STATUS_COLOURS: dict[str, str] = {"Deviated": "#f4a261", "Stale": "#adb5bd", "Frozen": "#74c0fc"}
OTHER_STATUS_COLOUR = "#e599f7"
BUCKET_COLOURS: tuple[str, ...] = ("#d62828", "#f77f00", "#fcbf49", "#2a9d8f", "#ced4da")
DPI = 110
#: What "LP loss" means in every report line and property.
LP_LOSS_DEFINITION = (
    "LP loss: deficits socialized to LPs (DeficitSocialized) once the InsuranceFund is empty; the LP share-price "
    "change below splits everything else that moved the share price."
)


# ------------------------------------------------------------------------------------------------- formatting


def slugify(name: str) -> str:
    """A directory-safe form of a scenario name: runs of anything but letters, digits, `_`, `.` and `-` become
    one `-`; no leading or trailing `-` or `.` (so never `..` or a hidden directory); at most 80 characters."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")[:80].strip("-.")
    return slug or "scenario"


def report_dir(result: ScenarioResult, root: Path = Path("reports")) -> Path:
    """Where `write_report` writes the report of `result`."""
    return root / f"{slugify(result.scenario)}-{result.seed}"


def fmt_usd(value: float) -> str:
    """USD with thousands separators: cents, or 4 decimals between $0 and $10 (share prices, small rewards)."""
    if not math.isfinite(value):
        return str(value)
    text = f"${abs(value):,.4f}" if 0 < abs(value) < 10 else f"${abs(value):,.2f}"
    return f"-{text}" if value < 0 and text.strip("$0.,") else text


def fmt_pct(ratio: float) -> str:
    """A 0..1 ratio as a percentage."""
    return f"{ratio * 100:.2f} %" if math.isfinite(ratio) else str(ratio)


def fmt_health(ratio: float) -> str:
    """Maintenance equity / maintenance margin; `inf` (no positions) is "-"."""
    if math.isinf(ratio) and ratio > 0:
        return "-"
    return f"{ratio:,.3f}" if math.isfinite(ratio) else str(ratio)


def fmt_int(value: int) -> str:
    return f"{value:,}"


def fmt_seconds(seconds: float) -> str:
    return f"{seconds:,.1f} s"


def fmt_blocks_to_clear(blocks: int | None) -> str:
    return "never" if blocks is None else fmt_int(blocks)


def fmt_value(value: Any) -> str:
    """A parameter value for people, deterministic for plain data (sets are sorted)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={fmt_value(v)}" for k, v in value.items())
    if isinstance(value, set | frozenset):
        return ", ".join(sorted(fmt_value(v) for v in value))
    if isinstance(value, list | tuple):
        return ", ".join(fmt_value(v) for v in value)
    return str(value)


def outcome_rows(outcome: Outcome, blocks: Sequence[BlockMetrics] = ()) -> list[tuple[str, str]]:
    """The outcome table, label and formatted value, shared by summary.md and the terminal. With blocks, the
    InsuranceFund balance and LP share price at the first and the last block follow."""
    rows = [
        ("liquidations", fmt_int(outcome.liquidations)),
        ("liquidated notional", fmt_usd(outcome.liquidated_notional)),
        ("keeper rewards", fmt_usd(outcome.keeper_rewards)),
        ("deficits (bad debt)", fmt_usd(outcome.deficits)),
        ("insurance used", fmt_usd(outcome.insurance_used)),
        ("LP loss", fmt_usd(outcome.lp_loss)),
        ("maximum utilization", fmt_pct(outcome.max_utilization)),
        ("worst health", fmt_health(outcome.worst_health)),
        ("blocks", fmt_int(outcome.blocks)),
        ("transactions", fmt_int(outcome.transactions)),
        ("wall time", fmt_seconds(outcome.wall_seconds)),
        ("blocks to clear", fmt_blocks_to_clear(outcome.blocks_to_clear)),
        ("accounts liquidatable at the end", fmt_int(outcome.liquidatable_at_end)),
        ("liquidations at a Stale or Frozen price", fmt_int(outcome.stale_liquidations)),
        ("keeper steps that failed", fmt_int(outcome.keeper_errors)),
    ]
    if blocks:
        first, last = blocks[0], blocks[-1]
        rows.append(
            (
                "InsuranceFund balance (first -> last block)",
                f"{fmt_usd(first.insurance_balance)} -> {fmt_usd(last.insurance_balance)}",
            )
        )
        rows.append(
            (
                "LP share price (first -> last block)",
                f"{fmt_usd(first.lp_share_price)} -> {fmt_usd(last.lp_share_price)}",
            )
        )
    return rows


def fmt_signed_usd(value: float) -> str:
    """USD with an explicit sign (a split line is a gain or a loss)."""
    text = fmt_usd(abs(value))
    if not text.strip("$0.,"):  # rounds to zero: no sign
        return text
    return f"+{text}" if value > 0 else f"-{text}"


def fmt_per_share(value: float) -> str:
    return f"{value:+.8f}"


def split_rows(lp: LossSplit) -> list[tuple[str, str, str]]:
    """The LP share-price split: label, USD for the LP shares, USD per share; the last row is the measured change,
    which the rows above add up to."""
    return [(line.label, fmt_signed_usd(line.usd), fmt_per_share(line.per_share)) for line in lp.lines()]


def split_caption(lp: LossSplit) -> str:
    change = lp.change_per_share / lp.share_price_start if lp.share_price_start else 0.0
    text = (
        f"LP share price {fmt_usd(lp.share_price_start)} -> {fmt_usd(lp.share_price_end)} ({change * 100:+.4f} %) "
        f"on {lp.supply:,.2f} LP shares."
    )
    if lp.supply_changed:
        text += " The share supply changed during the run: the split assumes it constant."
    return text


# ---------------------------------------------------------------------------------------------------- report


def write_report(result: ScenarioResult, root: Path = Path("reports")) -> Path:
    """Write `summary.md`, `metrics.csv` and the plots of `result` into `root/<scenario>-<seed>/` (created if
    needed) and return that directory. A run without blocks gets the summary and a header-only metrics.csv; plots
    of an earlier report in the same directory are removed so the summary never links stale ones."""
    directory = report_dir(result, root)
    directory.mkdir(parents=True, exist_ok=True)
    write_metrics(result, directory / METRICS)
    plots: list[tuple[str, str]] = []
    if result.blocks:
        for (name, caption), draw in zip(PLOTS, _PLOTTERS, strict=True):
            _save(draw(result), directory / name)
            plots.append((name, caption))
    else:
        for name, _ in PLOTS:
            (directory / name).unlink(missing_ok=True)
    (directory / SUMMARY).write_text(render_summary(result, plots), encoding="utf-8")
    return directory


# ------------------------------------------------------------------------------------------------ metrics.csv


def asset_symbols(blocks: Iterable[BlockMetrics]) -> list[str]:
    """Every asset symbol of the run, in the order they first appear."""
    seen: dict[str, None] = {}
    for row in blocks:
        seen.update(dict.fromkeys(row.assets))
    return list(seen)


def metrics_header(blocks: Sequence[BlockMetrics]) -> list[str]:
    header = ["block", "timestamp"]
    for symbol in asset_symbols(blocks):
        header += [f"{symbol}_median", f"{symbol}_twap", f"{symbol}_status", f"{symbol}_path"]
    return header + list(BUCKET_NAMES) + list(SCALAR_FIELDS)


def _csv_value(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def metrics_rows(blocks: Sequence[BlockMetrics]) -> list[list[str]]:
    """One row per block, matching `metrics_header`. An asset missing from a block leaves its cells empty; a
    health bucket missing from a block counts 0."""
    symbols = asset_symbols(blocks)
    rows = []
    for row in blocks:
        cells = [str(row.block), str(row.timestamp)]
        for symbol in symbols:
            asset = row.assets.get(symbol)
            if asset is None:
                cells += ["", "", "", ""]
            else:
                cells += [
                    _csv_value(asset.median),
                    _csv_value(asset.twap),
                    asset.status,
                    _csv_value(asset.path_price),
                ]
        cells += [str(row.health_buckets.get(name, 0)) for name in BUCKET_NAMES]
        cells += [_csv_value(getattr(row, name)) for name in SCALAR_FIELDS]
        rows.append(cells)
    return rows


def write_metrics(result: ScenarioResult, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(metrics_header(result.blocks))
        writer.writerows(metrics_rows(result.blocks))


# ------------------------------------------------------------------------------------------------- summary.md


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], align: Sequence[str]) -> list[str]:
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def verdict_line(result: ScenarioResult) -> str:
    total = len(result.properties)
    failed = sum(1 for p in result.properties if p.verdict is not Verdict.PASS)
    if total == 0:
        return "no properties checked"
    if failed == 0:
        return f"PASS: all {total} properties hold"
    return f"FAIL: {failed} of {total} properties failed"


def render_summary(result: ScenarioResult, plots: Sequence[tuple[str, str]]) -> str:
    lines = [f"# Scenario {_cell(result.scenario)}, seed {result.seed}", ""]
    if result.description.strip():
        lines += [result.description.strip(), ""]
    lines += [f"**{verdict_line(result)}**", ""]

    lines += ["## Parameters", ""]
    parameters = {"seed": result.seed, **result.parameters}
    lines += _table(("parameter", "value"), ((str(k), fmt_value(v)) for k, v in parameters.items()), "ll")
    lines.append("")

    lines += ["## Outcome", ""]
    if result.outcome is None:
        lines += ["No outcome was recorded (the run did not finish).", ""]
    else:
        lines += _table(("metric", "value"), outcome_rows(result.outcome, result.blocks), "lr")
        lines += ["", LP_LOSS_DEFINITION, ""]
        if result.outcome.lp_split is not None:
            lp = result.outcome.lp_split
            lines += ["## LP share price", "", split_caption(lp), ""]
            lines += _table(("part", "USD (all LP shares)", "USD per share"), split_rows(lp), "lrr")
            lines.append("")

    lines += ["## Properties", ""]
    if result.properties:
        rows = ((p.name, p.verdict.value, p.detail) for p in result.properties)
        lines += _table(("property", "verdict", "detail"), rows, "lcl")
    else:
        lines.append("No properties were checked.")
    lines.append("")

    lines += ["## Timeline", ""]
    if result.events:
        lines += [
            f"- block {block}: {' '.join(what.split())}"
            for block, what in sorted(result.events, key=lambda e: e[0])
        ]
    else:
        lines.append("No events.")
    lines.append("")

    lines += ["## Plots", ""]
    if plots:
        for name, caption in plots:
            lines += [f"![{caption}]({name})", ""]
    else:
        lines += ["No plots: the run recorded no blocks.", ""]
    lines += [f"Per-block metrics: [{METRICS}]({METRICS}) ({len(result.blocks):,} rows).", ""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------------ plots


def _save(figure: Figure, path: Path) -> None:
    FigureCanvasAgg(figure)
    figure.savefig(path, format="png", dpi=DPI)
    figure.clear()  # a bare Figure is not registered anywhere; clearing frees its artists at once


class UsdFormatter(Formatter):
    """Tick labels in USD with thousands separators and the fewest decimals (at most 6) that show every tick
    exactly, so $0.999 and $1.000 stay apart on a stablecoin's axis and $2,000 has no cents."""

    def __init__(self) -> None:
        self.decimals = 2

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        steps = [abs(b - a) for a, b in itertools.pairwise(locs) if b != a]
        tolerance = min(steps, default=1.0) * 1e-3
        self.decimals = next(
            (d for d in range(7) if all(abs(round(v, d) - v) <= tolerance for v in locs)),
            6,
        )

    def __call__(self, x: float, pos: int | None = None) -> str:
        return f"-${abs(x):,.{self.decimals}f}" if x < 0 else f"${x:,.{self.decimals}f}"


def _usd_axis(axes: Axes) -> None:
    axes.yaxis.set_major_formatter(UsdFormatter())


def _status_runs(statuses: Sequence[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """Contiguous runs of one non-Ok status: (first block, last block, status)."""
    runs: list[tuple[int, int, str]] = []
    for block, status in statuses:
        if status == "Ok":
            continue
        if runs and runs[-1][2] == status and runs[-1][1] == block - 1:
            runs[-1] = (runs[-1][0], block, status)
        else:
            runs.append((block, block, status))
    return runs


def _marker(blocks: Sequence[BlockMetrics]) -> str | None:
    """Markers on the lines when there are too few blocks for a line to show."""
    return "o" if len(blocks) < 3 else None


def plot_prices(result: ScenarioResult) -> Figure:
    symbols = asset_symbols(result.blocks)
    figure = Figure(figsize=(10, 1.0 + 2.6 * max(len(symbols), 1)), layout="constrained")
    if not symbols:
        axes = figure.subplots()
        axes.text(0.5, 0.5, "no assets recorded", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return figure
    all_axes = figure.subplots(len(symbols), 1, sharex=True, squeeze=False)[:, 0]
    marker = _marker(result.blocks)
    for axes, symbol in zip(all_axes, symbols, strict=True):
        rows = [(row.block, row.assets[symbol]) for row in result.blocks if symbol in row.assets]
        x = [block for block, _ in rows]
        axes.plot(x, [a.median for _, a in rows], color="#1d3557", lw=1.4, marker=marker, label="median")
        axes.plot(x, [a.twap for _, a in rows], color="#e63946", lw=1.2, marker=marker, label="TWAP")
        axes.plot(x, [a.path_price for _, a in rows], color="#6c757d", lw=1.0, ls="--", label="path price")
        seen_statuses: dict[str, str] = {}
        for first, last, status in _status_runs([(block, a.status) for block, a in rows]):
            colour = STATUS_COLOURS.get(status, OTHER_STATUS_COLOUR)
            axes.axvspan(first - 0.5, last + 0.5, color=colour, alpha=0.35, lw=0)
            seen_statuses.setdefault(status, colour)
        handles, _ = axes.get_legend_handles_labels()
        handles += [Patch(color=c, alpha=0.35, label=s) for s, c in seen_statuses.items()]
        axes.legend(handles=handles, loc="best", fontsize="small")
        axes.set_title(f"{symbol} price")
        axes.set_ylabel("price (USD)")
        _usd_axis(axes)
        axes.grid(alpha=0.3)
    all_axes[-1].set_xlabel("block")
    all_axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    figure.suptitle(f"{result.scenario} (seed {result.seed}): oracle prices and status")
    return figure


def plot_health(result: ScenarioResult) -> Figure:
    figure = Figure(figsize=(10, 4.5), layout="constrained")
    axes = figure.subplots()
    x = [row.block for row in result.blocks]
    counts = [[row.health_buckets.get(name, 0) for row in result.blocks] for name in BUCKET_NAMES]
    axes.stackplot(x, counts, labels=list(BUCKET_NAMES), colors=list(BUCKET_COLOURS), alpha=0.85)
    axes.set_title(
        f"{result.scenario} (seed {result.seed}): accounts by health (maintenance equity / margin)"
    )
    axes.set_xlabel("block")
    axes.set_ylabel("accounts")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    axes.grid(alpha=0.3)
    return figure


def plot_liquidations(result: ScenarioResult) -> Figure:
    figure = Figure(figsize=(10, 6), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    x = [row.block for row in result.blocks]
    top.bar(x, [row.liquidations for row in result.blocks], width=0.8, color="#d62828", label="liquidations")
    top.set_title(f"{result.scenario} (seed {result.seed}): liquidations per block")
    top.set_ylabel("liquidations (count)")
    top.yaxis.set_major_locator(MaxNLocator(integer=True))
    top.grid(alpha=0.3, axis="y")
    notional = top.twinx()
    notional.plot(
        x,
        [row.liquidated_notional for row in result.blocks],
        color="#1d3557",
        lw=1.0,
        marker=_marker(result.blocks),
    )
    notional.set_ylabel("liquidated notional (USD)")
    _usd_axis(notional)
    top.legend(
        handles=[
            Patch(color="#d62828", label="liquidations"),
            Line2D([], [], color="#1d3557", label="notional (USD)"),
        ],
        loc="upper right",
        fontsize="small",
    )
    bottom.bar(x, [row.keeper_gas / 1e6 for row in result.blocks], width=0.8, color="#457b9d")
    bottom.set_title("keeper gas per block")
    bottom.set_ylabel("keeper gas (million gas)")
    bottom.set_xlabel("block")
    bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
    bottom.grid(alpha=0.3, axis="y")
    return figure


def plot_insurance_lp(result: ScenarioResult) -> Figure:
    figure = Figure(figsize=(10, 6), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    x = [row.block for row in result.blocks]
    marker = _marker(result.blocks)
    top.plot(
        x,
        [row.insurance_balance for row in result.blocks],
        color="#2a9d8f",
        lw=1.4,
        marker=marker,
        label="InsuranceFund balance",
    )
    top.set_title(f"{result.scenario} (seed {result.seed}): InsuranceFund and LP share price")
    top.set_ylabel("InsuranceFund (USD)")
    _usd_axis(top)
    bottom.plot(
        x,
        [row.lp_share_price for row in result.blocks],
        color="#6a4c93",
        lw=1.4,
        marker=marker,
        label="LP share price",
    )
    bottom.set_ylabel("LP share price (USD per share)")
    _usd_axis(bottom)
    bottom.set_xlabel("block")
    bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
    deficit_rows = [row for row in result.blocks if row.deficits > 0]
    for axes in (top, bottom):
        for i, row in enumerate(deficit_rows):
            axes.axvline(
                row.block, color="#d62828", ls=":", lw=1.0, label="deficit (bad debt)" if i == 0 else None
            )
        axes.grid(alpha=0.3)
    if deficit_rows:
        top.scatter(
            [row.block for row in deficit_rows],
            [row.insurance_balance for row in deficit_rows],
            color="#d62828",
            marker="v",
            zorder=3,
        )
        total = sum(row.deficits for row in deficit_rows)
        top.annotate(
            f"deficits: {fmt_usd(total)} in {len(deficit_rows):,} block{'s' if len(deficit_rows) > 1 else ''}",
            xy=(0.01, 0.04),
            xycoords="axes fraction",
            color="#d62828",
            fontsize="small",
        )
    top.legend(loc="best", fontsize="small")
    bottom.legend(loc="best", fontsize="small")
    return figure


_PLOTTERS: tuple[Callable[[ScenarioResult], Figure], ...] = (
    plot_prices,
    plot_health,
    plot_liquidations,
    plot_insurance_lp,
)


# --------------------------------------------------------------------------------------------------- terminal


def print_summary(result: ScenarioResult, report_dir: Path, console: Console) -> None:
    """The outcome table, the property verdicts (PASS green, FAIL red) and where the report is."""
    title = f"{result.scenario} (seed {result.seed})"
    if result.outcome is None:
        console.print(Text(f"{title}: no outcome recorded", style="yellow"))
    else:
        table = Table(title=f"{title}: outcome")
        table.add_column("metric")
        table.add_column("value", justify="right", no_wrap=True)
        for label, value in outcome_rows(result.outcome, result.blocks):
            table.add_row(label, value)
        console.print(table)
        if result.outcome.lp_split is not None:
            lp = result.outcome.lp_split
            table = Table(title=f"{title}: LP share price", caption=split_caption(lp))
            table.add_column("part")
            table.add_column("USD (all LP shares)", justify="right", no_wrap=True)
            table.add_column("USD per share", justify="right", no_wrap=True)
            rows = split_rows(lp)
            for i, (label, usd, per_share) in enumerate(rows):
                table.add_row(label, usd, per_share, end_section=i == len(rows) - 2)
            console.print(table)
        console.print(Text(LP_LOSS_DEFINITION, style="dim"))

    if result.properties:
        table = Table(title=f"{title}: properties")
        table.add_column("property")
        table.add_column("verdict", no_wrap=True)
        table.add_column("detail")
        for prop in result.properties:
            style = "bold green" if prop.verdict is Verdict.PASS else "bold red"
            table.add_row(Text(prop.name), Text(prop.verdict.value, style=style), Text(prop.detail))
        console.print(table)
    style = "green" if result.passed else "red"
    console.print(Text(verdict_line(result), style=style if result.properties else "yellow"))
    console.print(Text(f"report: {report_dir}"), soft_wrap=True)
