"""Price paths: one USD price per asset per simulated block, and how a path becomes each oracle source's answer.

Parametric paths (geometric Brownian motion with jumps, a linear crash, a correlated basket collapse) are drawn
from a numpy Generator on the scenario's seed. A replay of recorded prices (`data/crashes/`, see its README) is
rescaled so that it starts at the asset's deployed price and resampled to the scenario's number of blocks:

- an OHLC file (`ohlc/<asset>_<date>_ohlc.csv`: `open_time_utc_iso,open,high,low,close[,volume]`, each bar stamped
  at its open) is cut into one time interval per block, and a block gets the lowest low of the bars that overlap
  its interval: a crash's worst price inside a block, such as a one-minute wick, is replayed, not skipped. Moves up
  are replayed the same way: a block where the market rose still gets its interval's lowest low, so a rise shows
  one interval late and the highs are never replayed (conservative for longs, it understates a squeeze of shorts;
  `extreme="high"` replays the highest highs instead, `extreme="close"` the last close). An interval no bar
  overlaps (a quiet minute without trades) keeps the last close before it;
- a close series (`<asset>_<date>.csv`: `timestamp_utc_iso,price_usd`, each close stamped at its bar's end) gives
  each block the last value known at its point in time (the reader for files without OHLC).

Either file may carry an `asset` column: the reader keeps the rows of the asked asset (never interleaves assets).
A file with any other layout is refused with one line naming its columns. A source's answer is the path price
times its own small offset (the config's answers relative to its first source).

A person's own price files (`ape run scenario replay`, the oracle keeper) are read by `ballast.series`.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ballast.errors import SeriesError

Array = npt.NDArray[Any]

CRASH_DATA = Path("data/crashes")
SECONDS_PER_YEAR = 365 * 24 * 3600

Paths = dict[str, Array]  # symbol -> price per block (USD)


def flat(prices: Mapping[str, float], blocks: int) -> Paths:
    return {s: np.full(blocks, float(p)) for s, p in prices.items()}


def gbm(
    rng: np.random.Generator,
    start: float,
    blocks: int,
    block_time: int,
    sigma: float = 0.8,
    mu: float = 0.0,
    jump_rate: float = 0.0,
    jump_mean: float = -0.05,
    jump_sd: float = 0.03,
) -> Array:
    """Geometric Brownian motion (annual `mu`, `sigma`) with Poisson jumps (`jump_rate` per block, log sizes
    N(`jump_mean`, `jump_sd`))."""
    dt = block_time / SECONDS_PER_YEAR
    steps = (mu - sigma**2 / 2) * dt + sigma * np.sqrt(dt) * rng.standard_normal(blocks)
    jumps = rng.poisson(jump_rate, blocks) * rng.normal(jump_mean, jump_sd, blocks)
    steps[0] = 0.0
    jumps[0] = 0.0
    path: Array = start * np.exp(np.cumsum(steps + jumps))
    return path


def linear_crash(start: float, blocks: int, shock: float, begin: int, duration: int) -> Array:
    """Flat at `start`, then a straight line to `start * (1 + shock)` over `duration` blocks, then flat."""
    t = np.clip((np.arange(blocks) - begin) / max(duration, 1), 0.0, 1.0)
    return start * (1 + shock * t)


def correlated_collapse(
    rng: np.random.Generator,
    prices: Mapping[str, float],
    shocks: Mapping[str, float],
    blocks: int,
    begin: int,
    duration: int,
    correlation: float = 0.8,
    noise: float = 0.01,
) -> Paths:
    """Every asset in `shocks` falls by its shock over the same window, with correlated per-block noise (one common
    factor, `correlation`); the other assets stay flat."""
    common = rng.standard_normal(blocks)
    out = flat(prices, blocks)
    for symbol, shock in shocks.items():
        own = rng.standard_normal(blocks)
        wiggle = noise * (np.sqrt(correlation) * common + np.sqrt(1 - correlation) * own)
        wiggle[: begin + 1] = 0.0
        out[symbol] = linear_crash(prices[symbol], blocks, shock, begin, duration) * np.exp(wiggle)
    return out


# ---------------------------------------------------------------------------------------------------- replays

CLOSE_COLUMNS: tuple[str, ...] = ("timestamp_utc_iso", "price_usd")
OHLC_COLUMNS: tuple[str, ...] = ("open_time_utc_iso", "open", "high", "low", "close")
OPTIONAL_OHLC_COLUMNS: tuple[str, ...] = ("volume",)
ASSET_COLUMN = "asset"
EXTREMES: tuple[str, ...] = ("low", "high", "close")


@dataclass(frozen=True)
class Bars:
    """OHLC bars of one asset, in time order: open times (unix seconds) and the bar length they share."""

    opens_at: Array  # int64, unix seconds
    seconds: int  # bar length
    open: Array
    high: Array
    low: Array
    close: Array

    @property
    def ends_at(self) -> Array:
        return self.opens_at + self.seconds


def _parse_time(text: str) -> datetime:
    """An ISO time; `Z` or no offset means UTC."""
    stamp = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def window_bound(text: str | None, path: Path, what: str) -> float | None:
    """A time window's `what` bound (an ISO time, or None for open) as a Unix time; `SeriesError` (one line) when it
    is not an ISO time."""
    if text is None:
        return None
    try:
        return _parse_time(text).timestamp()
    except ValueError:
        raise SeriesError(f"{path}: the window {what} {text!r} is not an ISO time") from None


def series_kind(path: Path) -> str:
    """`"close"` or `"ohlc"` from the file's header; `SeriesError` (one line) for a missing file or other columns."""
    if not path.exists():
        raise SeriesError(f"{path}: no such price series (see data/crashes/README.md)")
    with path.open(newline="") as handle:
        header = next(csv.reader(handle), [])
    columns = {c.strip() for c in header} - {ASSET_COLUMN}
    if columns == set(CLOSE_COLUMNS):
        return "close"
    if set(OHLC_COLUMNS) <= columns <= set(OHLC_COLUMNS) | set(OPTIONAL_OHLC_COLUMNS):
        return "ohlc"
    raise SeriesError(
        f"{path}: unknown columns {','.join(c.strip() for c in header) or '(none)'}; expected "
        f"{','.join(CLOSE_COLUMNS)} (closes) or {','.join(OHLC_COLUMNS)}[,volume] (OHLC), either with an optional "
        f"{ASSET_COLUMN} column"
    )


