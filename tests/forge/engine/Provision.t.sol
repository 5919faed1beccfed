// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {PayoutsBase} from "../utils/PayoutsBase.sol";

/// @title MarginEngineProvisionPayoutsTest
/// @notice `MarginEngine.provision`: known losses provisioned in the Pool's lower NAV (fixture: PayoutsBase).
contract MarginEngineProvisionPayoutsTest is PayoutsBase {
    /// @notice WETH at 2,000 leaves the bench long insolvent before anyone liquidates it. Once a keeper records the
    /// provision, the lower share price already counts the loss: an LP redeeming before the liquidation gets no more
    /// than one redeeming after it (the provision is the maintenance shortfall, at least the deficit LPs bear).
    function test_provision__underwaterAccount__lpCannotExitAheadOfTheLoss() public {
        _openBenchLong(TRADER);
        _settleWethAt(2_000e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(h.maintenanceEquity < 0, "insolvent");
        uint256 before = pool.sharePrice(false);
        address[] memory accounts = new address[](1);
        accounts[0] = TRADER;
        vm.prank(KEEPER);
        engine.provision(accounts);
        assertEq(engine.provisionOf(TRADER), uint256(-h.maintenanceEquity), "minus its maintenance equity");
        uint256 provisioned = pool.sharePrice(false);
        assertLt(provisioned, before, "the lower share price counts the loss at once");
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(engine.totalProvision(), 0, "the liquidation cleared the provision");
        uint256 settled = pool.sharePrice(false);
        assertLe(provisioned, settled, "redeeming before the liquidation pays no more than after it");
        assertLt(settled, before, "the deficit did reach the LPs");
    }

    /// @notice A provision is recomputed, never stale in the Pool's favour: refreshing a recovered account clears it,
    /// and an account whose prices a liquidation could not use cannot be provisioned (ProvisionUnpriced).
    function test_provision__recoveredOrUnpriced__clearedOrRefused() public {
        _openBenchLong(TRADER);
        _settleWethAt(2_000e18);
        address[] memory accounts = new address[](1);
        accounts[0] = TRADER;
        engine.provision(accounts);
        assertGt(engine.totalProvision(), 0, "provisioned");
        _settleWethAt(3_000e18);
        engine.provision(accounts);
        assertEq(engine.provisionOf(TRADER), 0, "recovered: nothing provisioned");
        assertEq(engine.totalProvision(), 0, "total cleared");
        vm.warp(vm.getBlockTimestamp() + MAX_PRICE_AGE + 1);
        vm.expectRevert(abi.encodeWithSelector(IMarginEngineTypes.ProvisionUnpriced.selector, TRADER, 0));
        engine.provision(accounts);
    }
}
