"""The reader of a person's price files (`ballast.series`) and the replay plan built on it (no chain): the asset
column splits series, OHLC files and their columns, unix and ISO times, the resampling modes (the worst price keeps
ETH's 2021-05-19 wick), rescaled against absolute prices, and one line per bad input."""

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from ballast.errors import KeeperError, SeriesError
from ballast.keepers.oracle import OracleKeeperConfig, config_from_options, source_prices
from ballast.scenarios.paths import crash_file, replay
from ballast.scenarios.replay import plan_replay
from ballast.series import (
    bound,
    drawdown,
    match_symbol,
    parse_source,
    parse_time,
    read_prices,
    to_blocks,
    to_steps,
)

FIXTURES = Path(__file__).parent / "fixtures"
TWO = FIXTURES / "two_assets.csv"  # ETH and BTC rows interleaved, unix seconds, one a minute
WICK = FIXTURES / "wick.csv"  # six one-minute OHLC bars, unix open times; lows 99 95 80 88 89 94
ROOT = Path(__file__).resolve().parents[2]
ETH_2021 = ROOT / "data" / "crashes" / "ohlc" / "eth_2021-05-19_ohlc.csv"
DAY = ("2021-05-19T00:00:00Z", "2021-05-20T00:00:00Z")  # the catalog's window of that crash
SYMBOLS = ["USDC", "WBTC", "WETH", "LTT", "USDT"]  # config/local.yaml's assets


def test_asset_column__each_asset_its_own_series_never_interleaved():
    eth = read_prices(TWO, asset="WETH")
    btc = read_prices(TWO, asset="btc")
    assert eth.asset == "ETH" and eth.values.tolist() == [2000, 1900, 1500, 1800, 1700, 1750]
    assert btc.asset == "BTC" and btc.values.tolist() == [40000, 39000, 36000, 38000, 37000, 37500]
    assert eth.times.tolist() == btc.times.tolist() == [1_700_000_000 + 60 * i for i in range(6)]


def test_asset_column__without_asset__every_asset_of_the_file_drives_the_symbol_it_matches():
    plan = plan_replay([str(TWO)], [], SYMBOLS)
    assert [(s.symbol, s.series.asset) for s in plan.sources] == [("WETH", "ETH"), ("WBTC", "BTC")]
    assert match_symbol("eth", SYMBOLS) == "WETH" and match_symbol("usdc", SYMBOLS) == "USDC"
    assert match_symbol("SOL", SYMBOLS) is None


def test_ohlc__the_resampling_picks_its_column_and_a_named_column_wins():
    assert read_prices(WICK).column == "low"
    assert read_prices(WICK, resample="best").column == "high"
    assert read_prices(WICK, resample="last").column == "close"
    bars = read_prices(WICK, "close")
    assert bars.values.tolist() == [100, 97, 92, 90, 98, 96]
    assert bars.span == 60 and bars.first == 100  # the first bar's open
    assert parse_source(f"{WICK}:close") == (WICK, "close")
    assert parse_source("data/x.csv") == (Path("data/x.csv"), None)


def test_resampling__worst_keeps_the_wick_last_loses_it():
    # Three blocks of two bars: [0, 2) min, [2, 4), [4, 6).
    assert to_blocks(read_prices(WICK), 3).tolist() == [95, 80, 89]
    assert to_blocks(read_prices(WICK, resample="best"), 3, "best").tolist() == [102, 98, 99]
    assert to_blocks(read_prices(WICK, resample="last"), 3, "last").tolist() == [97, 90, 96]
    assert to_blocks(read_prices(WICK, resample="mean"), 3, "mean").tolist() == [98.5, 91.0, 97.0]


def test_times__unix_seconds_milliseconds_and_iso_are_the_same_instant():
    assert parse_time("1700000000") == parse_time("1700000000000") == 1_700_000_000
    assert parse_time("2023-11-14T22:13:20Z") == parse_time("2023-11-14 22:13:20") == 1_700_000_000
    assert bound("2023-11-14T22:13:20+00:00", "start") == 1_700_000_000


