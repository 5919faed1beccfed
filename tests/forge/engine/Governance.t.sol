// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {MarginEngine} from "../../../contracts/MarginEngine.sol";
import {MarginEngineExtension} from "../../../contracts/MarginEngineExtension.sol";
import {MarginEngineStorage} from "../../../contracts/base/MarginEngineStorage.sol";
import {EngineGovernanceBase} from "../utils/EngineGovernanceBase.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";

/// @title MarginEngineGovernanceTest
/// @notice the MarginEngineExtension's bounded governance setters (fixture: EngineGovernanceBase).
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
}
