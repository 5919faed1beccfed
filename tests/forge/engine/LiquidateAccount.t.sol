// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILiquidator} from "../../../interfaces/ILiquidator.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPoolCore, IPoolTypes} from "../../../interfaces/IPool.sol";
import {FixedPointMath} from "../../../contracts/libraries/FixedPointMath.sol";
import {PriceRange} from "../../../contracts/libraries/PriceRange.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {ScalingGasBase} from "../gas/BenchGas.t.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title MarginEngineLiquidateAccountScalingTest
/// @notice `MarginEngine.liquidateAccount` returns the maintenance equity and margin after the close by taking the
/// parts the close changes (positions and cash) out of its health read and putting them back after: with no penalty
/// the result must be exactly what `liquidationHealth` returns after the close, for every account shape (1, 4 or 7
/// collateral tokens plus cash, 1, 4 or 8 positions), close factor and price fall (healthy to insolvent, with the
/// borrow fees of the elapsed time). A healthy account is reported and left as it was.
contract MarginEngineLiquidateAccountScalingTest is ScalingGasBase {
    function setUp() public {
        _deployScaling();
    }

    function testFuzz_liquidateAccount__any_account_fraction_and_fall__returns_the_health_after(
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
        // No penalty, never critical above zero equity, no dust rule: the close factor is the fuzzed fraction.
        ILiquidator.Params memory p = ILiquidator.Params(uint16(fractionBps), 0, 0, 0, 0, 0, 0);

        vm.prank(address(liquidator));
        IMarginEngineTypes.Liquidation memory l = engine.liquidateAccount(account, KEEPER, p);

        IMarginEngineTypes.Health memory afterClose = engine.liquidationHealth(account);
        assertEq(l.liquidatable, before.liquidatable, "liquidatable as the health read before");
        assertEq(l.equity, afterClose.maintenanceEquity, "maintenance equity after the close");
        assertEq(l.margin, afterClose.maintenanceMargin, "maintenance margin after the close");
        assertEq(l.penalty, 0, "no penalty asked, none charged");
        if (!before.liquidatable) {
            assertEq(l.equity, before.maintenanceEquity, "a healthy account is left as it was");
            assertEq(l.closedNotional, 0, "nothing closed");
            return;
        }
        assertTrue(l.closedNotional > 0, "nothing closed");
        uint256 expected = before.maintenanceEquity < 0 ? 10_000 : fractionBps;
        assertEq(l.fractionBps, expected, "the close factor, all of it below zero equity");
        if (l.fractionBps == 10_000) assertEq(l.margin, 0, "a full close leaves a margin");
    }
}

/// @title MarginEngineKeeperRewardsWideTest
/// @notice A keeper's rewards are credited to its engine account in whatever collateral the liquidated accounts held,
/// past the deposit's check of 8 assets per account. That stays within what a health computation is sized for:
/// collateral must be a Pool asset and the Pool lists at most 8, the settlement asset among them, so a keeper paid in
/// every collateral asset holds 7 (fixture: the scaling grid, the Pool full).
contract MarginEngineKeeperRewardsWideTest is ScalingGasBase {
    function setUp() public {
        _deployScaling();
    }

    function test_payKeeperInCollateral__everyCollateralAsset__keeperHealthReadsAndEveryRewardWithdraws() public {
        MockERC20 ninth = _newAsset("C7", 18, 10e18);
        vm.expectRevert(abi.encodeWithSignature("TooManyAssets(uint256)", 8));
        pool.listAsset(address(ninth), IPoolTypes.AssetParams(0, 10_000, 0, 0, CAP));
        assertEq(engine.collateralAssets().length, 7, "every collateral asset there can be");
        PriceRange.Range memory settlement = PriceRange.Range(1e18, 1e18);
        for (uint256 i = 0; i < 7; ++i) {
            address payer = _actor(string.concat("payer", vm.toString(i)));
            _deposit(payer, tokens[i], 10 ** tokens[i].decimals());
            vm.prank(address(liquidator));
            assertEq(engine.payKeeperInCollateral(payer, KEEPER, 1e6, settlement), 1e6, "1 USDC's worth paid");
        }
        (uint16 held,) = engine.accountMasks(KEEPER);
        assertEq(held, 0x7f, "the keeper holds all seven");
        assertTrue(engine.health(KEEPER).maintenanceEquity > 0, "its health reads");
        assertTrue(!engine.liquidationHealth(KEEPER).liquidatable, "and at the liquidation policy");
        for (uint256 i = 0; i < 7; ++i) {
            uint256 amount = engine.collateralBalance(KEEPER, address(tokens[i]));
            vm.prank(KEEPER);
            engine.withdraw(address(tokens[i]), amount, KEEPER);
            assertEq(tokens[i].balanceOf(KEEPER), amount, "withdrawn");
        }
    }
}

