// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILiquidator} from "../../../interfaces/ILiquidator.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

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

    /// @dev The LP takes `token`'s Pool reserve down to about `leftUsd` (WAD) worth, in a few withdrawals.
    function _lpDrain(MockERC20 token, uint256 leftUsd) internal {
        (uint256 median,,,) = _priceData(address(token));
        for (uint256 k = 0; k < 4; ++k) {
            uint256 value = pool.reserves(address(token)).toValueDown(median, token.decimals());
            if (value <= leftUsd + 1e18) return;
            uint256 shares = (value - leftUsd).mulDivDown(IERC20(address(pool)).totalSupply(), uint256(pool.nav(false)));
            vm.prank(LP);
            pool.withdraw(shares, address(token), 0, LP);
        }
    }

    /// @dev A Pool left with 400,000 USD of USDC, no WETH and (unless `keepWbtc`) no WBTC; OTHER with 150,000 and
    /// TRADER with 20,000 USDC of credit.
    function _smallPoolWithCredit(bool keepWbtc) internal {
        vm.warp(vm.getBlockTimestamp() + LP_COOLDOWN);
        _nextBlock();
        _lpDrain(weth, 0);
        if (!keepWbtc) _lpDrain(wbtc, 0);
        _lpDrain(usdc, 400_000e18);
        _deposit(OTHER, usdc, 150_000e6);
        _deposit(TRADER, usdc, 20_000e6);
        _nextBlock();
    }

    /// @dev A Pool whose settlement reserve profits have drained to a few thousand USDC and which holds no WETH and
    /// (unless `keepWbtc`) no WBTC. TRADER: 20,000 USDC of credit, a 30 WETH long at 3,000 (market 0) and a 0.1 WBTC
    /// long at 60,000 (market 1). WBTC then goes to 200,000 (OTHER's 4 WBTC long closes most of its profit, draining
    /// the USDC reserve) and WETH to 1,900: TRADER's close realizes a 33,000 USD loss in market 0, before a 14,000 USD
    /// profit in market 1. Returns the Pool's USDC reserve before the liquidation.
    function _lossBeforeProfitDrainedReserve(bool keepWbtc) internal returns (uint256 reserve) {
        _smallPoolWithCredit(keepWbtc);
        _open(OTHER, 1, 4e18);
        _open(TRADER, 0, 30e18);
        _open(TRADER, 1, 0.1e18);
        _nextBlock();
        _move(address(wbtc), 200_000e18);
        // OTHER takes the reserve down to about 5,000 USDC: 140,000 USD of profit per WBTC.
        uint256 closing = (pool.reserves(address(usdc)) - 5_000e6) * 1e12 * 1e18 / 140_000e18;
        _open(OTHER, 1, -int256(closing));
        _move(address(weth), 1_900e18);
        reserve = pool.reserves(address(usdc));
        assertLt(reserve, 14_000e6, "fixture: the USDC reserve is short of TRADER's 14,000 USD profit");
        assertGe(reserve + 20_000e6, 14_000e6, "fixture: with the loss's credit-paid part it would not be");
        assertTrue(engine.liquidationHealth(TRADER).liquidatable, "fixture: liquidatable");
    }

    /// @notice A loss in market 0 before a profit in market 1, the Pool's settlement reserve drained below the profit
    /// and no other Pool asset to pay in kind: the loss is booked before the profit is paid (its 20,000 USDC paid from
    /// credit refill the reserve first), so the 14,000 USD profit is paid in USDC and the liquidation goes through.
    function test_liquidateAccount__lossBeforeProfit_reserveShort__lossBookedFirstAndProfitPaid() public {
        uint256 reserve = _lossBeforeProfitDrainedReserve(false);
        uint256 credit = _credit(TRADER);
        ILiquidator.Params memory p = liquidator.params();
        p.closeFactorBps = 10_000;
        vm.recordLogs();
        IMarginEngineTypes.Liquidation memory l = _liquidateAccount(TRADER, p);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertTrue(l.liquidatable && l.margin == 0, "closed in full");
        (uint256 bookings, uint256 paid,) = _lossesReceived(logs);
        assertEq(paid, credit, "the loss took the whole credit into the reserve");
        assertGe(bookings, 1, "booked with the Pool");
        assertEq(engine.collateralBalance(TRADER, address(wbtc)), 0, "nothing paid in kind");
        assertLt(pool.reserves(address(usdc)), reserve + paid, "the profit paid out of the refilled reserve");
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertEq(l.margin, h.maintenanceMargin, "margin as the health after");
    }

    /// @dev A revert's data without its selector.
    function _args(bytes memory ret) internal pure returns (bytes memory args) {
        args = new bytes(ret.length - 4);
        for (uint256 i = 0; i < args.length; ++i) {
            args[i] = ret[i + 4];
        }
    }

    /// @notice The same with WBTC in the Pool: the loss booked first refills the reserve, so the profit is paid in
    /// USDC, not in WBTC, and the returned equity (no penalty) is `liquidationHealth`'s after the close.
    function test_liquidateAccount__lossBeforeProfit_reserveShort__paidInUsdcAndTheEquityExact() public {
        _lossBeforeProfitDrainedReserve(true);
        ILiquidator.Params memory p = ILiquidator.Params(10_000, 0, 0, 0, 0, 0, 0);
        IMarginEngineTypes.Liquidation memory l = _liquidateAccount(TRADER, p);
        assertEq(l.penalty, 0, "no penalty");
        assertEq(engine.collateralBalance(TRADER, address(wbtc)), 0, "nothing paid in WBTC");
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertEq(l.equity, h.maintenanceEquity, "equity as the health after");
        assertEq(l.margin, h.maintenanceMargin, "margin as the health after");
    }

    // ---------------------------------------------------------------- REVIEW: booking against the sequential one

    /// @dev The books one liquidation leaves, in the order `_bookings` reads them.
    function _bookings(IMarginEngineTypes.Liquidation memory l) internal view returns (uint256[13] memory b) {
        (uint256 credit, uint256 scaled,) = engine.cash(TRADER);
        b[0] = credit;
        b[1] = scaled;
        b[2] = pool.reserves(address(usdc));
        b[3] = pool.totalScaledDebt();
        b[4] = insurance.bookedBalance();
        b[5] = _credit(KEEPER);
        b[6] = engine.collateralBalance(KEEPER, address(weth));
        b[7] = engine.collateralBalance(KEEPER, address(wbtc));
        b[8] = engine.collateralBalance(TRADER, address(weth));
        b[9] = pool.reserves(address(wbtc));
        b[10] = uint256(l.equity < 0 ? -l.equity : l.equity);
        b[11] = l.penalty;
        b[12] = l.keeperReward;
    }

    /// @dev TRADER: `wethCollateral` WETH and `credit` USDC, a 30 WETH long (market 0) and a 0.5 WBTC long (market 1),
    /// a day of borrow interest, then WETH to `wethWad` and WBTC to `wbtcWad`; liquidated in full, default penalty.
    function _reviewScenario(uint256 wethCollateral, uint256 credit, uint256 wethWad, uint256 wbtcWad)
        internal
        returns (IMarginEngineTypes.Liquidation memory l)
    {
        if (wethCollateral != 0) _deposit(TRADER, weth, wethCollateral);
        if (credit != 0) _deposit(TRADER, usdc, credit);
        _nextBlock();
        _open(TRADER, 0, 30e18);
        _open(TRADER, 1, 0.5e18);
        vm.warp(vm.getBlockTimestamp() + 1 days);
        _move(address(weth), wethWad);
        _move(address(wbtc), wbtcWad);
        assertTrue(engine.liquidationHealth(TRADER).liquidatable, "fixture: liquidatable");
        ILiquidator.Params memory p = liquidator.params();
        p.closeFactorBps = 10_000;
        l = _liquidateAccount(TRADER, p);
    }

    /// @dev `b` against `old`, what sequential booking (6f1fcbf) left in the same scenario: the account's credit,
    /// its scaled debt, the Pool's USDC, the Pool's scaled debt, the fund's booked balance, the equity returned: within
    /// a unit of merged rounding, never more debt for the account; everything else exact.
    function _assertSequential(uint256[13] memory b, uint256[13] memory old) internal pure {
        assertEq(b[0], old[0], "the account's credit");
        assertLe(b[1], old[1], "never more scaled debt than sequential booking");
        assertApproxEqAbs(b[1], old[1], 1, "the account's scaled debt, within merged rounding");
        assertApproxEqAbs(b[2], old[2], 1, "the Pool's USDC reserve, within merged rounding");
        assertApproxEqAbs(b[3], old[3], 1, "the Pool's scaled debt, within merged rounding");
        assertEq(b[3], b[1], "the Pool's receivable is the account's debt");
        assertApproxEqAbs(b[4], old[4], 1, "the fund's booked balance, within merged rounding");
        for (uint256 i = 5; i < 10; ++i) {
            assertEq(b[i], old[i], "the keeper's and the account's assets, the Pool's WBTC");
        }
        assertApproxEqAbs(b[10], old[10], 1e12, "the equity returned, within a settlement unit");
        assertEq(b[11], old[11], "the penalty");
        assertEq(b[12], old[12], "the keeper's reward");
    }

    /// @notice REVIEW: no credit, the opening fees owed as debt; a loss in market 0 (30 WETH, 3,000 -> 2,200) before a
    /// profit in market 1 (0.5 WBTC, 60,000 -> 66,000) that repays debt; the keeper paid in WETH, the fund's share
    /// owed. The books are the sequential booking's, one scaled unit of debt less.
    function test_review_liquidateAccount__debtLossThenProfit__booksAsSequential() public {
        IMarginEngineTypes.Liquidation memory l = _reviewScenario(12e18, 0, 2_200e18, 66_000e18);
        _assertSequential(
            _bookings(l),
            [
                uint256(0),
                21818923159,
                1000000000000,
                21818923159,
                0,
                0,
                135454545454545455,
                0,
                11864545454545454545,
                1666666666,
                2631539771000000000000,
                990000000,
                298000000
            ]
        );
    }

    /// @notice REVIEW: 23,000 USDC of credit; the loss in market 0 (3,000 -> 2,237) takes more than the credit, the
    /// profit in market 1 brings it back to about 505 USDC, between the keeper's reward and the penalty. Sequential
    /// booking borrowed the loss's rest and repaid it with the profit (rounding a unit to the Pool); the merged booking
    /// leaves that unit in the credit, so the fund books one unit more and the Pool one less (and one scaled unit less
    /// of the fund's rest as debt).
    function test_review_liquidateAccount__creditBetweenLossAndPenaltyWithProfit__booksAsSequential() public {
        IMarginEngineTypes.Liquidation memory l = _reviewScenario(1e18, 23_000e6, 2_237e18, 61_000e18);
        _assertSequential(
            _bookings(l),
            [
                uint256(0),
                494515270,
                1022494450100,
                494515270,
                211719900,
                293830000,
                0,
                0,
                1000000000000000000,
                1666666666,
                2494849900000000000000,
                976100000,
                293830000
            ]
        );
    }

    /// @notice REVIEW: 5,000 USDC of credit below two losses (market 0 and market 1): the merged booking borrows once.
    function test_review_liquidateAccount__twoLossesCreditBelow__booksAsSequential() public {
        IMarginEngineTypes.Liquidation memory l = _reviewScenario(10e18, 5_000e6, 2_300e18, 57_000e18);
        _assertSequential(
            _bookings(l),
            [
                uint256(0),
                18308660572,
                1004976000000,
                18308660572,
                24000000,
                0,
                127608695652173914,
                0,
                9872391304347826086,
                1666666666,
                3071549899000000000000,
                975000000,
                293500000
            ]
        );
    }

    /// @notice REVIEW: credit above the losses and the penalty: nothing borrowed, the same books exactly.
    function test_review_liquidateAccount__creditAboveLossesAndPenalty__booksAsSequential() public {
        IMarginEngineTypes.Liquidation memory l = _reviewScenario(0, 33_000e6, 2_000e18, 61_000e18);
        _assertSequential(
            _bookings(l),
            [
                uint256(2466549901),
                0,
                1029604450099,
                0,
                656500000,
                272500000,
                0,
                0,
                0,
                1666666666,
                3371549901000000000000,
                905000000,
                272500000
            ]
        );
    }

    /// @notice REVIEW: 2,000 USDC of credit below the loss in market 0, then a profit in market 1.
    function test_review_liquidateAccount__creditBelowLossThenProfit__booksAsSequential() public {
        IMarginEngineTypes.Liquidation memory l = _reviewScenario(11e18, 2_000e6, 2_200e18, 66_000e18);
        _assertSequential(
            _bookings(l),
            [
                uint256(0),
                19819054190,
                1001976000000,
                19819054190,
                24000000,
                0,
                135454545454545455,
                0,
                10864545454545454545,
                1666666666,
                2651549900000000000000,
                990000000,
                298000000
            ]
        );
    }

    /// @notice Through the Liquidator, the same solvent account: closed in full with the close's penalty charged (the
    /// keeper's reward in credit, the fund's share booked), never absorbed.
    function test_liquidate__lossBeforeProfit_reserveShort__solventCloseChargedNotAbsorbed() public {
        _lossBeforeProfitDrainedReserve(true);
        uint256 booked = insurance.bookedBalance();
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, address(liquidator), ILiquidator.Absorbed.selector), 0, "not absorbed");
        assertEq(_count(logs, address(engine), IMarginEngineTypes.DebtWrittenOff.selector), 0, "no debt written off");
        assertGt(_credit(KEEPER), 0, "the keeper's reward, in credit");
        assertGt(insurance.bookedBalance(), booked, "the fund's share booked");
        assertTrue(engine.liquidationHealth(TRADER).maintenanceEquity >= 0, "solvent after the charge");
    }

    /// @notice A profit in market 0 (2 WETH long, 3,000 -> 10,000: 14,000 USD) before a loss in market 1 (1.5 WBTC
    /// long, 60,000 -> 38,000: 33,000 USD), the USDC reserve drained to about 5,000 by OTHER's WETH profit, the Pool
    /// holding WBTC: the profit's rest is paid in WBTC, collateral the health read before the close did not value. The
    /// close reads the health again, so the returned equity (no penalty) is `liquidationHealth`'s after the close.
    function test_liquidateAccount__profitPaidInKind__equityReadAgainWithTheCollateral() public {
        _smallPoolWithCredit(true);
        _open(OTHER, 0, 80e18);
        _open(TRADER, 0, 2e18);
        _open(TRADER, 1, 1.5e18);
        _nextBlock();
        _move(address(weth), 10_000e18);
        uint256 closing = (pool.reserves(address(usdc)) - 5_000e6) * 1e12 * 1e18 / 7_000e18;
        _open(OTHER, 0, -int256(closing));
        _move(address(wbtc), 38_000e18);
        assertLt(pool.reserves(address(usdc)), 14_000e6, "fixture: the USDC reserve is short of the profit");
        assertTrue(engine.liquidationHealth(TRADER).liquidatable, "fixture: liquidatable");
        IMarginEngineTypes.Liquidation memory l =
            _liquidateAccount(TRADER, ILiquidator.Params(10_000, 0, 0, 0, 0, 0, 0));
        uint256 inKind = engine.collateralBalance(TRADER, address(wbtc));
        assertGt(inKind, 0, "part of the profit paid in WBTC");
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertEq(l.equity, h.maintenanceEquity, "equity as the health after, the WBTC counted");
        assertEq(l.margin, h.maintenanceMargin, "margin as the health after");
    }

    /// @notice REVIEW: the penalty capped by the equity after the close (about 425 USDC of a 960 USDC charge), the
    /// credit below the loss, then a profit in market 1 (the losses so far are booked before it is paid): the same
    /// books as sequential booking.
    function test_review_liquidateAccount__penaltyCappedByEquity__booksAsSequential() public {
        IMarginEngineTypes.Liquidation memory l = _reviewScenario(1e18, 23_000e6, 2_170e18, 61_000e18);
        uint256[13] memory old = [
            uint256(0),
            1824506524,
            1022976000000,
            1824506524,
            24000000,
            0,
            59154363594470047,
            0,
            940845636405529953,
            1666666666,
            424549899000000000000,
            424549897,
            128364969
        ];
        _assertSequential(_bookings(l), old);
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
