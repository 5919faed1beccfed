"""The plots of a scenario report: PNGs drawn on bare `matplotlib.figure.Figure`s rendered by the Agg canvas. pyplot
(and with it any GUI backend or global figure state) is never imported, and the fonts are matplotlib's bundled ones,
so nothing needs a display or the network.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import Formatter, MaxNLocator

from ballast.scenarios.formatting import fmt_usd
from ballast.scenarios.model import BUCKET_NAMES, BlockMetrics, ScenarioResult, asset_symbols

#: The plots, in the order summary.md links them, with their captions.
PLOTS: tuple[tuple[str, str], ...] = (
    ("prices.png", "Oracle prices: median, TWAP and the path, with the non-Ok status bands"),
    ("health.png", "Accounts by health bucket"),
    ("liquidations.png", "Liquidations and keeper gas per block"),
    ("insurance_lp.png", "InsuranceFund balance and LP share price, with the deficits"),
)
STATUS_COLOURS: dict[str, str] = {"Deviated": "#f4a261", "Stale": "#adb5bd", "Frozen": "#74c0fc"}
OTHER_STATUS_COLOUR = "#e599f7"
BUCKET_COLOURS: tuple[str, ...] = ("#d62828", "#f77f00", "#fcbf49", "#2a9d8f", "#ced4da")
DPI = 110


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


def _usd_series(
    axes: Axes, x: list[int], values: list[float], colour: str, marker: str | None, label: str, ylabel: str
) -> None:
    """One USD line on `axes`, with its y label and USD ticks."""
    axes.plot(x, values, color=colour, lw=1.4, marker=marker, label=label)
    axes.set_ylabel(ylabel)
    _usd_axis(axes)


def plot_insurance_lp(result: ScenarioResult) -> Figure:
    figure = Figure(figsize=(10, 6), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    x = [row.block for row in result.blocks]
    marker = _marker(result.blocks)
    balances = [row.insurance_balance for row in result.blocks]
    _usd_series(top, x, balances, "#2a9d8f", marker, "InsuranceFund balance", "InsuranceFund (USD)")
    top.set_title(f"{result.scenario} (seed {result.seed}): InsuranceFund and LP share price")
    prices = [row.lp_share_price for row in result.blocks]
    _usd_series(bottom, x, prices, "#6a4c93", marker, "LP share price", "LP share price (USD per share)")
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


def write_plots(result: ScenarioResult, directory: Path) -> list[tuple[str, str]]:
    """Draw every plot of `result` into `directory`; the (file name, caption) of each, in `PLOTS` order."""
    for (name, _), draw in zip(PLOTS, _PLOTTERS, strict=True):
        _save(draw(result), directory / name)
    return list(PLOTS)


def remove_plots(directory: Path) -> None:
    """Remove the plots of an earlier report in `directory`."""
    for name, _ in PLOTS:
        (directory / name).unlink(missing_ok=True)
