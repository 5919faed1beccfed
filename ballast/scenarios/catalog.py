"""The scenarios: each one's price paths, faults, population and the properties it checks at the end of its run
(`ballast.scenarios.properties`).

Cascades: `crash` (parametric), `black-thursday` (ETH 2020-03-12 replay, ETH-heavy traders), `black-thursday-congested`
(the same replay with a small keeper budget and a late start; `ape run scenario sweep` runs it over >= 5 capacity
settings), `correlated-collapse` (WETH, WBTC and LTT together). Oracle failures: `oracle-manipulation` (one WETH
source x1.5 then x0.5), `stale-source`, `quorum-loss` (mid-crash, restored later), `price-spike` (one block),
`guardian-freeze`, `usdc-depeg` (USDC 2023-03-11 replay on the settlement asset). Public-data crashes:
`eth_2021-05-19` (ETH with its one-minute wick), `eth_2022-11-09` (ETH and BTC together, the FTX collapse),
`luna_2022-05-10` (LUNA's collapse on the long-tail asset LTT, which ends below its feeds' minimum price). Options
(a deployment with an OptionsBook): `crash-vol-spike` (a WETH crash while the risk manager raises WETH's implied
volatility; accounts holding a basket, a perp and options are liquidated, options and perps in one liquidation),
`expiry-mid-crash` (a series expires in the middle of a WETH crash and the expiry keeper settles it).

The replays read the OHLC bars of `data/crashes/ohlc/` and give each block the lowest low of its time interval
(`ballast.scenarios.paths`), rescaled to the deployed price of the asset they drive, except the two Black Thursday
scenarios, which keep their close series (on OHLC lows, -52.7 % instead of -48.3 %, the 14-account, 18-block test
run of `black-thursday` ends with one account liquidatable at the last block: the TWAP still walking down after the
replay, not the keeper). The report splits the whole LP share-price change (`ballast.scenarios.lp_split`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ballast.scenarios.faults import Fault
from ballast.scenarios.paths import (
    CRASH_DATA,
    Paths,
    correlated_collapse,
    crash_file,
    flat,
    gbm,
    linear_crash,
    replay,
)
from ballast.scenarios.properties import (
    CASCADE,
    REPLAY_CASCADE,
    books_balance,
    cascade_clears,
    implied_vol_stepped,
    liquidations_continue_while,
    liquidations_happen,
    liquidations_resume,
    losses_within_insurance,
    lp_loss_after_insurance,
    median_follows_path,
    median_tracks_truth,
    no_liquidation_at_bad_price,
    no_liquidation_at_unusable_price,
    no_liquidation_in_window,
    no_liquidation_while,
    no_new_risk_unless_ok,
    options_liquidated_with_perps,
    series_settled_at_expiry,
    stale_asset_wound_down,
)
from ballast.scenarios.record import RunSettings, ScenarioSpec, SeriesListing, VolSpike

OPTION_BLOCK_TIME = (
    600  # seconds per block of the options scenarios: the implied volatility steps once an hour
)
CONGESTED_GAS = 1_500_000  # keeper gas per block of the congested runs (`black-thursday-congested`)
REPLAY_SHARE = 0.7  # a replay takes this share of the blocks; the last price is held for the rest


# ---------------------------------------------------------------------------------------------------- paths


def _calm(rng: np.random.Generator, prices: dict[str, float], s: RunSettings, sigma: float = 0.3) -> Paths:
    out = flat(prices, s.blocks)
    for sym in ("WETH", "WBTC", "LTT"):
        out[sym] = gbm(rng, prices[sym], s.blocks, s.block_time, sigma=sigma)
    return out


def _crash_paths(shock: float, begin: int = 2, duration: int = 10) -> Callable[..., Paths]:
    def build(rng: np.random.Generator, prices: dict[str, float], s: RunSettings) -> Paths:
        out = _calm(rng, prices, s, sigma=0.2)
        for sym in ("WETH", "WBTC"):
            out[sym] = linear_crash(prices[sym], s.blocks, shock, begin, duration) * (out[sym] / prices[sym])
        out["LTT"] = linear_crash(prices["LTT"], s.blocks, shock * 1.25, begin, duration)
        return out

    return build


def _weth_crash(shock: float, begin: int = 2, duration: int = 10) -> Callable[..., Paths]:
    def build(rng: np.random.Generator, prices: dict[str, float], s: RunSettings) -> Paths:
        out = _calm(rng, prices, s, sigma=0.1)
        out["WETH"] = linear_crash(prices["WETH"], s.blocks, shock, begin, duration)
        return out

    return build


#: A crash window: (data/crashes file name, window start, window end or None for the end of the data).
Window = tuple[str, str, str | None]

BLACK_THURSDAY: Window = ("eth_2020-03-12", "2020-03-12T06:00:00+00:00", "2020-03-13T03:00:00+00:00")
ETH_2021_05_19: Window = ("eth_2021-05-19", "2021-05-19T00:00:00+00:00", "2021-05-20T00:00:00+00:00")
ETH_2022_11_09: Window = ("eth_2022-11-09", "2022-11-08T00:00:00+00:00", "2022-11-10T00:00:00+00:00")
BTC_2022_11_09: Window = ("btc_2022-11-09", "2022-11-08T00:00:00+00:00", "2022-11-10T00:00:00+00:00")
LUNA_2022_05_10: Window = ("luna_2022-05-10", "2022-05-09T00:00:00+00:00", None)


def replay_file(name: str, ohlc: bool = True, root: Path | None = None) -> Path:
    """The file a replay of crash window `name` reads: its OHLC bars (`crash_file`), or its close series."""
    return crash_file(name, root) if ohlc else (CRASH_DATA if root is None else root) / f"{name}.csv"


def replay_windows(
    windows: dict[str, Window], ohlc: bool = True, root: Path | None = None
) -> tuple[tuple[str, str, str, str | None], ...]:
    """`ScenarioSpec.replay_windows` of a replay: each symbol's file and window."""
    return tuple(
        (sym, str(replay_file(name, ohlc, root)), start, end) for sym, (name, start, end) in windows.items()
    )


