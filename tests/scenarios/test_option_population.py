"""Option traders in a scenario's population, without a chain: drawn after the other traders from their own generator,
hedged perp traders (WETH and USDC, a long WETH perp, puts bought, calls written) and option buyers (USDC, options
bought), within each series' open-size cap."""

from pathlib import Path

import pytest

from ballast.config import load_config
from ballast.scenarios.population import (
    CAP_HEADROOM,
    OptionSeries,
    OptionsMarket,
    make_population,
    source_answer,
)

NOW = 1_800_000_000
WEEK = 7 * 86_400


@pytest.fixture(scope="module")
def config():
    return load_config(Path("config/local.yaml"))


@pytest.fixture(scope="module")
def prices(config):
    return {s: source_answer(a.sources[0]) for s, a in config.oracle.assets.items()}


def _market(max_open: float = 500.0) -> OptionsMarket:
    series = (
        OptionSeries(1, True, 3_000.0, NOW + WEEK, max_open),
        OptionSeries(2, False, 3_000.0, NOW + WEEK, max_open),
        OptionSeries(3, True, 3_500.0, NOW + WEEK, max_open),
        OptionSeries(4, False, 3_000.0, NOW + 4_000, max_open),  # the front: a put and a call an hour out
        OptionSeries(5, True, 3_300.0, NOW + 4_000, max_open),
    )
    return OptionsMarket(0, "WETH", series, 0.8, NOW)


def test_option_traders__share__drawn_after_the_others_which_stay_the_same(config, prices):
    plain = make_population(9, 30, config, prices, "eth-heavy")
    mixed = make_population(9, 40, config, prices, "eth-heavy", options=_market(), option_traders=0.25)
    again = make_population(9, 40, config, prices, "eth-heavy", options=_market(), option_traders=0.25)

    assert mixed.traders == again.traders
    assert mixed.traders[:30] == plain.traders
    assert all(not t.options for t in plain.traders)
    assert all(t.style.startswith("options: ") for t in mixed.traders[30:])
    assert (
        sum(1 for t in mixed.traders if t.options) >= 8
    )  # 10 option traders, a few may be too small to trade


def test_option_traders__hedged_and_buyers__hold_what_their_kind_says(config, prices):
    population = make_population(4, 60, config, prices, "eth-heavy", options=_market(), option_traders=1.0)
    hedged = [t for t in population.traders if t.style == "options: hedged perp"]
    buyers = [t for t in population.traders if t.style == "options: buyer"]

    assert hedged and buyers
    for t in hedged:
        assert set(t.deposits) == {"WETH", "USDC"}
        assert t.positions["WETH-PERP"] > 0
        perp = t.positions["WETH-PERP"]
        # The front series only: the put at the money bought, the farthest call written, sized off the perp.
        assert set(t.options) == {4, 5}
        assert 0.1 * perp - 1e-3 <= t.options[4] <= 0.25 * perp
        assert -0.6 * perp <= t.options[5] <= -0.3 * perp + 1e-3
        # Close to the stress capacity: deeper than the perp's 20 % stress shock in notional terms.
        assert perp * prices["WETH"] > 1.5 * t.equity_usd
    for t in buyers:
        assert set(t.deposits) == {"USDC"}
        assert not t.positions
        assert len(t.options) == 1 and next(iter(t.options.values())) > 0


def test_option_traders__open_size_cap__kept_with_headroom(config, prices):
    cap = 20.0
    population = make_population(4, 80, config, prices, "eth-heavy", options=_market(cap), option_traders=1.0)

    for sid in (4, 5):
        longs = sum(t.options.get(sid, 0.0) for t in population.traders if t.options.get(sid, 0.0) > 0)
        shorts = -sum(t.options.get(sid, 0.0) for t in population.traders if t.options.get(sid, 0.0) < 0)
        assert longs <= cap * CAP_HEADROOM + 1e-9
        assert shorts <= cap * CAP_HEADROOM + 1e-9
    assert sum(t.options.get(4, 0.0) for t in population.traders) == pytest.approx(
        cap * CAP_HEADROOM, abs=0.01
    )


def test_option_traders__no_market__none(config, prices):
    population = make_population(4, 20, config, prices, "eth-heavy", options=None, option_traders=0.5)
    assert all(not t.options for t in population.traders)
    assert population.traders == make_population(4, 20, config, prices, "eth-heavy").traders
