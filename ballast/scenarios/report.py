"""The report of a scenario run: `reports/<scenario>-<seed>/` with `summary.md`, `metrics.csv` and PNG plots, and the
terminal tables printed at the end of a run.

`write_report` is deterministic: the same `ScenarioResult` gives the same `summary.md` and `metrics.csv` bytes (the
wall time is part of the result, not read here). The plots are drawn by `ballast.scenarios.plots`, the numbers
formatted by `ballast.scenarios.formatting`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ballast.scenarios.formatting import (
    fmt_blocks_to_clear,
    fmt_health,
    fmt_int,
    fmt_pct,
    fmt_per_share,
    fmt_seconds,
    fmt_signed_usd,
    fmt_usd,
    fmt_value,
)
from ballast.scenarios.lp_split import LossSplit
from ballast.scenarios.model import (
    BUCKET_NAMES,
    BlockMetrics,
    OptionsOutcome,
    Outcome,
    ScenarioResult,
    Verdict,
    asset_symbols,
    exposure_parts,
    exposure_points,
)
from ballast.scenarios.plots import remove_plots, write_plots

SUMMARY = "summary.md"
METRICS = "metrics.csv"
#: The scalar BlockMetrics fields, in declaration order: the last columns of metrics.csv.
SCALAR_FIELDS: tuple[str, ...] = tuple(
    f.name
    for f in fields(BlockMetrics)
    if f.name not in ("block", "timestamp", "assets", "health_buckets", "exposure")
)
#: The columns of each exposure part in metrics.csv (`<part>_<column>`, spaces in the part's name as `_`).
EXPOSURE_COLUMNS: tuple[str, ...] = ("pnl_low", "pnl_high", "reserved")
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
        (
            "open deficit at the end (negative maintenance equity, not yet bad debt)",
            fmt_usd(outcome.open_deficit_at_end),
        ),
        ("liquidations at a Stale or Frozen price", fmt_int(outcome.stale_liquidations)),
        ("keeper steps that failed", fmt_int(outcome.keeper_errors)),
    ]
    if outcome.options is not None:
        rows += options_rows(outcome.options)
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


def options_rows(o: OptionsOutcome) -> list[tuple[str, str]]:
    """The options' rows of the outcome table (the settlements have their own table, `settlement_rows`)."""
    rows = [
        ("option traders", fmt_int(o.option_traders)),
        ("liquidations that closed options (ProductLiquidated)", fmt_int(o.liquidations_closing_options)),
        ("... that closed options and perps together", fmt_int(o.liquidations_closing_options_and_perps)),
        ("options notional closed by liquidations", fmt_usd(o.options_closed_usd)),
    ]
    if o.vol_steps:
        path = f"{o.vol_steps[0][1]:.4f} -> {o.vol_steps[-1][2]:.4f}"
        rows.append((f"implied volatility ({len(o.vol_steps)} steps)", path))
    rows += [
        ("series settled", fmt_int(len(o.settlements))),
        (f"payoffs paid to longs ({fmt_int(o.realizations)} positions realized)", fmt_usd(o.paid_to_longs)),
        ("payoffs paid by shorts", fmt_usd(o.paid_by_shorts)),
    ]
    return rows


#: The header of the settlements table (summary.md and the terminal).
SETTLEMENT_HEADER: tuple[str, ...] = (
    "series",
    "settled in block",
    "s after expiry",
    "rule",
    "settlement price",
    "median before expiry",
    "spot at expiry",
    "spot at the end",
    "open long",
    "open short",
)
SETTLEMENT_CAPTION = (
    "Each series the expiry keeper settled: its price (at expiry: the oracle's TWAP over the settlement window ending "
    "at expiry), the oracle's median at the last block before expiry, the path price at the first block at or after "
    "expiry and at the last block, and the units open when it settled."
)


def settlement_rows(o: OptionsOutcome) -> list[tuple[str, ...]]:
    return [
        (
            st.series,
            fmt_int(st.block),
            fmt_int(st.delay),
            "at expiry" if st.at_expiry else "fallback",
            fmt_usd(st.price),
            fmt_usd(st.median_before_expiry),
            fmt_usd(st.spot_at_expiry),
            fmt_usd(st.spot_at_end),
            f"{st.long_open:,.3f}",
            f"{st.short_open:,.3f}",
        )
        for st in o.settlements
    ]


