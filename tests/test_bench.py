"""The gas guard's comparison, the bench's parsing and arithmetic (ballast/bench/): no chain, no forge."""

import json

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from ballast import bench
from ballast.bench import (
    Batch,
    BenchError,
    Measurement,
    anchors,
    build_report,
    compare,
    comparison_lines,
    driver_vs_naive_entry,
    fit_plane,
    markdown,
    parse_forge_json,
    reaction_entry,
    results_json,
    throughput_lines,
)
from ballast.bench import cli as bench_cli
from ballast.bench.operations import OPERATIONS
from ballast.bench.throughput import ThroughputSettings, parse_accounts

SNAPSHOT = {"liquidate_partial": 100_000, "position_open": 200_000, "price_read": 4_000}


@pytest.fixture
def forge_json():
    def make(lines, status="Success"):
        test = {"status": status, "reason": None if status == "Success" else "boom", "decoded_logs": lines}
        return json.dumps({"tests/forge/BenchGas.t.sol:X": {"test_results": {"test_a()": test}}})

    return make


def test_compare__rise_of_1_9_pct__passes():
    result = compare(SNAPSHOT, {**SNAPSHOT, "liquidate_partial": 101_900})
    assert not result.failed
    assert result.regressions == []
    assert "liquidate_partial" in result.unchanged


def test_compare__rise_of_2_1_pct__fails_with_the_offender():
    result = compare(SNAPSHOT, {**SNAPSHOT, "liquidate_partial": 102_100})
    assert result.failed
    assert [(c.key, c.old, c.new) for c in result.regressions] == [("liquidate_partial", 100_000, 102_100)]
    assert result.regressions[0].pct == pytest.approx(2.1)
    text = "\n".join(comparison_lines(result))
    assert "liquidate_partial" in text and "make gas-snapshot" in text


def test_compare__exactly_2_pct__passes():
    assert not compare(SNAPSHOT, {**SNAPSHOT, "position_open": 204_000}).failed


def test_compare__decrease__reported_not_failed():
    result = compare(SNAPSHOT, {**SNAPSHOT, "price_read": 3_000})
    assert not result.failed
    assert [(c.key, c.new) for c in result.improvements] == [("price_read", 3_000)]
    assert any("lower: price_read" in line for line in comparison_lines(result))


def test_compare__new_operation__reported_not_failed():
    result = compare(SNAPSHOT, {**SNAPSHOT, "lp_withdraw": 90_000})
    assert not result.failed
    assert result.new == {"lp_withdraw": 90_000}
    assert any("new operation: lp_withdraw" in line for line in comparison_lines(result))


def test_compare__removed_operation__reported_not_failed():
    current = {k: v for k, v in SNAPSHOT.items() if k != "price_read"}
    result = compare(SNAPSHOT, current)
    assert not result.failed
    assert result.removed == {"price_read": 4_000}
    assert any("removed operation: price_read" in line for line in comparison_lines(result))


def test_parse_forge_json__bench_lines__measurements(forge_json):
    text = forge_json(
        ["bench: lp_withdraw 90000 70000 4800 21500", "other log: 5", "bench: price_read 0 3805 0 0"]
    )
    got = parse_forge_json(text)
    assert got["lp_withdraw"] == Measurement("lp_withdraw", 90_000, 70_000, 4_800, 21_500)
    assert got["lp_withdraw"].gas_limit == 91_500
    assert got["price_read"].execution == 3_805


def test_parse_forge_json__failed_test__error_names_it(forge_json):
    with pytest.raises(BenchError, match=r"X.test_a\(\): boom"):
        parse_forge_json(forge_json(["bench: a 1 1 0 0"], status="Failure"))


def test_parse_forge_json__malformed_line__error(forge_json):
    with pytest.raises(BenchError, match="malformed"):
        parse_forge_json(forge_json(["bench: a 1 x 0 0"]))