def replays(windows: dict[str, Window], ohlc: bool = True, root: Path | None = None) -> Callable[..., Paths]:
    """Each symbol replays its window, rescaled to its deployed price, over the first 70 % of the blocks, then holds
    the last price (the keepers catch up); every window covers the same blocks, so assets replayed together move at
    the same time. The other volatile assets follow a calm GBM. `ohlc`: each block gets the lowest low of its
    interval (`data/crashes/ohlc/`); else the close series' last value at each block (`data/crashes/<name>.csv`)."""

    def build(rng: np.random.Generator, prices: dict[str, float], s: RunSettings) -> Paths:
        out = _calm(rng, prices, s, sigma=0.1)
        replayed = max(2, int(s.blocks * REPLAY_SHARE))
        for symbol, (name, start, end) in windows.items():
            path = replay_file(name, ohlc, root)
            series = replay(path, replayed, prices[symbol], start, end)
            out[symbol] = np.concatenate([series, np.full(s.blocks - replayed, series[-1])])
        return out

    return build


def _window_note(symbol: str, window: Window, ohlc: bool, root: Path | None = None) -> str:
    name, start, end = window
    base = "data/crashes" if root is None else str(root)
    file = f"{base}/ohlc/{name}_ohlc.csv" if ohlc else f"{base}/{name}.csv"
    return f"{symbol}: {file} {start[:16]} .. {(end or 'end of data')[:16]}"


def replay_note(windows: dict[str, Window], ohlc: bool = True, root: Path | None = None) -> str:
    notes = "; ".join(_window_note(sym, w, ohlc, root) for sym, w in windows.items())
    how = "OHLC lows per block" if ohlc else "last close at each block"
    return f"{notes}; {how} over 70 % of the blocks, then held"


