// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title MarginEngineAbsorbCollateralTest
/// @notice `MarginEngine.absorbCollateral` (Liquidator only): collateral moved into the Pool (fixture: MarginEngineBase).
contract MarginEngineAbsorbCollateralTest is MarginEngineBase {
    /// @notice Absorbing everything takes every held asset (here WETH only, the second bit) straight into the Pool's
    /// reserves and returns its value at the lower liquidation price.
    function test_absorbCollateral__all__movesEveryAssetIntoThePool() public {
        _deposit(TRADER, weth, 10e18);
        uint256 reserve = pool.reserves(address(weth));
        vm.prank(address(liquidator));
        uint256 moved = engine.absorbCollateral(TRADER, type(uint256).max);
        assertEq(moved, 30_000e18, "10 WETH at 3,000");
        assertEq(pool.reserves(address(weth)), reserve + 10e18, "into the reserves");
        assertEq(weth.balanceOf(address(liquidator)), 0, "nothing passes through the Liquidator");
        assertEq(engine.totalCollateral(address(weth)), 0, "total");
        (uint16 mask,) = engine.accountMasks(TRADER);
        assertEq(uint256(mask), 0, "mask cleared");
    }

    /// @notice Absorbing a value takes that much (rounded up to a unit) and leaves the rest, and the mask, in place.
    function test_absorbCollateral__part__leavesTheRest() public {
        _deposit(TRADER, weth, 10e18);
        vm.prank(address(liquidator));
        uint256 moved = engine.absorbCollateral(TRADER, 4_500e18);
        assertEq(moved, 4_500e18, "the value asked");
        assertEq(engine.collateralBalance(TRADER, address(weth)), 8.5e18, "1.5 WETH taken");
        (uint16 mask,) = engine.accountMasks(TRADER);
        assertTrue(mask != 0, "the asset is still held");
    }
}
