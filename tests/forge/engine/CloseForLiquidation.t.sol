// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {ScalingGasBase} from "../gas/BenchGas.t.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title MarginEngineCloseForLiquidationScalingTest
/// @notice `MarginEngine.closeForLiquidation` returns the maintenance equity and margin after the close by taking the
/// parts the close changes (positions and cash) out of the health read before it and putting them back after: the
/// result must be exactly what `liquidationHealth` returns after the close, for every account shape (1, 4 or 7
/// collateral tokens plus cash, 1, 4 or 8 positions), close fraction and price fall (healthy to insolvent, with the
/// borrow fees of the elapsed time).
contract MarginEngineCloseForLiquidationScalingTest is ScalingGasBase {
    function setUp() public {
        _deployScaling();
    }

    function testFuzz_closeForLiquidation__any_account_fraction_and_fall__returns_the_health_after(
        uint256 cell,
        uint256 fractionBps,
        uint256 fallBps,
        uint256 elapsed
    ) public {
        cell = bound(cell, 0, 8);
        fractionBps = bound(fractionBps, 1, 10_000);
        elapsed = bound(elapsed, 0, 30 days);
        vm.warp(block.timestamp + elapsed);
        _crashMarkets(bound(fallBps, 0, 7_000));
        address account = accountOf[TOKENS[cell / 3]][POSITIONS[cell % 3]];
        IMarginEngineTypes.Health memory before = engine.liquidationHealth(account);

        vm.prank(address(liquidator));
        (uint256 closed, int256 equity, uint256 margin) =
            engine.closeForLiquidation(account, fractionBps, before.maintenanceEquity);

        IMarginEngineTypes.Health memory afterClose = engine.liquidationHealth(account);
        assertEq(equity, afterClose.maintenanceEquity, "maintenance equity after the close");
        assertEq(margin, afterClose.maintenanceMargin, "maintenance margin after the close");
        assertTrue(closed > 0, "nothing closed");
        if (fractionBps == 10_000) assertEq(margin, 0, "a full close leaves a margin");
    }
}

/// @title MarginEngineCloseForLiquidationTest
/// @notice `MarginEngine.closeForLiquidation` (Liquidator only): the fraction closed and the health after (fixture: MarginEngineBase).
contract MarginEngineCloseForLiquidationTest is MarginEngineBase {
    /// @notice A half close of a position held in market 1 only: 0.5 WBTC at 60,000 closed, market 0 untouched, and the
    /// returned equity and margin are the liquidation health's after the close.
    function test_closeForLiquidation__half__closesHalf() public {
        _openWbtc(1e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        vm.recordLogs();
        vm.prank(address(liquidator));
        (uint256 closed, int256 equityAfter, uint256 marginAfter) =
            engine.closeForLiquidation(TRADER, 5_000, h.maintenanceEquity);
        assertEq(_count(vm.getRecordedLogs(), address(engine), POSITION_MODIFIED), 1, "one market closed");
        assertEq(closed, 30_000e18, "notional closed");
        assertEq(int256(engine.position(TRADER, 1).size), 0.5e18, "half left");
        assertEq(engine.position(TRADER, 0).entryIndex, 0, "market 0 untouched");
        IMarginEngineTypes.Health memory a = engine.liquidationHealth(TRADER);
        assertEq(equityAfter, a.maintenanceEquity, "equity after");
        assertEq(marginAfter, a.maintenanceMargin, "margin after");
    }

    /// @notice A zero fraction, or one that would leave less than the minimum size, closes everything.
    function test_closeForLiquidation__zeroOrDust__closesAll() public {
        _openWbtc(0.5e18);
        vm.prank(address(liquidator));
        (uint256 closed,,) = engine.closeForLiquidation(TRADER, 9_999, 0);
        assertEq(closed, 30_000e18, "all closed rather than dust");
        assertEq(int256(engine.position(TRADER, 1).size), 0, "nothing left");
        _open(TRADER, 1, 0.5e18);
        vm.prank(address(liquidator));
        (closed,,) = engine.closeForLiquidation(TRADER, 0, 0);
        assertEq(closed, 30_000e18, "a zero fraction closes all");
        assertEq(int256(engine.position(TRADER, 1).size), 0, "nothing left again");
    }
}