def test_rescaled_and_absolute():
    eth = read_prices(TWO, asset="ETH")
    absolute = to_blocks(eth, 5)
    rescaled = to_blocks(eth, 5, start_price=3000.0)
    assert absolute.tolist() == [
        2000,
        1900,
        1500,
        1800,
        1700,
    ]  # the last block holds 1700 and 1750: the lowest
    assert rescaled.tolist() == pytest.approx([3000, 2850, 2250, 2700, 2550])
    plan = plan_replay([str(TWO)], ["WETH"], SYMBOLS, prices="absolute")
    held = plan.path(plan.sources[0], 10, deployed=3000.0)
    # 7 intervals of 42.9 s over the 300 s; the fourth holds no row and keeps 1500; then the last price is held.
    assert held.tolist() == [2000, 1900, 1500, 1500, 1800, 1700, 1750, 1750, 1750, 1750]
    rescaled_plan = plan_replay([str(TWO)], ["WETH"], SYMBOLS)
    assert rescaled_plan.path(rescaled_plan.sources[0], 10, 3000.0)[0] == 3000.0


def test_eth_2021_05_19__the_same_path_as_the_catalogs_replay():
    """The catalog's reader (`ballast.scenarios.paths.replay`: the lowest low per block, rescaled to the open at the
    window's start) and this one give the scenario the same path."""
    lo, hi = bound(DAY[0], "start"), bound(DAY[1], "end")
    ours = to_blocks(read_prices(ETH_2021), 28, "worst", lo, hi, 3000.0)
    catalog = replay(crash_file("eth_2021-05-19"), 28, 3000.0, *DAY)
    assert ours.tolist() == pytest.approx(catalog.tolist(), rel=1e-12)


def _from_start(values: np.ndarray, first: float) -> float:
    return float(values.min() / first - 1)


@pytest.mark.parametrize(("column", "file_drop"), [(None, -0.4406), ("close", -0.4296)])
def test_eth_2021_05_19__worst_resampling_keeps_the_files_drop(column, file_drop):
    """The 13:10 one-minute wick (low 1888, lowest close 1925.16) against 3375.08 at 00:00: replayed on 28 blocks of
    51 minutes the worst price per block keeps the file's whole drop; the last price of each block loses a quarter."""
    series = read_prices(ETH_2021, column)
    lo, hi = bound(DAY[0], "start"), bound(DAY[1], "end")
    window = series.window(lo, hi)
    in_file = _from_start(window.values, window.first)
    assert in_file == pytest.approx(file_drop, abs=5e-5)
    replayed = {
        mode: _from_start(
            to_blocks(read_prices(ETH_2021, column, resample=mode), 28, mode, lo, hi, 3000.0), 3000.0
        )
        for mode in ("worst", "last", "mean")
    }
    assert replayed["worst"] == pytest.approx(in_file, abs=1e-4)
    assert replayed["last"] > in_file + 0.05 and replayed["mean"] > in_file + 0.05
    worst_path = to_blocks(series, 28, "worst", lo, hi, 3000.0)
    assert (
        drawdown(worst_path) <= in_file + 0.005
    )  # the largest fall from a peak is at least the fall from the start


