"""The measured breakdown of a bench row, read from forge's decoded call trace."""

from __future__ import annotations

import json

import pytest

from ballast.bench.breakdown import describe, locate, measured_frame, parse_tree, traces_by_test
from ballast.errors import BenchError

TRACE = """Ran 1 test for tests/forge/gas/BenchGas.t.sol:LiquidationGasTest
[PASS] test_GasLiquidatePartial() (gas: 290058)
Logs:
  bench: liquidate_partial 228017 206585 0 21432

Traces:
  [290058] LiquidationGasTest::test_GasLiquidatePartial()
    ├─ [0] VM::prank(0x0000000000000000000000000000000000004444)
    │   └─ ← [Return]
    ├─ [206585] liquidator::liquidate(partial: [0x661B20E80aBe7be89D312e61242992110b63275C])
    │   ├─ [821] lock::lock()
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
        "lock::lock",
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
    assert "lock::lock" not in line  # under 3 % of the call
    assert line.endswith(f"own code and storage {frame.own:,}; 4 events emitted in all")


def test_parse_tree__a_line_without_gas__is_not_a_frame():
    roots = parse_tree(["  [10] T::test()", "    ├─ emit Log(1)", "    ├─ ← [Stop]", "    └─ [4] a::b()"])
    assert [c.name for c in roots[0].children] == ["a::b"] and roots[0].events == 1


def test_locate__bench_lines__key_to_suite_and_test():
    out = {
        "tests/forge/gas/BenchGas.t.sol:LiquidationGasTest": {
            "test_results": {
                "test_GasLiquidatePartial()": {"decoded_logs": ["bench: liquidate_partial 1 2 0 3", "other"]}
            }
        }
    }
    assert locate(json.dumps(out)) == {
        "liquidate_partial": ("tests/forge/gas/BenchGas.t.sol:LiquidationGasTest", "test_GasLiquidatePartial")
    }


def test_locate__not_json__bench_error():
    with pytest.raises(BenchError, match="no JSON"):
        locate("compiling...")
