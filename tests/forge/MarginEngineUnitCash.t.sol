// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";
import {Vm} from "./utils/Vm.sol";
import {MarginEngineUnitBase} from "./MarginEngineUnit.t.sol";

/// @title MarginEngineUnitCashTest
/// @notice MarginEngine unit tests of the fee split, realized PnL, the cash book, the market mask and the
/// Liquidator's entry points (mutation campaign; line numbers of contracts/MarginEngine.sol).
contract MarginEngineUnitCashTest is MarginEngineUnitBase {
    // ---------------------------------------------------------------- fees

    /// @notice Opening 1 WETH on 1,000 USDC of credit: the 3 USDC fee comes out of credit, 0.60 booked by the
    /// InsuranceFund and 2.40 into the Pool's reserve; exactly two cash changes, no PnL (lines 493, 496, 497, 529,
    /// 533, 562, 565, 568, 569).
    function test_trade__feeFromCredit__splitsInsuranceAndPool() public {
        _deposit(TRADER, usdc, 1_000e6);
        uint256 reserve = pool.reserves(address(usdc));
        vm.recordLogs();
        _open(TRADER, 0, 1e18);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, address(engine), CASH_CHANGED), 2, "the two fee payments only");
        assertEq(_count(logs, address(pool), PROFIT_PAID), 0, "no profit paid");
        assertEq(_count(logs, address(pool), keccak256("Lent(address,uint256,uint256)")), 0, "nothing borrowed");
        (uint256 credit, uint256 scaled,) = engine.cash(TRADER);
        assertEq(credit, 997e6, "fee out of credit");
        assertEq(scaled, 0, "no debt");
        assertEq(insurance.bookedBalance(), 0.6e6, "insurance share");
        assertEq(pool.reserves(address(usdc)), reserve + 2.4e6, "pool share");
    }

    /// @notice With no credit the fee is borrowed: 0.60 lent to the engine for the InsuranceFund, 2.40 booked by
    /// the Pool as a receivable (lines 562, 565, 568, 569).
    function test_trade__feeWithoutCredit__allOfItIsDebtToThePool() public {
        _deposit(TRADER, weth, 10e18);
        uint256 reserve = pool.reserves(address(usdc));
        _open(TRADER, 0, 1e18);
        (uint256 credit, uint256 scaled, uint256 debt) = engine.cash(TRADER);
        assertEq(credit, 0, "no credit");
        assertEq(debt, 3e6 + 1, "the whole fee is debt (the scaled debt rounds up by one unit)");
        assertEq(pool.totalScaledDebt(), scaled, "the Pool's receivable");
        assertEq(insurance.bookedBalance(), 0, "the fund's share comes out of credit only");
        assertEq(pool.reserves(address(usdc)), reserve, "no Pool loan: nothing left the Pool");
    }

    /// @notice With less credit than the fund's share, the fund gets the credit and the Pool the rest as debt.
    function test_trade__feeAboveCredit__fundGetsTheCredit() public {
        _deposit(TRADER, weth, 10e18);
        _deposit(TRADER, usdc, 0.5e6);
        _open(TRADER, 0, 1e18);
        assertEq(insurance.bookedBalance(), 0.5e6, "the fund gets what credit there is");
        (uint256 credit,, uint256 debt) = engine.cash(TRADER);
        assertEq(credit, 0, "credit used");
        assertEq(debt, 2.5e6 + 1, "the rest of the 3 USDC fee is debt (rounded up by one unit)");
    }

    /// @notice With a zero insurance share the whole fee goes to the Pool (line 496).
    function test_trade__zeroInsuranceShare__allToPool() public {
        engine.setInsuranceFeeShare(0);
        _deposit(TRADER, usdc, 1_000e6);
        uint256 reserve = pool.reserves(address(usdc));
        _open(TRADER, 0, 1e18);
        assertEq(insurance.bookedBalance(), 0, "nothing to the fund");
        assertEq(pool.reserves(address(usdc)), reserve + 3e6, "all to the Pool");
        assertEq(_credit(TRADER), 997e6, "credit");
    }

    /// @notice With a 100 % insurance share the whole fee goes to the fund, in one cash change (line 497).
    function test_trade__fullInsuranceShare__allToFund() public {
        engine.setInsuranceFeeShare(10_000);
        _deposit(TRADER, usdc, 1_000e6);
        uint256 reserve = pool.reserves(address(usdc));
        vm.recordLogs();
        _open(TRADER, 0, 1e18);
        assertEq(_count(vm.getRecordedLogs(), address(engine), CASH_CHANGED), 1, "one payment");
        assertEq(insurance.bookedBalance(), 3e6, "all to the fund");
        assertEq(pool.reserves(address(usdc)), reserve, "nothing to the Pool");
    }

    /// @notice A market without a trading fee moves no cash on an open (lines 493, 529, 533).
    function test_trade__zeroFee__noCashChange() public {
        IMarginEngineTypes.MarketParams memory p = _market(0);
        p.tradingFeeBps = 0;
        engine.setMarketParams(0, p);
        _deposit(TRADER, usdc, 1_000e6);
        vm.recordLogs();
        _open(TRADER, 0, 1e18);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, address(engine), CASH_CHANGED), 0, "no cash change");
        assertEq(_count(logs, address(pool), PROFIT_PAID), 0, "no profit paid");
        assertEq(_credit(TRADER), 1_000e6, "credit untouched");
    }

    // ---------------------------------------------------------------- realized PnL

    /// @notice Closing 1 WETH bought at 3,000 at 3,300 credits 300 USDC less the 3.30 fee (and a borrow fee of
    /// a fraction of a cent) (line 529).
    function test_trade__profitableClose__creditsProfit() public {
        _deposit(TRADER, usdc, 1_000e6);
        _open(TRADER, 0, 1e18);
        _move(address(weth), 3_300e18);
        uint256 reserve = pool.reserves(address(usdc));
        _open(TRADER, 0, -1e18);
        assertApproxEqAbs(_credit(TRADER), 1_293.7e6, 0.01e6, "profit credited");
        assertApproxEqAbs(pool.reserves(address(usdc)), reserve - 300e6 + 2.64e6, 0.01e6, "paid by the Pool");
    }

    /// @notice Closing 1 WETH bought at 3,000 at 2,700 charges 300 USDC and the 2.70 fee (line 533).
    function test_trade__losingClose__chargesLoss() public {
        _deposit(TRADER, usdc, 1_000e6);
        _open(TRADER, 0, 1e18);
        _move(address(weth), 2_700e18);
        _open(TRADER, 0, -1e18);
        assertApproxEqAbs(_credit(TRADER), 694.3e6, 0.01e6, "loss charged");
    }

    // ---------------------------------------------------------------- market mask

    /// @notice The market mask follows opens and closes (lines 523, 525).
    function test_trade__marketMask__followsPositions() public {
        _deposit(TRADER, usdc, 10_000e6);
        _open(TRADER, 0, 1e18);
        (, uint16 markets) = engine.accountMasks(TRADER);
        assertEq(uint256(markets), 1, "market 0");
        _open(TRADER, 1, 1e16);
        (, markets) = engine.accountMasks(TRADER);
        assertEq(uint256(markets), 3, "markets 0 and 1");
        _open(TRADER, 0, -1e18);
        (, markets) = engine.accountMasks(TRADER);
        assertEq(uint256(markets), 2, "market 1 only");
    }

    /// @notice Eight markets per account: a ninth reverts TooManyMarkets, adding to a held one does not (lines 525,
    /// 526).
    function test_trade__ninthMarket__reverts() public {
        for (uint256 i = 0; i < 7; ++i) {
            _listMarket(address(weth), 1e16);
        }
        _deposit(TRADER, usdc, 10_000e6);
        for (uint256 m = 0; m < 8; ++m) {
            _open(TRADER, m, 1e16);
        }
        (, uint16 markets) = engine.accountMasks(TRADER);
        assertEq(uint256(markets), 0xff, "eight markets");
        vm.expectRevert(abi.encodeWithSignature("TooManyMarkets(address,uint256)", TRADER, 8));
        _open(TRADER, 8, 1e16);
        _open(TRADER, 3, 1e16);
        assertEq(int256(engine.position(TRADER, 3).size), 2e16, "added to a held market");
    }

    // ---------------------------------------------------------------- cash book

    /// @notice USDC paid in repays debt first: part of it, then all of it with the rest as credit (lines 544, 547,
    /// 548).
    function test_addCash__withDebt__repaysFirst() public {
        _deposit(TRADER, weth, 10e18);
        _open(TRADER, 0, 1e18); // 3 USDC of debt
        _nextBlock();
        _deposit(TRADER, usdc, 1e6);
        (uint256 credit,, uint256 debt) = engine.cash(TRADER);
        assertEq(credit, 0, "all to the debt");
        assertApproxEqAbs(debt, 2e6, 2, "debt reduced");
        _deposit(TRADER, usdc, 10e6);
        uint256 scaled;
        (credit, scaled,) = engine.cash(TRADER);
        assertEq(scaled, 0, "debt repaid");
        assertApproxEqAbs(credit, 8e6, 2, "the rest is credit");
        assertEq(pool.totalScaledDebt(), 0, "no receivable");
    }

    /// @notice One unit paid against debt at an index above 1 is worth no scaled debt: it becomes credit and the
    /// Pool is not called (line 548).
    function test_addCash__dustWithDebt__becomesCredit() public {
        _deposit(TRADER, weth, 10e18);
        _open(TRADER, 0, 1e18);
        _nextBlock();
        assertTrue(pool.borrowIndex() > 1e18, "index above 1");
        (, uint256 scaled,) = engine.cash(TRADER);
        vm.recordLogs();
        _deposit(TRADER, usdc, 1);
        assertEq(_count(vm.getRecordedLogs(), address(pool), REPAID), 0, "no repayment");
        (uint256 credit, uint256 scaledAfter,) = engine.cash(TRADER);
        assertEq(credit, 1, "credit");
        assertEq(scaledAfter, scaled, "debt unchanged");
    }

    // ---------------------------------------------------------------- Liquidator entry points

    /// @notice Only the Liquidator may call its entry points; it writes off an account's debt (line 58).
    function test_writeOffDebt__liquidatorOnly__zeroesDebt() public {
        _deposit(TRADER, weth, 10e18);
        _open(TRADER, 0, 1e18);
        (, uint256 scaled,) = engine.cash(TRADER);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        vm.prank(OTHER);
        engine.writeOffDebt(TRADER);
        vm.prank(address(liquidator));
        assertEq(engine.writeOffDebt(TRADER), scaled, "returns the scaled debt");
        (, uint256 after_,) = engine.cash(TRADER);
        assertEq(after_, 0, "written off");
    }

    /// @notice The penalty comes out of cash once and is paid to the keeper and the InsuranceFund; a zero part
    /// makes no payment (lines 230, 231, 569, 570).
    function test_chargePenalty__split__paysBoth() public {
        _deposit(TRADER, usdc, 1_000e6);
        vm.recordLogs();
        vm.prank(address(liquidator));
        engine.chargePenalty(TRADER, KEEPER, 10e6, 20e6);
        assertEq(_transfers(vm.getRecordedLogs(), address(engine), address(engine)), 0, "no self-transfer");
        assertEq(usdc.balanceOf(KEEPER), 10e6, "keeper");
        assertEq(insurance.bookedBalance(), 20e6, "fund");
        assertEq(_credit(TRADER), 970e6, "credit");
        vm.recordLogs();
        vm.prank(address(liquidator));
        engine.chargePenalty(TRADER, KEEPER, 0, 5e6);
        assertEq(_transfers(vm.getRecordedLogs(), address(engine), KEEPER), 0, "no zero transfer to the keeper");
        assertEq(insurance.bookedBalance(), 25e6, "fund again");
        vm.prank(address(liquidator));
        engine.chargePenalty(TRADER, KEEPER, 5e6, 0);
        assertEq(usdc.balanceOf(KEEPER), 15e6, "keeper again");
        assertEq(insurance.bookedBalance(), 25e6, "fund unchanged");
        assertEq(_credit(TRADER), 960e6, "credit after");
    }

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

    /// @notice A half close of a position held in market 1 only: 0.5 WBTC at 60,000 closed, market 0 untouched,
    /// and the returned equity and margin are the liquidation health's after the close (lines 164, 205).
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

    /// @notice A zero fraction, or one that would leave less than the minimum size, closes everything (line 205).
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

    function _openWbtc(int256 size) internal {
        _deposit(TRADER, wbtc, 2e8);
        _nextBlock();
        _open(TRADER, 1, size);
        _nextBlock();
    }

    /// @dev Token transfers from `from` to `to` among `logs`.
    function _transfers(Vm.Log[] memory logs, address from, address to) internal pure returns (uint256 n) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (
                logs[i].topics.length == 3 && logs[i].topics[0] == TRANSFER
                    && logs[i].topics[1] == bytes32(uint256(uint160(from)))
                    && logs[i].topics[2] == bytes32(uint256(uint160(to)))
            ) ++n;
        }
    }
}
