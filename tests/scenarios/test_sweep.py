"""Keeper capacity sweep on the Black Thursday replay: bad debt must not shrink as keeper capacity falls."""

from ballast.scenarios.catalog import SCENARIOS, settings_for
from ballast.scenarios.experiments import SweepRow, sweep_monotone

#: (keeper gas per block, start delay), most capacity first.
CAPACITY = ((30_000_000, 0), (1_500_000, 0), (700_000, 6), (700_000, 12))


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
