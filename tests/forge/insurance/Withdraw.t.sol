// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {InsuranceFund} from "../../../contracts/InsuranceFund.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {Vm} from "../utils/Vm.sol";

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
}
