// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {ITraderBook} from "../../../interfaces/ITraderBook.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";

/// @title PoolTransferTest
/// @notice LP share transfers under the deposit lock-up (fixture: StandalonePoolBase).
contract PoolTransferTest is StandalonePoolBase {
    /// @notice A deposit locks its shares until now + 900: a transfer or a withdrawal reverts CooldownActive; at
    /// exactly the unlock time nothing is locked and both work.
    function test_transfer__untilTheCooldownEnds__revertsCooldownActive() public {
        _lp(LP, usdc, 1_000e6);
        (uint256 locked, uint256 unlocksAt) = pool.lockedShares(LP);
        assertEq(locked, 1_000e18, "locked shares");
        assertEq(unlocksAt, T0 + LP_COOLDOWN, "unlock time");
        vm.expectRevert(abi.encodeWithSignature("CooldownActive(address,uint256,uint256)", LP, 1_000e18, T0 + 900));
        vm.prank(LP);
        pool.transfer(OTHER, 1);
        vm.expectRevert(abi.encodeWithSignature("CooldownActive(address,uint256,uint256)", LP, 1_000e18, T0 + 900));
        vm.prank(LP);
        pool.withdraw(1e18, address(usdc), 0, LP);
        vm.warp(T0 + LP_COOLDOWN);
        (locked, unlocksAt) = pool.lockedShares(LP);
        assertEq(locked + unlocksAt, 0, "nothing locked at the unlock time");
        vm.prank(LP);
        pool.transfer(OTHER, 1_000e18); // the whole balance, with the expired lock-up still stored
        assertEq(pool.balanceOf(OTHER), 1_000e18, "transferred");
    }

    /// @notice Shares received on top of locked ones can move: LP holds 1,000 locked and 500 unlocked from OTHER and
    /// sends those 500 on, but not one more.
    function test_transfer__sharesAboveTheLocked__move() public {
        _lp(OTHER, usdc, 500e6);
        vm.warp(T0 + LP_COOLDOWN);
        vm.prank(OTHER);
        pool.transfer(LP, 500e18);
        _lp(LP, usdc, 1_000e6);
        vm.prank(LP);
        pool.transfer(OTHER, 500e18);
        assertEq(pool.balanceOf(LP), 1_000e18, "the locked shares stay");
        vm.expectRevert(
            abi.encodeWithSignature("CooldownActive(address,uint256,uint256)", LP, 1_000e18, T0 + 2 * LP_COOLDOWN)
        );
        vm.prank(LP);
        pool.transfer(OTHER, 1);
    }
}
