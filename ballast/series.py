"""Price files a person brings: the one reader of `ape run scenario replay`, the oracle keeper and its bot.

A file is a CSV with a header row. Its columns (names case-insensitive):

- a time column: `timestamp_utc_iso`, `open_time_utc_iso`, `timestamp`, `time`, `datetime`, `date`, `open_time`,
  `unix`, `ts` (the first present). A value is unix seconds (an integer or decimal number; a number above 10^11 is
  taken as milliseconds) or an ISO 8601 time (`Z` or no offset means UTC). Times must increase strictly (per asset);
- prices: either OHLC columns `open,high,low,close` (each row a bar stamped at its open; the bar length is the
  smallest gap between two open times, so a missing bar is a gap), or one price column `price_usd`, `price`,
  `close` or `value` (each row an observation at its time). `PATH:COLUMN` reads another column of either kind;
- optionally an `asset` column: the rows of one asset form its series, never interleaved with another's. Its
  values are matched to the deployment's symbols case-insensitively, a wrapped symbol matching its underlying
  (`ETH` rows are WETH's, `BTC` rows WBTC's); an asset no symbol matches is refused with the known symbols.

Other columns (volume, ...) are ignored.

Resampling to blocks (or keeper steps): the window is cut into equal time intervals, one per block, and each block
gets one price of the rows that fall in its interval (a bar counts where it overlaps the interval):

- `worst` (default): the lowest. A fall is what hurts collateral and long positions, which every population holds
  (collateral is always long its asset), so a short wick inside a block survives. On an OHLC file it reads `low`;
- `best`: the highest (the worst case of short positions, a squeeze). On an OHLC file it reads `high`;
- `last`: the last price of the interval (`close` of an OHLC file): a wick between two blocks is lost;
- `mean`: the mean of the interval's prices (`close` of an OHLC file).

An interval without any row keeps the last price before it (the previous bar's close). Prices are `rescaled` (the
whole series multiplied so that its first price, the first bar's open or the first observation, equals the asset's
current price: relative moves are kept, as the catalog's replays do) or `absolute` (the file's prices as they are).

Every problem with a file is a `SeriesError`: one line naming the file (and the line, for a bad row).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ballast.errors import SeriesError

Array = npt.NDArray[Any]

TIME_COLUMNS: tuple[str, ...] = (
    "timestamp_utc_iso",
    "open_time_utc_iso",
    "timestamp",
    "time",
    "datetime",
    "date",
    "open_time",
    "unix",
    "ts",
)
PRICE_COLUMNS: tuple[str, ...] = ("price_usd", "price", "close", "value")
OHLC: tuple[str, ...] = ("open", "high", "low", "close")
ASSET_COLUMN = "asset"
RESAMPLES: tuple[str, ...] = ("worst", "best", "last", "mean")
PRICE_MODES: tuple[str, ...] = ("rescaled", "absolute")
#: The OHLC column each resampling reads unless a column is named.
OHLC_COLUMN = {"worst": "low", "best": "high", "last": "close", "mean": "close"}
MILLISECONDS_ABOVE = 1e11  # a unix time above this is in milliseconds (1e11 s is the year 5138)


def parse_source(text: str) -> tuple[Path, str | None]:
    """`PATH[:COLUMN]` as (path, column or None). The column is what follows the last `:` when it names no folder."""
    head, sep, tail = text.rpartition(":")
    if sep and head and tail and "/" not in tail and "\\" not in tail:
        return Path(head), tail.strip()
    return Path(text), None


def match_symbol(name: str, symbols: Iterable[str]) -> str | None:
    """The deployment symbol an asset name stands for: the same symbol (any case), or the wrapped one (`ETH` ->
    `WETH`); None when none matches."""
    known = list(symbols)
    wanted = name.strip().upper()
    for candidate in (wanted, f"W{wanted}"):
        hit = next((s for s in known if s.upper() == candidate), None)
        if hit is not None:
            return hit
    return None


@dataclass(frozen=True)
class PriceSeries:
    """One asset's prices read from a file, in time order: `values` of `column` at `times` (unix seconds), each
    covering `span` seconds (an OHLC bar's length; 0 for observations). `opens` is the price at the start of each
    row (an OHLC bar's open; the value of an observation), `carry` what an interval without rows keeps (an OHLC
    bar's close; the value of an observation), and `first` the price the series starts at."""

    path: Path
    asset: str | None
    column: str
    times: Array
    values: Array
    opens: Array
    carry: Array
    span: float

    @property
    def start(self) -> float:
        return float(self.times[0])

    @property
    def end(self) -> float:
        return float(self.times[-1]) + self.span

    @property
    def first(self) -> float:
        return float(self.opens[0])

    def window(self, start: float | None, end: float | None) -> PriceSeries:
        """The rows within [start, end] (the bars that overlap it; default: the whole file)."""
        lo = self.start if start is None else start
        hi = self.end if end is None else end
        if hi <= lo:
            if start is not None and end is not None:
                raise SeriesError(f"the window start {_iso(lo)} is not before its end {_iso(hi)}")
            raise SeriesError(
                f"{self.path}: the window {_iso(lo)} .. {_iso(hi)} is empty (the file covers "
                f"{_iso(self.start)} .. {_iso(self.end)})"
            )
        if self.span:
            keep = (self.times + self.span > lo) & (self.times < hi)
        else:
            keep = (self.times >= lo) & (self.times <= hi)
        if keep.sum() < (1 if self.span else 2):
            raise SeriesError(
                f"{self.path}: no prices{self.of} in the window {_iso(lo)} .. {_iso(hi)} (the file covers "
                f"{_iso(self.start)} .. {_iso(self.end)})"
            )
        return replace(
            self,
            times=self.times[keep],
            values=self.values[keep],
            opens=self.opens[keep],
            carry=self.carry[keep],
        )

    @property
    def of(self) -> str:
        return f" of {self.asset}" if self.asset else ""


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> float:
    """A time value as unix seconds: a number (seconds, or milliseconds above 10^11) or an ISO 8601 time."""
    value = text.strip()
    try:
        number = float(value)
    except ValueError:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()
    if not np.isfinite(number):
        raise ValueError(value)
    seconds = number / 1000 if abs(number) > MILLISECONDS_ABOVE else number
    try:
        datetime.fromtimestamp(seconds, UTC)  # a time no calendar date holds (a year past 9999) is no time
    except (OverflowError, OSError, ValueError):
        raise ValueError(value) from None
    return seconds


def bound(text: str | None, what: str) -> float | None:
    """A window's `what` bound (`--start`/`--end`: an ISO time or unix seconds) or None."""
    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError:
        raise SeriesError(f"the window {what} {text!r} is neither an ISO time nor unix seconds") from None


# ---------------------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Table:
    path: Path
    columns: list[str]  # lower-case, stripped
    rows: list[tuple[int, list[str]]]  # (line, cells)

    def index(self, name: str) -> int:
        return self.columns.index(name)


def _table(path: Path) -> _Table:
    if path.is_dir():
        raise SeriesError(f"{path}: a folder, not a price file (give the CSV file's path)")
    if not path.is_file():
        raise SeriesError(f"{path}: no such price file")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as err:
        raise SeriesError(f"{path}: cannot read it ({err})") from None
    if not lines or not any(c.strip() for c in lines[0]):
        raise SeriesError(f"{path}: empty file (a header row and price rows are expected)")
    columns = [c.strip().lower() for c in lines[0]]
    if len(columns) == 1 and (";" in columns[0] or "\t" in columns[0]):
        separator = "';'" if ";" in columns[0] else "a tab"
        raise SeriesError(
            f"{path}: its columns are separated by {separator}; a price file is comma-separated "
            f"(header found: {lines[0][0].strip()!r})"
        )
    rows = [(n, cells) for n, cells in enumerate(lines[1:], start=2) if any(c.strip() for c in cells)]
    if not rows:
        raise SeriesError(f"{path}: no price rows under the header {','.join(columns)}")
    return _Table(path, columns, rows)


def _time_column(table: _Table) -> str:
    found = next((c for c in TIME_COLUMNS if c in table.columns), None)
    if found is None:
        raise SeriesError(
            f"{table.path}: no time column in {','.join(table.columns)}; name one {', '.join(TIME_COLUMNS)}"
        )
    return found


def is_ohlc(columns: Sequence[str]) -> bool:
    return all(c in columns for c in OHLC)


def _value_column(table: _Table, column: str | None, resample: str) -> str:
    if column is not None:
        wanted = column.strip().lower()
        if wanted not in table.columns:
            raise SeriesError(f"{table.path}: no column {column!r} (columns: {','.join(table.columns)})")
        return wanted
    if is_ohlc(table.columns):
        return OHLC_COLUMN[resample]
    found = next((c for c in PRICE_COLUMNS if c in table.columns), None)
    if found is None:
        raise SeriesError(
            f"{table.path}: no price column in {','.join(table.columns)}; expected open,high,low,close or one of "
            f"{', '.join(PRICE_COLUMNS)} (or name it: PATH:COLUMN)"
        )
    return found


def file_assets(path: Path) -> list[str]:
    """The values of the file's `asset` column in first-seen order ([] when it has none)."""
    return _assets_of(_table(path))


def _assets_of(table: _Table) -> list[str]:
    if ASSET_COLUMN not in table.columns:
        return []
    i = table.index(ASSET_COLUMN)
    return list(
        dict.fromkeys(cells[i].strip() for _, cells in table.rows if len(cells) > i and cells[i].strip())
    )


def _price(text: str, path: Path, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SeriesError(f"{path}: line {line}: {column} {text!r} is not a number") from None
    if not np.isfinite(value) or value <= 0:
        raise SeriesError(f"{path}: line {line}: the price must be positive (got {text.strip()})")
    return value


def read_prices(
    path: Path, column: str | None = None, asset: str | None = None, resample: str = "worst"
) -> PriceSeries:
    """The series of the file at `path`: `column` (default: the price column, or the OHLC column `resample` reads),
    the rows of `asset` when the file has an asset column (`match_symbol`; required when it holds several)."""
    if resample not in RESAMPLES:
        raise SeriesError(f"unknown resampling {resample!r} (known: {', '.join(RESAMPLES)})")
    table = _table(path)
    time_col = _time_column(table)
    value_col = _value_column(table, column, resample)
    if value_col in (time_col, ASSET_COLUMN):
        raise SeriesError(f"{path}: column {value_col!r} holds no prices")
    ohlc = is_ohlc(table.columns)
    rows = table.rows
    chosen = None
    if ASSET_COLUMN in table.columns:
        held = _assets_of(table)
        a = table.index(ASSET_COLUMN)
        if asset is None:
            if len(held) > 1:
                raise SeriesError(f"{path}: holds several assets ({', '.join(held)}); name the one to replay")
            chosen = held[0] if held else None
        else:
            chosen = next((h for h in held if h.upper() == asset.upper()), None) or next(
                (h for h in held if match_symbol(h, [asset]) is not None), None
            )
            if chosen is None:
                raise SeriesError(
                    f"{path}: no rows for asset {asset} (the file has {', '.join(held) or 'none'})"
                )
        rows = [(n, cells) for n, cells in rows if len(cells) > a and cells[a].strip() == chosen]
    t, v = table.index(time_col), table.index(value_col)
    o, c = (table.index("open"), table.index("close")) if ohlc else (v, v)
    times, values, opens, closes = [], [], [], []
    for line, cells in rows:
        if len(cells) < len(table.columns):
            raise SeriesError(
                f"{path}: line {line}: {len(cells)} cells under a header of {len(table.columns)}"
            )
        try:
            times.append(parse_time(cells[t]))
        except ValueError:
            raise SeriesError(
                f"{path}: line {line}: {time_col} {cells[t].strip()!r} is neither unix seconds nor an ISO time"
            ) from None
        values.append(_price(cells[v], path, line, value_col))
        opens.append(_price(cells[o], path, line, "open") if ohlc else values[-1])
        closes.append(_price(cells[c], path, line, "close") if ohlc else values[-1])
        if ohlc:
            _check_bar(cells, table, path, line)
        if len(times) > 1 and times[-1] <= times[-2]:
            raise SeriesError(
                f"{path}: line {line}: {time_col} {cells[t].strip()} is not after the row before "
                f"({_iso(times[-2])}); rows must be in strictly increasing time{_for(chosen)}"
            )
    label = chosen if chosen is not None else asset
    if len(times) < 2:
        raise SeriesError(f"{path}: fewer than two price rows{_for(label)}")
    stamps = np.asarray(times, dtype=float)
    span = float(np.diff(stamps).min()) if ohlc else 0.0
    return PriceSeries(
        path, label, value_col, stamps, np.asarray(values), np.asarray(opens), np.asarray(closes), span
    )


def _check_bar(cells: list[str], table: _Table, path: Path, line: int) -> None:
    """An OHLC row's low .. high holds its open and close (a file whose columns are swapped fails here)."""
    o, h, lo, c = (_price(cells[table.index(k)], path, line, k) for k in OHLC)
    if not lo <= min(o, c) <= max(o, c) <= h:
        raise SeriesError(f"{path}: line {line}: low {lo} .. high {h} does not hold open {o} and close {c}")


def _for(asset: str | None) -> str:
    return f" for {asset}" if asset else ""


# ---------------------------------------------------------------------------------------------------- resampling


def resample(series: PriceSeries, edges: Array, mode: str = "worst") -> Array:
    """One price per interval [edges[i], edges[i + 1]) (the last one closed) of `series`: see the module docstring
    for `mode`. An interval without rows keeps the last carried price before it."""
    if mode not in RESAMPLES:
        raise SeriesError(f"unknown resampling {mode!r} (known: {', '.join(RESAMPLES)})")
    times, values, span = series.times, series.values, series.span
    ends = times + span
    out = np.empty(len(edges) - 1)
    last_interval = len(edges) - 2
    for i in range(len(edges) - 1):
        a, b = float(edges[i]), float(edges[i + 1])
        if span:
            first = int(np.searchsorted(ends, a, side="right"))  # first bar ending after a
            stop = int(np.searchsorted(times, b, side="left"))  # bars opening before b
        else:
            first = int(np.searchsorted(times, a, side="left"))
            stop = int(np.searchsorted(times, b, side="right" if i == last_interval else "left"))
        if first < stop:
            chunk = values[first:stop]
            if mode == "worst":
                out[i] = chunk.min()
            elif mode == "best":
                out[i] = chunk.max()
            elif mode == "last":
                out[i] = chunk[-1]
            else:
                out[i] = chunk.mean()
        else:
            before = int(np.searchsorted(times, a, side="right")) - 1
            if before < 0:
                raise SeriesError(f"{series.path}: no price{series.of} at or before {_iso(a)}")
            out[i] = series.carry[before]
    return out


def to_blocks(
    series: PriceSeries,
    blocks: int,
    mode: str = "worst",
    start: float | None = None,
    end: float | None = None,
    start_price: float | None = None,
) -> Array:
    """`blocks` prices of `series` over [start, end] (default: the whole file), resampled by `mode`, rescaled so
    that the price at the window's start is `start_price` when given (else the file's prices)."""
    window = series.window(start, end)
    lo = window.start if start is None else start
    hi = window.end if end is None else end
    out = resample(window, np.linspace(lo, hi, blocks + 1), mode)
    return out * (start_price / window.first) if start_price is not None else out


def to_steps(series: PriceSeries, step_seconds: float | None, mode: str = "worst") -> Array:
    """The oracle keeper's prices: one per row (or bar: its column by `mode`) when `step_seconds` is None, else
    one per `step_seconds` of the file's time, resampled by `mode`."""
    if step_seconds is None:
        return series.values.copy()
    if step_seconds <= 0:
        raise SeriesError(f"the file's seconds per step must be positive (got {step_seconds})")
    steps = max(1, int(np.ceil((series.end - series.start) / step_seconds)))
    edges = series.start + step_seconds * np.arange(steps + 1)
    return resample(series, edges, mode)


def scale_factor(series: PriceSeries, mode: str, current: float | None) -> float:
    """What the file's prices are multiplied by: 1 (`absolute`), or `current` / the series' first price
    (`rescaled`)."""
    if mode not in PRICE_MODES:
        raise SeriesError(f"unknown price mode {mode!r} (known: {', '.join(PRICE_MODES)})")
    if mode == "absolute":
        return 1.0
    if current is None or current <= 0:
        raise SeriesError(f"{series.path}: no current price{series.of} to rescale to")
    return current / series.first


def drawdown(values: Sequence[float] | Array) -> float:
    """The largest fall from a running peak, as a (negative) fraction: min over t of v_t / max(v_0..v_t) - 1."""
    v = np.asarray(values, dtype=float)
    return float((v / np.maximum.accumulate(v)).min() - 1)


def assign_assets(
    sources: Sequence[tuple[Path, str | None]],
    assets: Sequence[str],
    symbols: Mapping[str, Any] | Sequence[str],
) -> list[tuple[str, Path, str | None, str | None]]:
    """Which deployment symbol each file's series drives: (symbol, path, column, rows' asset name or None).

    With as many `assets` as `sources`, the i-th file drives the i-th asset (its rows of that asset when it has an
    asset column). With no `assets`, every file must have an asset column and each of its assets drives the symbol
    it matches (`match_symbol`). Any other combination, an unknown symbol or an asset given twice is refused."""
    known = list(symbols)
    out: list[tuple[str, Path, str | None, str | None]] = []
    if assets and len(assets) != len(sources):
        raise SeriesError(
            f"{len(sources)} --csv and {len(assets)} --asset: give one --asset per --csv, or none when the files "
            "have an asset column"
        )
    for i, (path, column) in enumerate(sources):
        if assets:
            symbol = match_symbol(assets[i], known)
            if symbol is None:
                raise SeriesError(
                    f"--asset {assets[i]}: not an asset of the deployment (known: {', '.join(known)})"
                )
            in_file = file_assets(path)
            out.append((symbol, path, column, assets[i] if in_file else None))
            continue
        in_file = file_assets(path)
        if not in_file:
            raise SeriesError(f"{path}: no asset column: name the asset it drives with --asset")
        for name in in_file:
            symbol = match_symbol(name, known)
            if symbol is None:
                raise SeriesError(
                    f"{path}: asset {name!r} matches no asset of the deployment (known: {', '.join(known)})"
                )
            out.append((symbol, path, column, name))
    seen: set[str] = set()
    for symbol, *_ in out:
        if symbol in seen:
            raise SeriesError(f"{symbol} is replayed twice: give each asset one series")
        seen.add(symbol)
    if not out:
        raise SeriesError("nothing to replay: give --csv PATH (and --asset SYMBOL)")
    return out