def test_batch__per_tx_and_per_block__follow_the_formula():
    small = Measurement("m10", 10 * 50_000 + 100_000, 10 * 60_000 + 80_000, 0, 21_000)
    large = Measurement("m100", 100 * 50_000 + 100_000, 100 * 60_000 + 80_000, 0, 21_000)
    b = Batch.from_measurements(small, large, 10, 100)
    assert (b.base, b.marginal) == (100_000, 50_000)
    assert (b.limit_base, b.limit_marginal) == (101_000, 60_000)
    per_tx = (bench.PER_TX_CAP - 101_000) // 60_000
    assert b.per_tx() == per_tx
    # 36M: two full transactions use 2 * (100,000 + 50,000 * 277) and the rest takes one more, smaller.
    used = 2 * (100_000 + 50_000 * per_tx)
    assert b.per_block(36_000_000) == 2 * per_tx + (36_000_000 - used - 101_000) // 60_000
    assert b.per_block_one_tx(36_000_000) == (36_000_000 - 101_000) // 60_000


def test_fit_plane__exact_plane__slopes_and_r2_of_one():
    points = [(c, p, 50_000 + 7_000 * c + 20_000 * p) for c in (1, 4, 7) for p in (1, 4, 8)]
    fit = fit_plane(points)
    assert fit.per_token == pytest.approx(7_000)
    assert fit.per_position == pytest.approx(20_000)
    assert fit.r2 == pytest.approx(1.0)
    assert fit.max_residual == pytest.approx(0, abs=1e-6)
    assert fit.linear


def test_fit_plane__strong_interaction__not_linear():
    points = [(c, p, 1_000 + 5_000 * c * p) for c in (1, 4, 7) for p in (1, 4, 8)]
    fit = fit_plane(points)
    assert not fit.linear
    assert fit.interaction == pytest.approx(5_000)


def _m(key: str, tx_gas: int, execution: int = 0, intrinsic: int = 21_000) -> Measurement:
    return Measurement(key, tx_gas, execution or tx_gas - intrinsic, 0, intrinsic)


ANCHOR_BATCHES = {
    "anchor_morpho_liquidate_many_1": _m("anchor_morpho_liquidate_many_1", 130_000),
    "anchor_morpho_liquidate_many_10": _m("anchor_morpho_liquidate_many_10", 400_000),
    "anchor_morpho_liquidate_many_100": _m("anchor_morpho_liquidate_many_100", 3_100_000),
}
"""Morpho Blue's batches: (3,100,000 - 400,000) / 90 = 30,000 per extra account."""

LIQUIDATE_ANCHORS = {
    "anchor_morpho_liquidate_partial": _m("anchor_morpho_liquidate_partial", 128_000),
    "anchor_aave_liquidation_partial": _m("anchor_aave_liquidation_partial", 331_000),
}

NO_BUILDS: list[bench.AnchorBuild] = []


def test_build_report__batch_and_ratios__in_results_json():
    ms = {
        "liquidate_many_10": Measurement("liquidate_many_10", 600_000, 650_000, 0, 22_000),
        "liquidate_many_100": Measurement("liquidate_many_100", 5_100_000, 5_600_000, 0, 25_000),
        "liquidate_partial": Measurement("liquidate_partial", 192_000, 170_000, 0, 21_500),
        "price_read": Measurement("price_read", 0, 3_805, 0, 0),
        **ANCHOR_BATCHES,
        **LIQUIDATE_ANCHORS,
    }
    data = results_json(build_report(ms, builds=NO_BUILDS))
    assert data["gas"]["liquidate_many_marginal"] == 50_000
    assert data["gas"]["anchor_morpho_liquidate_many_marginal"] == 30_000
    assert data["gas"]["price_read"] == 3_805
    assert data["ratios"]["liquidate_partial"] == 1.5
    target = data["targets"]["liquidate_partial"]
    assert (target["target"], target["gas"], target["met"]) == (160_000, 192_000, False)
    assert (target["anchor_target"], target["absolute_target"]) == (160_000, None)
    assert "liquidateAccount" in target["note"]
    assert data["anchors"]["liquidate_partial"]["anchor"] == "anchor_morpho_liquidate_partial"
    assert data["throughput"]["liquidations"]["per_tx"] >= 1
    assert data["throughput"]["driver_vs_naive"] is None


