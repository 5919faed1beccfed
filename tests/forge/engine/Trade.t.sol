// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {IProductRegistryTypes} from "../../../interfaces/IProductRegistry.sol";
import {InsuranceFund} from "../../../contracts/InsuranceFund.sol";
import {FixedPointMath} from "../../../contracts/libraries/FixedPointMath.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";
import {PayoutsBase} from "../utils/PayoutsBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title MarginEngineTradePayoutsTest
/// @notice `MarginEngine.modifyPosition`: opening, changing and closing positions, fees, realized PnL and the price policy (fixture: PayoutsBase).
contract MarginEngineTradePayoutsTest is PayoutsBase {
    /// @notice A 300 WETH long at 3,000 whose WETH goes to 7,000 is owed 1,200,000 USD, more than the Pool's
    /// 1,000,000 USDC: the close pays the whole USDC reserve and the rest in the Pool's WBTC at its upper price, booked
    /// as the trader's collateral. Nothing reverts and nothing is left unpaid.
    function test_modifyPosition__closeProfitAboveSettlementReserve__restPaidInKind() public {
        _openWeth(TRADER, 400_000e6, 300e18);
        _settleWethAt(7_000e18);
        uint256 usdcReserve = pool.reserves(address(usdc));
        uint256 wbtcReserve = pool.reserves(address(wbtc));
        (uint256 creditBefore,,) = engine.cash(TRADER);
        _close(TRADER, 0);
        (uint256 creditAfter,,) = engine.cash(TRADER);
        assertEq(creditAfter - creditBefore, usdcReserve - 2_100e6, "the whole USDC reserve, less the 2,100 USDC fee");
        assertEq(pool.reserves(address(usdc)), 1_680e6, "only the Pool's share of the close's fee is back");
        uint256 inKind = engine.collateralBalance(TRADER, address(wbtc));
        assertEq(wbtcReserve - pool.reserves(address(wbtc)), inKind, "the rest in WBTC, booked as collateral");
        // 1,200,000 USD owed, about 1,000,000 paid in USDC: about 200,000 USD of WBTC at 60,000.
        assertApproxEqRel(inKind, 3.3333e8, 0.01e18, "about 3.33 WBTC");
    }

    /// @notice A profit larger than the settlement reserve and the first in-kind asset's reserve together is paid from
    /// the next asset too: the same long with WETH at 11,000 is owed 2,400,000 USD; the USDC reserve pays about
    /// 1,000,000, the whole WBTC reserve (the first collateral asset) about 1,000,000, and the Pool's WETH the rest.
    function test_modifyPosition__closeProfitAboveTwoReserves__restPaidFromTheNextAsset() public {
        _openWeth(TRADER, 400_000e6, 300e18);
        _settleWethAt(11_000e18);
        uint256 wbtcReserve = pool.reserves(address(wbtc));
        uint256 wethReserve = pool.reserves(address(weth));
        _close(TRADER, 0);
        assertEq(pool.reserves(address(wbtc)), 0, "the whole WBTC reserve paid");
        assertEq(engine.collateralBalance(TRADER, address(wbtc)), wbtcReserve, "booked as the trader's WBTC");
        uint256 wethPaid = wethReserve - pool.reserves(address(weth));
        assertEq(engine.collateralBalance(TRADER, address(weth)), wethPaid, "booked as the trader's WETH");
        // About 400,000 USD of WETH at 11,000 (less the close's fee, paid in USDC).
        assertApproxEqRel(wethPaid, 36.36e18, 0.02e18, "about 36 WETH");
    }
}

