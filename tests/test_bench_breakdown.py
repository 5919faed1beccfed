"""The measured breakdown of a bench row, read from forge's decoded call trace."""

from __future__ import annotations

import json

from ballast.bench import breakdown
from ballast.bench.anchors import Anchor
from ballast.bench.breakdown import attach_breakdowns, describe, measured_frame, parse_tree, traces_by_test
from ballast.bench.harness import Measurement, parse_forge_json
from ballast.bench.operations import OPERATIONS
from ballast.bench.report import markdown
from ballast.bench.results import Report, build_report

TRACE = """Ran 1 test for tests/forge/gas/BenchGas.t.sol:LiquidationGasTest
[PASS] test_GasLiquidatePartial() (gas: 290058)
Logs:
  bench: liquidate_partial 228017 206585 0 21432

Traces:
  [290058] LiquidationGasTest::test_GasLiquidatePartial()
    ├─ [0] VM::prank(0x0000000000000000000000000000000000004444)
    │   └─ ← [Return]
    ├─ [206585] liquidator::liquidate(partial: [0x661B20E80aBe7be89D312e61242992110b63275C])
    │   ├─ [821] pool::lock()
    │   │   └─ ← [Stop]
    │   ├─ [55322] engine::liquidationHealth(partial: [0x661B]) [staticcall]
    │   │   ├─ [3264] pool::borrowIndex() [staticcall]
    │   │   │   └─ ← [Return] 1000001263723502628 [1e18]
    │   │   └─ ← [Return] Health({ maintenanceEquity: 1 })
    │   ├─ [71208] engine::closeForLiquidation(partial: [0x661B], 5000, 1)
    │   │   ├─ [12526] pool::receiveLoss(0, 6000037912 [6e9])
    │   │   │   ├─ emit LossReceived(paid: 0, borrowed: 6000037912 [6e9], scaledDebt: 6000030330 [6e9])
    │   │   │   └─ ← [Return] 6000030330 [6e9]
    │   │   ├─ emit CashChanged(account: partial: [0x661B], delta: -6000037912 [-6e9])
    │   │   └─ ← [Return] 9000000000000000000000 [9e21]
    │   ├─ [57579] engine::chargePenalty(partial: [0x661B])
    │   │   ├─ [29981] WBTC::transfer(0x0000000000000000000000000000000000004444, 46667 [4.666e4])
    │   │   │   ├─ emit Transfer(from: engine: [0x2122], to: 0x4444, amount: 46667 [4.666e4])
    │   │   │   └─ ← [Return] true
    │   │   └─ ← [Return] 28000000 [2.8e7], 62000000 [6.2e7]
    │   ├─ [1021] engine::liquidationHealth(other: [0x661C]) [staticcall]
    │   ├─ emit Liquidated(account: partial: [0x661B], keeper: 0x4444)
    │   └─ ← [Stop]
    ├─ [0] VM::lastCallGas() [staticcall]
    └─ ← [Stop]

Suite result: ok. 1 passed; 0 failed; 0 skipped; finished in 14.05ms (962.14µs CPU time)
"""


def test_parse_tree__nested_calls__gas_names_children_and_own_events():
    (root,) = traces_by_test(TRACE)["test_GasLiquidatePartial"]
    liquidate = root.children[1]
    assert (liquidate.name, liquidate.gas) == ("liquidator::liquidate", 206585)
    assert [c.name for c in liquidate.children] == [
        "pool::lock",
        "engine::liquidationHealth",
        "engine::closeForLiquidation",
        "engine::chargePenalty",
        "engine::liquidationHealth",
    ]
    assert liquidate.events == 1  # Liquidated: the events of its callees are theirs
    assert liquidate.all_events() == 4
    assert liquidate.own == 206585 - (821 + 55322 + 71208 + 57579 + 1021)


def test_measured_frame__execution_of_the_row__finds_its_call_not_the_test():
    roots = traces_by_test(TRACE)["test_GasLiquidatePartial"]
    frame = measured_frame(roots, 206585)
    assert frame is not None and frame.name == "liquidator::liquidate"
    assert measured_frame(roots, 290058) is None  # the test function itself is never the measured call
    assert measured_frame(roots, 123) is None


def test_describe__parts_biggest_first__same_calls_grouped_and_big_ones_expanded():
    frame = measured_frame(traces_by_test(TRACE)["test_GasLiquidatePartial"], 206585)
    assert frame is not None
    line = describe(frame)
    assert line.startswith("liquidator::liquidate 206,585 execution: engine::closeForLiquidation 71,208")
    assert (
        "engine::chargePenalty 57,579 [WBTC::transfer 29,981]; engine::liquidationHealth x2 56,343 (first 55,322, then 1,021 each)"
        in line
    )
    assert "pool::lock" not in line  # under 3 % of the call
    assert line.endswith(f"own code and storage {frame.own:,}; 4 events emitted in all")


def test_parse_tree__a_line_without_gas__is_not_a_frame():
    roots = parse_tree(["  [10] T::test()", "    ├─ emit Log(1)", "    ├─ ← [Stop]", "    └─ [4] a::b()"])
    assert [c.name for c in roots[0].children] == ["a::b"] and roots[0].events == 1


def test_parse_forge_json__bench_line__measurement_knows_its_suite_and_test():
    out = {
        "tests/forge/gas/BenchGas.t.sol:LiquidationGasTest": {
            "test_results": {
                "test_GasLiquidatePartial()": {
                    "status": "Success",
                    "decoded_logs": ["bench: liquidate_partial 228017 206585 0 21432", "other"],
                }
            }
        }
    }
    m = parse_forge_json(json.dumps(out))["liquidate_partial"]
    assert (m.suite, m.test, m.execution) == (
        "tests/forge/gas/BenchGas.t.sol:LiquidationGasTest",
        "test_GasLiquidatePartial",
        206585,
    )


def _report(tx_gas: int) -> Report:
    suite = "tests/forge/gas/BenchGas.t.sol:LiquidationGasTest"
    m = Measurement("liquidate_partial", tx_gas, 206585, 0, 21432, suite, "test_GasLiquidatePartial")
    report = build_report({"liquidate_partial": m}, with_anchors=False)
    op = next(op for op in OPERATIONS if op.key == "liquidate_partial")
    report.anchors["liquidate_partial"] = Anchor(
        "anchor_morpho_liquidate_partial", "Morpho Blue", "liquidate, partial", 100_000
    )
    assert report.target(op) == 125_000
    return report


def test_attach_breakdowns__row_over_target__measured_line_from_its_test(monkeypatch):
    traced: list[tuple[str, set[str]]] = []

    def fake_run(suite, tests, root):
        traced.append((suite, set(tests)))
        return traces_by_test(TRACE)

    monkeypatch.setattr(breakdown, "_run_traces", fake_run)
    report = _report(228017)
    attach_breakdowns(report)
    assert traced == [("tests/forge/gas/BenchGas.t.sol:LiquidationGasTest", {"test_GasLiquidatePartial"})]
    assert report.breakdowns["liquidate_partial"].startswith("liquidator::liquidate 206,585 execution:")
    md = markdown(report)
    assert (
        "- liquidate, partial (half closes): 228,017 > 125,000. Measured: liquidator::liquidate 206,585" in md
    )
    assert "What would close them:" in md


def test_attach_breakdowns__every_row_on_target__traces_nothing(monkeypatch):
    def fail_run(suite, tests, root):
        raise AssertionError("traced a row that met its target")

    monkeypatch.setattr(breakdown, "_run_traces", fail_run)
    report = _report(120_000)
    attach_breakdowns(report)
    assert report.breakdowns == {}
