"""Replays of recorded prices (no chain): the OHLC low of each block's interval on hand-written bars, the `asset`
column, the close-series reader, and one-line errors for files that cannot be replayed."""

from pathlib import Path

import numpy as np
import pytest

from ballast.scenarios.paths import (
    SeriesError,
    crash_file,
    read_ohlc,
    read_series,
    replay,
    series_kind,
)

FIXTURES = Path(__file__).parent / "fixtures"
WICK = FIXTURES / "wick_ohlc.csv"  # six 1-minute bars from 2024-01-01 00:00; lows 99 95 80 88 91 94


def test_replay_ohlc__three_blocks__lowest_low_of_each_interval():
    # [00:00, 00:02) holds bars 0-1, [00:02, 00:04) bars 2-3, [00:04, 00:06) bars 4-5.
    assert replay(WICK, 3).tolist() == [95.0, 80.0, 91.0]


def test_replay_ohlc__intervals_straddle_bars__every_overlapping_bar_counts():
    # 1.5-minute intervals: [0, 1.5) meets bars 0-1, [1.5, 3) bars 1-2, [3, 4.5) bars 3-4, [4.5, 6) bars 4-5.
    assert replay(WICK, 4).tolist() == [95.0, 80.0, 88.0, 91.0]


def test_replay_ohlc__rescaled__relative_to_the_open_at_the_window_start():
    # The window starts inside bar 1 (open 100): x0.5. [1.5, 3) -> low 80, [3, 4.5) -> low 88.
    series = replay(WICK, 2, 50.0, "2024-01-01T00:01:30Z", "2024-01-01T00:04:30Z")
    assert series.tolist() == [40.0, 44.0]


def test_replay_ohlc__other_extremes__highs_and_closes():
    assert replay(WICK, 3, extreme="high").tolist() == [102.0, 98.0, 99.0]
    assert replay(WICK, 3, extreme="close").tolist() == [97.0, 92.0, 98.0]


def test_replay_ohlc__interval_without_bars__keeps_the_last_close():
    # Bars at 00:00, 00:01, 00:04, 00:05 (no volume column); 00:02-00:04 has no trade.
    series = replay(FIXTURES / "gap_ohlc.csv", 6)
    assert series.tolist() == [0.99, 0.90, 0.93, 0.93, 0.92, 0.95]


def test_read_ohlc__bar_length_from_the_open_times():
    bars = read_ohlc(WICK)
    assert bars.seconds == 60
    assert bars.low.tolist() == [99.0, 95.0, 80.0, 88.0, 91.0, 94.0]


def test_replay__asset_column__filters_instead_of_interleaving():
    path = FIXTURES / "two_assets_ohlc.csv"
    assert replay(path, 2, asset="ETH").tolist() == [1500.0, 1700.0]
    assert replay(path, 2, asset="btc").tolist() == [38000.0, 38500.0]
    assert replay(path, 2, 1.0, asset="ETH").tolist() == [0.75, 0.85]


def test_replay__asset_column_without_asset__one_line_error():
    with pytest.raises(SeriesError, match=r"holds several assets \(BTC, ETH\)") as err:
        replay(FIXTURES / "two_assets_ohlc.csv", 2)
    assert "\n" not in str(err.value)
    with pytest.raises(SeriesError, match=r"no rows for asset 'SOL' \(the file has BTC, ETH\)"):
        replay(FIXTURES / "two_assets_ohlc.csv", 2, asset="SOL")


def test_replay_closes__last_known_value_at_each_point():
    # Closes at 0, 1, 2 and 4 minutes; five points 0..4 minutes: the 3-minute point keeps 0.95.
    path = FIXTURES / "gap_closes.csv"
    assert series_kind(path) == "close"
    assert replay(path, 5).tolist() == [1.00, 0.99, 0.95, 0.95, 0.97]
    assert [p for _, p in read_series(path, start="2024-01-01T00:01:00Z")] == [0.99, 0.95, 0.97]


def test_unknown_columns__one_line_error_naming_them():
    path = FIXTURES / "unknown_columns.csv"
    with pytest.raises(SeriesError) as err:
        replay(path, 3)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: unknown columns time,price; expected timestamp_utc_iso,price_usd")


def test_close_reader_on_an_ohlc_file__clear_error_not_a_key_error():
    with pytest.raises(SeriesError, match="an OHLC file, not a close series"):
        read_series(WICK)


def test_missing_file__one_line_error(tmp_path):
    with pytest.raises(SeriesError, match="no such price series"):
        replay(tmp_path / "nope.csv", 3)


def test_eth_2021_05_19__catalog_window__keeps_the_one_minute_wick():
    # The 13:10 bar's low (1888.0) against the 00:00 bar's open (3375.08): -44.06 %; the closes alone give -28.98 %.
    path = crash_file("eth_2021-05-19")
    assert path.name == "eth_2021-05-19_ohlc.csv"
    series = replay(path, 28, 3000.0, "2021-05-19T00:00:00Z", "2021-05-20T00:00:00Z")
    assert series.min() == pytest.approx(3000.0 * 1888.0 / 3375.08, rel=1e-12)
    assert int(np.argmin(series)) == 15  # 13:10 lies in the 16th of 28 intervals of 51.4 minutes
