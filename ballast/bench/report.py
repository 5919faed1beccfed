"""Writing the bench's results: bench/results.md (markdown) and bench/results.json."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from ballast.bench.anchors import ANCHOR_FILE, ANCHOR_TARGET_FACTOR, anchor_key
from ballast.bench.files import BENCH_DIR, RESULTS_JSON, RESULTS_MD
from ballast.bench.fits import BLOCK_GAS_LIMITS, LINEAR_R2, PER_BLOCK_FORMULA, PER_TX_CAP
from ballast.bench.notes import missed_note
from ballast.bench.operations import FRESH, GRID_POSITIONS, GRID_TOKENS, GRIDS
from ballast.bench.results import Report


def throughput_lines(throughput: Mapping[str, Any]) -> list[str]:
    """The "Throughput" section of results.md (after its heading): the driver against naive calls and the keeper's
    reaction, or why each is missing."""
    out: list[str] = []
    d = throughput.get("driver_vs_naive")
    if d is None:
        out.append("- Driver vs naive ape calls: not measured in this run (`ape run bench --no-throughput`).")
    else:
        out.append(
            f"- Driver vs naive ape calls, the same {d['transactions']:,} mints and feed answers in one run: naive "
            f"{d['naive_tx_per_s']:,.1f} tx/s ({d['naive_s']:,.2f} s), driver {d['driver_tx_per_s']:,.1f} tx/s "
            f"({d['driver_transactions']:,} in {d['driver_s']:,.2f} s, one block): {d['ratio']:,.1f}x "
            f"(target >= {d['target']:g}x: {'met' if d['met'] else 'missed'})."
        )
    r = throughput.get("keeper_reaction_blocks")
    if r is None:
        out.append("- Keeper reaction: not measured in this run (`ape run bench --no-throughput`).")
        return out
    out += [
        "- Keeper reaction (scale scenario: WETH, WBTC and LTT -40 % in one block, the shock block; keeper budget "
        "200M gas per block, one keeper step per block): blocks from the price update to the last liquidation. The "
        "risk price follows the 10-block TWAP down, so accounts cross maintenance over about ten blocks after the "
        "shock; left liquidatable is the most accounts still liquidatable at the end of a block, after the keeper.",
        "",
        "| accounts (traders) | accounts liquidated | liquidations | first liquidation (blocks after the shock) | reaction "
        "blocks (shock to last liquidation) | left liquidatable | wall s (seeding included) |",
        "|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for key in sorted(r, key=int):
        e = r[key]
        first = e["first_liquidation_block"]
        out.append(
            f"| {e['accounts']:,} | {e['accounts_liquidated']:,} | {e['liquidations']:,} | "
            f"{'' if first is None else first - e['shock_block']} | "
            f"{'none' if e['reaction_blocks'] is None else e['reaction_blocks']} | "
            f"{e['max_liquidatable_end_of_block']:,} | {e['wall_s']:,.1f} |"
        )
    out += [
        "",
        "Accounts: the scenario's traders (a mixed population; not all of them fall below maintenance). `ape run "
        "bench` measures 100 by default; 1,000 is opt-in (`--reaction-accounts 100,1000`), best against an anvil "
        "without `--steps-tracing` (ape's own anvil keeps every opcode step in memory: past 22 GB at 1,000 "
        "accounts; see docs/toolchain.md)." + ("" if "1000" in r else " Not run here."),
    ]
    return out


def met(target: int | None, gas: int) -> str:
    if target is None:
        return ""
    return "met" if gas <= target else "missed"


def _fmt(x: float | None, digits: int = 0) -> str:
    if x is None:
        return ""
    return f"{x:,.{digits}f}"


def results_json(report: Report) -> dict[str, Any]:
    ratios = {op.key: round(r, 3) for op, _ in report.rows() if (r := report.ratio(op)) is not None}
    targets: dict[str, Any] = {}
    for op, gas in report.rows():
        target = report.target(op)
        if target is None:
            continue
        anchor_target, absolute_target = report.targets(op)
        targets[op.key] = (
            {
                "target": target,
                "anchor_target": anchor_target,
                "absolute_target": absolute_target,
                "gas": gas,
                "met": gas <= target,
            }
            | ({"note": missed_note(op.key)} if gas > target and missed_note(op.key) else {})
            | ({"breakdown": report.breakdowns[op.key]} if op.key in report.breakdowns else {})
        )
    anchors = {
        op.key: {"anchor": anchor_key(a.key), "name": a.name, "gas": a.gas}
        for op, _ in report.rows()
        if (a := report.anchor(op)) is not None
    }
    measured = {
        anchor_key(a.key): {"protocol": a.protocol, "operation": a.operation, "gas": a.gas}
        for a in report.anchor_rows()
    }
    builds = [
        {
            "protocol": b.protocol,
            "package": b.package,
            "version": b.version,
            "compiler": b.compiler,
            "settings": b.settings,
        }
        for b in report.builds
    ]
    scaling = {
        prefix: {
            "per_token": round(f.per_token),
            "per_position": round(f.per_position),
            "intercept": round(f.intercept),
            "r2": round(f.r2, 6),
            "max_residual": round(f.max_residual),
            "max_residual_pct": round(f.max_residual_pct, 2),
            "interaction_per_token_position": round(f.interaction),
            "linear": f.linear,
        }
        for prefix, f in report.fits.items()
    }
    return {
        "gas": dict(sorted(report.gas.items())),
        "ratios": ratios,
        "anchors": anchors,
        "anchor_measurements": measured,
        "anchor_builds": builds,
        "throughput": report.throughput,
        "targets": targets,
        "scaling": scaling,
    }


def anchor_lines(report: Report) -> list[str]:
    """The "Anchors" section of results.md (after its heading): every anchor operation measured in the run, how each
    protocol was built, and the protocols that are not measured."""
    out = [
        f"Measured in the same run as the rows above, on the same forge VM ({ANCHOR_FILE}): the other protocols "
        "deployed from their pinned npm packages with the same tokens (USDC 6 decimals, WETH 18) and Chainlink-style "
        "feeds (8 decimals), on a protocol in use (other accounts already supplied and borrowed), each operation the "
        "first call of its transaction (cold). A row's anchor is the leanest of the anchor operations comparable to "
        f"it; its ratio is the row's gas over the anchor's; its target is {ANCHOR_TARGET_FACTOR:g}x the anchor (and "
        "an absolute target where it has one as well: the lower is the one to meet).",
        "",
    ]
    measured = report.anchor_rows()
    if not measured:
        return [*out, "No anchor measured in this run."]
    out += ["| protocol | operation | key | tx gas |", "|---|---|---|--:|"]
    out += [f"| {a.protocol} | {a.operation} | `{anchor_key(a.key)}` | {a.gas:,} |" for a in measured]
    out += ["", "Builds:", ""]
    out += [f"- {b.protocol}: {b.package} {b.version}, {b.compiler}; {b.settings}." for b in report.builds]
    out += [
        "",
        "Not measured: Compound III (no npm package carries the protocol, so nothing to deploy it from) and "
        "Synthetix v3 perps (no npm package deploys it). The position rows have no anchor; opening a position has "
        "the absolute target alone.",
    ]
    return out


def markdown(report: Report) -> str:
    out = [
        "# Gas benchmarks",
        "",
        "Generated by `make bench` from the forge gas harness (`tests/forge/*Gas*.t.sol`). Transactions: the whole "
        "transaction (21,000 base, calldata, cold storage, less the capped refund). Views: the execution of the call.",
        "Rows on a protocol in use (other accounts already hold collateral and positions) unless marked fresh.",
        "",
        "| operation | gas | basis | anchor | anchor gas | ratio | target | met |",
        "|---|--:|---|---|--:|--:|--:|---|",
    ]
    for op, gas in report.rows():
        anchor = report.anchor(op)
        ratio = report.ratio(op)
        target = report.target(op)
        out.append(
            f"| {op.label} | {gas:,} | {op.basis} | {anchor.name if anchor else ''} | "
            f"{_fmt(anchor.gas if anchor else None)} | {_fmt(ratio, 2)} | {_fmt(target)} | {met(target, gas)} |"
        )
    out += [
        "",
        f"Anchors: measured in this run (see Anchors below); a row's anchor is the leanest comparable one, its target "
        f"{ANCHOR_TARGET_FACTOR:g}x the anchor, or the absolute target when that is lower. The position rows have "
        "no anchor (Synthetix v3 perps, the nearest, has no npm package that deploys it).",
    ]
    missed = [
        (op, gas, target)
        for op, gas in report.rows()
        if (target := report.target(op)) is not None and gas > target
    ]
    if missed:
        out += [
            "",
            "## Missed targets",
            "",
            "Where the gas goes is measured in the run: forge's decoded call trace of the row's harness test (the "
            "measured call's parts, biggest first, with what is left to its own code and storage).",
            "",
        ]
        notes: dict[str, list[str]] = {}
        for op, gas, target in missed:
            line = f"- {op.label}: {gas:,} > {target:,}."
            if op.key in report.breakdowns:
                line += f" Measured: {report.breakdowns[op.key]}."
            out.append(line)
            if missed_note(op.key):
                notes.setdefault(missed_note(op.key), []).append(op.label)
        if notes:
            out += ["", "What would close them:", ""]
            out += [f"- {'; '.join(rows)}: {note}" for note, rows in notes.items()]
    fresh = [(label, report.gas[key]) for key, label in FRESH if key in report.gas]
    if fresh:
        out += [
            "",
            "Fresh deployment (first use of the engine, market or account):",
            "",
            "| operation | tx gas |",
            "|---|--:|",
        ]
        out += [f"| {label} | {gas:,} |" for label, gas in fresh]
    if report.batch is not None:
        t = report.throughput["liquidations"]
        out += [
            "",
            "## Liquidations per block",
            "",
            f"liquidateMany: tx gas = {t['base']:,} + {t['marginal']:,} x n; gas limit (before refunds) = "
            f"{t['limit_base']:,} + {t['limit_marginal']:,} x n.",
            "",
            "| | accounts |",
            "|---|--:|",
            f"| per transaction (cap {PER_TX_CAP:,}) | {t['per_tx']:,} |",
        ]
        for g in BLOCK_GAS_LIMITS:
            out.append(
                f"| per block of {g // 1_000_000}M gas, transactions under the cap | {t['per_block'][str(g)]:,} |"
            )
            out.append(
                f"| per block of {g // 1_000_000}M gas, one transaction (no cap) | "
                f"{t['per_block_one_tx'][str(g)]:,} |"
            )
        out += ["", f"Formula: {PER_BLOCK_FORMULA}"]
    if report.fits:
        out += [
            "",
            "## Scaling",
            "",
            "Rows: collateral tokens per account (each account also holds USDC cash: 2, 5 and 8 assets); columns: "
            "positions. Same totals in every cell (1,000 USD cash, 8,000 USD of tokens after haircuts, 20,000 USD "
            "of longs), so every cell takes the same path.",
            "",
        ]
        for prefix, title in GRIDS:
            if prefix not in report.fits:
                continue
            f = report.fits[prefix]
            out += [
                f"### {title}",
                "",
                "| tokens \\ positions | " + " | ".join(map(str, GRID_POSITIONS)) + " |",
                "|---|" + "--:|" * len(GRID_POSITIONS),
            ]
            for c in GRID_TOKENS:
                cells = " | ".join(f"{report.gas[f'{prefix}_c{c}_p{p}']:,}" for p in GRID_POSITIONS)
                out.append(f"| {c} | {cells} |")
            out += [
                "",
                f"Fit: {f.intercept:,.0f} + {f.per_token:,.0f} per token + {f.per_position:,.0f} per position; "
                f"R^2 {f.r2:.5f}, largest residual {f.max_residual:,.0f} gas ({f.max_residual_pct:.2f} %); "
                f"tokens x positions term {f.interaction:,.0f} per pair; "
                f"{'linear' if f.linear else 'NOT linear'} (R^2 >= {LINEAR_R2}).",
                "",
            ]
    out += [
        "## Anchors",
        "",
        *anchor_lines(report),
        "",
        "## Throughput",
        "",
        *throughput_lines(report.throughput),
    ]
    return "\n".join(out) + "\n"


def print_report(report: Report, echo: Callable[[str], Any] = click.echo) -> None:
    echo(markdown(report))


def write_results(report: Report, directory: Path = BENCH_DIR) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    md, js = directory / RESULTS_MD.name, directory / RESULTS_JSON.name
    md.write_text(markdown(report))
    js.write_text(json.dumps(results_json(report), indent=2) + "\n")
    return md, js
