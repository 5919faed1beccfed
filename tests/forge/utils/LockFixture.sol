// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ProtocolLock} from "../../../contracts/ProtocolLock.sol";
import {BaseTest} from "./BaseTest.sol";

/// @title LockFixture
/// @notice A ProtocolLock whose four core members are plain addresses the test pranks as.
abstract contract LockFixture is BaseTest {
    address internal constant POOL = address(0x1001);
    address internal constant ENGINE = address(0x1002);
    address internal constant LIQUIDATOR = address(0x1003);
    address internal constant FUND = address(0x1004);
    address internal constant STRANGER = address(0x5555);

    ProtocolLock internal lock;

    function setUp() public virtual {
        lock = new ProtocolLock([POOL, ENGINE, LIQUIDATOR, FUND]);
    }
}