#: The header of the exposure table (summary.md and the terminal).
EXPOSURE_HEADER: tuple[str, ...] = ("point", "part", "traders' PnL low", "traders' PnL high", "reserved")
EXPOSURE_CAPTION = (
    "The Pool's exposure by product (`poolExposure(false)`): the traders' PnL at the low and the high prices "
    "(positive: owed by the Pool) and the liquidity reserved, at the first block, the worst block (lowest LP share "
    "price) and the last block; the perps' part is the engine's total minus its margin products'."
)


def exposure_rows(blocks: Sequence[BlockMetrics]) -> list[tuple[str, str, str, str, str]]:
    """The exposure table: for each of start, worst and end, one row per part (the perps, each margin product, the
    engine's total)."""
    rows = []
    for point, row in exposure_points(blocks).items():
        label = f"{point} (block {row.block})"
        for part, e in row.exposure.items():
            rows.append(
                (label, part, fmt_signed_usd(e.pnl_low), fmt_signed_usd(e.pnl_high), fmt_usd(e.reserved))
            )
    return rows


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
        plots = write_plots(result, directory)
    else:
        remove_plots(directory)
    (directory / SUMMARY).write_text(render_summary(result, plots), encoding="utf-8")
    return directory


# ------------------------------------------------------------------------------------------------ metrics.csv


def metrics_header(blocks: Sequence[BlockMetrics]) -> list[str]:
    header = ["block", "timestamp"]
    for symbol in asset_symbols(blocks):
        header += [f"{symbol}_median", f"{symbol}_twap", f"{symbol}_status", f"{symbol}_path"]
    exposure = [f"{_column(part)}_{c}" for part in exposure_parts(blocks) for c in EXPOSURE_COLUMNS]
    return header + list(BUCKET_NAMES) + list(SCALAR_FIELDS) + exposure


def _column(part: str) -> str:
    return "exposure_" + re.sub(r"[^A-Za-z0-9]+", "_", part).strip("_")


def _csv_value(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def metrics_rows(blocks: Sequence[BlockMetrics]) -> list[list[str]]:
    """One row per block, matching `metrics_header`. An asset missing from a block leaves its cells empty; a
    health bucket missing from a block counts 0."""
    symbols = asset_symbols(blocks)
    parts = exposure_parts(blocks)
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
        for part in parts:
            e = row.exposure.get(part)
            cells += ["", "", ""] if e is None else [_csv_value(getattr(e, c)) for c in EXPOSURE_COLUMNS]
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

    options = result.outcome.options if result.outcome is not None else None
    if options is not None and options.settlements:
        lines += ["## Options settled", "", SETTLEMENT_CAPTION, ""]
        lines += _table(SETTLEMENT_HEADER, settlement_rows(options), "lrrlrrrrrr")
        lines.append("")

    exposure = exposure_rows(result.blocks)
    if exposure:
        lines += ["## Pool exposure by product", "", EXPOSURE_CAPTION, ""]
        lines += _table(EXPOSURE_HEADER, exposure, "llrrr")
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
        options = result.outcome.options
        if options is not None and options.settlements:
            # One column per series (a row per figure): narrow terminals keep every figure whole.
            settled = settlement_rows(options)
            table = Table(title=f"{title}: options settled", caption=SETTLEMENT_CAPTION)
            table.add_column(SETTLEMENT_HEADER[0])
            for series in settled:
                table.add_column(series[0], justify="right", no_wrap=True)
            for i, label in enumerate(SETTLEMENT_HEADER[1:], start=1):
                table.add_row(label, *(series[i] for series in settled))
            console.print(table)
        exposure = exposure_rows(result.blocks)
        if exposure:
            table = Table(title=f"{title}: Pool exposure by product", caption=EXPOSURE_CAPTION)
            for i, column in enumerate(EXPOSURE_HEADER):
                table.add_column(column, justify="left" if i < 2 else "right", no_wrap=i >= 2)
            for i, cells in enumerate(exposure):
                last_of_point = i + 1 == len(exposure) or exposure[i + 1][0] != cells[0]
                table.add_row(*cells, end_section=last_of_point)
            console.print(table)

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
