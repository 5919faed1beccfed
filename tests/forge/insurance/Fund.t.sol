// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";

/// @title InsuranceFundFundFlowTest
/// @notice `InsuranceFund.fund` (fixture: CoreFlowBase).
contract InsuranceFundFundFlowTest is CoreFlowBase {
    /// @dev What the InsuranceFund has booked and the USDC it holds.
    function _insuranceBooks() internal view returns (uint256 booked, uint256 held) {
        return (insurance.bookedBalance(), usdc.balanceOf(address(insurance)));
    }

    /// @notice Funding the InsuranceFund with nothing reverts.
    function test_fund__zeroAmount__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        insurance.fund(0, "test");
    }

    /// @notice An outsider's `fund` takes the shared lock and releases it: the core keeps working after it.
    function test_fund__outsider__releasesTheLock() public {
        _fundInsuranceFrom(OTHER, 5e6, "gift");
        assertEq(insurance.bookedBalance(), 5e6, "booked");
        _deposit(TRADER, weth, 1e18); // a guarded engine entry point
        assertEq(engine.collateralBalance(TRADER, address(weth)), 1e18, "the core still works");
    }

    /// @notice An outsider's funds are booked in full and announced with the sender, the amount and the reason.
    function test_fund__outsider__booksTheAmountAndEmitsFunded() public {
        (uint256 booked, uint256 held) = _insuranceBooks();
        usdc.mint(OTHER, 1_000e6);
        vm.startPrank(OTHER);
        usdc.approve(address(insurance), 1_000e6);
        vm.expectEmit(true, true, false, true, address(insurance));
        emit IInsuranceFund.Funded(OTHER, 1_000e6, "donation");
        insurance.fund(1_000e6, "donation");
        vm.stopPrank();
        assertEq(insurance.bookedBalance(), booked + 1_000e6, "booked");
        assertEq(usdc.balanceOf(address(insurance)), held + 1_000e6, "held");
    }

    /// @notice A member that holds the shared lock (the MarginEngine charging a penalty mid-operation) funds without
    /// taking the lock again: the fund books the amount and the lock stays the member's.
    function test_fund__memberHoldingTheLock__booksWithoutTakingTheLock() public {
        uint256 booked = insurance.bookedBalance();
        usdc.mint(address(engine), 10e6);
        vm.startPrank(address(engine));
        lock.lock();
        usdc.approve(address(insurance), 10e6);
        vm.expectEmit(true, true, false, true, address(insurance));
        emit IInsuranceFund.Funded(address(engine), 10e6, "penalty");
        insurance.fund(10e6, "penalty");
        assertTrue(lock.isLocked(), "the member still holds the lock");
        lock.unlock();
        vm.stopPrank();
        assertEq(insurance.bookedBalance(), booked + 10e6, "booked");
    }

    /// @notice Tokens sent to the fund directly are held but not booked: only `fund` books.
    function test_fund__directTransfer__isNotBooked() public {
        (uint256 booked, uint256 held) = _insuranceBooks();
        usdc.mint(OTHER, 500);
        vm.prank(OTHER);
        usdc.transfer(address(insurance), 500);
        assertEq(insurance.bookedBalance(), booked, "not booked");
        assertEq(usdc.balanceOf(address(insurance)), held + 500, "held");
    }
}
