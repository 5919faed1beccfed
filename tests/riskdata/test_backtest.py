"""A tiny backtest end to end (the ETH/BTC replay of 2022-11-09, 6 traders, 8 blocks, the risk keeper every 2 blocks):
its rows say what the runs' records say, the static run keeps the config's parameters, the dynamic run's parameters
read back from the engine are the keeper's steps, each subject tightened at most once (the engine's spacing), and
the table, CSV and plot follow the rows."""

import pytest
from rich.console import Console

from ballast.errors import RiskDataError
from ballast.riskdata.backtest import (
    BacktestSettings,
    backtest_specs,
    lead_ins,
    leverage_by_block,
    run_backtest,
)
from ballast.riskdata.backtest_report import backtest_table, markdown_table, write_csv, write_plot
from ballast.riskdata.leverage import Terms, average_allowed_leverage
from ballast.scenarios.catalog import SCENARIOS
from ballast.scenarios.population import deploy_scenario_system

SETTINGS = BacktestSettings(scenarios=("eth_2022-11-09",), accounts=6, blocks=8, every=2)


@pytest.fixture(scope="module")
def backtest_system(project, chain, accounts):
    return deploy_scenario_system(project, chain, accounts)


@pytest.fixture(scope="module")
def backtest(project, chain, accounts, backtest_system):
    return run_backtest(project, chain, accounts, SETTINGS, Console(quiet=True), system=backtest_system)


#: The maintenance parameters, whose rises come into force over the engine's ramp (docs/design.md#governance).
RAMPED = {"maint_haircut_bps", "maintenance_margin_bps"}


def governed(params, subject: str, name: str) -> int:
    """A parameter of a subject (`collateral:<address>`, `market:<id>`) in `RiskParams` read from the engine."""
    kind, key = subject.split(":")
    if kind == "market":
        return getattr(params.markets[int(key)], name)
    return getattr(next(c for a, c in params.collateral.items() if a.lower() == key.lower()), name)


def test_lead_ins__the_day_before_each_replayed_window():
    weth, wbtc = lead_ins(SCENARIOS["eth_2022-11-09"])
    assert (weth.symbol, wbtc.symbol) == ("WETH", "WBTC")
    assert (weth.start, weth.end) == ("2022-11-07T00:00:00+00:00", "2022-11-08T00:00:00+00:00")
    assert weth.path == "data/crashes/ohlc/eth_2022-11-09_ohlc.csv"


def test_backtest_specs__not_a_replay__one_line():
    with pytest.raises(RiskDataError, match="--scenarios: 'crash' is not a crash replay"):
        backtest_specs(["crash"])


def test_backtest__each_row_is_its_runs_record(backtest, backtest_system):
    static, dynamic = backtest
    assert [(r.row.scenario, r.row.mode) for r in backtest] == [
        ("eth_2022-11-09", "static"),
        ("eth_2022-11-09", "dynamic"),
    ]
    for run in backtest:
        row, record = run.row, run.record
        assert row.bad_debt == pytest.approx(sum(a.deficit for a in record.absorptions))
        assert row.insurance_covered == pytest.approx(sum(a.insurance_covered for a in record.absorptions))
        assert row.lp_loss == record.lp_loss
        assert row.liquidations == len(record.liquidations)
        assert row.blocks == len(record.governed) == 8
        path = leverage_by_block(record, backtest_system)
        assert row.avg_allowed_leverage == pytest.approx(sum(path) / len(path))
        assert row.risk_steps == len(record.risk_steps)
    assert static.record.population.traders == dynamic.record.population.traders  # the same seeded traders


def test_backtest__static_keeps_the_configs_parameters(backtest, backtest_system):
    static = backtest[0]
    assert static.record.risk_steps == [] and static.row.risk_steps == 0
    assert all(p == static.record.governed[0] for p in static.record.governed)
    config_leverage = average_allowed_leverage(
        static.record.population, Terms.from_config(backtest_system.config)
    )
    assert static.row.avg_allowed_leverage == pytest.approx(config_leverage)


def test_backtest__dynamic_parameters_read_back_are_the_keepers_steps(backtest):
    static, dynamic = backtest
    steps = dynamic.record.risk_steps
    # The lead-in step (block -1) on the day before the window, then steps at blocks 1, 3, 5, 7.
    assert {s.block for s in steps} <= {-1, 1, 3, 5, 7} and any(s.block == -1 for s in steps)
    assert dynamic.record.risk_failures == [] and dynamic.row.keeper_errors == 0
    for s in steps:
        after = dynamic.record.governed[max(s.block, 0)]  # read at the end of the step's block
        for name, (today, new) in s.changes.items():
            if name == "supply_cap":
                continue
            value = governed(after, s.subject, name)
            if name in RAMPED and new > today:
                # A rise of a maintenance parameter ramps over the engine's ramp duration (a day): what the health
                # reads at the end of the step's block is still below the keeper's target.
                assert value < new
            else:
                assert value == new != today
    # The engine spaces tightenings a day apart; the whole run is minutes of chain time: once per subject at most.
    tightened = [s.subject for s in steps if s.tightens]
    assert len(tightened) == len(set(tightened)) == dynamic.row.tightenings
    assert dynamic.record.governed[-1] != static.record.governed[-1]
    assert dynamic.row.avg_allowed_leverage != static.row.avg_allowed_leverage


def test_backtest_outputs__table_csv_and_plot_follow_the_rows(backtest, tmp_path):
    rows = [r.row for r in backtest]
    static, dynamic = rows
    table = backtest_table(rows)
    assert table.row_count == 2  # static, then dynamic
    line = markdown_table(rows).splitlines()[2]
    assert line.startswith(f"| eth_2022-11-09 | 6 | {static.liquidations:,d} | {dynamic.liquidations:,d} |")
    csv_lines = write_csv(rows, tmp_path / "runs.csv").read_text().splitlines()
    assert csv_lines[0].startswith("scenario,mode,accounts,blocks,liquidations,bad_debt")
    assert [x.split(",")[1] for x in csv_lines[1:]] == ["static", "dynamic"]
    assert write_plot(rows, tmp_path / "backtest.png").read_bytes()[:4] == b"\x89PNG"
