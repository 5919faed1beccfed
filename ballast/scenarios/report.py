"""The report of a scenario run: `reports/<scenario>-<seed>/` with `summary.md`, `metrics.csv`, PNG plots and
`report.html` (the summary's tables and the plots in one self-contained page), and the terminal tables printed at the
end of a run.

`write_report` is deterministic: the same `ScenarioResult` gives the same `summary.md` and `metrics.csv` bytes (the
wall time is part of the result, not read here). The plots are drawn by `ballast.scenarios.plots`, the page by
`ballast.scenarios.report_html`, the numbers formatted by `ballast.scenarios.formatting`; what the report derives
from the blocks (times, crash window, cumulative sums, per-market and per-product tables) is in
`ballast.scenarios.report_data`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
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
from ballast.scenarios.report_data import (
    MARKET_CAPTION,
    MARKET_HEADER,
    PATH_PRICE_NOTE,
    PRODUCT_CAPTION,
    PRODUCT_HEADER,
    Section,
    TablePart,
    block_label,
    crash_window,
    cumulative,
    market_rows,
    product_rows,
    utc_text,
)
from ballast.scenarios.report_html import render_html

SUMMARY = "summary.md"
METRICS = "metrics.csv"
HTML = "report.html"
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
    """Write `summary.md`, `metrics.csv`, the plots and `report.html` of `result` into `root/<scenario>-<seed>/`
    (created if needed) and return that directory. A run without blocks gets the summary, the page and a header-only
    metrics.csv; plots of an earlier report in the same directory are removed so the summary never links stale
    ones."""
    directory = report_dir(result, root)
    directory.mkdir(parents=True, exist_ok=True)
    write_metrics(result, directory / METRICS)
    plots: list[tuple[str, str]] = []
    if result.blocks:
        plots = write_plots(result, directory)
    else:
        remove_plots(directory)
    (directory / SUMMARY).write_text(render_summary(result, plots), encoding="utf-8")
    html = render_html(result, verdict_line(result), sections(result), [(directory / n, c) for n, c in plots])
    (directory / HTML).write_text(html, encoding="utf-8")
    return directory


# ------------------------------------------------------------------------------------------------ metrics.csv


def snake(text: str) -> str:
    """A metrics.csv column name part: lower case, runs of anything but letters and digits as one `_`."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


#: The health-bucket columns of metrics.csv (accounts per bucket of maintenance equity / maintenance margin).
BUCKET_COLUMNS: dict[str, str] = {
    BUCKET_NAMES[0]: "accounts_health_below_1",
    BUCKET_NAMES[1]: "accounts_health_1_to_1_25",
    BUCKET_NAMES[2]: "accounts_health_1_25_to_2",
    BUCKET_NAMES[3]: "accounts_health_2_or_more",
    BUCKET_NAMES[4]: "accounts_flat",
}
#: The run-wide columns after the assets and the health buckets: (column, value of a block and the blocks before).
RUN_COLUMNS: tuple[str, ...] = (
    "liquidatable_accounts",
    "liquidations",
    "liquidated_notional_usd",
    "keeper_rewards_usd",
    "keeper_gas_used",
    "keeper_gas_budget",
    "bad_debt_usd",
    "bad_debt_cumulative_usd",
    "lp_loss_usd",
    "lp_loss_cumulative_usd",
    "insurance_balance_usd",
    "lp_share_price_usd",
    "pool_utilization_ratio",
    "worst_health_ratio",
    "open_deficit_usd",
)
#: The columns of each asset (`<symbol>_<column>`).
ASSET_COLUMNS: tuple[str, ...] = ("oracle_median_usd", "oracle_twap_usd", "oracle_status", "path_price_usd")
#: The columns of each exposure part in metrics.csv (`exposure_<part>_<column>`).
EXPOSURE_COLUMNS: tuple[str, ...] = ("pnl_low_usd", "pnl_high_usd", "reserved_usd")
#: The columns of each perp market (`market_<name>_<column>`) and of each product (`product_<name>_<column>`).
MARKET_COLUMNS: tuple[str, ...] = (
    "open_interest_usd",
    "volume_usd",
    "liquidations",
    "liquidated_notional_usd",
    "bad_debt_usd",
)
PRODUCT_COLUMNS: tuple[str, ...] = ("liquidations", "liquidated_notional_usd", "bad_debt_usd")


def _names(blocks: Sequence[BlockMetrics], attribute: str) -> list[str]:
    return list(dict.fromkeys(name for row in blocks for name in getattr(row, attribute)))