def _rows(path: Path, asset: str | None) -> list[dict[str, str]]:
    """The file's rows, those of `asset` only when the file has an asset column (case-insensitive match)."""
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        fields = [f.strip() for f in reader.fieldnames or []]
        rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    if ASSET_COLUMN not in fields:
        return rows
    held = sorted({r[ASSET_COLUMN] for r in rows})
    if asset is None:
        if len(held) > 1:
            raise SeriesError(f"{path}: holds several assets ({', '.join(held)}); name the one to replay")
        return rows
    wanted = asset.lower()
    kept = [r for r in rows if r[ASSET_COLUMN].lower() == wanted]
    if not kept:
        raise SeriesError(f"{path}: no rows for asset {asset!r} (the file has {', '.join(held) or 'none'})")
    return kept


def _number(row: dict[str, str], column: str, path: Path, line: int) -> float:
    try:
        value = float(row[column])
    except ValueError:
        raise SeriesError(f"{path}: line {line}: {column} {row[column]!r} is not a number") from None
    if not np.isfinite(value) or value <= 0:
        raise SeriesError(f"{path}: line {line}: {column} {row[column]!r} is not a positive price")
    return value


def read_series(
    path: Path, start: str | None = None, end: str | None = None, asset: str | None = None
) -> list[tuple[datetime, float]]:
    """Rows of a close series (`timestamp_utc_iso,price_usd`, optionally `asset`) within [start, end] (ISO times,
    optional; no offset means UTC)."""
    if series_kind(path) != "close":
        raise SeriesError(f"{path}: an OHLC file, not a close series: replay it with read_ohlc")
    low, high = window_bound(start, path, "start"), window_bound(end, path, "end")
    rows = []
    for line, row in enumerate(_rows(path, asset), start=2):
        try:
            stamp = _parse_time(row["timestamp_utc_iso"])
        except ValueError:
            raise SeriesError(
                f"{path}: line {line}: {row['timestamp_utc_iso']!r} is not an ISO time"
            ) from None
        t = stamp.timestamp()
        if (low is not None and t < low) or (high is not None and t > high):
            continue
        rows.append((stamp, _number(row, "price_usd", path, line)))
    if len(rows) < 2:
        raise SeriesError(f"{path}: fewer than two rows in the window {start} .. {end}")
    rows.sort(key=lambda r: r[0])
    return rows


def read_ohlc(path: Path, asset: str | None = None) -> Bars:
    """Every bar of an OHLC file (optionally of one `asset`), in time order. The bar length is the smallest gap
    between two open times (a gap in the data, such as a quiet minute without trades, is a missing bar)."""
    if series_kind(path) != "ohlc":
        raise SeriesError(f"{path}: a close series, not an OHLC file: replay it with read_series")
    opens, values = [], []
    for line, row in enumerate(_rows(path, asset), start=2):
        try:
            opens.append(int(_parse_time(row["open_time_utc_iso"]).timestamp()))
        except ValueError:
            raise SeriesError(
                f"{path}: line {line}: {row['open_time_utc_iso']!r} is not an ISO time"
            ) from None
        o, h, lo, c = (_number(row, k, path, line) for k in ("open", "high", "low", "close"))
        if not lo <= min(o, c) <= max(o, c) <= h:
            raise SeriesError(
                f"{path}: line {line}: low {lo} .. high {h} does not hold open {o} and close {c}"
            )
        values.append((o, h, lo, c))
    if len(opens) < 2:
        raise SeriesError(f"{path}: fewer than two bars")
    order = np.argsort(opens, kind="stable")
    stamps = np.asarray(opens, dtype=np.int64)[order]
    gaps = np.diff(stamps)
    if (gaps <= 0).any():
        raise SeriesError(f"{path}: two bars open at the same time")
    table = np.asarray(values, dtype=float)[order]
    return Bars(stamps, int(gaps.min()), table[:, 0], table[:, 1], table[:, 2], table[:, 3])


