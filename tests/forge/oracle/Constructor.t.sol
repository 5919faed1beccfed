// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {OracleConfigBase} from "../utils/OracleConfigBase.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";

/// @title OracleConstructorTest
/// @notice the OracleAggregator's constructor (fixture: OracleConfigBase).
contract OracleConstructorTest is OracleConfigBase {
    /// @notice A zero minimum TWAP window reverts InvalidMinTwapWindow(); a non-zero one is stored.
    function test_constructor__zeroMinWindow__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("InvalidMinTwapWindow()"));
        new OracleAggregator(address(this), GUARDIAN, 0);
        OracleAggregator other = new OracleAggregator(address(this), GUARDIAN, 1);
        assertEq(uint256(other.minTwapWindow()), 1, "minTwapWindow of 1 accepted");
        assertEq(uint256(oracle.minTwapWindow()), MIN_WINDOW, "fixture minTwapWindow");
    }
}
