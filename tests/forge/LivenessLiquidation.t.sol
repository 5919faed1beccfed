// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IErrors} from "../../interfaces/IErrors.sol";
import {ILiquidator} from "../../interfaces/ILiquidator.sol";
import {IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";
import {IPool} from "../../interfaces/IPool.sol";
import {MockFalseToken} from "../../contracts/mocks/MockTokens.sol";
import {Vm} from "./utils/Vm.sol";
import {EngineFixture} from "./utils/EngineFixture.sol";

/// @title LivenessLiquidationTest
/// @notice Every unhealthy account can be resolved, and resolving it takes no more than is owed
/// (docs/design.md#liveness): an account with no positions whose collateral is worth more than its debt keeps the
/// surplus and pays its keeper, a batch goes on past an account whose liquidation reverts, an absorb with nothing to
/// close reports nothing closed, and the keeper's bonus grows as health falls.
contract LivenessLiquidationTest is EngineFixture {
    address internal constant TRADER = address(0x2222);
    address internal constant BORROWER = address(0x3333);

    bytes32 internal constant LIQUIDATED = keccak256("Liquidated(address,address,uint256,uint256,uint256,uint256)");
    bytes32 internal constant LIQUIDATION_FAILED = keccak256("LiquidationFailed(address,bytes)");

    function setUp() public {
        _deployBenchCore();
        _seedPool(1_000_000e18);
        _nextBlock();
    }

    /// @dev The `Liquidated` event of `account` in `logs`: fraction, closed notional, penalty and reward.
    function _liquidated(Vm.Log[] memory logs, address account)
        internal
        pure
        returns (bool found, uint256 fraction, uint256 closed, uint256 penalty, uint256 reward)
    {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] != LIQUIDATED || address(uint160(uint256(logs[i].topics[1]))) != account) continue;
            found = true;
            (fraction, closed, penalty, reward) = abi.decode(logs[i].data, (uint256, uint256, uint256, uint256));
        }
    }

    /// @dev BORROWER posts 10 WETH at 3,000 and borrows 20,000 USDC; then WETH settles at 2,200.
    function _borrowOnlyAccountAt2200() internal {
        _deposit(BORROWER, weth, 10e18);
        _nextBlock();
        vm.prank(BORROWER);
        engine.withdraw(address(usdc), 20_000e6, BORROWER);
        _settleWethAt(2_200e18);
    }

    // ---------------------------------------------------------------- absorb (finding: surplus confiscated)

    /// @notice 10 WETH at 2,200 (22,000 USD) against 20,000 USDC of debt and no position: maintenance equity about
    /// -200 USD, so liquidatable, but the collateral is worth 2,000 USD more than the debt. Only the debt's worth of
    /// WETH goes to the Pool, the keeper is paid out of the 1 % penalty on the debt (200 USD), and the account keeps
    /// the remaining 1,800 USD of WETH: it loses the penalty and nothing more.
    function test_absorb__collateralWorthMoreThanDebt__keepsTheSurplusAndPaysTheKeeper() public {
        _borrowOnlyAccountAt2200();
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(BORROWER);
        assertTrue(h.liquidatable && h.maintenanceEquity < 0, "negative maintenance equity");
        (,, uint256 debt) = engine.cash(BORROWER);
        int256 valueBefore = 22_000e18 - int256(debt * 1e12);
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidate(BORROWER);
        (bool found, uint256 fraction, uint256 closed, uint256 penalty, uint256 reward) =
            _liquidated(vm.getRecordedLogs(), BORROWER);
        assertTrue(found, "liquidated");
        assertEq(fraction, 0, "no position: nothing closed");
        assertEq(closed, 0, "no notional closed");
        assertEq(penalty, (debt + 99) / 100, "1 % of the debt repaid");
        assertEq(reward, 1e6 + penalty * 3_000 / 10_000, "1 USDC + 30 % of the penalty");
        (, uint256 scaled,) = engine.cash(BORROWER);
        assertEq(scaled, 0, "the debt is repaid");
        uint256 kept = engine.collateralBalance(BORROWER, address(weth));
        assertApproxEqRel(kept, uint256(1_800e18) * 1e18 / 2_200e18, 0.001e18, "about 1,800 USD of WETH stays");
        assertGt(weth.balanceOf(KEEPER), 0, "the keeper is paid in WETH");
        // Take no more than is owed: the account lost its debt and the penalty, to rounding.
        int256 valueAfter = int256(kept * 2_200);
        assertApproxEqAbs(valueBefore - valueAfter, int256(penalty * 1e12), 1e13, "lost only the penalty");
        assertTrue(!engine.liquidationHealth(BORROWER).liquidatable, "healthy again");
    }

    /// @notice The same account at 1,900 is insolvent at the Pool's prices (19,000 USD of WETH for 20,000 USDC of
    /// debt): all of its WETH goes to the Pool, the deficit to the InsuranceFund then LPs, and no penalty or reward is
    /// paid (an insolvent owner could otherwise profit by liquidating itself).
    function test_absorb__collateralWorthLessThanDebt__takesAllAndPaysNoReward() public {
        _borrowOnlyAccountAt2200();
        _settleWethAt(1_900e18);
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidate(BORROWER);
        (,,, uint256 penalty, uint256 reward) = _liquidated(vm.getRecordedLogs(), BORROWER);
        assertEq(penalty, 0, "no penalty");
        assertEq(reward, 0, "no reward");
        assertEq(engine.collateralBalance(BORROWER, address(weth)), 0, "all of it absorbed");
        assertEq(weth.balanceOf(KEEPER), 0, "nothing to the keeper");
    }

    // ---------------------------------------------------------------- batches (finding: one account breaks a batch)

    /// @notice Two insolvent accounts in one batch; the first holds a collateral token whose transfers now fail, so
    /// its absorb reverts. The batch skips it with `LiquidationFailed` (its books untouched) and liquidates the second;
    /// once the token works again, the first is liquidated alone.
    function test_liquidateMany__oneLiquidationReverts__othersStillLiquidated() public {
        MockFalseToken bad = new MockFalseToken();
        _listOracleAsset(address(bad), 1e18);
        pool.listAsset(address(bad), IPool.AssetParams(0, 10_000, 0, 0, CAP));
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
        IMarginEngineTypes.Health memory h;
        vm.expectRevert(abi.encodeWithSelector(IErrors.Unauthorized.selector, KEEPER));
        vm.prank(KEEPER);
        liquidator.liquidateInBatch(TRADER, KEEPER, h);
    }

    // ---------------------------------------------------------------- the keeper's bonus grows as health falls

    /// @notice With a penalty of 1 % at the maintenance threshold rising to 4 % at zero equity, the bench long pays
    /// about 1.07 % at 2,400 (equity 2.5 % below its margin) and about 2.02 % at 2,370 (34 % below), each on the
    /// half closed, computed from the health the liquidation read.
    function test_liquidate__deeperBelowMaintenance__higherPenaltyRate() public {
        liquidator.setParams(ILiquidator.Params(5_000, 5_000, 100, 400, 3_000, 1e6, 50e18));
        _openBenchLong(TRADER);
        uint256 snapshot = vm.snapshotState();
        uint256 shallow = _penaltyRateAt(2_400e18);
        vm.revertToState(snapshot);
        uint256 deep = _penaltyRateAt(2_370e18);
        assertEq(shallow, 107, "about 1.07 %");
        assertEq(deep, 202, "about 2.02 %");
    }

    /// @dev WETH settled at `price`, TRADER liquidated; the penalty rate in bps the Liquidator applied, checked against
    /// the formula penaltyBps + (maxPenaltyBps - penaltyBps) * (MM - equity) / MM on the health it read.
    function _penaltyRateAt(uint256 price) internal returns (uint256 bps) {
        _settleWethAt(price);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        bps = 100 + 300 * (h.maintenanceMargin - uint256(h.maintenanceEquity)) / h.maintenanceMargin;
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        (,, uint256 closed, uint256 penalty,) = _liquidated(vm.getRecordedLogs(), TRADER);
        uint256 expected = (closed * bps / 10_000 + 1e12 - 1) / 1e12; // ceil to USDC units at 1.00
        assertApproxEqAbs(penalty, expected, 1, "penalty = closed notional x the rate");
    }

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
