// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title InsuranceFundCoverFlowTest
/// @notice `InsuranceFund.cover` (Liquidator only): deficits covered from the fund (fixture: CoreFlowBase).
contract InsuranceFundCoverFlowTest is CoreFlowBase {
    /// @notice Only the Liquidator may draw a deficit cover from the InsuranceFund.
    function test_cover__stranger__reverts() public {
        _fundInsurance(18e6);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        vm.prank(OTHER);
        insurance.cover(1e6);
        assertEq(insurance.bookedBalance(), 18e6, "nothing left the fund");
    }

    /// @notice A deficit smaller than the fund is covered in full and the rest stays booked.
    function test_cover__deficitBelowTheBalance__coversItAll() public {
        _fundInsurance(18e6);
        vm.prank(address(liquidator));
        uint256 uncovered = insurance.cover(5e6);
        assertEq(uncovered, 0, "all covered");
        assertEq(insurance.bookedBalance(), 13e6, "the rest stays");
        assertEq(usdc.balanceOf(address(liquidator)), 5e6, "paid to the Liquidator");
    }

    /// @notice The cover of a deficit within the balance is announced as fully covered.
    function test_cover__deficitWithinTheBalance__emitsCoveredInFull() public {
        _fundInsurance(1_000e6);
        vm.expectEmit(false, false, false, true, address(insurance));
        emit IInsuranceFund.Covered(400e6, 400e6, 0);
        vm.prank(address(liquidator));
        insurance.cover(400e6);
        assertEq(insurance.bookedBalance(), 600e6, "the rest stays");
    }

    /// @notice A deficit above the fund takes the whole balance and returns the rest as uncovered.
    function test_cover__deficitAboveTheBalance__paysTheBalanceAndReturnsTheRest() public {
        _fundInsurance(100e6);
        uint256 before = usdc.balanceOf(address(liquidator));
        vm.expectEmit(false, false, false, true, address(insurance));
        emit IInsuranceFund.Covered(250e6, 100e6, 150e6);
        vm.prank(address(liquidator));
        uint256 uncovered = insurance.cover(250e6);
        assertEq(uncovered, 150e6, "the rest is uncovered");
        assertEq(insurance.bookedBalance(), 0, "the fund is empty");
        assertEq(usdc.balanceOf(address(liquidator)), before + 100e6, "the balance paid to the Liquidator");
    }

    /// @notice An empty InsuranceFund covers nothing and moves no token, not even a zero transfer.
    function test_cover__emptyFund__transfersNothing() public {
        vm.recordLogs();
        vm.prank(address(liquidator));
        uint256 uncovered = insurance.cover(5e6);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(uncovered, 5e6, "nothing covered");
        for (uint256 i = 0; i < logs.length; ++i) {
            assertTrue(logs[i].emitter != address(usdc), "no token moved");
        }
        assertEq(logs.length, 1, "only Covered(5e6, 0, 5e6)");
    }
}
