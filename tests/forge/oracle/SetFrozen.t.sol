// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IErrors} from "../../../interfaces/IErrors.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {OracleConfigBase} from "../utils/OracleConfigBase.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {OracleLivenessBase} from "../utils/OracleLivenessBase.sol";

/// @title OracleSetFrozenLivenessTest
/// @notice `OracleAggregator.setFrozen`: guardian freezes, their expiry, and exits while frozen (fixture: OracleLivenessBase).
contract OracleSetFrozenLivenessTest is OracleLivenessBase {
    /// @notice While WETH is frozen: new risk and LP withdrawals are refused, but a trader closes and a keeper
    /// liquidates at the sources' price. The guardian cannot chain freezes; the freeze ends by itself after
    /// `maxFreezeDuration` (1 day); only governance renews it.
    function test_setFrozen__expiry__endsTheFreezeAndNeverBlocksExits() public {
        _openBenchLong(TRADER);
        _deposit(OTHER, usdc, 100_000e6);
        _nextBlock();
        _open(OTHER, 0, 10e18);
        _nextBlock();
        oracle.setFrozen(address(weth), true);
        uint256 until = vm.getBlockTimestamp() + 1 days;
        assertEq(oracle.frozenUntil(address(weth)), until, "a day");
        assertEq(uint256(_status(address(weth))), uint256(IOracleAggregator.Status.Frozen), "frozen");

        // New risk and LP mint/burn are braked.
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleAggregator.PriceUnavailable.selector,
                address(weth),
                IOracleAggregator.Action.AddRisk,
                IOracleAggregator.Status.Frozen
            )
        );
        _open(OTHER, 0, 1e18);
        uint256 shares = pool.balanceOf(LP) / 100;
        vm.prank(LP);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleAggregator.PriceUnavailable.selector,
                address(weth),
                IOracleAggregator.Action.Value,
                IOracleAggregator.Status.Frozen
            )
        );
        pool.withdraw(shares, address(usdc), 0, LP);

        // Exits are not: a close, and a liquidation after a crash, while still frozen.
        vm.prank(OTHER);
        engine.modifyPosition(0, -10e18, 0);
        assertEq(int256(engine.position(OTHER, 0).size), 0, "closed while frozen");
        _setFeed(address(weth), 2_000e18);
        _settlePrices();
        assertEq(uint256(_status(address(weth))), uint256(IOracleAggregator.Status.Frozen), "still frozen");
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "liquidated while frozen");

        // The guardian may not chain freezes; the freeze expires by itself; governance renews.
        oracle.setFrozen(address(weth), false);
        uint256 allowedAt = vm.getBlockTimestamp() + 1 days;
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.FreezeTooSoon.selector, address(weth), allowedAt));
        oracle.setFrozen(address(weth), true);
        oracle.freezeFor(address(weth), 2 hours);
        vm.warp(vm.getBlockTimestamp() + 2 hours);
        _settlePrices();
        assertEq(uint256(_status(address(weth))), uint256(IOracleAggregator.Status.Ok), "expired by itself");
        vm.prank(LP);
        pool.withdraw(shares, address(usdc), 0, LP);
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.InvalidFreezeDuration.selector, 1 days + 1, 1 days));
        oracle.freezeFor(address(weth), 1 days + 1);
    }
}

/// @title OracleSetFrozenTest
/// @notice `OracleAggregator.setFrozen`: guardian freezes, their expiry, and exits while frozen (fixture: OracleConfigBase).
contract OracleSetFrozenTest is OracleConfigBase {
    /// @notice Freezing an unlisted asset reverts AssetNotListed(asset).
    function test_setFrozen__unlisted__reverts() public {
        vm.prank(GUARDIAN);
        vm.expectRevert(abi.encodeWithSignature("AssetNotListed(address)", ASSET));
        oracle.setFrozen(ASSET, true);
        _list(ASSET, _config(_one(feedB), 1));
        _guardianSetFrozen(true);
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Frozen), "listed asset frozen");
    }

    /// @notice Unfreezing an unfrozen asset reverts FreezeUnchanged(asset, false), freezing a frozen one
    /// FreezeUnchanged(asset, true); freeze then unfreeze moves the status Ok -> Frozen -> Ok with FreezeSet events.
    function test_setFrozen__unchangedState__reverts() public {
        _list(ASSET, _config(_one(feedB), 1));
        oracle.update(ASSET);
        vm.prank(GUARDIAN);
        vm.expectRevert(abi.encodeWithSignature("FreezeUnchanged(address,bool)", ASSET, false));
        oracle.setFrozen(ASSET, false);

        vm.expectEmit(true, true, false, true, address(oracle));
        emit IOracleAggregator.FreezeSet(ASSET, true, GUARDIAN, block.timestamp + 1 days);
        _guardianSetFrozen(true);
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Frozen), "frozen");

        vm.prank(GUARDIAN);
        vm.expectRevert(abi.encodeWithSignature("FreezeUnchanged(address,bool)", ASSET, true));
        oracle.setFrozen(ASSET, true);

        vm.expectEmit(true, true, false, true, address(oracle));
        emit IOracleAggregator.FreezeSet(ASSET, false, GUARDIAN, block.timestamp);
        _guardianSetFrozen(false);
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Ok), "unfrozen");
        assertEq(oracle.priceForRisk(ASSET, true), P, "priced again once unfrozen");
    }

    /// @notice The admin, a keeper and a stranger revert AccessControlUnauthorizedAccount(caller, GUARDIAN_ROLE); the
    /// asset stays Ok.
    function test_setFrozen__callerWithoutGuardianRole__reverts() public {
        _list(ASSET, _config(_one(feedB), 1));
        oracle.update(ASSET);
        address[3] memory callers = [address(this), address(0x4444), address(0x5555)];
        for (uint256 i = 0; i < callers.length; ++i) {
            _expectUnauthorized(callers[i], oracle.GUARDIAN_ROLE());
            oracle.setFrozen(ASSET, true);
        }
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Ok), "not frozen");
    }

    /// @notice An account the admin grants GUARDIAN_ROLE can freeze.
    function test_setFrozen__roleGrantedByAdmin__canFreeze() public {
        address keeper = address(0x4444);
        _list(ASSET, _config(_one(feedB), 1));
        oracle.update(ASSET);
        oracle.grantRole(oracle.GUARDIAN_ROLE(), keeper);
        vm.prank(keeper);
        oracle.setFrozen(ASSET, true);
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Frozen), "frozen by the new guardian");
    }
}
