// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IErrors} from "../../../interfaces/IErrors.sol";
import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {ILiquidator} from "../../../interfaces/ILiquidator.sol";
import {IMarginEngine, IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {Liquidator} from "../../../contracts/Liquidator.sol";
import {MockFalseToken} from "../../../contracts/mocks/MockTokens.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {LiquidationLivenessBase} from "../utils/LiquidationLivenessBase.sol";
import {LiquidatorBase} from "../utils/LiquidatorBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title LiquidatorSetParamsTest
/// @notice `Liquidator.setParams`: bounds of the liquidation parameters (fixture: LiquidatorBase).
contract LiquidatorSetParamsTest is LiquidatorBase {
    /// @notice Every parameter outside its bounds reverts with its name, value and bounds; the bounds themselves are
    /// accepted.
    function test_setParams__outOfBounds__revertsWithTheBounds() public {
        _expectOutOfBounds(_params(999, 5_000, 100, 3_000), "closeFactorBps", 999, 1_000, 10_000);
        _expectOutOfBounds(_params(10_001, 5_000, 100, 3_000), "closeFactorBps", 10_001, 1_000, 10_000);
        _expectOutOfBounds(_params(5_000, 10_001, 100, 3_000), "criticalHealthBps", 10_001, 0, 10_000);
        _expectOutOfBounds(_params(5_000, 5_000, 100, 10_001), "keeperShareBps", 10_001, 0, 10_000);
        liquidator.setParams(ILiquidator.Params(1_000, 10_000, 0, 0, 10_000, 0, 0));
        assertEq(liquidator.params().closeFactorBps, 1_000, "lower bound accepted");
        liquidator.setParams(ILiquidator.Params(10_000, 0, 499, 499, 0, 1e6, 50e18));
        assertEq(liquidator.penaltyBps(), 499, "just under the markets' 5 % maintenance fraction");
    }

    /// @notice A penalty at or above a market's maintenance fraction (5 %) is refused: liquidating at the threshold
    /// would create bad debt. The absolute bound (10 %) comes first.
    function test_setParams__penaltyAtMaintenanceFraction__reverts() public {
        _expectOutOfBounds(_params(5_000, 5_000, 500, 3_000), "maxPenaltyBps", 500, 500, 499);
        _expectOutOfBounds(_params(5_000, 5_000, 1_001, 3_000), "penaltyBps", 1_001, 0, 1_000);
    }
}

/// @title LiquidatorSetParamsLivenessTest
/// @notice `Liquidator.setParams`: bounds of the liquidation parameters (fixture: LiquidationLivenessBase).
contract LiquidatorSetParamsLivenessTest is LiquidationLivenessBase {
    /// @notice The largest penalty stays below every market's maintenance fraction (5 %) and at or above the base.
    function test_setParams__maxPenaltyOutOfBounds__reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(IErrors.ParamOutOfBounds.selector, bytes32("maxPenaltyBps"), 500, 100, 499)
        );
        liquidator.setParams(ILiquidator.Params(5_000, 5_000, 100, 500, 3_000, 1e6, 50e18));
        vm.expectRevert(
            abi.encodeWithSelector(IErrors.ParamOutOfBounds.selector, bytes32("maxPenaltyBps"), 99, 100, 1_000)
        );
        liquidator.setParams(ILiquidator.Params(5_000, 5_000, 100, 99, 3_000, 1e6, 50e18));
        liquidator.setParams(ILiquidator.Params(5_000, 5_000, 100, 499, 3_000, 1e6, 50e18));
        assertEq(liquidator.penaltyBps(), 499, "the largest penalty");
    }
}
