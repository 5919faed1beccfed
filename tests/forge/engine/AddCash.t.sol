// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title MarginEngineAddCashTest
/// @notice `MarginEngine.addCash`: settlement cash repays debt first (fixture: MarginEngineBase).
contract MarginEngineAddCashTest is MarginEngineBase {
    /// @notice USDC paid in repays debt first: part of it, then all of it with the rest as credit.
    function test_addCash__withDebt__repaysFirst() public {
        _deposit(TRADER, weth, 10e18);
        _open(TRADER, 0, 1e18); // 3 USDC of debt
        _nextBlock();
        _deposit(TRADER, usdc, 1e6);
        (uint256 credit,, uint256 debt) = engine.cash(TRADER);
        assertEq(credit, 0, "all to the debt");
        assertApproxEqAbs(debt, 2e6, 2, "debt reduced");
        _deposit(TRADER, usdc, 10e6);
        uint256 scaled;
        (credit, scaled,) = engine.cash(TRADER);
        assertEq(scaled, 0, "debt repaid");
        assertApproxEqAbs(credit, 8e6, 2, "the rest is credit");
        assertEq(pool.totalScaledDebt(), 0, "no receivable");
    }

    /// @notice One unit paid against debt at an index above 1 is worth no scaled debt: it becomes credit and the Pool
    /// is not called.
    function test_addCash__dustWithDebt__becomesCredit() public {
        _deposit(TRADER, weth, 10e18);
        _open(TRADER, 0, 1e18);
        _nextBlock();
        assertTrue(pool.borrowIndex() > 1e18, "index above 1");
        (, uint256 scaled,) = engine.cash(TRADER);
        vm.recordLogs();
        _deposit(TRADER, usdc, 1);
        assertEq(_count(vm.getRecordedLogs(), address(pool), REPAID), 0, "no repayment");
        (uint256 credit, uint256 scaledAfter,) = engine.cash(TRADER);
        assertEq(credit, 1, "credit");
        assertEq(scaledAfter, scaled, "debt unchanged");
    }
}
