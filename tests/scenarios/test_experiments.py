"""InsuranceFund sizing: the target from catalog rows (no chain), a small catalog run end to end, and a keeper step
that crashes mid-run being recorded rather than ending the run."""

import pytest
from rich.console import Console

from ballast.scenarios.catalog import SCENARIOS, settings_for
from ballast.scenarios.experiments import CatalogRow, insurance_target, run_catalog, write_catalog_csv


def _row(bad_debt: float, scenario: str = "crash") -> CatalogRow:
    return CatalogRow(
        scenario=scenario,
        accounts=10,
        keeper_gas=10_000_000,
        keeper_delay=0,
        leverage="use",
        seed=1,
        liquidations=3,
        liquidatable_at_end=0,
        open_deficit_at_end=0.0,
        bad_debt=bad_debt,
        insurance_covered=min(bad_debt, 50.0),
        lp_loss=max(bad_debt - 50.0, 0.0),
        stale_liquidations=0,
        keeper_errors=0,
        wall_seconds=1.0,
        passed=True,
    )


def test_insurance_target__percentile_and_max_of_the_bad_debt_per_run():
    rows = [_row(0.0), _row(0.0), _row(100.0), _row(1_000.0)]
    target = insurance_target(rows)

    # numpy's linear interpolation: rank 0.99 x 3 = 2.97, between 100 and 1,000.
    assert target.p99 == pytest.approx(100.0 + 0.97 * 900.0)
    assert target.maximum == 1_000.0
    assert target.mean == 275.0
    assert (target.runs, target.runs_with_bad_debt) == (4, 2)


def test_insurance_target__no_runs__clear_error():
    with pytest.raises(ValueError, match="no runs to size the InsuranceFund from"):
        insurance_target([])


def test_write_catalog_csv__one_line_per_run(tmp_path):
    path = write_catalog_csv([_row(1.5), _row(0.0, "luna_2022-05-10")], tmp_path / "runs.csv")
    lines = path.read_text().splitlines()
    assert lines[0].startswith("scenario,accounts,keeper_gas,keeper_delay,leverage,seed,liquidations")
    assert lines[2].startswith("luna_2022-05-10,10,10000000,0,use,1,3,0,0.0,")
    assert len(lines) == 3


def test_run_catalog__small__one_row_per_combination(project, chain, accounts):
    seen = []
    rows = run_catalog(
        project,
        chain,
        accounts,
        ["crash"],
        [6],
        [None, 1_500_000],
        ["use"],
        [2],
        6,
        Console(quiet=True),
        on_row=lambda rows: seen.append(len(rows)),
    )

    assert [(r.scenario, r.keeper_gas, r.accounts) for r in rows] == [
        ("crash", 10_000_000, 6),
        ("crash", 1_500_000, 6),
    ]
    assert seen == [1, 2]
    assert all(r.bad_debt >= r.insurance_covered >= 0 and r.lp_loss >= 0 for r in rows)
    assert insurance_target(rows).maximum == max(r.bad_debt for r in rows)
    with pytest.raises(ValueError, match="unknown scenario nope"):
        run_catalog(project, chain, accounts, ["nope"], [6], [None], ["use"], [1], 6, Console(quiet=True))


def test_keeper_step_raises__recorded_and_the_run_goes_on(run, monkeypatch):
    from ballast.scenarios import runner

    real_step = runner.LiquidationKeeper.step
    calls = []

    def flaky(self):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("EVM error OutOfGas")
        return real_step(self)

    monkeypatch.setattr(runner.LiquidationKeeper, "step", flaky)
    spec = SCENARIOS["crash"]
    result, record = run(spec, settings_for(spec, accounts=6, blocks=6, seed=2))

    assert record.keeper_errors == [(2, "RuntimeError: EVM error OutOfGas")]
    assert (2, "keeper step failed: RuntimeError: EVM error OutOfGas") in result.events
    assert result.outcome.keeper_errors == 1
    assert len(calls) == 6 and len(result.blocks) == 6
