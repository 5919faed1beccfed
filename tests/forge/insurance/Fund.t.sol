// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {InsuranceFund} from "../../../contracts/InsuranceFund.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {Vm} from "../utils/Vm.sol";

/// @title InsuranceFundFundFlowTest
/// @notice `InsuranceFund.fund` (fixture: CoreFlowBase).
contract InsuranceFundFundFlowTest is CoreFlowBase {
    /// @notice Funding the InsuranceFund with nothing reverts.
    function test_fund__zeroAmount__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        insurance.fund(0, "test");
    }

    /// @notice An outsider's `fund` takes the shared lock and releases it: the core keeps working after it.
    function test_fund__outsider__releasesTheLock() public {
        usdc.mint(OTHER, 5e6);
        vm.startPrank(OTHER);
        usdc.approve(address(insurance), 5e6);
        insurance.fund(5e6, "gift");
        vm.stopPrank();
        assertEq(insurance.bookedBalance(), 5e6, "booked");
        _deposit(TRADER, weth, 1e18); // a guarded engine entry point
        assertEq(engine.collateralBalance(TRADER, address(weth)), 1e18, "the core still works");
    }
}
