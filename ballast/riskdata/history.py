"""Price histories: one asset's prices in time order, from a CSV of the repository (`data/crashes/`, read by the
scenarios' reader `ballast.scenarios.paths`) or from the OracleAggregator's `PriceUpdated` events on chain.

The periods-per-year convention of the estimators comes from here: a history's period is the median gap between two
consecutive timestamps, and a year is 365 days of 24 hours (crypto markets trade every day), so a 5-minute series has
105,120 periods per year.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from ape.contracts import ContractInstance
from ape.types import LogFilter

from ballast.errors import SeriesError

# The scenarios' parser of a window bound, so both readers read a window the same way.
from ballast.scenarios.paths import SECONDS_PER_YEAR, read_ohlc, read_series, series_kind, window_bound

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

WAD = 10**18
#: `IOracleAggregator.Status` values whose `PriceUpdated.median` is a new median: Ok, Deviated, Frozen. A `Stale`
#: update keeps the previous median (quorum not met) and a `WindDown` one carries the fixed wind-down price, so
#: neither is a market observation.
OBSERVED_STATUSES = frozenset({0, 1, 3})


@dataclass(frozen=True)
class PriceHistory:
    """Prices (USD per whole token) of `asset` at `timestamps` (unix seconds, strictly increasing); `source` says
    where they came from (a file, or the oracle and block range)."""

    asset: str
    timestamps: IntArray
    prices: FloatArray
    source: str

    def __post_init__(self) -> None:
        if len(self.timestamps) != len(self.prices):
            raise SeriesError(
                f"{self.source}: {len(self.timestamps)} timestamps for {len(self.prices)} prices"
            )
        if len(self.prices) < 2:
            raise SeriesError(f"{self.source}: fewer than two prices of {self.asset}")
        if (np.diff(self.timestamps) <= 0).any():
            raise SeriesError(f"{self.source}: timestamps are not strictly increasing")
        if not (np.isfinite(self.prices).all() and (self.prices > 0).all()):
            raise SeriesError(f"{self.source}: a price is not a positive number")

    @property
    def period_seconds(self) -> float:
        """The median gap between consecutive timestamps: the series' sampling period."""
        return float(np.median(np.diff(self.timestamps)))

    @property
    def periods_per_year(self) -> float:
        """`SECONDS_PER_YEAR` (365 days) / `period_seconds`."""
        return SECONDS_PER_YEAR / self.period_seconds

    def __len__(self) -> int:
        return len(self.prices)


def load_csv(path: Path, asset: str, start: str | None = None, end: str | None = None) -> PriceHistory:
    """The history of `asset` in the file at `path`: a close series (`timestamp_utc_iso,price_usd`, each close
    stamped at its bar's end) within [start, end] (ISO times), or an OHLC file (`open_time_utc_iso,open,high,low,
    close[,volume]`), whose closes are stamped at their bar's end. A file with an `asset` column gives the rows of
    `asset`; one without is taken as `asset`'s. A missing or malformed file raises `SeriesError` (one line)."""
    if series_kind(path) == "ohlc":
        bars = read_ohlc(path, asset)
        ends = bars.ends_at
        low, high = window_bound(start, path, "start"), window_bound(end, path, "end")
        keep = (ends >= (low if low is not None else -np.inf)) & (
            ends <= (high if high is not None else np.inf)
        )
        return PriceHistory(
            asset, ends[keep].astype(np.int64), bars.close[keep].astype(np.float64), str(path)
        )
    rows = read_series(path, start, end, asset)
    stamps = np.array([int(t.timestamp()) for t, _ in rows], dtype=np.int64)
    prices = np.array([p for _, p in rows], dtype=np.float64)
    return PriceHistory(asset, stamps, prices, str(path))


def load_oracle_events(
    oracle: ContractInstance,
    asset: Any,
    start_block: int,
    stop_block: int,
    symbol: str | None = None,
    block_times: dict[int, int] | None = None,
) -> PriceHistory:
    """The medians `oracle` stored for `asset` in blocks [start_block, stop_block] (both included), read from its
    `PriceUpdated(asset, median, twap, cumulative, freshSources, status)` events: one price per event whose status
    is Ok, Deviated or Frozen (`OBSERVED_STATUSES`), median / 1e18 (WAD, USD per whole token), stamped with its
    block's timestamp. When several updates share a block's timestamp the last one is kept. `symbol` names the asset
    in the history (default: its address); `block_times` (block number -> timestamp) is a cache the caller keeps
    across calls, filled here with the blocks read."""
    if stop_block < start_block:
        raise SeriesError(f"the block range {start_block} .. {stop_block} is empty")
    address = str(getattr(asset, "address", asset))
    log_filter = LogFilter.from_event(
        event=oracle.PriceUpdated.abi,
        search_topics={"asset": address},
        addresses=[oracle.address],
        start_block=start_block,
        stop_block=stop_block,
    )
    source = f"{oracle.address} PriceUpdated blocks {start_block}..{stop_block}"
    by_time: dict[int, float] = {}
    block_times = {} if block_times is None else block_times
    for log in oracle.provider.get_contract_logs(log_filter):
        if int(log.event_arguments["status"]) not in OBSERVED_STATUSES:
            continue
        block = int(log.block_number)
        if block not in block_times:
            block_times[block] = int(oracle.chain_manager.blocks[block].timestamp)
        by_time[block_times[block]] = int(log.event_arguments["median"]) / WAD
    stamps = sorted(by_time)
    return PriceHistory(
        symbol or address,
        np.array(stamps, dtype=np.int64),
        np.array([by_time[t] for t in stamps], dtype=np.float64),
        source,
    )
