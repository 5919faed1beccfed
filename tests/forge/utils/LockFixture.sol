// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {PoolStorage} from "../../../contracts/base/PoolStorage.sol";
import {BaseTest} from "./BaseTest.sol";

/// @title LockFixture
/// @notice A Pool, which holds the shared lock, whose three other core members are plain addresses the test pranks as
/// (and so is the Pool's own address). Deployed from its artifact; nothing listed, no product added.
abstract contract LockFixture is BaseTest {
    address internal constant ENGINE = address(0x1002);
    address internal constant LIQUIDATOR = address(0x1003);
    address internal constant FUND = address(0x1004);
    address internal constant STRANGER = address(0x5555);
    address internal constant ORACLE = address(0x1006);
    address internal constant SETTLEMENT = address(0x1007);

    /// @dev The Pool: the shared lock (`IProtocolLock` at its address).
    IPool internal lock;
    /// @dev The Pool's address, the first core member.
    address internal pool;

    function setUp() public virtual {
        address me = address(this);
        PoolStorage.Wiring memory w =
            PoolStorage.Wiring(IOracleAggregator(ORACLE), SETTLEMENT, ENGINE, LIQUIDATOR, FUND, me, me, me);
        pool = _deploy("Pool.sol:Pool", abi.encode(w, IPoolTypes.RateModel(0, 400, 8_000, 7_500), 9_000, 900));
        lock = IPool(pool);
    }
}