def metrics_header(blocks: Sequence[BlockMetrics]) -> list[str]:
    """The columns of metrics.csv: unique snake_case names carrying their unit (docs/scenarios.md#reports)."""
    header = ["block", "timestamp_unix_s", "timestamp_utc"]
    for symbol in asset_symbols(blocks):
        header += [f"{snake(symbol)}_{c}" for c in ASSET_COLUMNS]
    header += [BUCKET_COLUMNS[name] for name in BUCKET_NAMES]
    header += list(RUN_COLUMNS)
    header += [f"exposure_{snake(part)}_{c}" for part in exposure_parts(blocks) for c in EXPOSURE_COLUMNS]
    header += [f"market_{snake(name)}_{c}" for name in _names(blocks, "markets") for c in MARKET_COLUMNS]
    header += [f"product_{snake(name)}_{c}" for name in _names(blocks, "products") for c in PRODUCT_COLUMNS]
    duplicates = sorted({c for c in header if header.count(c) > 1})
    if duplicates:
        raise ValueError(f"metrics.csv columns named twice: {', '.join(duplicates)}")
    return header


def _csv_value(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _run_cells(row: BlockMetrics, bad_debt: float, lp_loss: float) -> list[str]:
    values: tuple[Any, ...] = (
        row.liquidatable,
        row.liquidations,
        row.liquidated_notional,
        row.keeper_rewards,
        row.keeper_gas,
        row.keeper_gas_budget,
        row.deficits,
        bad_debt,
        row.lp_loss,
        lp_loss,
        row.insurance_balance,
        row.lp_share_price,
        row.utilization,
        row.worst_health,
        row.open_deficit,
    )
    return [_csv_value(v) for v in values]


def metrics_rows(blocks: Sequence[BlockMetrics]) -> list[list[str]]:
    """One row per block, matching `metrics_header`. An asset, exposure part, market or product missing from a
    block leaves its cells empty; a health bucket missing from a block counts 0."""
    symbols = asset_symbols(blocks)
    parts = exposure_parts(blocks)
    markets, products = _names(blocks, "markets"), _names(blocks, "products")
    bad_debt = cumulative([row.deficits for row in blocks])
    lp_loss = cumulative([row.lp_loss for row in blocks])
    rows = []
    for i, row in enumerate(blocks):
        cells = [str(row.block), str(row.timestamp), utc_text(row.timestamp)]
        for symbol in symbols:
            asset = row.assets.get(symbol)
            if asset is None:
                cells += [""] * len(ASSET_COLUMNS)
            else:
                cells += [
                    _csv_value(asset.median),
                    _csv_value(asset.twap),
                    asset.status,
                    _csv_value(asset.path_price),
                ]
        cells += [str(row.health_buckets.get(name, 0)) for name in BUCKET_NAMES]
        cells += _run_cells(row, bad_debt[i], lp_loss[i])
        for part in parts:
            e = row.exposure.get(part)
            cells += [""] * 3 if e is None else [_csv_value(v) for v in (e.pnl_low, e.pnl_high, e.reserved)]
        for name in markets:
            m = row.markets.get(name)
            values: tuple[Any, ...] = (
                (m.open_interest, m.volume, m.liquidations, m.liquidated_notional, m.bad_debt) if m else ()
            )
            cells += [_csv_value(v) for v in values] or [""] * len(MARKET_COLUMNS)
        for name in products:
            p = row.products.get(name)
            values = (p.liquidations, p.liquidated_notional, p.bad_debt) if p else ()
            cells += [_csv_value(v) for v in values] or [""] * len(PRODUCT_COLUMNS)
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


def sections(result: ScenarioResult) -> list[Section]:
    """Every section of the report between the verdict and the plots, in order."""
    out = []
    parameters = {"seed": result.seed, **result.parameters}
    out.append(
        Section(
            "Parameters",
            [
                TablePart(
                    ("parameter", "value"), [(str(k), fmt_value(v)) for k, v in parameters.items()], "ll"
                )
            ],
        )
    )
    if result.outcome is None:
        out.append(Section("Outcome", ["No outcome was recorded (the run did not finish)."]))
    else:
        parts: list[str | TablePart | list[str]] = [
            TablePart(("metric", "value"), outcome_rows(result.outcome, result.blocks), "lr"),
            LP_LOSS_DEFINITION,
        ]
        out.append(Section("Outcome", parts))
        if result.outcome.lp_split is not None:
            lp = result.outcome.lp_split
            table = TablePart(("part", "USD (all LP shares)", "USD per share"), split_rows(lp), "lrr")
            out.append(Section("LP share price", [split_caption(lp), table]))
    if result.blocks:
        out.append(
            Section("Risk over time", [TablePart(("metric", "value"), risk_rows(result.blocks), "lr")])
        )
    markets = market_rows(result.blocks)
    if markets:
        out.append(Section("Per market", [MARKET_CAPTION, TablePart(MARKET_HEADER, markets, "lrrrrrr")]))
    products = product_rows(result.blocks)
    if products:
        out.append(Section("Per product", [PRODUCT_CAPTION, TablePart(PRODUCT_HEADER, products, "lrrrr")]))
    options = result.outcome.options if result.outcome is not None else None
    if options is not None and options.settlements:
        table = TablePart(SETTLEMENT_HEADER, settlement_rows(options), "lrrlrrrrrr")
        out.append(Section("Options settled", [SETTLEMENT_CAPTION, table]))
    exposure = exposure_rows(result.blocks)
    if exposure:
        table = TablePart(EXPOSURE_HEADER, exposure, "llrrr")
        out.append(Section("Pool exposure by product", [EXPOSURE_CAPTION, table]))
    if result.properties:
        rows = [(p.name, p.verdict.value, p.detail) for p in result.properties]
        out.append(Section("Properties", [TablePart(("property", "verdict", "detail"), rows, "lcl")]))
    else:
        out.append(Section("Properties", ["No properties were checked."]))
    if result.events:
        items = [
            f"{block_label(result.blocks, block)}: {' '.join(what.split())}"
            for block, what in sorted(result.events, key=lambda e: e[0])
        ]
        out.append(Section("Timeline", [items]))
    else:
        out.append(Section("Timeline", ["No events."]))
    return out


def risk_rows(blocks: Sequence[BlockMetrics]) -> list[tuple[str, str]]:
    """The run's span in UTC, its crash window and the risk figures the plots show over time."""
    window = crash_window(blocks)
    bad_debt = cumulative([r.deficits for r in blocks])
    lp_loss = cumulative([r.lp_loss for r in blocks])
    peak = max(blocks, key=lambda r: (r.utilization, -r.block))
    gas_peak = max(blocks, key=lambda r: (r.keeper_gas, -r.block))
    over = sum(1 for r in blocks if r.keeper_gas_budget and r.keeper_gas > r.keeper_gas_budget)
    at_budget = sum(1 for r in blocks if r.keeper_gas_budget and r.keeper_gas >= 0.9 * r.keeper_gas_budget)
    return [
        ("first block", f"{blocks[0].block} at {utc_text(blocks[0].timestamp)}"),
        ("last block", f"{blocks[-1].block} at {utc_text(blocks[-1].timestamp)}"),
        (
            "crash window",
            window.describe(blocks).removeprefix("crash window: ")
            if window
            else "none (no path fell 5 % or more)",
        ),
        ("bad debt, cumulative at the end", fmt_usd(bad_debt[-1])),
        ("LP loss, cumulative at the end", fmt_usd(lp_loss[-1])),
        ("peak Pool utilization", f"{fmt_pct(peak.utilization)} at {block_label(blocks, peak.block)}"),
        (
            "peak keeper gas used in a block",
            f"{fmt_int(gas_peak.keeper_gas)} at {block_label(blocks, gas_peak.block)}",
        ),
        ("keeper gas budget per block", fmt_int(max(r.keeper_gas_budget for r in blocks))),
        ("blocks where the keeper used 90 % of its budget or more", fmt_int(at_budget)),
        ("blocks where the keeper used more than its budget", fmt_int(over)),
    ]


def render_markdown(section: Section) -> list[str]:
    lines = [f"## {section.title}", ""]
    for part in section.parts:
        if isinstance(part, TablePart):
            lines += _table(part.header, part.rows, part.align)
        elif isinstance(part, list):
            lines += [f"- {item}" for item in part]
        else:
            lines.append(part)
        lines.append("")
    return lines


def render_summary(result: ScenarioResult, plots: Sequence[tuple[str, str]]) -> str:
    lines = [f"# Scenario {_cell(result.scenario)}, seed {result.seed}", ""]
    if result.description.strip():
        lines += [result.description.strip(), ""]
    lines += [f"**{verdict_line(result)}**", ""]
    for section in sections(result):
        lines += render_markdown(section)
    lines += ["## Plots", ""]
    if plots:
        lines += [PATH_PRICE_NOTE, ""]
        for name, caption in plots:
            lines += [f"![{caption}]({name})", ""]
    else:
        lines += ["No plots: the run recorded no blocks.", ""]
    lines += [
        f"Per-block metrics: [{METRICS}]({METRICS}) ({len(result.blocks):,} rows); everything in one page: "
        f"[{HTML}]({HTML}).",
        "",
    ]
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
    console.print(
        Text(f"one page (plots and tables, no network needed): {report_dir / HTML}"), soft_wrap=True
    )
