"""Population at maximum leverage (no chain): the size `max_sizes` finds passes the engine's initial-margin and stress
check through the risk mirror and one grid step more fails; the population opens at it (less the safety margin),
including for a basket of long-tail collateral alone, which the default sizing leaves flat."""

from pathlib import Path

import pytest

from ballast.config import load_config
from ballast.risk import health
from ballast.scenarios.population import make_population
from ballast.scenarios.sizing import (
    GRID,
    SAFETY_BPS,
    SizingContext,
    account_after,
    deposit_units,
    max_sizes,
    may_open,
    with_safety,
)

CONFIG = load_config(Path("config/local.yaml"))
PRICES = {s: float(a.sources[0].answer) for s, a in CONFIG.oracle.assets.items()}


@pytest.fixture(scope="module")
def ctx():
    return SizingContext.from_config(CONFIG)


def _grow_first(sizes, legs):
    """The same legs with the first one a grid step larger."""
    name, side = legs[0]
    return {**sizes, name: sizes[name] + side * GRID}


BASKETS = [
    ({"LTT": 1_000.0}, [("LTT-PERP", 1)]),  # long tail alone: stress binds on LTT's 50 % shocks
    ({"WETH": 2.5}, [("WETH-PERP", -1)]),
    ({"USDC": 6_000.0, "USDT": 4_000.0}, [("WBTC-PERP", 1)]),
    ({"USDC": 3_000.0, "WETH": 1.0, "WBTC": 0.05, "LTT": 200.0}, [("WETH-PERP", 1), ("LTT-PERP", -1)]),
]


@pytest.mark.parametrize(("basket", "legs"), BASKETS)
def test_max_sizes__boundary__passes_and_one_step_more_fails(ctx, basket, legs):
    units = deposit_units(basket, ctx)
    sizes = max_sizes(units, legs, ctx)

    assert all(s != 0 and (s > 0) == (side > 0) for (_, side), s in zip(legs, sizes.values(), strict=True))
    at = health(account_after(units, sizes, ctx), ctx.params, ctx.prices, ctx.borrow_index)
    assert at.initial_equity >= at.initial_margin and at.stress_equity >= 0
    above = health(
        account_after(units, _grow_first(sizes, legs), ctx), ctx.params, ctx.prices, ctx.borrow_index
    )
    assert above.initial_equity < above.initial_margin or above.stress_equity < 0


def test_max_sizes__long_tail_alone__matches_the_design_formula(ctx):
    # 1,000 LTT at $10: initial value 5,000 (50 % haircut), stress loss 2,500 (50 % shock) + 0.5 x notional, fee
    # 0.3 % of notional from cash (as debt): notional <= 2,500 / 0.503 = 4,970.18 -> 497.0178 LTT on the grid.
    units = deposit_units({"LTT": 1_000.0}, ctx)
    sizes = max_sizes(units, [("LTT-PERP", 1)], ctx)

    assert sizes == {"LTT-PERP": 4970178 * GRID}
    assert account_after(units, sizes, ctx).scaled_debt > 0  # the fee was borrowed: no cash in the basket


def test_max_sizes__nothing_to_back__no_position(ctx):
    assert max_sizes({}, [("WETH-PERP", 1)], ctx) == {"WETH-PERP": 0}
    assert max_sizes(deposit_units({"LTT": 1_000.0}, ctx), [], ctx) == {}


def test_with_safety__below_the_boundary_on_the_grid():
    size = 4970178 * GRID
    safe = with_safety(size)
    assert safe % GRID == 0
    assert size - safe >= size * SAFETY_BPS // 10_000
    assert with_safety(-size) == -safe


def test_population_max__every_position_passes_and_long_tail_alone_opens(ctx):
    default = make_population(11, 60, CONFIG, PRICES, "long-tail")
    levered = make_population(11, 60, CONFIG, PRICES, "long-tail", "max")

    # Same people, baskets and sides; only the sizes differ.
    assert [(t.address, t.style, t.deposits) for t in default.traders] == [
        (t.address, t.style, t.deposits) for t in levered.traders
    ]
    for a, b in zip(default.traders, levered.traders, strict=True):
        assert all((b.positions[m] > 0) == (s > 0) for m, s in a.positions.items() if m in b.positions)
    alone = [i for i, t in enumerate(default.traders) if t.style == "all long tail"]
    assert alone and all(not default.traders[i].positions for i in alone)
    assert any(levered.traders[i].positions for i in alone)
    assert levered.notional_usd > default.notional_usd
    for trader in levered.traders:
        sizes = {m: round(s * 1e4) * GRID for m, s in trader.positions.items()}
        assert may_open(deposit_units(trader.deposits, ctx), sizes, ctx), trader


def test_population__unknown_leverage__clear_error():
    with pytest.raises(ValueError, match=r"unknown leverage mode 'huge' \(known: use, max\)"):
        make_population(1, 3, CONFIG, PRICES, leverage="huge")
