// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";

/// @title InsuranceFundWithdrawFlowTest
/// @notice `InsuranceFund.withdraw` (governance) (fixture: CoreFlowBase).
contract InsuranceFundWithdrawFlowTest is CoreFlowBase {
    /// @notice Governance withdraws from the fund to an address, within its booked balance.
    function test_withdraw__governance__paysOut() public {
        _fundInsurance(18e6);
        insurance.withdraw(OTHER, 8e6);
        assertEq(usdc.balanceOf(OTHER), 8e6, "paid");
        assertEq(insurance.bookedBalance(), 10e6, "booked");
        vm.expectRevert(abi.encodeWithSignature("InsufficientBalance(uint256,uint256)", 11e6, 10e6));
        insurance.withdraw(OTHER, 11e6);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        insurance.withdraw(address(0), 1);
    }

    /// @notice A governance withdrawal is announced with the receiver and the amount.
    function test_withdraw__governance__emitsGovernanceWithdrawal() public {
        _fundInsurance(50e6);
        vm.expectEmit(true, false, false, true, address(insurance));
        emit IInsuranceFund.GovernanceWithdrawal(OTHER, 20e6);
        insurance.withdraw(OTHER, 20e6);
        assertEq(insurance.bookedBalance(), 30e6, "booked");
    }

    /// @notice Only the admin withdraws: anyone else reverts, the fund untouched.
    function test_withdraw__notAdmin__reverts() public {
        _fundInsurance(50e6);
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", OTHER, bytes32(0)));
        vm.prank(OTHER);
        insurance.withdraw(OTHER, 1);
        assertEq(insurance.bookedBalance(), 50e6, "nothing left the fund");
    }
}
