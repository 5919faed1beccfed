"""What the report derives from a run's blocks, shared by summary.md, report.html and the plots: block times as UTC,
the crash window, cumulative bad debt and LP loss, and the per-market and per-product breakdowns."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ballast.scenarios.formatting import fmt_int, fmt_usd
from ballast.scenarios.model import BlockMetrics, asset_symbols

#: The smallest peak-to-trough fall of a scenario path that the report calls a crash (and shades).
CRASH_THRESHOLD = 0.05
#: What the report calls the scenario path's price: the price the scenario asks of the oracle's sources.
PATH_PRICE_LABEL = "scenario path (source #1's answer)"
PATH_PRICE_NOTE = (
    "The scenario path is the price the scenario gives the oracle's sources: source #1 answers it, the other "
    "sources answer it times their configured offset (about 1), unless a fault changes their answer. The oracle's "
    "median and TWAP are what the engine reads."
)


def utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def utc_text(timestamp: int) -> str:
    """A block timestamp as an ISO 8601 UTC time, e.g. 2026-12-07T11:04:35Z."""
    return utc(timestamp).strftime("%Y-%m-%dT%H:%M:%SZ")


def block_label(blocks: Sequence[BlockMetrics], block: int) -> str:
    """ "block 12 (11:04:35 UTC)" for a block of the run, "block 12" for one it did not record."""
    row = next((r for r in blocks if r.block == block), None)
    return f"block {block}" if row is None else f"block {block} ({utc(row.timestamp):%H:%M:%S} UTC)"


@dataclass(frozen=True)
class CrashWindow:
    """The largest peak-to-trough fall of any asset's scenario path: from the block of the peak to the block of the
    trough (both recorded blocks)."""

    symbol: str
    first: int
    last: int
    drop: float  # trough / peak - 1 (negative)

    def describe(self, blocks: Sequence[BlockMetrics]) -> str:
        return (
            f"crash window: {self.symbol} path {self.drop * 100:+.1f} % from {block_label(blocks, self.first)} "
            f"to {block_label(blocks, self.last)}"
        )


def crash_window(blocks: Sequence[BlockMetrics]) -> CrashWindow | None:
    """The run's crash window, or None when no asset's path fell `CRASH_THRESHOLD` or more from a peak."""
    best: CrashWindow | None = None
    for symbol in asset_symbols(blocks):
        peak: tuple[int, float] | None = None
        for row in blocks:
            asset = row.assets.get(symbol)
            if asset is None or asset.path_price <= 0:
                continue
            if peak is None or asset.path_price >= peak[1]:
                peak = (row.block, asset.path_price)
                continue
            drop = asset.path_price / peak[1] - 1
            if drop <= -CRASH_THRESHOLD and (best is None or drop < best.drop):
                best = CrashWindow(symbol, peak[0], row.block, drop)
    return best


def cumulative(values: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(values))


#: The per-market table: its header, one row per market.
MARKET_HEADER: tuple[str, ...] = (
    "market",
    "liquidations",
    "liquidated notional",
    "bad debt (attributed)",
    "volume",
    "open interest (first -> last block)",
    "peak open interest",
)
MARKET_CAPTION = (
    "Per perp market, over the run (USD at the oracle's median of the market's asset): the liquidations that "
    "reduced a position in it and the size they closed; the bad debt of the accounts absorbed, each account's "
    "split by its perp notional per market the last block it held positions (an account that never held a perp "
    'counts under "no perp position"); the traders\' volume (size changes after the first block, liquidations '
    "included); the traders' open interest."
)


def market_rows(blocks: Sequence[BlockMetrics]) -> list[tuple[str, ...]]:
    names = list(dict.fromkeys(name for row in blocks for name in row.markets))
    rows: list[tuple[str, ...]] = []
    for name in names:
        series = [row.markets[name] for row in blocks if name in row.markets]
        rows.append(
            (
                name,
                fmt_int(sum(m.liquidations for m in series)),
                fmt_usd(sum(m.liquidated_notional for m in series)),
                fmt_usd(sum(m.bad_debt for m in series)),
                fmt_usd(sum(m.volume for m in series)),
                f"{fmt_usd(series[0].open_interest)} -> {fmt_usd(series[-1].open_interest)}",
                fmt_usd(max(m.open_interest for m in series)),
            )
        )
    rest = sum(r.deficits for r in blocks) - sum(m.bad_debt for r in blocks for m in r.markets.values())
    if names and rest > 0.005:
        rows.append(("no perp position", "-", "-", fmt_usd(rest), "-", "-", "-"))
    return rows


PRODUCT_HEADER: tuple[str, ...] = (
    "product",
    "liquidations",
    "liquidated notional",
    "bad debt of accounts that held it",
    "Pool liquidity reserved (last block)",
)
PRODUCT_CAPTION = (
    "Per product (the engine's perps, each margin product such as the OptionsBook's options), over the run, USD: "
    "the liquidations that closed positions in it and the notional they closed there; the bad debt of the "
    "accounts absorbed that held it the last block they held positions (an account holding several products "
    "counts in each, so the rows may add up to more than the run's bad debt); the Pool liquidity it reserved at "
    "the last block."
)


def product_rows(blocks: Sequence[BlockMetrics]) -> list[tuple[str, ...]]:
    names = list(dict.fromkeys(name for row in blocks for name in row.products))
    rows: list[tuple[str, ...]] = []
    last = blocks[-1] if blocks else None
    for name in names:
        series = [row.products[name] for row in blocks if name in row.products]
        reserved = last.exposure.get(name) if last is not None else None
        rows.append(
            (
                name,
                fmt_int(sum(p.liquidations for p in series)),
                fmt_usd(sum(p.liquidated_notional for p in series)),
                fmt_usd(sum(p.bad_debt for p in series)),
                "-" if reserved is None else fmt_usd(reserved.reserved),
            )
        )
    return rows


@dataclass(frozen=True)
class TablePart:
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    align: str  # one of l, r, c per column


@dataclass(frozen=True)
class Section:
    """A part of the report that summary.md and report.html both show: a title, then paragraphs (`str`), tables and
    bullet lists (`list[str]`) in order."""

    title: str
    parts: Sequence[str | TablePart | list[str]]
