// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {MarginEngine} from "../../../contracts/MarginEngine.sol";
import {MarginEngineGovernance} from "../../../contracts/MarginEngineGovernance.sol";
import {MarginEngineStorage} from "../../../contracts/base/MarginEngineStorage.sol";
import {EngineGovernanceBase} from "../utils/EngineGovernanceBase.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";

/// @title MarginEngineGovernanceTest
/// @notice the MarginEngineGovernance's bounded governance setters (fixture: EngineGovernanceBase).
contract MarginEngineGovernanceTest is EngineGovernanceBase {
    /// @notice Values outside their bounds revert with the bounds, above and below.
    function test_setters__outside__reverts() public {
        vm.expectRevert(_bounds("insuranceFeeShareBps", 10_001, 0, 10_000));
        engine.setInsuranceFeeShare(10_001);
        vm.expectRevert(_bounds("adlThresholdBps", 999, 1_000, 10_000));
        engine.setAdlParams(999, 0);
        engine.setAdlParams(1_000, 999);
        (uint256 threshold, uint256 target) = engine.adlParams();
        assertEq(threshold * 10_000 + target, 1_000 * 10_000 + 999, "at the bounds");
    }

    /// @notice ADL must stop below where it starts (a target at the threshold reverts with the bounds), and its
    /// parameters are the admin's alone: a risk manager reverts; the admin's pair is stored and announced.
    function test_setAdlParams__targetAtThresholdOrNotAdmin__reverts() public {
        vm.expectRevert(_bounds("adlTargetBps", 2_000, 0, 1_999));
        engine.setAdlParams(2_000, 2_000);
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", RM, bytes32(0)));
        vm.prank(RM);
        engine.setAdlParams(2_000, 1_000);
        vm.expectEmit(false, false, false, true, address(engine));
        emit IMarginEngineTypes.AdlParamsSet(2_000, 1_000);
        engine.setAdlParams(2_000, 1_000);
        (uint256 threshold, uint256 target) = engine.adlParams();
        assertEq(threshold, 2_000, "threshold");
        assertEq(target, 1_000, "target");
    }
}
