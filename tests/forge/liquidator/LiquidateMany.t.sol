// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IErrors} from "../../../interfaces/IErrors.sol";
import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {ILiquidator} from "../../../interfaces/ILiquidator.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {Liquidator} from "../../../contracts/Liquidator.sol";
import {MockFalseToken} from "../../../contracts/mocks/MockTokens.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {LiquidationLivenessBase} from "../utils/LiquidationLivenessBase.sol";
import {LiquidatorBase} from "../utils/LiquidatorBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title LiquidatorLiquidateManyTest
/// @notice `Liquidator.liquidateMany`: batches that skip healthy and failing accounts (fixture: LiquidatorBase).
contract LiquidatorLiquidateManyTest is LiquidatorBase {
    /// @notice `liquidateMany` liquidates the liquidatable accounts of the batch, skips the others and returns how many
    /// it liquidated.
    function test_liquidateMany__oneLiquidatableOneHealthy__liquidatesOnlyTheLiquidatable() public {
        _deposit(OTHER, weth, 1e18);
        _settleWethAt(2_400e18);
        address[] memory batch = new address[](2);
        (batch[0], batch[1]) = (TRADER, OTHER);
        vm.prank(KEEPER);
        uint256 liquidated = liquidator.liquidateMany(batch);
        assertEq(liquidated, 1, "one liquidated");
        assertEq(int256(engine.position(TRADER, 0).size), 15e18, "the liquidatable account was half closed");
        // The account has no credit: its 1 USDC + 30 % of the 360 USDC penalty is paid in its WETH at 2,400.
        assertEq(_keeperHolds(weth), _wethFor(109e6, 1e18, 2_400e18), "keeper reward in WETH");
        assertEq(engine.collateralBalance(OTHER, address(weth)), 1e18, "the healthy account is untouched");
    }

    /// @notice Every liquidation of a batch reads the settlement price once, afresh for each account, as a single
    /// liquidation does: its health, close and charge use that one read.
    function test_liquidateMany__twoLiquidations__settlementPriceReadOnceForEachAccount() public {
        address third = _actor("third");
        _openBenchLong(OTHER);
        _openBenchLong(third);
        _settleWethAt(2_400e18);
        address[] memory batch = new address[](2);
        (batch[0], batch[1]) = (TRADER, OTHER);
        bytes memory settlementRead =
            abi.encodeCall(IOracleAggregator.priceBounds, (address(usdc), IOracleAggregator.Action.Liquidate));
        vm.expectCall(address(oracle), settlementRead, 3);
        vm.startPrank(KEEPER);
        assertEq(liquidator.liquidateMany(batch), 2, "both liquidated");
        liquidator.liquidate(third);
        vm.stopPrank();
        assertEq(int256(engine.position(third, 0).size), 15e18, "the liquidation after the batch half closed");
    }

    /// @notice A gas limit too small for an account's liquidation reverts the batch (`BatchOutOfGas`) instead of
    /// skipping the account with an empty `LiquidationFailed`: the account stays liquidatable for a batch sent with
    /// enough gas, and a node's estimate cannot settle on a limit that liquidates nothing.
    function test_liquidateMany__gasTooSmallForAnAccount__revertsBatchOutOfGas() public {
        _settleWethAt(2_400e18);
        address[] memory batch = new address[](1);
        batch[0] = TRADER;
        vm.prank(KEEPER);
        (bool ok, bytes memory reason) =
            address(liquidator).call{gas: 120_000}(abi.encodeCall(liquidator.liquidateMany, (batch)));
        assertTrue(!ok, "the batch reverted");
        assertEq(bytes4(reason), ILiquidator.BatchOutOfGas.selector, "BatchOutOfGas");
        assertTrue(engine.liquidationHealth(TRADER).liquidatable, "still liquidatable");
        vm.prank(KEEPER);
        assertEq(liquidator.liquidateMany(batch), 1, "liquidated with enough gas");
    }

    /// @dev KEEPER's `liquidateMany(batch)`: the accounts of its Liquidated and Skipped events (at most one each).
    function _batchOutcome(address[] memory batch) internal returns (address liquidated, address skipped, uint256 n) {
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidateMany(batch);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(liquidator)) continue;
            if (logs[i].topics[0] == LIQUIDATED) {
                liquidated = address(uint160(uint256(logs[i].topics[1])));
                ++n;
            } else if (logs[i].topics[0] == keccak256("Skipped(address)")) {
                skipped = address(uint160(uint256(logs[i].topics[1])));
                ++n;
            }
        }
    }

    /// @notice A batch liquidates the liquidatable account and skips a healthy one that holds a position (1 WETH long
    /// on 10 WETH), announcing each: one Liquidated, one Skipped.
    function test_liquidateMany__healthyPosition__skippedWithAnEvent() public {
        _deposit(OTHER, weth, 10e18);
        _nextBlock();
        _open(OTHER, 0, 1e18);
        _settleWethAt(2_400e18);
        address[] memory batch = new address[](2);
        (batch[0], batch[1]) = (TRADER, OTHER);
        (address liquidated, address skipped, uint256 n) = _batchOutcome(batch);
        assertEq(liquidated, TRADER, "the liquidatable account liquidated");
        assertEq(skipped, OTHER, "the healthy account skipped");
        assertEq(n, 2, "one event each");
        assertEq(int256(engine.position(OTHER, 0).size), 1e18, "the healthy position untouched");
    }

    /// @notice Prices older than the maximum age: a batch does not revert, it skips the account (Skipped) and leaves
    /// its book as it was.
    function test_liquidateMany__stalePrices__skipped() public {
        _settleWethAt(2_400e18);
        vm.warp(vm.getBlockTimestamp() + 2 hours);
        address[] memory batch = new address[](1);
        batch[0] = TRADER;
        (address liquidated, address skipped, uint256 n) = _batchOutcome(batch);
        assertEq(liquidated, address(0), "nothing liquidated");
        assertEq(skipped, TRADER, "skipped");
        assertEq(n, 1, "one event");
        assertEq(int256(engine.position(TRADER, 0).size), 30e18, "untouched");
    }
}

