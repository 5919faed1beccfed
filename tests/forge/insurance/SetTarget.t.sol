// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";

/// @title InsuranceFundSetTargetFlowTest
/// @notice `InsuranceFund.setTarget` (governance) (fixture: CoreFlowBase).
contract InsuranceFundSetTargetFlowTest is CoreFlowBase {
    address internal constant RM = address(0x5555);

    /// @notice Only the admin sets the target: a stranger and a risk manager revert; the admin's target is stored and
    /// announced.
    function test_setTarget__adminOnly__storesAndEmits() public {
        insurance.grantRole(insurance.RISK_MANAGER_ROLE(), RM);
        address[2] memory callers = [OTHER, RM];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", callers[i], bytes32(0))
            );
            vm.prank(callers[i]);
            insurance.setTarget(1);
        }
        vm.expectEmit(false, false, false, true, address(insurance));
        emit IInsuranceFund.TargetSet(123);
        insurance.setTarget(123);
        assertEq(insurance.target(), 123, "stored");
    }
}
