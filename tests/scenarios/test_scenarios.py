"""Every scenario of the catalog at small scale (<= 30 accounts, few blocks): its properties hold, and the outcome
facts that make them meaningful (a cascade liquidates, a fault is seen by the oracle); the LP share-price split adds
up to the measured change; a population at maximum leverage opens on chain."""

import pytest

from ballast.scenarios.catalog import SCENARIOS, settings_for
from ballast.scenarios.experiments import SweepRow, sweep_monotone
from ballast.scenarios.model import Verdict

SMALL = {"accounts": 14, "blocks": 18, "seed": 3}
#: Scenarios that need more blocks at small scale: LUNA's wind-down needs its governed bound to pass within the run.
LONGER = {"luna_2022-05-10": 48}
CASCADES = ("crash", "black-thursday", "correlated-collapse", "eth_2021-05-19", "eth_2022-11-09")


def _failed(result):
    return [f"{p.name}: {p.detail}" for p in result.properties if p.verdict is not Verdict.PASS]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario__small_scale__every_property_passes(run, name):
    spec = SCENARIOS[name]
    blocks = LONGER.get(name, SMALL["blocks"])
    result, _ = run(spec, settings_for(spec, **(SMALL | {"blocks": blocks})))

    assert result.properties, "a scenario states what must hold"
    assert _failed(result) == []
    assert len(result.blocks) == blocks
    assert result.outcome is not None and result.outcome.transactions > SMALL["accounts"]
    if name in CASCADES:
        assert result.outcome.liquidations > 0
        assert result.blocks[-1].liquidatable == 0


def test_quorum_loss__mid_crash__oracle_reports_stale_then_recovers(run):
    spec = SCENARIOS["quorum-loss"]
    result, record = run(spec, settings_for(spec, **SMALL))

    fault = record.faults[0]
    during = {m.assets["WETH"].status for m in result.blocks[fault.start : fault.end]}
    after = result.blocks[-1].assets["WETH"].status
    assert during == {"Stale"}
    assert after in ("Ok", "Deviated")


def test_population__same_seed__same_traders(system):
    from ballast.scenarios.population import make_population, seed_prices

    prices = seed_prices(system)
    first = make_population(5, 20, system.config, prices)
    second = make_population(5, 20, system.config, prices)
    other = make_population(6, 20, system.config, prices)

    assert first.traders == second.traders
    assert first.traders != other.traders
    assert {t.style for t in first.traders} >= {"stables", "blue chips"}
    assert any(s < 0 for t in first.traders for s in t.positions.values())
    assert any(s > 0 for t in first.traders for s in t.positions.values())


# Keeper capacity sweep on the Black Thursday replay: bad debt must not shrink as keeper capacity falls.

#: (keeper gas per block, start delay), most capacity first.
CAPACITY = ((30_000_000, 0), (700_000, 6), (700_000, 12))


def test_sweep__capacity_falls__bad_debt_does_not_shrink(run):
    spec = SCENARIOS["black-thursday"]
    rows = []
    for gas, delay in CAPACITY:
        settings = settings_for(spec, accounts=14, blocks=18, seed=3, keeper_gas=gas, keeper_delay=delay)
        result, _ = run(spec, settings)
        o = result.outcome
        rows.append(
            SweepRow(gas, delay, o.liquidations, o.deficits, o.lp_loss, o.worst_health, result.passed)
        )

    table = [(r.keeper_gas, r.keeper_delay, r.liquidations, round(r.bad_debt, 2)) for r in rows]
    print("sweep (gas, delay, liquidations, bad debt USD):", table)
    assert sweep_monotone(rows), table
    assert rows[0].liquidations > 0
    assert rows[-1].bad_debt >= rows[0].bad_debt


# The LP share-price split and the new replays.


@pytest.mark.parametrize("name", ["eth_2022-11-09", "luna_2022-05-10"])
def test_lp_split__real_run__parts_add_up_to_the_measured_change(run, name):
    spec = SCENARIOS[name]
    result, record = run(spec, settings_for(spec, **SMALL))

    lp = result.outcome.lp_split
    lines = lp.lines()
    measured = lines[-1]
    assert measured.per_share == pytest.approx(
        (record.pool_states[-1].share_price - record.pool_states[0].share_price) / 1e18, abs=1e-15
    )
    assert sum(x.per_share for x in lines[:-1]) == pytest.approx(measured.per_share, abs=1e-12)
    assert sum(x.usd for x in lines[:-1]) == pytest.approx(measured.usd, rel=1e-9, abs=1e-6)
    assert not lp.supply_changed
    assert lp.lp_loss == result.outcome.lp_loss == record.lp_loss
    assert lp.traders_pnl != 0 and lp.market_move != 0  # a crash moves both
    print(name, [(x.label, round(x.usd, 2)) for x in lines])


def test_luna__ltt_below_min_price__stale_then_wound_down_at_the_reported_price(run):
    spec = SCENARIOS["luna_2022-05-10"]
    result, _ = run(spec, settings_for(spec, **(SMALL | {"blocks": LONGER["luna_2022-05-10"]})))

    below = [m.block for m in result.blocks if m.assets["LTT"].path_price < 0.01]
    assert below, "the replay takes LTT below its feeds' minimum price"
    statuses = [m.assets["LTT"].status for m in result.blocks]
    assert statuses[below[0]] == "Stale"  # the sources' answers are out of bounds: no price
    wound = statuses.index("WindDown")
    assert set(statuses[below[0] : wound]) == {"Stale"}  # Stale until the wind-down, then fixed for ever
    assert set(statuses[wound:]) == {"WindDown"}
    final = result.blocks[-1].assets["LTT"]
    assert final.median < 0.01  # never above what the feeds report, below the bound they left
    assert result.blocks[-1].liquidatable == 0
    # Every account resolved: none is left below zero maintenance equity, so no loss waits to be realized.
    assert result.outcome.open_deficit_at_end == result.blocks[-1].open_deficit == 0
    print(
        "luna: liquidations",
        result.outcome.liquidations,
        "liquidatable at the end",
        result.outcome.liquidatable_at_end,
        "bad debt",
        round(result.outcome.deficits, 2),
    )


def test_leverage_max__small_run__positions_open_on_chain_above_the_default(run):
    spec = SCENARIOS["luna_2022-05-10"]
    _, base = run(spec, settings_for(spec, accounts=14, blocks=5, seed=3))
    levered, record = run(spec, settings_for(spec, accounts=14, blocks=5, seed=3, leverage="max"))

    # Seeding is strict: every modifyPosition at the engine's limit (less 0.01 %) was accepted on chain.
    assert levered.parameters["leverage"] == "max"
    assert record.population.notional_usd > base.population.notional_usd
    alone = [t for t in record.population.traders if t.style == "all long tail"]
    assert any(t.positions for t in alone)
    assert not any(t.positions for t in base.population.traders if t.style == "all long tail")