def test_build_report__two_comparable_anchors__the_leanest_is_the_anchor():
    ms = {
        "borrow": _m("borrow", 200_000),
        "anchor_morpho_borrow": _m("anchor_morpho_borrow", 107_000),
        "anchor_aave_borrow": _m("anchor_aave_borrow", 247_000),
    }
    report = build_report(ms, builds=NO_BUILDS)
    op = next(op for op, _ in report.rows() if op.key == "borrow")
    anchor = report.anchor(op)
    assert anchor is not None and anchor.key == "morpho_borrow" and anchor.gas == 107_000
    assert report.ratio(op) == pytest.approx(200_000 / 107_000)
    assert report.target(op) == 133_750  # 1.25 x 107,000
    row = next(line for line in markdown(report).splitlines() if line.startswith("| borrow USDC"))
    assert "Morpho Blue borrow USDC against WETH" in row and "| 107,000 | 1.87 | 133,750 | missed |" in row


def test_build_report__leanest_is_the_other_protocol__chosen_by_gas_not_order():
    ms = {
        "lp_deposit_first": _m("lp_deposit_first", 150_000),
        "anchor_morpho_supply_first": _m("anchor_morpho_supply_first", 190_000),
        "anchor_aave_supply_usdc_first": _m("anchor_aave_supply_usdc_first", 183_000),
    }
    report = build_report(ms, builds=NO_BUILDS)
    op = next(op for op, _ in report.rows() if op.key == "lp_deposit_first")
    assert report.anchors["lp_deposit_first"].key == "aave_supply_usdc_first"
    assert report.target(op) == 228_750
    assert results_json(report)["targets"]["lp_deposit_first"]["met"]


def test_build_report__anchor_and_absolute_target__the_lower_is_the_target():
    ms = {
        "liquidate_many_10": _m("liquidate_many_10", 600_000),
        "liquidate_many_100": _m("liquidate_many_100", 5_100_000),
        **ANCHOR_BATCHES,
    }
    data = results_json(build_report(ms, builds=NO_BUILDS))
    marginal = data["targets"]["liquidate_many_marginal"]
    # anchor 30,000 per extra account: 1.25x = 37,500, under the absolute 60,000
    assert (marginal["anchor_target"], marginal["absolute_target"], marginal["target"]) == (
        37_500,
        60_000,
        37_500,
    )
    assert (marginal["gas"], marginal["met"]) == (50_000, False)
    assert data["ratios"]["liquidate_many_marginal"] == pytest.approx(50_000 / 30_000, abs=1e-3)

    dearer = {**ANCHOR_BATCHES, "anchor_morpho_liquidate_many_100": _m("x", 400_000 + 90 * 60_000)}
    data = results_json(build_report({**ms, **dearer}, builds=NO_BUILDS))
    assert (
        data["targets"]["liquidate_many_marginal"]["target"] == 60_000
    )  # 75,000 anchor target, 60,000 absolute


def test_build_report__row_without_anchor__absolute_target_only():
    report = build_report(
        {"position_open": _m("position_open", 140_000), "health_c7_p8": _m("health_c7_p8", 0, 120_000)},
        builds=NO_BUILDS,
    )
    data = results_json(report)
    assert data["targets"]["position_open"] == {
        "target": 150_000,
        "anchor_target": None,
        "absolute_target": 150_000,
        "gas": 140_000,
        "met": True,
    }
    assert data["targets"]["health_c7_p8"]["target"] == 100_000
    assert "position_open" not in data["ratios"] and report.anchors == {}


def test_build_report__anchor_not_measured__bench_error_names_row_and_anchor():
    ms = {"borrow": _m("borrow", 200_000), "anchor_morpho_borrow": _m("anchor_morpho_borrow", 107_000)}
    with pytest.raises(BenchError, match=r"row 'borrow': anchor anchor_aave_borrow not measured in this run"):
        build_report(ms, builds=NO_BUILDS)


def test_build_report__gas_guard_without_anchors__figures_only():
    report = build_report({"borrow": _m("borrow", 200_000)}, with_anchors=False)
    assert report.gas == {"borrow": 200_000} and report.anchors == {}


def test_build_report__anchor_rows__in_the_gas_the_guard_snapshots(tmp_path):
    ms = {"price_read": _m("price_read", 0, 3_805), **ANCHOR_BATCHES}
    report = build_report(ms, with_anchors=False)
    snapshot = tmp_path / "gas-snapshot.json"
    bench.write_snapshot(report.gas, snapshot)
    saved = bench.load_snapshot(snapshot)
    assert saved["anchor_morpho_liquidate_many_100"] == 3_100_000
    assert saved["anchor_morpho_liquidate_many_marginal"] == 30_000