@pytest.mark.parametrize(
    ("csv", "assets", "message"),
    [
        (["nope.csv"], ["WETH"], "nope.csv: no such price file"),
        ([f"{WICK}:nope"], ["WETH"], f"{WICK}: no column 'nope' (columns: open_time,open,high,low,close)"),
        (
            [str(FIXTURES / "sol.csv")],
            [],
            "asset 'SOL' matches no asset of the deployment (known: USDC, WBTC",
        ),
        (
            [str(WICK)],
            ["DOGE"],
            "--asset DOGE: not an asset of the deployment (known: USDC, WBTC, WETH, LTT, USDT)",
        ),
        ([str(TWO)], ["LTT"], f"{TWO}: no rows for asset LTT (the file has ETH, BTC)"),
        (
            [str(FIXTURES / "empty.csv")],
            ["WETH"],
            "empty.csv: no price rows under the header timestamp,price",
        ),
        (
            [str(FIXTURES / "unsorted.csv")],
            ["WETH"],
            "unsorted.csv: line 4: time 2024-01-01T00:01:00Z is not after the row before (2024-01-01T00:02:00Z)",
        ),
        ([str(TWO)], ["WETH", "WBTC"], "1 --csv and 2 --asset: give one --asset per --csv"),
        ([str(WICK)], [], f"{WICK}: no asset column: name the asset it drives with --asset"),
        (
            [str(FIXTURES / "swapped.csv")],
            ["WETH"],
            "swapped.csv: line 2: low 102.0 .. high 99.0 does not hold open 100.0 and close 100.0",
        ),
        ([str(WICK)], ["WETH"], None),
    ],
)
def test_bad_input__one_line_naming_it(csv, assets, message):
    if message is None:  # the control: a good file plans
        assert plan_replay(csv, assets, SYMBOLS).sources[0].symbol == "WETH"
        return
    with pytest.raises(SeriesError) as err:
        plan_replay(csv, assets, SYMBOLS)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("content", "start", "message"),
    [
        ("timestamp;price\n1700000000;100\n1700000060;101\n", None, "its columns are separated by ';'"),
        ("timestamp,price\n1e30,100\n1e31,101\n", None, "line 2: timestamp '1e30' is neither unix seconds"),
        ("timestamp,price\n1700000000,100\n1700000060,101\n", "-1e20", "the window start '-1e20' is neither"),
        (None, None, ": a folder, not a price file"),
    ],
)
def test_odd_files_and_times__one_line(tmp_path, content, start, message):
    path = tmp_path
    if content is not None:
        path = tmp_path / "prices.csv"
        path.write_text(content)
    with pytest.raises(SeriesError) as err:
        plan_replay([str(path)], ["WETH"], SYMBOLS, start=start)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_window_without_prices__one_line():
    with pytest.raises(SeriesError, match=r"no prices of ETH in the window 2030-01-01T00:00:00Z"):
        plan_replay([str(TWO)], ["WETH"], SYMBOLS, start="2030-01-01T00:00:00Z", end="2030-01-02T00:00:00Z")
    with pytest.raises(
        SeriesError,
        match=r"^the window start 2030-01-02T00:00:00Z is not before its end 2030-01-01T00:00:00Z$",
    ):
        plan_replay([str(TWO)], ["WETH"], SYMBOLS, start="2030-01-02T00:00:00Z", end="2030-01-01T00:00:00Z")
    with pytest.raises(
        SeriesError,
        match=r"the window 2030-01-01T00:00:00Z \.\. 2023-11-14T22:18:20Z is empty \(the file covers",
    ):
        plan_replay([str(TWO)], ["WETH"], SYMBOLS, start="2030-01-01T00:00:00Z")


def test_oracle_keeper_source__the_same_reader_and_options():
    config = config_from_options(
        (f"WETH={TWO}", f"WBTC={TWO}:price"), (), 0, 0, None, 0, "absolute", "worst", 120.0
    )
    weth, wbtc = config.assets["WETH"], config.assets["WBTC"]
    assert weth.file_step == 120 and wbtc.column == "price"
    # Two minutes of the file per step, each step its lowest price; the WETH rows are the file's ETH rows.
    assert source_prices(weth, "WETH", None) == [Decimal(1900), Decimal(1500), Decimal(1700)]
    assert source_prices(wbtc, "WBTC", None) == [Decimal(39000), Decimal(36000), Decimal(37000)]
    rescaled = OracleKeeperConfig.parse({"assets": {"WETH": {"csv": str(TWO), "prices": "rescaled"}}})
    assert source_prices(rescaled.assets["WETH"], "WETH", Decimal(3000))[:3] == [3000, 2850, 2250]
    ohlc = OracleKeeperConfig.parse({"assets": {"WETH": {"csv": str(WICK)}}}).assets["WETH"]
    assert source_prices(ohlc, "WETH", None) == [99, 95, 80, 88, 89, 94]  # one bar per step, its low
    assert to_steps(read_prices(WICK, "close"), None).tolist() == [100, 97, 92, 90, 98, 96]
    with pytest.raises(KeeperError, match=r"^LTT: .*two_assets\.csv: no rows for asset LTT"):
        source_prices(weth, "LTT", None)
    with pytest.raises(KeeperError, match=r"WETH: .*: no current price of ETH to rescale to"):
        source_prices(rescaled.assets["WETH"], "WETH", None)