/// @title LiquidatorLiquidateManyLivenessTest
/// @notice `Liquidator.liquidateMany`: batches that skip healthy and failing accounts (fixture: LiquidationLivenessBase).
contract LiquidatorLiquidateManyLivenessTest is LiquidationLivenessBase {
    /// @notice Two insolvent accounts in one batch; the first holds a collateral token whose transfers now fail, so
    /// its absorb reverts. The batch skips it with `LiquidationFailed` (its books untouched) and liquidates the second;
    /// once the token works again, the first is liquidated alone.
    function test_liquidateMany__oneLiquidationReverts__othersStillLiquidated() public {
        MockFalseToken bad = new MockFalseToken();
        _listOracleAsset(address(bad), 1e18);
        pool.listAsset(address(bad), IPoolTypes.AssetParams(0, 10_000, 0, 0, CAP));
        _listCollateral(address(bad));
        bad.mint(BORROWER, 12_000e18);
        vm.startPrank(BORROWER);
        bad.approve(address(engine), 12_000e18);
        engine.deposit(address(bad), 12_000e18, BORROWER);
        vm.stopPrank();
        _nextBlock();
        _open(BORROWER, 0, 10e18);
        _openBenchLong(TRADER);
        _settleWethAt(1_750e18);
        bad.setFailing(true);
        assertTrue(engine.liquidationHealth(BORROWER).liquidatable, "the first is liquidatable");
        assertTrue(engine.liquidationHealth(TRADER).liquidatable, "the second is liquidatable");

        address[] memory batch = new address[](2);
        (batch[0], batch[1]) = (BORROWER, TRADER);
        vm.recordLogs();
        vm.prank(KEEPER);
        uint256 n = liquidator.liquidateMany(batch);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(n, 1, "one liquidated");
        assertEq(int256(engine.position(TRADER, 0).size), 0, "the second was liquidated");
        assertEq(int256(engine.position(BORROWER, 0).size), 10e18, "the first is untouched");
        uint256 failed;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == LIQUIDATION_FAILED) {
                assertEq(address(uint160(uint256(logs[i].topics[1]))), BORROWER, "the failing account");
                ++failed;
            }
        }
        assertEq(failed, 1, "one LiquidationFailed");

        bad.setFailing(false);
        vm.prank(KEEPER);
        liquidator.liquidate(BORROWER);
        assertEq(int256(engine.position(BORROWER, 0).size), 0, "liquidated alone once it can be");
    }

    /// @notice Only the Liquidator's own batch may call `liquidateInBatch`.
    function test_liquidateInBatch__stranger__reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IErrors.Unauthorized.selector, KEEPER));
        vm.prank(KEEPER);
        liquidator.liquidateInBatch(TRADER, KEEPER);
    }
}