def interval_prices(bars: Bars, edges: Array, extreme: str = "low") -> Array:
    """One price per interval [edges[i], edges[i + 1]): the lowest low (`extreme="low"`), the highest high
    (`"high"`) or the last close (`"close"`) of the bars that overlap it (a bar covers [open, open + length)). An
    interval no bar overlaps keeps the last close before it; `SeriesError` if there is none."""
    if extreme not in EXTREMES:
        raise SeriesError(f"unknown extreme {extreme!r} (known: {', '.join(EXTREMES)})")
    out = np.empty(len(edges) - 1)
    for i, (a, b) in enumerate(itertools.pairwise(edges)):
        first = int(np.searchsorted(bars.ends_at, a, side="right"))  # first bar ending after a
        last = int(np.searchsorted(bars.opens_at, b, side="left"))  # bars opening before b
        if first < last:
            if extreme == "low":
                out[i] = bars.low[first:last].min()
            elif extreme == "high":
                out[i] = bars.high[first:last].max()
            else:
                out[i] = bars.close[last - 1]
        elif first > 0:
            out[i] = bars.close[first - 1]
        else:
            raise SeriesError(
                f"no bar in or before the interval starting at {datetime.fromtimestamp(a, UTC)}"
            )
    return out


def replay_ohlc(
    bars: Bars,
    blocks: int,
    start_price: float | None = None,
    start: float | None = None,
    end: float | None = None,
    extreme: str = "low",
) -> Array:
    """`bars` over [start, end] (unix seconds; default: the first bar's open .. the last bar's end) cut into
    `blocks` equal intervals, one price each (`interval_prices`); rescaled so that the price at the window's start
    (the open of the bar that holds it) is `start_price` when given."""
    t0 = float(bars.opens_at[0]) if start is None else start
    t1 = float(bars.ends_at[-1]) if end is None else end
    if t1 <= t0:
        raise SeriesError("the replay window is empty")
    holding = int(np.searchsorted(bars.opens_at, t0, side="right")) - 1
    if holding < 0 or bars.ends_at[holding] <= t0:
        raise SeriesError(f"no bar holds the window's start {datetime.fromtimestamp(t0, UTC)}")
    series = interval_prices(bars, np.linspace(t0, t1, blocks + 1), extreme)
    if start_price is not None:
        series = series * (start_price / bars.open[holding])
    return series


def replay(
    path: Path,
    blocks: int,
    start_price: float | None = None,
    start: str | None = None,
    end: str | None = None,
    asset: str | None = None,
    extreme: str = "low",
) -> Array:
    """`blocks` prices replaying the file at `path` over [start, end], rescaled to start at `start_price` when
    given (relative moves kept), else the recorded prices. An OHLC file gives each block its interval's lowest low
    (see `replay_ohlc` and the module docstring for `extreme`); a close series the last value known at each of
    `blocks` evenly spaced points from the first to the last row of the window."""
    if series_kind(path) == "ohlc":
        bars = read_ohlc(path, asset)
        return replay_ohlc(
            bars,
            blocks,
            start_price,
            window_bound(start, path, "start"),
            window_bound(end, path, "end"),
            extreme,
        )
    rows = read_series(path, start, end, asset)
    times = np.array([r[0].timestamp() for r in rows])
    values = np.array([r[1] for r in rows])
    grid = np.linspace(times[0], times[-1], blocks)
    idx = np.searchsorted(times, grid, side="right") - 1
    series = values[np.clip(idx, 0, len(values) - 1)]
    if start_price is not None:
        series = series * (start_price / series[0])
    resampled: Array = series
    return resampled


def crash_file(name: str, root: Path | None = None) -> Path:
    """The file to replay for the crash window `name` (e.g. `eth_2021-05-19`): its OHLC bars when
    `ohlc/<name>_ohlc.csv` exists, else its close series `<name>.csv`."""
    base = CRASH_DATA if root is None else root
    ohlc = base / "ohlc" / f"{name}_ohlc.csv"
    return ohlc if ohlc.exists() else base / f"{name}.csv"


def source_offsets(answers: list[float]) -> list[float]:
    """Each source's answer relative to the first (the config's answers): 1.0, 0.9995, 1.0006..."""
    return [a / answers[0] for a in answers]


def feed_answer(price: float, offset: float, decimals: int) -> int:
    scaled: float = price * offset * 10**decimals
    return max(1, round(scaled))
