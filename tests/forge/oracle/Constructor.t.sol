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

    /// @notice The admin given to the constructor holds DEFAULT_ADMIN_ROLE and not GUARDIAN_ROLE, the guardian holds
    /// GUARDIAN_ROLE and not DEFAULT_ADMIN_ROLE, another account neither; the limits are 8 sources and 512 slots.
    function test_constructor__rolesAndLimits__set() public view {
        address stranger = address(0x5555);
        assertTrue(oracle.hasRole(oracle.DEFAULT_ADMIN_ROLE(), address(this)), "admin holds DEFAULT_ADMIN_ROLE");
        assertTrue(!oracle.hasRole(oracle.GUARDIAN_ROLE(), address(this)), "admin holds GUARDIAN_ROLE");
        assertTrue(oracle.hasRole(oracle.GUARDIAN_ROLE(), GUARDIAN), "guardian holds GUARDIAN_ROLE");
        assertTrue(!oracle.hasRole(oracle.DEFAULT_ADMIN_ROLE(), GUARDIAN), "guardian holds DEFAULT_ADMIN_ROLE");
        assertTrue(!oracle.hasRole(oracle.DEFAULT_ADMIN_ROLE(), stranger), "stranger holds DEFAULT_ADMIN_ROLE");
        assertTrue(!oracle.hasRole(oracle.GUARDIAN_ROLE(), stranger), "stranger holds GUARDIAN_ROLE");
        assertEq(uint256(oracle.minTwapWindow()), MIN_WINDOW, "minTwapWindow");
        assertEq(oracle.MAX_SOURCES(), 8, "MAX_SOURCES");
        assertEq(uint256(oracle.MAX_BUFFER_SIZE()), 512, "MAX_BUFFER_SIZE");
    }
}