def test_markdown__anchors_section__every_anchor_measured_with_its_build():
    builds = [bench.AnchorBuild("Morpho Blue", "@morpho-org/morpho-blue", "1.0.0", "solc 0.8.19", "via-IR")]
    md = markdown(build_report({**ANCHOR_BATCHES, **LIQUIDATE_ANCHORS}, builds=builds))
    section = md.split("## Anchors", 1)[1].split("## Throughput", 1)[0]
    for key in [*ANCHOR_BATCHES, *LIQUIDATE_ANCHORS, "anchor_morpho_liquidate_many_marginal"]:
        assert f"`{key}`" in section
    assert "| Morpho Blue | liquidate 100 accounts in one transaction (batch contract) |" in section
    assert "3,100,000 |" in section and "| 30,000 |" in section
    assert "- Morpho Blue: @morpho-org/morpho-blue 1.0.0, solc 0.8.19; via-IR." in section
    assert "Compound III" in section and "Synthetix" in section


def test_anchor_builds__manifests__package_version_compiler_settings(tmp_path):
    settings = {"optimizer": {"enabled": True, "runs": 999_999}, "viaIR": True, "evmVersion": "paris"}
    for folder, package in (("morpho-blue", "@morpho-org/morpho-blue"), ("aave-v3", "@aave/core-v3")):
        (tmp_path / "out-anchors" / folder).mkdir(parents=True)
        manifest = {"package": package, "version": "1.0.0", "compiler": "solc 0.8.19", "settings": settings}
        (tmp_path / "out-anchors" / folder / "manifest.json").write_text(json.dumps(manifest))
    builds = anchors.anchor_builds(tmp_path)
    assert [b.package for b in builds] == ["@morpho-org/morpho-blue", "@aave/core-v3"]
    assert builds[0].settings == "via-IR, optimizer 999,999 runs, EVM paris"


def test_anchor_builds__manifest_missing__bench_error_says_how_to_build(tmp_path):
    with pytest.raises(BenchError, match=r"out-anchors/morpho-blue/manifest.json .*make setup-contracts"):
        anchors.anchor_builds(tmp_path)


def test_anchor_operations__every_row_names_known_anchors_and_positions_none():
    for op in OPERATIONS:
        assert all(a in anchors.ANCHOR_OPERATIONS for a in op.anchors), op.key
    assert all(not op.anchors for op in OPERATIONS if op.key.startswith("position_"))
    assert not any("synthetix" in a or "compound" in a for a in anchors.ANCHOR_OPERATIONS)


def test_build_report__throughput_source__plugs_in():
    ms = {"price_read": Measurement("price_read", 0, 3_805, 0, 0)}
    report = build_report(ms, [lambda r: {"driver_vs_naive": {"ratio": 12.0, "target": 10}}])
    assert report.throughput["driver_vs_naive"] == {"ratio": 12.0, "target": 10}
    assert report.throughput["keeper_reaction_blocks"] is None


def test_check_command__regression__exits_non_zero_with_table(tmp_path, monkeypatch):
    snapshot = tmp_path / "gas-snapshot.json"
    bench.write_snapshot({"liquidate_partial": 100_000}, snapshot)
    monkeypatch.setattr(bench_cli, "SNAPSHOT_FILE", snapshot)
    measured = {"liquidate_partial": Measurement("liquidate_partial", 103_000, 90_000, 0, 21_000)}
    monkeypatch.setattr(bench_cli, "run_forge", lambda: measured)
    result = CliRunner().invoke(bench_cli.main, ["check"])
    assert result.exit_code == 1
    assert "liquidate_partial" in result.output and "+3.00%" in result.output
    assert "make gas-snapshot" in result.output


def test_check_command__missing_snapshot__one_line_error(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_cli, "SNAPSHOT_FILE", tmp_path / "none.json")
    result = CliRunner().invoke(bench_cli.main, ["check"])
    assert result.exit_code == 1
    assert "make gas-snapshot" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------------------------------- throughput


def test_driver_vs_naive_entry__rates_and_ratio__from_the_timings():
    entry = driver_vs_naive_entry(300, 20.0, 300, 0.5)
    assert entry["naive_tx_per_s"] == pytest.approx(15.0)
    assert entry["driver_tx_per_s"] == pytest.approx(600.0)
    assert entry["ratio"] == pytest.approx(40.0)
    assert entry["met"] is True


