// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";

/// @title InsuranceFundSweepFlowTest
/// @notice `InsuranceFund.sweep`: the excess above the target goes to the Pool (fixture: CoreFlowBase).
contract InsuranceFundSweepFlowTest is CoreFlowBase {
    /// @notice The InsuranceFund above its target sweeps the excess to the Pool; at or below it the sweep reverts.
    function test_sweep__aboveTarget__excessToThePool() public {
        _fundInsurance(18e6);
        insurance.setTarget(10e6);
        uint256 reserve = pool.reserves(address(usdc));
        vm.prank(KEEPER);
        uint256 swept = insurance.sweep();
        assertEq(swept, 8e6, "the excess");
        assertEq(insurance.bookedBalance(), 10e6, "the target stays");
        assertEq(pool.reserves(address(usdc)), reserve + 8e6, "into the Pool's reserve");
        vm.expectRevert(abi.encodeWithSignature("NothingToSweep(uint256,uint256)", 10e6, 10e6));
        insurance.sweep();
    }

    /// @notice A sweep is announced with the amount and the caller, and the excess raises the LPs' share price.
    function test_sweep__aboveTarget__emitsSweptAndRaisesTheSharePrice() public {
        _fundInsurance(INSURANCE_TARGET + 7_000e6);
        uint256 price = pool.sharePrice(false);
        vm.expectEmit(true, false, false, true, address(insurance));
        emit IInsuranceFund.Swept(7_000e6, KEEPER);
        vm.prank(KEEPER);
        insurance.sweep();
        assertEq(insurance.bookedBalance(), INSURANCE_TARGET, "the target stays");
        assertGt(pool.sharePrice(false), price, "the share price rose");
    }
}
