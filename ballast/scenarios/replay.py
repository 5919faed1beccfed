"""`ape run scenario replay`: a scenario whose price paths come from a person's own price files.

The files are read by `ballast.series` (close series or OHLC, an optional asset column, unix or ISO times), each
asset's series cut into one interval per block and resampled (`worst` by default: the lowest price of each interval,
so a short wick survives), `rescaled` to the asset's deployed price (or replayed at the file's `absolute` prices).
As in the catalog's replays (`ballast.scenarios.catalog.replays`) the series takes the first 70 % of the blocks and
its last price is held for the rest, so the keepers can catch up; every file's window covers the same blocks, so
assets replayed together move together. The assets no file drives keep their deployed price.

The run is the catalog's: the same deployment, population, block loop, keepers and report; its properties are the
ones any market path must keep (nobody liquidatable at the end, no liquidation at a Stale price, LP loss only after
the InsuranceFund, no new risk while a price is not `Ok`, the books balance), not that liquidations happen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from ballast.errors import SeriesError
from ballast.scenarios.catalog import REPLAY_SHARE
from ballast.scenarios.paths import Paths, flat
from ballast.scenarios.properties import (
    books_balance,
    cascade_clears,
    lp_loss_after_insurance,
    no_liquidation_at_unusable_price,
    no_new_risk_unless_ok,
)
from ballast.scenarios.record import RunSettings, ScenarioSpec
from ballast.series import (
    PRICE_MODES,
    RESAMPLES,
    Array,
    PriceSeries,
    assign_assets,
    bound,
    parse_source,
    read_prices,
    to_blocks,
)

REPLAY = "replay"


@dataclass(frozen=True)
class ReplaySource:
    """One asset's series: the deployment symbol it drives and what was read for it."""

    symbol: str
    series: PriceSeries


@dataclass(frozen=True)
class ReplayPlan:
    """What a replay replays: each asset's series, the resampling, the price mode and the window (unix seconds)."""

    sources: tuple[ReplaySource, ...]
    resample: str = "worst"
    prices: str = "rescaled"
    start: float | None = None
    end: float | None = None

    def path(self, source: ReplaySource, blocks: int, deployed: float) -> Array:
        """`blocks` prices of `source` (the replayed share, then the last price held)."""
        replayed = max(2, min(blocks, int(blocks * REPLAY_SHARE)))
        start_price = deployed if self.prices == "rescaled" else None
        series = to_blocks(source.series, replayed, self.resample, self.start, self.end, start_price)
        return np.concatenate([series, np.full(blocks - replayed, series[-1])])

    def note(self) -> str:
        files = "; ".join(
            f"{s.symbol}: {s.series.path}:{s.series.column}"
            + (f" (rows of {s.series.asset})" if s.series.asset else "")
            for s in self.sources
        )
        window = ""
        if self.start is not None or self.end is not None:
            window = f" {_when(self.start)} .. {_when(self.end)},"
        return f"{files};{window} {self.resample} price per block over 70 % of the blocks, then held; {self.prices}"


def _when(t: float | None) -> str:
    if t is None:
        return "file"
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M")


def plan_replay(
    csv: Sequence[str],
    assets: Sequence[str],
    symbols: Sequence[str],
    resample: str = "worst",
    prices: str = "rescaled",
    start: str | None = None,
    end: str | None = None,
) -> ReplayPlan:
    """Read every `--csv PATH[:COLUMN]` for the deployment's `symbols` (`ballast.series.assign_assets` pairs them
    with `--asset`), check the window holds prices of each: a bad file fails here, before anything is deployed."""
    if resample not in RESAMPLES:
        raise SeriesError(f"--resample {resample}: known {', '.join(RESAMPLES)}")
    if prices not in PRICE_MODES:
        raise SeriesError(f"--prices {prices}: known {', '.join(PRICE_MODES)}")
    if not csv:
        raise SeriesError("nothing to replay: give --csv PATH[:COLUMN] (and --asset SYMBOL)")
    lo, hi = bound(start, "start"), bound(end, "end")
    sources = []
    for symbol, path, column, rows in assign_assets([parse_source(c) for c in csv], assets, symbols):
        series = read_prices(path, column, rows, resample)
        series.window(lo, hi)  # a window without prices fails now
        sources.append(ReplaySource(symbol, series))
    return ReplayPlan(tuple(sources), resample, prices, lo, hi)


def replay_spec(plan: ReplayPlan, profile: str = "mixed") -> ScenarioSpec:
    """The scenario of `plan`: its paths, the properties any path must keep, the population `profile`."""

    def build(rng: np.random.Generator, deployed: dict[str, float], s: RunSettings) -> Paths:
        out = flat(deployed, s.blocks)
        for source in plan.sources:
            out[source.symbol] = plan.path(source, s.blocks, deployed[source.symbol])
        return out

    symbols = ", ".join(s.symbol for s in plan.sources)
    return ScenarioSpec(
        REPLAY,
        f"Your prices replayed on {symbols} ({plan.resample} price per block, {plan.prices}).",
        build,
        (
            cascade_clears(),
            no_liquidation_at_unusable_price(),
            lp_loss_after_insurance(),
            no_new_risk_unless_ok(),
            books_balance(),
        ),
        profile=profile,
        shock_block=0,
        path_note=plan.note(),
    )
