"""Price histories from the repository's CSV files (through the scenarios' reader) and their sampling conventions."""

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from ballast.errors import SeriesError
from ballast.riskdata.history import PriceHistory, load_csv

ROOT = Path(__file__).resolve().parents[2]
ETH = ROOT / "data/crashes/eth_2022-11-09.csv"
ETH_OHLC = ROOT / "data/crashes/ohlc/eth_2022-11-09_ohlc.csv"


def _stamp(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def test_load_csv__eth_close_series__reads_every_row_in_time_order():
    history = load_csv(ETH, "WETH")
    assert len(history) == 1441  # 5 days of 5-minute closes and the first open
    assert history.asset == "WETH" and history.source == str(ETH)
    assert history.timestamps[0] == _stamp("2022-11-07T00:00:00") and history.prices[0] == 1568.25
    assert history.timestamps[-1] == _stamp("2022-11-12T00:00:00") and history.prices[-1] == 1289.28
    assert (np.diff(history.timestamps) > 0).all()


def test_periods_per_year__five_minute_series__is_105120():
    history = load_csv(ETH, "WETH")
    assert history.period_seconds == 300
    assert history.periods_per_year == 365 * 24 * 12  # 105,120


def test_load_csv__window__keeps_the_rows_within_start_and_end():
    history = load_csv(ETH, "WETH", start="2022-11-09T00:00:00Z", end="2022-11-09T01:00:00Z")
    assert len(history) == 13  # 00:00, 00:05 .. 01:00
    assert history.timestamps[0] == _stamp("2022-11-09T00:00:00")


def test_load_csv__ohlc_file__gives_closes_stamped_at_the_bar_end():
    history = load_csv(ETH_OHLC, "WETH")
    assert history.timestamps[0] == _stamp("2022-11-07T00:05:00")  # the bar opening at 00:00 closes at 00:05
    assert history.prices[0] == 1568.63
    # the same closes as the close series (whose first row is the first bar's open)
    assert np.array_equal(history.prices[:20], load_csv(ETH, "WETH").prices[1:21])


def test_load_csv__missing_file__raises_one_line(tmp_path):
    with pytest.raises(SeriesError, match="no such price series") as info:
        load_csv(tmp_path / "nope.csv", "WETH")
    assert "\n" not in str(info.value)


def test_load_csv__unknown_columns__raises_one_line_naming_them(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("when,what\n1,2\n")
    with pytest.raises(SeriesError, match="unknown columns when,what"):
        load_csv(path, "WETH")


def test_load_csv__a_price_that_is_not_a_number__names_its_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("timestamp_utc_iso,price_usd\n2022-01-01T00:00:00Z,1\n2022-01-01T00:05:00Z,abc\n")
    with pytest.raises(SeriesError, match="line 3: price_usd 'abc' is not a number"):
        load_csv(path, "WETH")


def test_price_history__timestamps_not_increasing__is_refused():
    with pytest.raises(SeriesError, match="strictly increasing"):
        PriceHistory("X", np.array([2, 1], dtype=np.int64), np.array([1.0, 2.0]), "test")
