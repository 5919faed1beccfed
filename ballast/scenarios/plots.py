"""The plots of a scenario report: PNGs drawn on bare `matplotlib.figure.Figure`s rendered by the Agg canvas. pyplot
(and with it any GUI backend or global figure state) is never imported, and the fonts are matplotlib's bundled ones,
so nothing needs a display or the network.

Every plot has the blocks' UTC times (and block numbers) on its x axis and the crash window
(`ballast.scenarios.report_data.crash_window`) shaded.
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
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from ballast.scenarios.formatting import fmt_usd
from ballast.scenarios.model import BUCKET_NAMES, BlockMetrics, ScenarioResult, asset_symbols
from ballast.scenarios.report_data import PATH_PRICE_LABEL, CrashWindow, crash_window, cumulative, utc

#: The plots, in the order summary.md and report.html show them, with their captions.
PLOTS: tuple[tuple[str, str], ...] = (
    (
        "prices.png",
        "Prices: the oracle's median and TWAP against the scenario path (source #1's answer), with the non-Ok "
        "status bands",
    ),
    ("health.png", "Accounts by health bucket"),
    ("liquidations.png", "Liquidations per block; the keeper's gas used per block against its gas budget"),
    ("bad_debt.png", "Bad debt and LP loss per block and cumulative, with the InsuranceFund's balance"),
    ("utilization.png", "Pool utilization"),
    ("insurance_lp.png", "InsuranceFund balance and LP share price, with the deficits"),
    ("markets.png", "Per perp market: traders' open interest and cumulative liquidated notional"),
)
CRASH_COLOUR = "#ffb3c1"
MARKET_COLOURS: tuple[str, ...] = ("#1d3557", "#e76f51", "#2a9d8f", "#8338ec", "#fb8500", "#6c757d")
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


def _block_time(blocks: Sequence[BlockMetrics], x: float) -> float:
    """The unix time at block position `x`: interpolated between recorded blocks, extrapolated at the ends."""
    if len(blocks) == 1:
        return float(blocks[0].timestamp)
    for a, b in itertools.pairwise(blocks):
        if x <= b.block or b is blocks[-1]:
            step = (b.timestamp - a.timestamp) / max(b.block - a.block, 1)
            return a.timestamp + (x - a.block) * step
    return float(blocks[-1].timestamp)


def _time_axis(axes: Axes, blocks: Sequence[BlockMetrics]) -> None:
    """The x axis of `axes` (block positions) labelled with each tick's UTC time over its block number."""

    def label(x: float, pos: int | None = None) -> str:
        when = utc(round(_block_time(blocks, x)))
        return f"{when:%H:%M:%S}\nblock {x:.0f}"

    axes.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    axes.xaxis.set_major_formatter(FuncFormatter(label))
    day = f"{utc(blocks[0].timestamp):%Y-%m-%d}" if blocks else ""
    axes.set_xlabel(f"time (UTC, {day}) and block")


def _shade_crash(axes: Axes, window: CrashWindow | None, label: bool = True) -> None:
    if window is not None:
        axes.axvspan(
            window.first - 0.5,
            window.last + 0.5,
            color=CRASH_COLOUR,
            alpha=0.35,
            lw=0,
            zorder=0,
            label=f"crash window ({window.symbol} path {window.drop * 100:+.0f} %)" if label else None,
        )


def _frame(axes_list: Sequence[Axes], blocks: Sequence[BlockMetrics]) -> None:
    """The crash window on every panel, the time axis on the lowest."""
    window = crash_window(blocks)
    for i, axes in enumerate(axes_list):
        _shade_crash(axes, window, label=i == 0)
    _time_axis(axes_list[-1], blocks)


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
        axes.plot(
            x, [a.path_price for _, a in rows], color="#6c757d", lw=1.0, ls="--", label=PATH_PRICE_LABEL
        )
        _shade_crash(axes, crash_window(result.blocks))
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
    _time_axis(all_axes[-1], result.blocks)
    figure.suptitle(
        f"{result.scenario} (seed {result.seed}): oracle median and TWAP vs the scenario path (source #1's answer)"
    )
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
    axes.set_ylabel("accounts")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    _frame([axes], result.blocks)
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
    window = crash_window(result.blocks)
    crash = [Patch(color=CRASH_COLOUR, alpha=0.35, label="crash window")] if window is not None else []
    top.legend(
        handles=[
            Patch(color="#d62828", label="liquidations"),
            Line2D([], [], color="#1d3557", label="notional (USD)"),
            *crash,
        ],
        loc="upper right",
        fontsize="small",
    )
    bottom.bar(
        x,
        [row.keeper_gas / 1e6 for row in result.blocks],
        width=0.8,
        color="#457b9d",
        label="keeper gas used",
    )
    bottom.step(
        x,
        [row.keeper_gas_budget / 1e6 for row in result.blocks],
        where="mid",
        color="#d62828",
        lw=1.4,
        label="keeper gas budget",
    )
    bottom.set_title("liquidation keeper: gas used per block and its gas budget")
    bottom.set_ylabel("gas (million)")
    bottom.grid(alpha=0.3, axis="y")
    _frame([top, bottom], result.blocks)
    bottom.legend(loc="best", fontsize="small")
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
    _frame([top, bottom], result.blocks)
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