/// @title MarginEngineLiquidateAccountTest
/// @notice `MarginEngine.liquidateAccount` (Liquidator only): the fraction closed, the penalty charged and paid, the
/// prices read once (fixture: MarginEngineBase; the bench long: 10 WETH of collateral and a 30 WETH long at 3,000).
contract MarginEngineLiquidateAccountTest is MarginEngineBase {
    using FixedPointMath for uint256;
    using PriceRange for PriceRange.Range;

    bytes32 internal constant FUNDED = keccak256("Funded(address,uint256,bytes32)");
    bytes32 internal constant COLLATERAL_DEPOSITED = keccak256("CollateralDeposited(address,address,uint256,address)");

    function _liquidateAccount(address account, ILiquidator.Params memory p)
        internal
        returns (IMarginEngineTypes.Liquidation memory)
    {
        vm.prank(address(liquidator));
        return engine.liquidateAccount(account, KEEPER, p);
    }

    /// @notice A healthy account: reported with its maintenance figures, nothing changes and nothing is emitted.
    function test_liquidateAccount__healthy__reportsTheHealthAndChangesNothing() public {
        _openBenchLong(TRADER);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        vm.recordLogs();
        IMarginEngineTypes.Liquidation memory l = _liquidateAccount(TRADER, liquidator.params());
        assertEq(vm.getRecordedLogs().length, 0, "no event");
        assertTrue(!l.liquidatable, "healthy");
        assertEq(l.equity, h.maintenanceEquity, "its maintenance equity");
        assertEq(l.margin, h.maintenanceMargin, "its maintenance margin");
        assertEq(int256(engine.position(TRADER, 0).size), 30e18, "untouched");
    }

    /// @notice At 2,400 the bench long is liquidatable, not critical: half of it closes (15 WETH, 36,000 USD), the
    /// penalty is 1 % of that (360 USDC) and the keeper's part 1 USDC + 30 % (109 USDC). The account has no credit: the
    /// keeper's part is moved from its WETH into the keeper's engine account, the fund's share is owed to the Pool.
    function test_liquidateAccount__notCritical__closesTheCloseFactorAndChargesThePenalty() public {
        _openBenchLong(TRADER);
        _settleWethAt(2_400e18);
        uint256 debtBefore = pool.totalScaledDebt();
        vm.recordLogs();
        IMarginEngineTypes.Liquidation memory l = _liquidateAccount(TRADER, liquidator.params());
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertTrue(l.liquidatable, "liquidatable");
        assertEq(l.fractionBps, 5_000, "the close factor");
        assertEq(l.closedNotional, 36_000e18, "15 WETH at 2,400");
        assertEq(int256(engine.position(TRADER, 0).size), 15e18, "half left");
        assertEq(l.penalty, 360e6, "1 % of the closed notional");
        assertEq(l.keeperReward, 109e6, "1 USDC + 30 % of the penalty");
        assertEq(_keeperHolds(weth), uint256(109e18).toAmountUp(2_400e18, 18), "the reward in WETH at 2,400");
        assertEq(_transfers(logs, address(engine), KEEPER), 0, "no token to the keeper");
        assertEq(_depositedTo(logs, KEEPER), _keeperHolds(weth), "announced as a deposit to the keeper's account");
        assertEq(_count(logs, address(insurance), FUNDED), 0, "no credit: nothing to the fund now");
        assertGt(pool.totalScaledDebt(), debtBefore, "the loss and the fund's share owed to the Pool");
        assertEq(l.settlement.low, 1e18, "the settlement range used");
        assertEq(l.settlement.high, 1e18, "the settlement range used");
    }

    /// @dev The collateral `logs` show deposited into `account`'s engine account (`CollateralDeposited`).
    function _depositedTo(Vm.Log[] memory logs, address account) internal view returns (uint256 amount) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(engine) || logs[i].topics[0] != COLLATERAL_DEPOSITED) continue;
            if (logs[i].topics[1] == bytes32(uint256(uint160(account)))) amount += abi.decode(logs[i].data, (uint256));
        }
    }

    /// @notice A cash-only account (25,000 USDC of credit, the 30 WETH long) at 2,250: liquidatable, not critical. The
    /// close's loss comes out of its credit first; the credit left pays the penalty: the keeper's part into the keeper's
    /// credit (no token moves), the fund's share to the InsuranceFund.
    function test_liquidateAccount__credit__paysTheKeeperInCreditAndTheFundInTokens() public {
        _creditLongLiquidatable(TRADER);
        uint256 booked = insurance.bookedBalance();
        uint256 keeperWallet = usdc.balanceOf(KEEPER);
        vm.recordLogs();
        IMarginEngineTypes.Liquidation memory l = _liquidateAccount(TRADER, liquidator.params());
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(l.fractionBps, 5_000, "the close factor");
        assertGt(l.penalty, 0, "a penalty");
        assertEq(l.keeperReward, 1e6 + l.penalty.mulBpsDown(3_000), "1 USDC + 30 % of the penalty");
        assertEq(_credit(KEEPER), l.keeperReward, "the keeper's reward, as its credit");
        assertEq(usdc.balanceOf(KEEPER), keeperWallet, "no token to the keeper");
        assertEq(_transfers(logs, address(engine), KEEPER), 0, "no transfer to the keeper");
        assertEq(insurance.bookedBalance() - booked, l.penalty - l.keeperReward, "the fund's share, from the credit");
    }

    /// @notice One booking with the Pool per liquidation. 1 WETH of collateral and 17,000 USDC of credit behind the 30
    /// WETH long; at 2,450 a full close realizes a loss of 16,500 USD (and the borrow fee), which leaves about 410 USDC
    /// of credit: more than the keeper's reward, less than the 735 USDC penalty. The credit left pays the keeper, then
    /// part of the fund's share; the close's loss (paid from credit) and the rest of the fund's share (new debt) reach
    /// the Pool in one `receiveLoss`, and the account's cash changes once for them.
    function test_liquidateAccount__creditBetweenTheLossAndThePenalty__oneBookingWithThePool() public {
        _deposit(TRADER, weth, 1e18);
        _deposit(TRADER, usdc, 17_000e6);
        _nextBlock();
        _open(TRADER, 0, 30e18);
        _nextBlock();
        _settleWethAt(2_450e18);
        uint256 creditBefore = _credit(TRADER);
        uint256 booked = insurance.bookedBalance();
        ILiquidator.Params memory p = liquidator.params();
        p.closeFactorBps = 10_000;
        vm.recordLogs();
        IMarginEngineTypes.Liquidation memory l = _liquidateAccount(TRADER, p);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 loss = _realizedLossUnits(logs);
        assertGt(creditBefore, loss + l.keeperReward, "fixture: the credit left pays the keeper's reward");
        assertLt(creditBefore, loss + l.penalty, "fixture: but not the whole penalty");
        uint256 funded = creditBefore - loss - l.keeperReward;
        assertEq(_credit(KEEPER), l.keeperReward, "the keeper's reward, from the credit left");
        assertEq(insurance.bookedBalance() - booked, funded, "the fund, the rest of the credit");
        (uint256 bookings, uint256 paid, uint256 borrowed) = _lossesReceived(logs);
        assertEq(bookings, 1, "one booking with the Pool");
        assertEq(paid, loss, "the close's loss, paid from credit");
        assertEq(borrowed, l.penalty - l.keeperReward - funded, "the rest of the fund's share, as new debt");
        assertEq(_credit(TRADER), 0, "the credit used up");
        assertEq(_cashChanges(logs, TRADER), 2, "one cash change for the charge from credit, one for the booking");
    }

    /// @dev The settlement units of the losses `logs` show realized (`PositionModified`), rounded up at USDC's 1.
    function _realizedLossUnits(Vm.Log[] memory logs) internal view returns (uint256 units) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(engine) || logs[i].topics[0] != POSITION_MODIFIED) continue;
            (,,, int256 realized,) = abi.decode(logs[i].data, (int256, int256, uint256, int256, uint256));
            if (realized < 0) units += (uint256(-realized) + 1e12 - 1) / 1e12;
        }
    }

    /// @dev The Pool's `LossReceived` events in `logs`: how many, and their paid and borrowed units summed.
    function _lossesReceived(Vm.Log[] memory logs) internal view returns (uint256 n, uint256 paid, uint256 borrowed) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(pool) || logs[i].topics[0] != IPoolTypes.LossReceived.selector) continue;
            (uint256 p, uint256 b,) = abi.decode(logs[i].data, (uint256, uint256, uint256));
            (n, paid, borrowed) = (n + 1, paid + p, borrowed + b);
        }
    }

    /// @dev `account`'s `CashChanged` events in `logs`.
    function _cashChanges(Vm.Log[] memory logs, address account) internal view returns (uint256 n) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(engine) || logs[i].topics[0] != CASH_CHANGED) continue;
            if (logs[i].topics[1] == bytes32(uint256(uint160(account)))) ++n;
        }
    }

    /// @notice A close factor that would leave less than the market's minimum size closes everything.
    function test_liquidateAccount__closeLeavingDust__closesAll() public {
        _openBenchLong(TRADER);
        _settleWethAt(2_400e18);
        ILiquidator.Params memory p = liquidator.params();
        p.closeFactorBps = 9_999; // would leave 0.003 WETH, below the minimum size
        IMarginEngineTypes.Liquidation memory l = _liquidateAccount(TRADER, p);
        assertEq(l.closedNotional, 72_000e18, "all closed rather than dust");
        assertEq(int256(engine.position(TRADER, 0).size), 0, "nothing left");
        assertEq(l.margin, 0, "no margin left");
    }

    /// @notice One set of prices: the health read, the close and the charge read WETH's and USDC's liquidation prices
    /// and the borrow index once each.
    function test_liquidateAccount__oneLiquidation__readsEachPriceOnce() public {
        _openBenchLong(TRADER);
        _settleWethAt(2_400e18);
        IOracleAggregator.Action liquidate = IOracleAggregator.Action.Liquidate;
        vm.expectCall(address(oracle), abi.encodeCall(IOracleAggregator.priceBounds, (address(weth), liquidate)), 1);
        vm.expectCall(address(oracle), abi.encodeCall(IOracleAggregator.priceBounds, (address(usdc), liquidate)), 1);
        vm.expectCall(address(pool), abi.encodeCall(IPoolCore.borrowIndex, ()), 1);
        IMarginEngineTypes.Liquidation memory l = _liquidateAccount(TRADER, liquidator.params());
        assertEq(l.keeperReward, 109e6, "charged");
    }

    /// @notice Without credit the keeper's reward is paid in the account's collateral valued at its upper liquidation
    /// price, the fewer units: with WETH's median and TWAP apart, the keeper gets the reward's worth at the higher one.
    function test_payKeeperInCollateral__medianAndTwapApart__paidAtTheUpperPrice() public {
        _deposit(TRADER, weth, 10e18);
        (uint256 low, uint256 high,) = _jump(address(weth), 3_150e18);
        PriceRange.Range memory usdcRange = PriceRange.fromData(oracle.getPriceData(address(usdc)));
        uint256 usd = usdcRange.usdDown(30e6, 6);
        vm.prank(address(liquidator));
        uint256 paid = engine.payKeeperInCollateral(TRADER, KEEPER, 30e6, usdcRange);
        assertEq(paid, 30e6, "paid in full");
        assertEq(_keeperHolds(weth), usd.toAmountUp(high, 18), "the reward's worth at the upper price");
        assertLt(_keeperHolds(weth), usd.toAmountUp(low, 18), "fewer units than at the lower price");
    }

    /// @notice A keeper's reward worth more than the account's collateral takes all of it and reports what it came to
    /// (its value at the upper price, in settlement units at the higher settlement price), not the reward asked.
    function test_payKeeperInCollateral__collateralShortOfTheReward__reportsWhatTheCollateralPaid() public {
        _deposit(TRADER, weth, 0.001e18);
        PriceRange.Range memory usdcRange = PriceRange.fromData(oracle.getPriceData(address(usdc)));
        (uint256 median, uint256 twap,,) = _priceData(address(weth));
        (, uint256 wethHigh) = PriceRange.ordered(median, twap);
        vm.prank(address(liquidator));
        uint256 paid = engine.payKeeperInCollateral(TRADER, KEEPER, 30e6, usdcRange);
        assertEq(_keeperHolds(weth), 0.001e18, "all of the collateral");
        assertEq(engine.collateralBalance(TRADER, address(weth)), 0, "none left");
        assertEq(paid, usdcRange.unitsDown(uint256(0.001e18).toValueDown(wethHigh, 18), 6), "what it came to");
        assertLt(paid, 30e6, "less than the reward asked");
    }
}
