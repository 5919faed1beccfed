// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IErrors} from "../../../interfaces/IErrors.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {OracleLivenessBase} from "../utils/OracleLivenessBase.sol";

/// @title OracleSetLivenessParamsTest
/// @notice `OracleAggregator.setLivenessParams`: bounds of the freeze and wind-down parameters (fixture: OracleLivenessBase).
contract OracleSetLivenessParamsTest is OracleLivenessBase {
    /// @notice The liveness bounds are governed within fixed limits.
    function test_setLivenessParams__outOfBounds__reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IErrors.ParamOutOfBounds.selector, bytes32("maxFreezeDuration"), 8 days, 1 hours, 7 days
            )
        );
        oracle.setLivenessParams(IOracleAggregator.LivenessParams(8 days, 1 days, 1 hours));
        vm.expectRevert(
            abi.encodeWithSelector(
                IErrors.ParamOutOfBounds.selector, bytes32("windDownAfter"), 59 minutes, 1 hours, 30 days
            )
        );
        oracle.setLivenessParams(IOracleAggregator.LivenessParams(1 days, 59 minutes, 1 hours));
        vm.expectRevert(
            abi.encodeWithSelector(
                IErrors.ParamOutOfBounds.selector, bytes32("windDownDelay"), 5 minutes, 10 minutes, 7 days
            )
        );
        oracle.setLivenessParams(IOracleAggregator.LivenessParams(1 days, 1 days, 5 minutes));
        oracle.setLivenessParams(IOracleAggregator.LivenessParams(1 hours, 1 hours, 10 minutes));
        assertEq(oracle.livenessParams().windDownAfter, 1 hours, "set");
    }
}