def plot_bad_debt(result: ScenarioResult) -> Figure:
    figure = Figure(figsize=(10, 6), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    blocks = result.blocks
    x = [row.block for row in blocks]
    marker = _marker(blocks)
    top.bar(x, [row.deficits for row in blocks], width=0.8, color="#f4a261", label="bad debt in the block")
    top.plot(
        x,
        cumulative([r.deficits for r in blocks]),
        color="#d62828",
        lw=1.6,
        marker=marker,
        label="bad debt, cumulative",
    )
    top.plot(
        x,
        cumulative([r.lp_loss for r in blocks]),
        color="#6a4c93",
        lw=1.6,
        ls="--",
        marker=marker,
        label="LP loss, cumulative",
    )
    top.set_title(
        f"{result.scenario} (seed {result.seed}): bad debt and LP loss (deficits socialized to LPs)"
    )
    top.set_ylabel("USD")
    _usd_axis(top)
    top.grid(alpha=0.3)
    _usd_series(
        bottom,
        x,
        [r.open_deficit for r in blocks],
        "#e76f51",
        marker,
        "open deficit (not yet bad debt)",
        "USD",
    )
    bottom.plot(
        x,
        [r.insurance_balance for r in blocks],
        color="#2a9d8f",
        lw=1.4,
        marker=marker,
        label="InsuranceFund balance",
    )
    bottom.set_title(
        "InsuranceFund balance and the open deficit (negative maintenance equity of accounts below zero)"
    )
    bottom.grid(alpha=0.3)
    _frame([top, bottom], blocks)
    top.legend(loc="upper left", fontsize="small")
    bottom.legend(loc="best", fontsize="small")
    return figure


def plot_utilization(result: ScenarioResult) -> Figure:
    figure = Figure(figsize=(10, 4), layout="constrained")
    axes = figure.subplots()
    x = [row.block for row in result.blocks]
    axes.plot(
        x,
        [row.utilization * 100 for row in result.blocks],
        color="#1d3557",
        lw=1.6,
        marker=_marker(result.blocks),
        label="Pool utilization",
    )
    axes.set_title(
        f"{result.scenario} (seed {result.seed}): Pool utilization ((reserved + lent) / (reserves + lent), low prices)"
    )
    axes.set_ylabel("utilization (%)")
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    _frame([axes], result.blocks)
    axes.legend(loc="best", fontsize="small")
    return figure


def plot_markets(result: ScenarioResult) -> Figure:
    figure = Figure(figsize=(10, 6), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    blocks = result.blocks
    names = list(dict.fromkeys(name for row in blocks for name in row.markets))
    marker = _marker(blocks)
    for name, colour in zip(names, itertools.cycle(MARKET_COLOURS)):
        rows = [(row.block, row.markets[name]) for row in blocks if name in row.markets]
        x = [b for b, _ in rows]
        top.plot(x, [m.open_interest for _, m in rows], color=colour, lw=1.4, marker=marker, label=name)
        liquidated = cumulative([m.liquidated_notional for _, m in rows])
        bottom.plot(x, liquidated, color=colour, lw=1.4, marker=marker, label=name)
    top.set_title(f"{result.scenario} (seed {result.seed}): traders' open interest per market")
    top.set_ylabel("open interest (USD)")
    bottom.set_title("liquidated notional per market, cumulative")
    bottom.set_ylabel("USD")
    for axes in (top, bottom):
        _usd_axis(axes)
        axes.grid(alpha=0.3)
    if not names:
        top.text(0.5, 0.5, "no markets recorded", ha="center", va="center", transform=top.transAxes)
    _frame([top, bottom], blocks)
    if names or crash_window(blocks) is not None:
        top.legend(loc="best", fontsize="small")
    if names:
        bottom.legend(loc="best", fontsize="small")
    return figure


_PLOTTERS: tuple[Callable[[ScenarioResult], Figure], ...] = (
    plot_prices,
    plot_health,
    plot_liquidations,
    plot_bad_debt,
    plot_utilization,
    plot_insurance_lp,
    plot_markets,
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