def _collapse(rng: np.random.Generator, prices: dict[str, float], s: RunSettings) -> Paths:
    return correlated_collapse(rng, prices, {"WETH": -0.45, "WBTC": -0.40, "LTT": -0.60}, s.blocks, 2, 12)


def _usdc_depeg(rng: np.random.Generator, prices: dict[str, float], s: RunSettings) -> Paths:
    out = _calm(rng, prices, s, sigma=0.1)
    out["USDC"] = replay(
        crash_file("usdc_2023-03-11"),
        s.blocks,
        None,
        "2023-03-10T20:00:00+00:00",
        "2023-03-12T04:00:00+00:00",
    )
    return out


def _spike(rng: np.random.Generator, prices: dict[str, float], s: RunSettings) -> Paths:
    return _calm(rng, prices, s, sigma=0.1)


# ---------------------------------------------------------------------------------------------------- the catalog


def _mid(s: RunSettings, a: float, b: float) -> tuple[int, int]:
    return max(1, int(s.blocks * a)), max(2, int(s.blocks * b))


SCENARIOS: dict[str, ScenarioSpec] = {}


def _add(spec: ScenarioSpec) -> None:
    SCENARIOS[spec.name] = spec


_add(
    ScenarioSpec(
        "crash",
        "Parametric crash: WETH and WBTC -40 % and LTT -50 % in a straight line over 10 blocks (with GBM noise), "
        "keepers in the loop.",
        _crash_paths(-0.40),
        CASCADE,
        path_note="linear crash -40 % (LTT -50 %) over blocks 2..12, GBM noise sigma 0.2",
    )
)
_add(
    ScenarioSpec(
        "black-thursday",
        "ETH on 2020-03-12 (Black Thursday) replayed from 06:00 to 03:00 the next day, rescaled to WETH's deployed "
        "price, ETH-heavy traders.",
        replays({"WETH": BLACK_THURSDAY}, ohlc=False),
        CASCADE,
        profile="eth-heavy",
        shock_block=0,
        path_note=replay_note({"WETH": BLACK_THURSDAY}, ohlc=False),
        replay_windows=replay_windows({"WETH": BLACK_THURSDAY}, ohlc=False),
    )
)
_add(
    ScenarioSpec(
        "black-thursday-congested",
        "The Black Thursday replay with congested keepers (small gas budget, late start): bad debt grows as keeper "
        "capacity falls (see `ape run scenario sweep`).",
        replays({"WETH": BLACK_THURSDAY}, ohlc=False),
        (liquidations_happen(), lp_loss_after_insurance(), no_new_risk_unless_ok(), books_balance()),
        profile="eth-heavy",
        shock_block=0,
        defaults={"keeper_gas": CONGESTED_GAS, "keeper_delay": 8},
        path_note=replay_note({"WETH": BLACK_THURSDAY}, ohlc=False),
        replay_windows=replay_windows({"WETH": BLACK_THURSDAY}, ohlc=False),
    )
)
_add(
    ScenarioSpec(
        "correlated-collapse",
        "WETH -45 %, WBTC -40 % and LTT -60 % together (one common factor, correlation 0.8) over 12 blocks.",
        _collapse,
        CASCADE,
        path_note="correlated collapse over blocks 2..14",
    )
)
_add(
    ScenarioSpec(
        "oracle-manipulation",
        "One WETH source answers x1.5, later x0.5 (a manipulated feed) while WETH drifts; the median of three must "
        "ignore it.",
        _spike,
        (
            median_tracks_truth("WETH"),
            no_liquidation_at_bad_price("WETH"),
            no_new_risk_unless_ok(required=False),
            books_balance(),
        ),
        faults=lambda s: [
            Fault("manipulate", "WETH", *_mid(s, 0.15, 0.4), source=0, factor=1.5),
            Fault("manipulate", "WETH", *_mid(s, 0.5, 0.75), source=0, factor=0.5),
        ],
        path_note="GBM sigma 0.1 on WETH, WBTC, LTT",
    )
)
_add(
    ScenarioSpec(
        "stale-source",
        "One WETH source stops updating during a -25 % WETH crash; the two fresh sources carry the quorum.",
        _weth_crash(-0.25),
        (
            median_tracks_truth("WETH"),
            no_liquidation_at_bad_price("WETH"),
            liquidations_happen(),
            books_balance(),
        ),
        faults=lambda s: [Fault("stale", "WETH", 3, s.blocks, source=1)],
        profile="eth-heavy",
        path_note="WETH linear -25 % over blocks 2..12",
    )
)
_add(
    ScenarioSpec(
        "quorum-loss",
        "WETH -45 %; in the middle of the crash two of WETH's three sources revert (quorum lost) and come back later.",
        _weth_crash(-0.45),
        (
            no_liquidation_while("WETH", "quorum_loss"),
            no_new_risk_unless_ok(),
            liquidations_resume("WETH", "quorum_loss"),
            lp_loss_after_insurance(),
            books_balance(),
        ),
        faults=lambda s: [Fault("quorum_loss", "WETH", 4, max(6, s.blocks // 2))],
        profile="eth-heavy",
        path_note="WETH linear -45 % over blocks 2..12",
    )
)
_add(
    ScenarioSpec(
        "price-spike",
        "Every WETH source answers x0.6 for one block on a calm market: the TWAP and the status keep it from "
        "liquidating anyone or opening risk.",
        _spike,
        (no_liquidation_in_window("WETH", "spike"), no_new_risk_unless_ok(), books_balance()),
        faults=lambda s: [Fault("spike", "WETH", s.blocks // 3, s.blocks // 3 + 1, factor=0.6)],
        path_note="GBM sigma 0.1",
    )
)
_add(
    ScenarioSpec(
        "guardian-freeze",
        "WETH -45 %; the guardian freezes WETH during the crash and unfreezes it later: no new risk in WETH while "
        "it is frozen, but liquidations go on (a freeze brakes new risk, never exits).",
        _weth_crash(-0.45),
        (
            liquidations_continue_while("WETH", "freeze"),
            no_new_risk_unless_ok(),
            no_liquidation_at_unusable_price(),
            books_balance(),
        ),
        # Frozen from mid-crash until two blocks before the end: over the blocks where the TWAP catches up with the
        # fall and accounts turn liquidatable.
        faults=lambda s: [Fault("freeze", "WETH", 6, max(8, s.blocks - 2))],
        profile="eth-heavy",
        path_note="WETH linear -45 % over blocks 2..12; frozen from block 6 to two blocks before the end",
    )
)
_add(
    ScenarioSpec(
        "usdc-depeg",
        "USDC 2023-03-10 20:00 .. 03-12 04:00 (low 0.874) replayed on the settlement asset (traders' cash and the "
        "Pool's USDC).",
        _usdc_depeg,
        (median_follows_path("USDC"), no_new_risk_unless_ok(), lp_loss_after_insurance(), books_balance()),
        shock_block=0,
        path_note="data/crashes/ohlc/usdc_2023-03-11_ohlc.csv 03-10 20:00 .. 03-12 04:00, OHLC lows per block, "
        "recorded prices",
    )
)
_add(
    ScenarioSpec(
        "eth_2021-05-19",
        "ETH on 2021-05-19 from 00:00 to 24:00 (3375 to a one-minute wick at 1888, -44 %, at 13:10) replayed on "
        "WETH with each block's lowest low, ETH-heavy traders.",
        replays({"WETH": ETH_2021_05_19}),
        REPLAY_CASCADE,
        profile="eth-heavy",
        shock_block=0,
        path_note=replay_note({"WETH": ETH_2021_05_19}),
        replay_windows=replay_windows({"WETH": ETH_2021_05_19}),
    )
)
_add(
    ScenarioSpec(
        "eth_2022-11-09",
        "ETH and BTC on 2022-11-08 and 11-09 (the FTX collapse: ETH -31.5 %, BTC -24.3 % to their lows) replayed "
        "together on WETH and WBTC, mixed traders.",
        replays({"WETH": ETH_2022_11_09, "WBTC": BTC_2022_11_09}),
        REPLAY_CASCADE,
        shock_block=0,
        path_note=replay_note({"WETH": ETH_2022_11_09, "WBTC": BTC_2022_11_09}),
        replay_windows=replay_windows({"WETH": ETH_2022_11_09, "WBTC": BTC_2022_11_09}),
    )
)
_add(
    ScenarioSpec(
        "luna_2022-05-10",
        "LUNA from 2022-05-09 to the trading halt on 05-13 (-99.9999 %) replayed on the long-tail asset LTT: it falls "
        "below its feeds' minimum price (0.01), the oracle excludes every source and LTT turns Stale; long-tail "
        "traders. Once LTT has been Stale for the oracle's windDownAfter, the keeper proposes its wind-down at what "
        "the feeds report and executes it after windDownDelay; the accounts are then liquidated at that price. "
        "Blocks of 10 minutes, so the governed bound passes within the run.",
        replays({"LTT": LUNA_2022_05_10}),
        (
            liquidations_happen(),
            no_liquidation_at_unusable_price(),
            stale_asset_wound_down("LTT"),
            lp_loss_after_insurance(),
            no_new_risk_unless_ok(),
            books_balance(),
        ),
        profile="long-tail",
        shock_block=0,
        defaults={"blocks": 48, "block_time": 600},
        path_note=replay_note({"LTT": LUNA_2022_05_10}),
        replay_windows=replay_windows({"LTT": LUNA_2022_05_10}),
    )
)
_add(
    ScenarioSpec(
        "crash-vol-spike",
        "WETH -35 % over four 10-minute blocks while the risk manager raises WETH's implied volatility by the largest "
        "step the OptionsBook allows (25 %) once an hour, to twice its value; half the traders trade options: hedged "
        "perp traders (WETH and USDC, a long WETH perp, puts bought, calls written) and option buyers; the "
        "liquidation keeper closes their options and perps in one liquidation.",
        _weth_crash(-0.35, begin=2, duration=4),
        (*CASCADE, options_liquidated_with_perps(), implied_vol_stepped()),
        profile="eth-heavy",
        defaults={"blocks": 24, "block_time": OPTION_BLOCK_TIME},
        path_note="WETH linear -35 % over blocks 2..6, 10-minute blocks; implied volatility x2 in hourly steps from "
        "block 2",
        option_traders=0.5,
        vol_spike=VolSpike("WETH", start=2, target=2.0),
    )
)
_add(
    ScenarioSpec(
        "expiry-mid-crash",
        "WETH -35 % over ten 10-minute blocks; a put at the money and a call 10 % out of the money, listed for the "
        "run, expire in the middle of the fall. Half the traders trade them (hedged perp traders and option "
        "buyers); the expiry keeper settles both at the oracle's TWAP over the settlement window ending at expiry and "
        "the holders realize their payoffs.",
        _weth_crash(-0.35, begin=2, duration=10),
        (
            liquidations_happen(),
            cascade_clears(),
            series_settled_at_expiry(),
            losses_within_insurance(),
            lp_loss_after_insurance(),
            no_new_risk_unless_ok(),
            books_balance(),
        ),
        profile="eth-heavy",
        defaults={"blocks": 24, "block_time": OPTION_BLOCK_TIME},
        path_note="WETH linear -35 % over blocks 2..12, 10-minute blocks; the run's series expire between blocks 6 "
        "and 7",
        option_traders=0.5,
        list_series=(
            SeriesListing("WETH", 1.0, False, expiry_block=7, max_open=300),
            SeriesListing("WETH", 1.1, True, expiry_block=7, max_open=300),
        ),
    )
)


def settings_for(spec: ScenarioSpec, **overrides: object) -> RunSettings:
    values = {**spec.defaults, **{k: v for k, v in overrides.items() if v is not None}}
    return RunSettings(profile=spec.profile, **values)


def data_root() -> Path:
    return CRASH_DATA