def test_driver_vs_naive_entry__ratio_below_ten__missed():
    entry = driver_vs_naive_entry(100, 10.0, 100, 2.0)
    assert entry["ratio"] == pytest.approx(5.0)
    assert entry["met"] is False


def test_driver_vs_naive_entry__zero_seconds__bench_error():
    with pytest.raises(BenchError, match="non-positive"):
        driver_vs_naive_entry(100, 0.0, 100, 1.0)


def test_reaction_entry__liquidations_in_blocks_5_to_13__reaction_of_11_blocks_from_the_shock():
    rows = [(b, 1 if b == 6 else 0, 10 if 5 <= b <= 13 else 0) for b in range(20)]
    entry = reaction_entry(100, 2, rows, 85, 40.04)
    assert entry["first_liquidation_block"] == 5
    assert entry["last_liquidation_block"] == 13
    assert entry["reaction_blocks"] == 11
    assert entry["liquidations"] == 90
    assert entry["accounts_liquidated"] == 85
    assert entry["max_liquidatable_end_of_block"] == 1
    assert entry["blocks_run"] == 20
    assert entry["wall_s"] == 40.0


def test_reaction_entry__no_liquidation__reaction_is_none():
    entry = reaction_entry(10, 2, [(b, 0, 0) for b in range(8)], 0, 1.0)
    assert entry["reaction_blocks"] is None
    assert entry["first_liquidation_block"] is None


def test_throughput_lines__nothing_measured__says_how_to_get_it():
    lines = throughput_lines({"driver_vs_naive": None, "keeper_reaction_blocks": None})
    assert len(lines) == 2
    assert all("not measured in this run" in line and "--no-throughput" in line for line in lines)
    assert not any("not measured yet" in line for line in lines)


def test_throughput_lines__measured__driver_line_and_a_row_per_account_count():
    reaction = {
        "1000": reaction_entry(1_000, 2, [(5, 0, 400), (13, 0, 420)], 820, 300.0),
        "100": reaction_entry(100, 2, [(5, 2, 60), (12, 0, 58)], 90, 40.0),
    }
    lines = throughput_lines(
        {"driver_vs_naive": driver_vs_naive_entry(300, 20.0, 300, 0.5), "keeper_reaction_blocks": reaction}
    )
    text = "\n".join(lines)
    assert "naive 15.0 tx/s (20.00 s)" in text and "driver 600.0 tx/s" in text
    assert "40.0x (target >= 10x: met)" in text
    rows = [line for line in lines if line.startswith("| 1") and "accounts" not in line]
    assert rows == ["| 100 | 90 | 118 | 3 | 10 | 2 | 40.0 |", "| 1,000 | 820 | 820 | 3 | 11 | 0 | 300.0 |"]
    assert "Not run here" not in text


def test_throughput_lines__only_100_accounts__1000_marked_opt_in():
    reaction = {"100": reaction_entry(100, 2, [(5, 0, 3)], 3, 1.0)}
    text = "\n".join(throughput_lines({"driver_vs_naive": None, "keeper_reaction_blocks": reaction}))
    assert "--reaction-accounts 100,1000" in text and "opt-in" in text and "Not run here." in text


def test_markdown__throughput_source__section_shows_the_ratio():
    ms = {"price_read": Measurement("price_read", 0, 3_805, 0, 0)}
    entry = driver_vs_naive_entry(200, 10.0, 200, 0.4)
    md = markdown(build_report(ms, [lambda r: {"driver_vs_naive": entry}]))
    section = md.split("## Throughput", 1)[1]
    assert "25.0x (target >= 10x: met)" in section
    assert "Keeper reaction: not measured in this run" in section


def test_parse_accounts__comma_separated__sorted_counts():
    assert ThroughputSettings(reaction_accounts=parse_accounts("1000, 100")).reaction_accounts == (100, 1000)


@pytest.mark.parametrize("text", ["", "100,abc", "1e3", "-5"])
def test_parse_accounts__not_counts__value_error(text):
    with pytest.raises(ValueError, match="account counts"):
        parse_accounts(text)


def test_throughput_settings__zero_accounts__clear_validation_message():
    with pytest.raises(ValidationError, match="between 1 and 5,000"):
        ThroughputSettings(reaction_accounts=(0, 100))
