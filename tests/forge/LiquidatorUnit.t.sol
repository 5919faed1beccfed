// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILiquidator} from "../../interfaces/ILiquidator.sol";
import {IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";
import {Vm} from "./utils/Vm.sol";
import {EngineFixture} from "./utils/EngineFixture.sol";

/// @title LiquidatorUnitTest
/// @notice The Liquidator's branches one at a time, each with the amounts it must move: the batch, the penalty and
/// the keeper's reward, and the decision to absorb after a close. Written against the survivors of the mutation
/// campaign (security/mutation/): each test's notice names the mutant lines of contracts/Liquidator.sol it kills.
///
/// The book used throughout: 10 WETH of collateral (maintenance haircut 10 %) and a 30 WETH long opened at 3,000
/// (a 90 USDC fee becomes debt). At a WETH price P its maintenance equity is 0.9 * 10 P - 30 (3,000 - P) - 90 =
/// 39 P - 90,090 USD, against a maintenance margin of 5 % of 30 P = 1.5 P: liquidatable below about 2,382, critical
/// (equity under half the margin, so closed in full) below about 2,355 and insolvent below 2,310.
contract LiquidatorUnitTest is EngineFixture {
    address internal constant TRADER = address(0x2222);
    address internal constant OTHER = address(0x3333);

    bytes32 internal constant CASH_CHANGED = keccak256("CashChanged(address,int256,uint256,uint256,bytes32)");
    bytes32 internal constant COVERED = keccak256("Covered(uint256,uint256,uint256)");

    function setUp() public {
        _deployBenchCore();
        _seedPool(1_000_000e18);
        _nextBlock();
        _deposit(TRADER, weth, 10e18);
        _nextBlock();
        _open(TRADER, 0, 30e18);
        _nextBlock();
    }

    function _moveWeth(uint256 wad) internal {
        _setFeed(address(weth), wad);
        _settlePrices();
        _nextBlock();
    }

    /// @notice `liquidateMany` liquidates the liquidatable accounts of the batch and skips the others, and returns
    /// how many it liquidated (kills Liquidator.sol:73 `h.liquidatable` ==> false).
    function test_liquidateMany__oneLiquidatableOneHealthy__liquidatesOnlyTheLiquidatable() public {
        _deposit(OTHER, weth, 1e18);
        _moveWeth(2_400e18);
        address[] memory batch = new address[](2);
        (batch[0], batch[1]) = (TRADER, OTHER);
        vm.prank(KEEPER);
        uint256 liquidated = liquidator.liquidateMany(batch);
        assertEq(liquidated, 1, "one liquidated");
        assertEq(int256(engine.position(TRADER, 0).size), 15e18, "the liquidatable account was half closed");
        assertEq(usdc.balanceOf(KEEPER), 109e6, "keeper reward: 1 USDC + 30 % of the 360 USDC penalty");
        assertEq(engine.collateralBalance(OTHER, address(weth)), 1e18, "the healthy account is untouched");
    }

    /// @notice At 2,340 the account is critical (equity 1,170 USD under half its 3,510 USD margin), so it is closed
    /// in full, but it stays solvent: it pays the 1 % penalty on the 70,200 USD closed (702 USDC: 211.6 to the
    /// keeper, 490.4 to the InsuranceFund) and keeps its collateral; nothing is absorbed (kills Liquidator.sol:121
    /// `margin == 0 && equity < 0` ==> `||`).
    function test_liquidate__criticalButSolvent__closesInFullAndKeepsTheCollateral() public {
        _moveWeth(2_340e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(h.maintenanceEquity > 0, "solvent");
        assertTrue(h.maintenanceEquity < int256(h.maintenanceMargin / 2), "critical");
        uint256 insuranceBefore = insurance.bookedBalance();
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed in full");
        assertEq(engine.collateralBalance(TRADER, address(weth)), 10e18, "the account keeps its collateral");
        assertEq(usdc.balanceOf(KEEPER), 211_600_000, "keeper reward");
        assertEq(insurance.bookedBalance() - insuranceBefore, 490_400_000, "insurance share of the penalty");
        (, uint256 scaledDebt,) = engine.cash(TRADER);
        assertTrue(scaledDebt != 0, "the realized loss stays the account's debt");
        assertTrue(pool.totalScaledDebt() != 0, "and the Pool's receivable");
    }

    /// @notice With a minimum keeper reward above the penalty, the keeper gets the whole penalty and the
    /// InsuranceFund nothing: the reward never exceeds the penalty (kills Liquidator.sol:140 `reward > penalty` ==>
    /// false, under which the insurance share underflows and the liquidation reverts).
    function test_liquidate__minRewardAbovePenalty__keeperGetsThePenalty() public {
        liquidator.setParams(ILiquidator.Params(5_000, 5_000, 100, 3_000, 1_000e6, 50e18));
        _moveWeth(2_400e18);
        uint256 insuranceBefore = insurance.bookedBalance();
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 15e18, "half closed");
        assertEq(usdc.balanceOf(KEEPER), 360e6, "the keeper gets the whole 360 USDC penalty");
        assertEq(insurance.bookedBalance(), insuranceBefore, "nothing for the InsuranceFund");
    }

    /// @notice At 2,280 the maintenance equity is -1,170 USD (the haircut counts 20,520 of the 22,800 USD of WETH)
    /// but the collateral itself still covers the 21,690 USDC of debt the close leaves: the account is absorbed with
    /// no deficit. Nothing is drawn from the InsuranceFund (no `cover`, no `Covered` event), nothing is socialized,
    /// and an account worth nothing pays no penalty (no "penalty" cash change). Kills Liquidator.sol:162
    /// `debt > collateralValue` ==> true (underflow), :165 `deficit != 0` ==> true (a `cover(0)`) and :115
    /// `penalty != 0` ==> true (a zero penalty charged).
    function test_liquidate__insolventButCollateralCoversDebt__absorbsWithoutDeficit() public {
        _moveWeth(2_280e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(h.maintenanceEquity < 0, "insolvent at maintenance");
        uint256 insuranceBefore = insurance.bookedBalance();
        uint256 wethReserve = pool.reserves(address(weth));
        uint256 price = pool.sharePrice(false);
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed");
        assertEq(engine.collateralBalance(TRADER, address(weth)), 0, "collateral seized");
        assertEq(pool.reserves(address(weth)), wethReserve + 10e18, "absorbed into the reserves");
        assertEq(pool.totalScaledDebt(), 0, "the debt was repaid by the collateral");
        assertEq(insurance.bookedBalance(), insuranceBefore, "the InsuranceFund paid nothing");
        assertTrue(pool.sharePrice(false) >= price, "LPs lost nothing");
        assertEq(usdc.balanceOf(KEEPER), 0, "no reward from an account worth nothing");
        for (uint256 i = 0; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != COVERED, "no cover drawn");
            if (logs[i].topics[0] == CASH_CHANGED) {
                (,,, bytes32 reason) = abi.decode(logs[i].data, (int256, uint256, uint256, bytes32));
                assertTrue(reason != "penalty", "no penalty charged");
            }
        }
    }
}
