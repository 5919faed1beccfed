"""Every scenario of the catalog at small scale (<= 30 accounts, few blocks): its properties hold, and the outcome
facts that make them meaningful (a cascade liquidates, a fault is seen by the oracle)."""

import pytest

from ballast.scenarios.catalog import SCENARIOS, settings_for
from ballast.scenarios.experiments import SweepRow, sweep_monotone
from ballast.scenarios.model import Verdict

SMALL = {"accounts": 14, "blocks": 18, "seed": 3}
CASCADES = ("crash", "black-thursday", "correlated-collapse")


def _failed(result):
    return [f"{p.name}: {p.detail}" for p in result.properties if p.verdict is not Verdict.PASS]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario__small_scale__every_property_passes(run, name):
    spec = SCENARIOS[name]
    result, _ = run(spec, settings_for(spec, **SMALL))

    assert result.properties, "a scenario states what must hold"
    assert _failed(result) == []
    assert len(result.blocks) == SMALL["blocks"]
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
