// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";
import {ScalingGasBase} from "./BenchGas.t.sol";

/// @title LiquidationClose
/// @notice `MarginEngine.closeForLiquidation` returns the maintenance equity and margin after the close by taking the
/// parts the close changes (positions and cash) out of the health read before it and putting them back after: the
/// result must be exactly what `liquidationHealth` returns after the close, for every account shape (1, 4 or 7
/// collateral tokens plus cash, 1, 4 or 8 positions), close fraction and price fall (healthy to insolvent, with the
/// borrow fees of the elapsed time).
contract LiquidationCloseTest is ScalingGasBase {
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