/// @title MarginEngineTradeTest
/// @notice `MarginEngine.modifyPosition`: opening, changing and closing positions, fees, realized PnL and the price policy (fixture: MarginEngineBase).
contract MarginEngineTradeTest is MarginEngineBase {
    /// @dev TRADER's 30 WETH long on 10 WETH opened at 3,000, then WETH moved to `wad` (every price settled there).
    function _benchLongMovedTo(uint256 wad) internal {
        _deposit(TRADER, weth, 10e18);
        _nextBlock();
        _open(TRADER, 0, 30e18);
        _move(address(weth), wad);
    }

    /// @notice A market index past the listed ones reverts MarketNotListed with it.
    function test_modifyPosition__unknownMarket__revertsMarketNotListed() public {
        _deposit(TRADER, weth, 10e18);
        uint256 unknown = engine.marketCount();
        vm.expectRevert(abi.encodeWithSignature("MarketNotListed(uint256)", unknown));
        _open(TRADER, unknown, 1e18);
    }

    /// @notice Every margin figure is in settlement units: with the settlement asset frozen nothing new opens
    /// (PriceUnavailable(USDC, AddRisk, Frozen)); unfrozen, the same trade goes through.
    function test_modifyPosition__settlementPriceFrozen__opensOnlyOnceUnfrozen() public {
        _deposit(TRADER, weth, 10e18);
        _nextBlock();
        oracle.setFrozen(address(usdc), true);
        vm.expectRevert(abi.encodeWithSignature("PriceUnavailable(address,uint8,uint8)", address(usdc), 0, 3));
        _open(TRADER, 0, 1e18);
        oracle.setFrozen(address(usdc), false);
        _open(TRADER, 0, 1e18);
        assertEq(int256(engine.position(TRADER, 0).size), 1e18, "opened");
    }

    /// @notice With the settlement asset frozen, an increase reverts PriceUnavailable(USDC, AddRisk, Frozen) but a
    /// reduction of the same position goes through: only new risk reads the settlement price under the AddRisk policy.
    function test_modifyPosition__settlementPriceFrozen__reducesButDoesNotIncrease() public {
        _deposit(TRADER, weth, 10e18);
        _nextBlock();
        _open(TRADER, 0, 1e18);
        _nextBlock();
        oracle.setFrozen(address(usdc), true);
        vm.expectRevert(abi.encodeWithSignature("PriceUnavailable(address,uint8,uint8)", address(usdc), 0, 3));
        _open(TRADER, 0, 1e17);
        _open(TRADER, 0, -5e17);
        assertEq(int256(engine.position(TRADER, 0).size), 5e17, "reduced with the settlement price frozen");
    }

    /// @notice A zero size change reverts ZeroAmount; beyond +-int128.max reverts SizeOutOfRange.
    function test_modifyPosition__zeroOrOutOfRange__reverts() public {
        int256 max = type(int128).max;
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        engine.modifyPosition(0, 0, 0);
        vm.expectRevert(abi.encodeWithSignature("SizeOutOfRange(int256,int256)", max + 1, max));
        engine.modifyPosition(0, max + 1, type(uint256).max);
        vm.expectRevert(abi.encodeWithSignature("SizeOutOfRange(int256,int256)", -max - 1, max));
        engine.modifyPosition(0, -max - 1, 0);
    }

    /// @notice A buy above the acceptable price and a sell below it revert; at the limit both go through.
    function test_modifyPosition__slippage__reverts() public {
        _deposit(TRADER, usdc, 10_000e6);
        vm.expectRevert(abi.encodeWithSignature("SlippageExceeded(uint256,uint256)", 3_000e18, 2_999e18));
        vm.prank(TRADER);
        engine.modifyPosition(0, 1e18, 2_999e18);
        vm.expectRevert(abi.encodeWithSignature("SlippageExceeded(uint256,uint256)", 3_000e18, 3_001e18));
        vm.prank(TRADER);
        engine.modifyPosition(0, -1e18, 3_001e18);
        vm.prank(TRADER);
        engine.modifyPosition(0, 1e18, 3_000e18);
        vm.prank(TRADER);
        engine.modifyPosition(0, -2e18, 3_000e18);
        assertEq(int256(engine.position(TRADER, 0).size), -1e18, "flipped to a short");
    }

    /// @notice A position below the minimum size reverts; a full close (size 0) is fine.
    function test_modifyPosition__minSize__revertsButCloses() public {
        _deposit(TRADER, usdc, 10_000e6);
        vm.expectRevert(abi.encodeWithSignature("PositionTooSmall(uint256,uint256,uint256)", 0, 5e15, 1e16));
        _open(TRADER, 0, 5e15);
        _open(TRADER, 0, 1e18);
        vm.expectRevert(abi.encodeWithSignature("PositionTooSmall(uint256,uint256,uint256)", 0, 5e15, 1e16));
        _open(TRADER, 0, -995e15);
        _open(TRADER, 0, -1e18);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed");
        (, uint16 markets) = engine.accountMasks(TRADER);
        assertEq(uint256(markets), 0, "the market leaves the mask");
    }

    /// @notice An open that passes initial margin but not the stress test reverts InsufficientMargin: 1.7 WETH on 1,000
    /// USDC (fee 5.10), initial margin 510, stress loss 1,020.
    function test_modifyPosition__stressFails__reverts() public {
        _deposit(TRADER, usdc, 1_000e6);
        vm.expectRevert(
            abi.encodeWithSignature(
                "InsufficientMargin(int256,uint256,int256)", int256(994.9e18), uint256(510e18), int256(-25.1e18)
            )
        );
        _open(TRADER, 0, 1.7e18);
        _open(TRADER, 0, 1.5e18);
        assertEq(int256(engine.position(TRADER, 0).size), 1.5e18, "within the stress budget");
    }

    /// @notice Paused: opening, adding and flipping revert NewRiskPaused; a partial reduce goes through.
    function test_modifyPosition__paused__onlyReduces() public {
        _deposit(TRADER, usdc, 10_000e6);
        _open(TRADER, 0, 2e18);
        engine.setNewRiskPaused(true);
        vm.expectRevert(abi.encodeWithSignature("NewRiskPaused()"));
        _open(TRADER, 0, 1e18);
        vm.expectRevert(abi.encodeWithSignature("NewRiskPaused()"));
        _open(TRADER, 0, -4e18);
        vm.expectRevert(abi.encodeWithSignature("NewRiskPaused()"));
        _open(TRADER, 1, 1e16);
        _open(TRADER, 0, -1e18);
        assertEq(int256(engine.position(TRADER, 0).size), 1e18, "reduced");
    }

    /// @notice 30 WETH long on 10 WETH at 2,700: above maintenance, below the stress requirement. A partial reduce
    /// needs only maintenance, so it goes through.
    function test_modifyPosition__reduceBelowInitial__goesThrough() public {
        _benchLongMovedTo(2_700e18);
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertTrue(h.stressEquity < 0, "below the stress requirement");
        assertTrue(!h.liquidatable, "above maintenance");
        _open(TRADER, 0, -10e18);
        assertEq(int256(engine.position(TRADER, 0).size), 20e18, "reduced");
    }

    /// @notice At 2,400 the account is liquidatable: a partial reduce that leaves it so reverts BelowMaintenance.
    function test_modifyPosition__reduceWhileLiquidatable__reverts() public {
        _benchLongMovedTo(2_400e18);
        assertTrue(engine.health(TRADER).liquidatable, "liquidatable");
        vm.expectPartialRevert(bytes4(keccak256("BelowMaintenance(int256,uint256)")));
        _open(TRADER, 0, -1e16);
        assertEq(int256(engine.position(TRADER, 0).size), 30e18, "unchanged");
    }

    /// @notice An insolvent account may still close in full (only a partial reduce is checked).
    function test_modifyPosition__insolventFullClose__goesThrough() public {
        _benchLongMovedTo(2_000e18);
        assertTrue(engine.health(TRADER).maintenanceEquity < 0, "insolvent");
        _open(TRADER, 0, -30e18);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed");
        assertTrue(engine.health(TRADER).liquidatable, "still liquidatable, with no position");
    }

    /// @notice Open interest beyond a side's cap reverts with the side's total and cap.
    function test_modifyPosition__openInterestCap__reverts() public {
        IMarginEngineTypes.MarketParams memory p = _market(0);
        (p.longOpenInterestCap, p.shortOpenInterestCap) = (5e18, 3e18);
        engine.setMarketParams(0, p);
        _deposit(TRADER, usdc, 100_000e6);
        vm.expectRevert(abi.encodeWithSignature("OpenInterestCapExceeded(uint256,uint256,uint256)", 0, 6e18, 5e18));
        _open(TRADER, 0, 6e18);
        vm.expectRevert(abi.encodeWithSignature("OpenInterestCapExceeded(uint256,uint256,uint256)", 0, 4e18, 3e18));
        _open(OTHER, 0, -4e18);
        _open(TRADER, 0, 5e18);
        assertEq(int256(engine.position(TRADER, 0).size), 5e18, "up to the cap");
    }

    /// @notice Caps lowered below the open interest (a market wound down) trap nobody: with 6 long and 4 short open
    /// and both caps set to 1, each side still reduces and closes in full, and a flip fits the other side's cap; only a
    /// trade that grows a side beyond its cap reverts, with that side's total.
    function test_modifyPosition__capsLoweredBelowOpenInterest__reductionsAndClosesGoThrough() public {
        _deposit(TRADER, usdc, 100_000e6);
        _deposit(OTHER, usdc, 100_000e6);
        _open(TRADER, 0, 6e18);
        _open(OTHER, 0, -4e18);
        IMarginEngineTypes.MarketParams memory p = _market(0);
        (p.longOpenInterestCap, p.shortOpenInterestCap) = (1e18, 1e18);
        engine.setMarketParams(0, p);

        _open(TRADER, 0, -2e18);
        assertEq(int256(engine.position(TRADER, 0).size), 4e18, "the long reduced above its side's cap");
        _open(OTHER, 0, 1e18);
        assertEq(int256(engine.position(OTHER, 0).size), -3e18, "the short reduced above its side's cap");
        vm.expectRevert(abi.encodeWithSignature("OpenInterestCapExceeded(uint256,uint256,uint256)", 0, 5e18, 1e18));
        _open(TRADER, 0, 1e18);
        vm.expectRevert(abi.encodeWithSignature("OpenInterestCapExceeded(uint256,uint256,uint256)", 0, 4e18, 1e18));
        _open(OTHER, 0, -1e18);

        _open(OTHER, 0, 3e18);
        assertEq(int256(engine.position(OTHER, 0).size), 0, "the short closed");
        vm.expectRevert(abi.encodeWithSignature("OpenInterestCapExceeded(uint256,uint256,uint256)", 0, 2e18, 1e18));
        _open(TRADER, 0, -6e18);
        _open(TRADER, 0, -5e18);
        assertEq(int256(engine.position(TRADER, 0).size), -1e18, "the long flipped to a short within the short cap");
        _open(TRADER, 0, 1e18);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed");
    }

    /// @notice Opening 1 WETH on 1,000 USDC of credit: the 3 USDC fee comes out of credit, 0.60 booked by the
    /// InsuranceFund and 2.40 into the Pool's reserve; exactly two cash changes, no PnL.
    function test_modifyPosition__feeFromCredit__splitsInsuranceAndPool() public {
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

    /// @notice With no credit the fee is borrowed: 0.60 lent to the engine for the InsuranceFund, 2.40 booked by the
    /// Pool as a receivable.
    function test_modifyPosition__feeWithoutCredit__allOfItIsDebtToThePool() public {
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
    function test_modifyPosition__feeAboveCredit__fundGetsTheCredit() public {
        _deposit(TRADER, weth, 10e18);
        _deposit(TRADER, usdc, 0.5e6);
        _open(TRADER, 0, 1e18);
        assertEq(insurance.bookedBalance(), 0.5e6, "the fund gets what credit there is");
        (uint256 credit,, uint256 debt) = engine.cash(TRADER);
        assertEq(credit, 0, "credit used");
        assertEq(debt, 2.5e6 + 1, "the rest of the 3 USDC fee is debt (rounded up by one unit)");
    }

    /// @notice With a zero insurance share the whole fee goes to the Pool.
    function test_modifyPosition__zeroInsuranceShare__allToPool() public {
        engine.setInsuranceFeeShare(0);
        _deposit(TRADER, usdc, 1_000e6);
        uint256 reserve = pool.reserves(address(usdc));
        _open(TRADER, 0, 1e18);
        assertEq(insurance.bookedBalance(), 0, "nothing to the fund");
        assertEq(pool.reserves(address(usdc)), reserve + 3e6, "all to the Pool");
        assertEq(_credit(TRADER), 997e6, "credit");
    }

    /// @notice With a 100 % insurance share the whole fee goes to the fund, in one cash change.
    function test_modifyPosition__fullInsuranceShare__allToFund() public {
        engine.setInsuranceFeeShare(10_000);
        _deposit(TRADER, usdc, 1_000e6);
        uint256 reserve = pool.reserves(address(usdc));
        vm.recordLogs();
        _open(TRADER, 0, 1e18);
        assertEq(_count(vm.getRecordedLogs(), address(engine), CASH_CHANGED), 1, "one payment");
        assertEq(insurance.bookedBalance(), 3e6, "all to the fund");
        assertEq(pool.reserves(address(usdc)), reserve, "nothing to the Pool");
    }

    /// @notice A market without a trading fee moves no cash on an open.
    function test_modifyPosition__zeroFee__noCashChange() public {
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

    /// @notice Closing 1 WETH bought at 3,000 at 3,300 credits 300 USDC less the 3.30 fee (and a borrow fee of a
    /// fraction of a cent).
    function test_modifyPosition__profitableClose__creditsProfit() public {
        _deposit(TRADER, usdc, 1_000e6);
        _open(TRADER, 0, 1e18);
        _move(address(weth), 3_300e18);
        uint256 reserve = pool.reserves(address(usdc));
        _open(TRADER, 0, -1e18);
        assertApproxEqAbs(_credit(TRADER), 1_293.7e6, 0.01e6, "profit credited");
        assertApproxEqAbs(pool.reserves(address(usdc)), reserve - 300e6 + 2.64e6, 0.01e6, "paid by the Pool");
    }

    /// @notice Closing 1 WETH bought at 3,000 at 2,700 charges 300 USDC and the 2.70 fee.
    function test_modifyPosition__losingClose__chargesLoss() public {
        _deposit(TRADER, usdc, 1_000e6);
        _open(TRADER, 0, 1e18);
        _move(address(weth), 2_700e18);
        _open(TRADER, 0, -1e18);
        assertApproxEqAbs(_credit(TRADER), 694.3e6, 0.01e6, "loss charged");
    }

    /// @notice The market mask follows opens and closes.
    function test_modifyPosition__marketMask__followsPositions() public {
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

    /// @notice Eight markets per account: a ninth reverts TooManyMarkets, adding to a held one does not.
    function test_modifyPosition__ninthMarket__reverts() public {
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

    /// @notice Opening against a Stale price reverts with the AddRisk action; reducing at a Deviated price goes
    /// through.
    function test_modifyPosition__pricePolicy__riskVersusReduce() public {
        _deposit(TRADER, usdc, 10_000e6);
        _open(TRADER, 0, 1e18);
        (,, uint8 status) = _jump(address(weth), 3_300e18);
        assertEq(uint256(status), uint256(DEVIATED), "Deviated");
        _open(TRADER, 0, -0.5e18);
        assertEq(int256(engine.position(TRADER, 0).size), 0.5e18, "reduced at a Deviated price");
        _staleOnly(address(weth));
        vm.expectRevert(_priceUnavailable(address(weth), ADD_RISK, STALE));
        _open(TRADER, 0, 1e18);
    }

    /// @notice New risk needs every held market's price Ok, and only those: with WETH Deviated, an account without a
    /// WETH position opens on WBTC, one with a WETH position may not.
    function test_modifyPosition__heldMarketDeviated__reverts() public {
        _deposit(TRADER, usdc, 10_000e6);
        _deposit(OTHER, usdc, 10_000e6);
        _open(TRADER, 0, 1e18);
        (,, uint8 status) = _jump(address(weth), 3_300e18);
        assertEq(uint256(status), uint256(DEVIATED), "Deviated");
        _open(OTHER, 1, 1e16);
        assertEq(int256(engine.position(OTHER, 1).size), 1e16, "opened on WBTC");
        vm.expectRevert(_priceUnavailable(address(weth), ADD_RISK, DEVIATED));
        _open(TRADER, 1, 1e16);
    }

    /// @notice Opening a 5 WETH long at 3,000 on 10 WETH and no credit: the position is booked at 3,000, the event
    /// reports the size, the price and the 15 USDC fee (10 bps of 15,000 USD), the fee is debt to the Pool (nothing
    /// to the InsuranceFund without credit), and health reads the book: maintenance equity 27,000 USD (10 WETH less
    /// 10 %) less the debt against a margin of 750 (5 %); initial equity 25,500 (less 15 %) less the debt against
    /// 1,500 (10 %); stress equity the initial equity less 20 % of the collateral's 25,500 and of the 15,000 notional.
    function test_modifyPosition__openLongOnCollateral__booksPositionFeeDebtAndHealth() public {
        _deposit(TRADER, weth, 10e18);
        vm.expectEmit(true, true, false, true, address(engine));
        emit IMarginEngineTypes.PositionModified(TRADER, 0, 5e18, 5e18, 3_000e18, 0, 15e6);
        _open(TRADER, 0, 5e18);
        IMarginEngineTypes.Position memory p = engine.position(TRADER, 0);
        assertEq(int256(p.size), 5e18, "size");
        assertEq(uint256(p.entryPrice), 3_000e18, "entry price");
        assertEq(insurance.bookedBalance(), 0, "no insurance share without credit");
        (uint256 credit,, uint256 debt) = engine.cash(TRADER);
        assertEq(credit, 0, "no credit");
        assertGe(debt, 15e6, "the fee is debt");
        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        int256 debtUsd = int256(debt * 1e12);
        assertEq(h.maintenanceEquity, 27_000e18 - debtUsd, "maintenance equity");
        assertEq(h.maintenanceMargin, 750e18, "maintenance margin");
        assertEq(h.initialEquity, 25_500e18 - debtUsd, "initial equity");
        assertEq(h.initialMargin, 1_500e18, "initial margin");
        assertEq(h.stressEquity, h.initialEquity - 5_100e18 - 3_000e18, "stress equity");
        assertTrue(!h.liquidatable, "healthy");
    }

    /// @notice An open beyond initial margin reverts InsufficientMargin: 1 WETH (2,550 USD of initial value) behind a
    /// 10 WETH long (30,000 USD, an initial margin of 3,000 USD).
    function test_modifyPosition__beyondInitialMargin__reverts() public {
        _deposit(TRADER, weth, 1e18);
        vm.expectPartialRevert(bytes4(keccak256("InsufficientMargin(int256,uint256,int256)")));
        _open(TRADER, 0, 10e18);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "nothing opened");
    }

    /// @notice Closing at a profit a long opened on WETH with no credit: the profit (5 x 300 = 1,500 USD) first repays
    /// the opening fee's debt, the rest, less the closing fee (15 and 16.50 USDC in all), is credit that the account
    /// withdraws in full; the market leaves the account's mask.
    function test_modifyPosition__profitableCloseWithFeeDebt__repaysTheDebtAndTheRestIsWithdrawable() public {
        _deposit(TRADER, weth, 10e18);
        _open(TRADER, 0, 5e18);
        _move(address(weth), 3_300e18);
        _open(TRADER, 0, -5e18);
        (uint256 credit, uint256 scaled,) = engine.cash(TRADER);
        assertEq(scaled, 0, "the fee's debt repaid out of the profit");
        assertGt(credit, 1_400e6, "the profit less the fees");
        assertLt(credit, 1_500e6, "less than the profit");
        assertApproxEqAbs(credit, 1_468.5e6, 0.5e6, "1,500 - 15 - 16.50, less a borrow fee of cents");
        _withdraw(TRADER, usdc, credit);
        assertEq(usdc.balanceOf(TRADER), credit, "withdrawn");
        (, uint16 markets) = engine.accountMasks(TRADER);
        assertEq(uint256(markets), 0, "no market left");
    }
}

/// @title MarginEngineTradeUnpricedTest
/// @notice The core deployed before the settlement asset's first oracle update (its median and TWAP still zero): a
/// trade on a fee-free market must fail on the settlement price's policy check, not on a division by its zero price (a
/// zero fee is not converted to settlement units).
contract MarginEngineTradeUnpricedTest is MarginEngineBase {
    function setUp() public override {
        _deployOracle();
        usdc = new MockERC20("USDC", "USDC", 6);
        MockFeed feed = new MockFeed(FEED_DECIMALS, 1e8, "feed");
        oracle.setAssetConfig(address(usdc), _benchOracleConfig(feed)); // listed, never updated
        weth = _newAsset("WETH", 18, 3_000e18);
        _deployCore();
        _listPoolAsset(address(usdc), 5_000);
        _listPoolAsset(address(weth), 5_000);
        _listMarket(address(weth), 1e16);
        IMarginEngineTypes.MarketParams memory p = engine.marketParams(0);
        p.tradingFeeBps = 0;
        engine.setMarketParams(0, p);
        _nextBlock();
    }

    /// @notice The open reverts PriceUnavailable for the settlement asset (Stale: never updated).
    function test_modifyPosition__settlementNeverPriced__policyRevert() public {
        (uint256 median, uint256 twap,,) = _priceData(address(usdc));
        assertEq(median + twap, 0, "no settlement price yet");
        _deposit(TRADER, usdc, 1_000e6);
        assertEq(_credit(TRADER), 1_000e6, "credited without a price");
        vm.expectRevert(abi.encodeWithSignature("PriceUnavailable(address,uint8,uint8)", address(usdc), 0, 2));
        _open(TRADER, 0, 1e18);
    }
}

/// @title MarginEngineTradeFlowTest
/// @notice `MarginEngine.modifyPosition`: opening, changing and closing positions, fees, realized PnL and the price policy (fixture: CoreFlowBase).
contract MarginEngineTradeFlowTest is CoreFlowBase {
    /// @notice Opening charges the trading fee (10 bps of 90,000 USD = 90 USDC). An account with no credit owes all
    /// of it to the Pool as a receivable: no token moves, the InsuranceFund's share is not lent out of the Pool (a fee
    /// never needs a Pool loan); the position is booked at the entry price.
    function test_modifyPosition__openWithoutCredit__feeIsDebtToThePool() public {
        uint256 reserve = pool.reserves(address(usdc));
        _openBenchLong(TRADER);
        IMarginEngineTypes.Position memory p = engine.position(TRADER, 0);
        assertEq(int256(p.size), 30e18, "size");
        assertEq(uint256(p.entryPrice), 3_000e18, "entry price");
        (,, uint256 debt) = engine.cash(TRADER);
        // 90 USDC booked at the open, plus one block of interest (a few units).
        assertApproxEqAbs(debt, 90e6, 10, "the fee is the account's debt");
        assertEq(insurance.bookedBalance(), 0, "no insurance share without credit");
        assertEq(pool.reserves(address(usdc)), reserve, "nothing left the Pool");
        assertEq(pool.totalScaledDebt() != 0, true, "the Pool's receivable");
    }

    /// @notice With credit, the InsuranceFund books its 20 % share of the fee (18 USDC) out of it and the Pool the
    /// rest (72 USDC).
    function test_modifyPosition__openWithCredit__insuranceBooksItsFeeShare() public {
        _deposit(TRADER, usdc, 1_000e6);
        uint256 reserve = pool.reserves(address(usdc));
        _openBenchLong(TRADER);
        assertEq(insurance.bookedBalance(), 18e6, "insurance share of the fee");
        assertEq(usdc.balanceOf(address(insurance)), 18e6, "insurance holds its share");
        assertEq(pool.reserves(address(usdc)), reserve + 72e6, "the Pool's share");
        (uint256 credit,,) = engine.cash(TRADER);
        assertEq(credit, 910e6, "paid from credit");
    }

    /// @notice Caps stop only new risk (docs/design.md#products): with the MarginEngine's caps set to zero under an open
    /// long, increasing it reverts ProductCapExceeded from the Pool's check, while reducing it and closing it at a
    /// profit (paid by the Pool) still work.
    function test_modifyPosition__marginEngineCappedAtZero__refusesNewRiskOnly() public {
        _openBenchLong(TRADER);
        pool.setProductCaps(address(engine), IProductRegistryTypes.ProductCaps(0, 0));
        vm.prank(TRADER);
        (bool ok, bytes memory err) =
            address(engine).call(abi.encodeCall(engine.modifyPosition, (0, 1e18, type(uint256).max)));
        assertTrue(!ok, "an increase is new risk");
        assertEq(bytes4(err), IProductRegistryTypes.ProductCapExceeded.selector, "refused by the cap");
        _open(TRADER, 0, -10e18);
        assertEq(int256(engine.position(TRADER, 0).size), 20e18, "reduced");
        _settleWethAt(3_300e18);
        uint256 reserve = pool.reserves(address(usdc));
        _open(TRADER, 0, -20e18);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed");
        assertTrue(pool.reserves(address(usdc)) < reserve, "the profit paid by the Pool");
    }
}
