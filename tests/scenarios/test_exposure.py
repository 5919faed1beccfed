"""The Pool's exposure by product and the options' outcome in a scenario's report, from synthetic results (no chain):
the perps' part is the engine's total minus its margin products', and summary.md, metrics.csv and the terminal show
it at the first, the worst (lowest LP share price) and the last block; the options' rows and the settlements table."""

import csv

from rich.console import Console

from ballast.scenarios.blocks import exposure_by_part
from ballast.scenarios.model import (
    ENGINE_TOTAL,
    PERPS,
    AssetBlock,
    BlockMetrics,
    Exposure,
    OptionsOutcome,
    Outcome,
    ScenarioResult,
    SettlementOutcome,
    exposure_points,
)
from ballast.scenarios.report import print_summary, write_report

WAD = 10**18
SHARE_PRICES = [1.0, 0.998, 0.991, 0.995, 0.997]  # the worst block is block 2


def _block(i: int) -> BlockMetrics:
    options = Exposure(-1_000.0 * i, 500.0 + 250.0 * i, 20_000.0 + 1_000.0 * i)
    perps = Exposure(-50_000.0 + 1_500.0 * i, -30_000.0 + 2_000.0 * i, 100_000.0 - 5_000.0 * i)
    total = Exposure(
        perps.pnl_low + options.pnl_low, perps.pnl_high + options.pnl_high, perps.reserved + options.reserved
    )
    return BlockMetrics(
        block=i,
        timestamp=1_700_000_000 + 600 * i,
        assets={"WETH": AssetBlock(3_000.0 - 100 * i, 3_000.0 - 90 * i, "Ok", 3_000.0 - 100 * i)},
        health_buckets={"safe (>=2)": 5},
        liquidatable=0,
        liquidations=0,
        liquidated_notional=0.0,
        keeper_rewards=0.0,
        keeper_gas=0,
        deficits=0.0,
        insurance_balance=125_000.0,
        lp_share_price=SHARE_PRICES[i],
        utilization=0.2,
        worst_health=3.0,
        exposure={PERPS: perps, "options": options, ENGINE_TOTAL: total},
    )


def _result() -> ScenarioResult:
    rows = [_block(i) for i in range(len(SHARE_PRICES))]
    outcome = Outcome(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 3.0, len(rows), 10, 1.0, 0)
    return ScenarioResult("crash-vol-spike", 4, "synthetic", {"accounts": 5}, rows, outcome=outcome)


def test_exposure_by_part__engine_and_book__perps_are_the_rest_and_parts_sum_to_the_total():
    total = (-70_000 * WAD, 12_345 * WAD + 7, 300_000 * WAD, 999 * WAD)
    book = (-2_500 * WAD, 4_000 * WAD + 3, 60_000 * WAD, 0)

    parts = exposure_by_part(["options"], [total, book])

    assert list(parts) == [PERPS, "options", ENGINE_TOTAL]
    assert parts["options"] == Exposure(-2_500.0, (4_000 * WAD + 3) / WAD, 60_000.0)
    assert parts[PERPS] == Exposure(-67_500.0, 8_345.0 + 4 / WAD, 240_000.0)
    for field in ("pnl_low", "pnl_high", "reserved"):
        summed = getattr(parts[PERPS], field) + getattr(parts["options"], field)
        assert abs(summed - getattr(parts[ENGINE_TOTAL], field)) < 1e-6


def test_exposure_by_part__no_products__perps_are_the_engine_total():
    total = (-1 * WAD, 2 * WAD, 3 * WAD, 0)
    parts = exposure_by_part([], [total])
    assert parts == {PERPS: Exposure(-1.0, 2.0, 3.0), ENGINE_TOTAL: Exposure(-1.0, 2.0, 3.0)}


def test_exposure_points__lowest_share_price__is_the_worst_block():
    rows = [_block(i) for i in range(len(SHARE_PRICES))]
    points = exposure_points(rows)
    assert {k: v.block for k, v in points.items()} == {"start": 0, "worst": 2, "end": 4}
    assert exposure_points([]) == {}


def test_summary__exposure_table__start_worst_end_for_every_part(tmp_path):
    result = _result()
    summary = (write_report(result, tmp_path) / "summary.md").read_text()

    assert "## Pool exposure by product" in summary
    worst = result.blocks[2].exposure["options"]
    assert (
        f"| worst (block 2) | options | -${-worst.pnl_low:,.2f} | +${worst.pnl_high:,.2f} | ${worst.reserved:,.2f} |"
        in summary
    )
    for point, block in (("start", 0), ("worst", 2), ("end", 4)):
        for part in (PERPS, "options", ENGINE_TOTAL):
            assert f"| {point} (block {block}) | {part} |" in summary


def test_metrics_csv__exposure_columns__every_part_every_block(tmp_path):
    result = _result()
    with (write_report(result, tmp_path) / "metrics.csv").open(newline="") as handle:
        header, *rows = list(csv.reader(handle))

    assert header[-9:] == [
        f"exposure_{part}_{c}"
        for part in ("perps", "options", "engine_total")
        for c in ("pnl_low_usd", "pnl_high_usd", "reserved_usd")
    ]
    for cells, block in zip(rows, result.blocks, strict=True):
        row = dict(zip(header, cells, strict=True))
        assert float(row["exposure_options_reserved_usd"]) == block.exposure["options"].reserved
        assert float(row["exposure_perps_pnl_high_usd"]) == block.exposure[PERPS].pnl_high
        assert float(row["exposure_engine_total_pnl_low_usd"]) == block.exposure[ENGINE_TOTAL].pnl_low


def test_print_summary__exposure_table__printed(tmp_path):
    result = _result()
    console = Console(record=True, width=160)
    print_summary(result, tmp_path, console)
    text = console.export_text()

    assert "Pool exposure by product" in text
    assert "worst (block 2)" in text
    assert f"${result.blocks[-1].exposure[ENGINE_TOTAL].reserved:,.2f}" in text


def _with_options() -> ScenarioResult:
    result = _result()
    settled = SettlementOutcome(
        "WETH 3,000 put #4", 7, 2_580.0, True, 303, 2_580.0, 2_475.0, 1_950.0, 239.999, 0.0
    )
    options = OptionsOutcome(
        12, 5, 4, 41_678.9, ((2, 0.8, 1.0), (8, 1.0, 1.25)), (settled,), 100_799.58, 0.0, 41
    )
    result.outcome = Outcome(**{**result.outcome.__dict__, "options": options})
    return result


def test_summary__options__rows_and_settlements_table(tmp_path):
    summary = (write_report(_with_options(), tmp_path) / "summary.md").read_text()

    assert "| liquidations that closed options (ProductLiquidated) | 5 |" in summary
    assert "| ... that closed options and perps together | 4 |" in summary
    assert "| implied volatility (2 steps) | 0.8000 -> 1.2500 |" in summary
    assert "| payoffs paid to longs (41 positions realized) | $100,799.58 |" in summary
    assert "## Options settled" in summary
    assert (
        "| WETH 3,000 put #4 | 7 | 303 | at expiry | $2,580.00 | $2,580.00 | $2,475.00 | $1,950.00 | 239.999 | 0.000 |"
        in summary
    )


def test_print_summary__options__narrow_console_keeps_the_labels(tmp_path):
    console = Console(record=True, width=80)
    print_summary(_with_options(), tmp_path, console)
    text = console.export_text()

    assert "option traders" in text
    assert "options settled" in text
    assert "$2,475.00" in text
