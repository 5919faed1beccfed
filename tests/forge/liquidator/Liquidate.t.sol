// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IErrors} from "../../../interfaces/IErrors.sol";
import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {ILiquidator} from "../../../interfaces/ILiquidator.sol";
import {IMarginEngine, IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {IProductRegistryTypes} from "../../../interfaces/IProductRegistry.sol";
import {InsuranceFund} from "../../../contracts/InsuranceFund.sol";
import {Liquidator} from "../../../contracts/Liquidator.sol";
import {MockFalseToken} from "../../../contracts/mocks/MockTokens.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {LiquidationLivenessBase} from "../utils/LiquidationLivenessBase.sol";
import {LiquidatorBase} from "../utils/LiquidatorBase.sol";
import {PayoutsBase} from "../utils/PayoutsBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title LiquidatorLiquidateDeviatedAbsorbTest
/// @notice An absorb values the seized collateral at the lower bound of its Liquidate price, as the Pool books it
/// (docs/design.md#invariants (2)): under a Deviated collateral price the deficit it reports is exactly what the
/// Pool's lower NAV loses, covered by the InsuranceFund first and socialized after, so LPs never lose
/// amount x (high - low) without a DeficitSocialized event.
contract LiquidatorLiquidateDeviatedAbsorbTest is EngineFixture {
    bytes32 internal constant DEFICIT_SOCIALIZED = keccak256("DeficitSocialized(uint256,uint256,uint256)");

    function setUp() public {
        _deploySeededBenchCore();
        _nextBlock();
        _openBenchLong(TRADER); // 30,000 USD of WETH, a 90,000 USD long
    }

    /// @notice WETH settles at 2,000 (the account is insolvent), then its feed jumps to 2,200 and the oracle updates:
    /// median 2,200, TWAP about 2,000, status Deviated. The liquidation closes at 2,200 and absorbs the 10 WETH valued
    /// at 2,000, the price the Pool books them at: the lower NAV falls by the socialized deficit and no more.
    function test_liquidate__absorbAtADeviatedCollateralPrice__lpLossIsExactlyTheSocializedDeficit() public {
        _setFeed(address(weth), 2_000e18);
        _settlePrices();
        _nextBlock();
        _setFeed(address(weth), 2_200e18);
        oracle.update(address(weth));
        (uint256 median, uint256 twap, uint8 status,) = _priceData(address(weth));
        assertEq(status, 1, "WETH is Deviated (liquidation allowed)");
        assertTrue(median > twap, "median above the TWAP");

        int256 navBefore = pool.nav(false);
        uint256 insuranceBefore = insurance.bookedBalance();
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 socializedUsd;
        for (uint256 k = 0; k < logs.length; ++k) {
            if (logs[k].topics[0] == DEFICIT_SOCIALIZED && logs[k].emitter == address(pool)) {
                (,, uint256 valueUsd) = abi.decode(logs[k].data, (uint256, uint256, uint256));
                socializedUsd += valueUsd;
            }
        }
        int256 navDrop = navBefore - pool.nav(false);
        uint256 covered = insuranceBefore - insurance.bookedBalance();
        // What LPs lost beyond the socialized deficit (the insurance cover went to the Pool, so it is not a loss).
        int256 unaccounted = navDrop - int256(socializedUsd);
        emit log_named_int("lower NAV drop, USD WAD", navDrop);
        emit log_named_uint("socialized, USD WAD", socializedUsd);
        emit log_named_uint("insurance cover, USDC units", covered);
        assertTrue(navDrop > 0, "the insolvent account's loss reached the Pool");
        // The socialized amount is whole settlement units (USDC: 1e-6 USD = 1e12 USD-WAD), rounded up: allow 10 units.
        assertTrue(unaccounted <= 1e13, "LPs lose nothing beyond the socialized deficit");
        assertTrue(unaccounted >= -1e13, "and the socialized deficit is the NAV drop, to the settlement unit");
    }
}

/// @title LiquidatorLiquidateTest
/// @notice `Liquidator.liquidate`: close factor, penalty, keeper reward, absorb and the loss waterfall (fixture: LiquidatorBase).
contract LiquidatorLiquidateTest is LiquidatorBase {
    /// @notice At 2,340 the account is critical (equity 1,170 USD under half its 3,510 USD margin), so it is closed
    /// in full, but it stays solvent: it pays the 1 % penalty on the 70,200 USD closed (702 USDC). It has no credit:
    /// the keeper's 211.6 are paid in WETH at 2,340, the fund's 490.4 are owed to the Pool as debt; it keeps the rest
    /// of its collateral; nothing is absorbed.
    function test_liquidate__criticalButSolvent__closesInFullAndKeepsTheCollateral() public {
        _settleWethAt(2_340e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(h.maintenanceEquity > 0, "solvent");
        assertTrue(h.maintenanceEquity < int256(h.maintenanceMargin / 2), "critical");
        Vm.Log[] memory logs = _liquidateRecording(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed in full");
        uint256 toKeeper = _wethFor(211_600_000, 1e18, 2_340e18);
        assertEq(_keeperHolds(weth), toKeeper, "keeper reward in WETH");
        assertEq(_penaltyDebt(logs), 490_400_000, "the fund's share owed to the Pool");
        assertEq(engine.collateralBalance(TRADER, address(weth)), 10e18 - toKeeper, "keeps the rest");
        (, uint256 scaledDebt,) = engine.cash(TRADER);
        assertTrue(scaledDebt != 0, "the realized loss stays the account's debt");
        assertTrue(pool.totalScaledDebt() != 0, "and the Pool's receivable");
    }

    /// @notice With a minimum keeper reward above the penalty, the keeper gets the whole penalty and the InsuranceFund
    /// nothing: the reward never exceeds the penalty.
    function test_liquidate__minRewardAbovePenalty__keeperGetsThePenalty() public {
        liquidator.setParams(ILiquidator.Params(5_000, 5_000, 100, 100, 3_000, 1_000e6, 50e18));
        _settleWethAt(2_400e18);
        uint256 wethReserve = pool.reserves(address(weth));
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 15e18, "half closed");
        assertEq(_keeperHolds(weth), _wethFor(360e6, 1e18, 2_400e18), "the keeper gets the whole penalty");
        assertEq(pool.reserves(address(weth)), wethReserve, "nothing for the fund's share");
    }

    /// @notice At 2,280 the maintenance equity is -1,170 USD (the haircut counts 20,520 of the 22,800 USD of WETH)
    /// but the collateral itself is worth more than the 21,690 USDC of debt the close leaves. Only the debt's worth of
    /// WETH goes to the Pool, the 1 % penalty on that debt is paid from the surplus (the keeper's part in WETH to the
    /// keeper) and the rest stays the account's (docs/design.md#liveness: take no more than is owed). Nothing is drawn
    /// from the InsuranceFund, nothing is socialized, LPs lose nothing.
    function test_liquidate__insolventButCollateralCoversDebt__repaysFromCollateralAndKeepsTheSurplus() public {
        _settleWethAt(2_280e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(h.maintenanceEquity < 0, "insolvent at maintenance");
        uint256 insuranceBefore = insurance.bookedBalance();
        uint256 wethReserve = pool.reserves(address(weth));
        uint256 price = pool.sharePrice(false);
        Vm.Log[] memory logs = _liquidateRecording(TRADER);
        (uint256 debt, uint256 penalty, uint256 reward) = _absorbedDebtAndPenalty(logs);
        assertApproxEqAbs(debt, 21_690e6, 1e6, "the debt after the close: the loss, the opening fee and interest");
        assertEq(penalty, (debt + 99) / 100, "1 % of the debt repaid");
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed");
        assertEq(pool.totalScaledDebt(), 0, "the debt was repaid by the collateral");
        uint256 forDebt = (debt * 1e12 * 1e18 + 2_280e18 - 1) / 2_280e18;
        uint256 toKeeper = _wethFor(reward, 1e18, 2_280e18);
        uint256 toPool = forDebt + _wethFor(penalty - reward, 1e18, 2_280e18);
        assertEq(_keeperHolds(weth), toKeeper, "the keeper is paid in WETH");
        assertEq(pool.reserves(address(weth)), wethReserve + toPool, "the debt's worth and the fund's share");
        uint256 kept = engine.collateralBalance(TRADER, address(weth));
        assertEq(kept, 10e18 - toKeeper - toPool, "the account keeps the surplus");
        assertTrue(kept > 0.39e18, "about 893 USD of WETH stays the account's");
        assertEq(insurance.bookedBalance(), insuranceBefore, "the InsuranceFund paid nothing");
        assertTrue(pool.sharePrice(false) >= price, "LPs lost nothing");
        assertTrue(!engine.liquidationHealth(TRADER).liquidatable, "the account is healthy again");
        _assertNoLog(logs, COVERED, "no cover drawn");
        _assertNoLog(logs, SOCIALIZED, "nothing socialized");
    }

    /// @notice With an empty InsuranceFund the whole deficit is socialized: nothing is repaid to the Pool on the fund's
    /// behalf, not even a zero repayment.
    function test_liquidate__insolventWithEmptyFund__socializesWithoutARepayment() public {
        insurance.withdraw(OTHER, insurance.bookedBalance());
        _settleWethAt(2_000e18);
        uint256 price = pool.sharePrice(false);
        Vm.Log[] memory logs = _liquidateRecording(TRADER);
        _assertNoLog(logs, REPAID, "no repayment");
        assertEq(pool.totalScaledDebt(), 0, "the debt was written off");
        assertEq(insurance.bookedBalance(), 0, "the fund had nothing");
        assertTrue(pool.sharePrice(false) < price, "LPs took the deficit");
    }

    /// @notice The Liquidator holds nothing between liquidations: settlement tokens left in it (here a 5 USDC transfer)
    /// go to the InsuranceFund with the rounding dust of the next absorb's cover.
    function test_liquidate__usdcLeftInTheLiquidator__fundsTheInsurance() public {
        usdc.mint(address(liquidator), 5e6);
        _settleWethAt(2_000e18);
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(usdc.balanceOf(address(liquidator)), 0, "nothing stays in the Liquidator");
        // The fund paid its 18 USDC toward the deficit, then booked the 5 USDC (plus at most a unit of dust).
        assertApproxEqAbs(insurance.bookedBalance(), 5e6, 1, "booked by the InsuranceFund");
    }

    /// @notice An InsuranceFund large enough covers the whole deficit: nothing is socialized, not even a zero amount,
    /// and LPs lose nothing.
    function test_liquidate__deficitFullyInsured__nothingSocialized() public {
        _fundInsuranceFrom(OTHER, 50_000e6, "backstop");
        _settleWethAt(2_000e18);
        uint256 price = pool.sharePrice(false);
        uint256 booked = insurance.bookedBalance();
        Vm.Log[] memory logs = _liquidateRecording(TRADER);
        _assertNoLog(logs, SOCIALIZED, "nothing socialized");
        assertEq(pool.totalScaledDebt(), 0, "the debt was repaid");
        assertTrue(insurance.bookedBalance() < booked, "the fund paid the deficit");
        assertTrue(pool.sharePrice(false) >= price, "LPs lost nothing");
    }

    /// @notice An insolvent account with two collateral assets: both are absorbed into the Pool's reserves and the
    /// uninsured rest of the debt is written off once, with the last asset.
    function test_liquidate__insolventWithTwoCollaterals__absorbsBothAndWritesOffOnce() public {
        _deposit(TRADER, wbtc, 1e7); // 0.1 WBTC, 6,000 USD
        _settleWethAt(1_750e18);
        assertTrue(engine.liquidationHealth(TRADER).maintenanceEquity < 0, "insolvent");
        uint256 wethReserve = pool.reserves(address(weth));
        uint256 wbtcReserve = pool.reserves(address(wbtc));
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(pool.reserves(address(weth)), wethReserve + 10e18, "WETH absorbed");
        assertEq(pool.reserves(address(wbtc)), wbtcReserve + 1e7, "WBTC absorbed");
        assertEq(engine.collateralBalance(TRADER, address(wbtc)), 0, "nothing left to the account");
        assertEq(pool.totalScaledDebt(), 0, "the debt is gone from the books");
        (, uint256 scaled,) = engine.cash(TRADER);
        assertEq(scaled, 0, "and from the account");
    }

    /// @notice An account margined with settlement cash only (no collateral asset) that goes insolvent: the fund pays
    /// what it has and the rest of the debt is written off in full, to the last scaled unit, with nothing to absorb.
    function test_liquidate__insolventCashOnlyAccount__writesOffAllTheDebt() public {
        _insolventCashAccount(0);
    }

    /// @notice The same account with a dust of WETH as collateral (worth 0 after rounding down) and an empty
    /// InsuranceFund: the deficit is the whole debt, which rounded up to scaled units exceeds the account's scaled debt
    /// by one, and the write-off is clamped to it.
    function test_liquidate__insolventWithDustCollateral__writesOffAllTheDebt() public {
        _insolventCashAccount(1);
    }

    /// @notice USDC's median above its TWAP: the penalty is converted at the TWAP.
    function test_liquidate__usdcMedianAboveTwap__penaltyAtTheLowerPrice() public {
        _checkUncappedPenalty(1.02e18);
    }

    /// @notice USDC's median below its TWAP: the penalty is converted at the median.
    function test_liquidate__usdcMedianBelowTwap__penaltyAtTheLowerPrice() public {
        _checkUncappedPenalty(0.98e18);
    }

    /// @notice The cap with USDC's median above its TWAP.
    function test_liquidate__cappedPenaltyUsdcMedianAboveTwap__convertedAtTheHigherPrice() public {
        _checkCappedPenalty(2_320e18, 1.02e18);
    }

    /// @notice The cap with USDC's median below its TWAP.
    function test_liquidate__cappedPenaltyUsdcMedianBelowTwap__convertedAtTheHigherPrice() public {
        _checkCappedPenalty(2_320e18, 0.98e18);
    }

    /// @notice A healthy account with a position (the bench long at 3,000) is not liquidatable: `liquidate` reverts
    /// NotLiquidatable with its maintenance equity and margin.
    function test_liquidate__healthyPosition__revertsNotLiquidatable() public {
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(!h.liquidatable, "healthy");
        vm.expectRevert(
            abi.encodeWithSignature(
                "NotLiquidatable(address,int256,uint256)", TRADER, h.maintenanceEquity, h.maintenanceMargin
            )
        );
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
    }

    /// @notice Liquidatable, not critical (WETH at 2,400): the Liquidated event reports half the book closed (5,000
    /// bps, 15 WETH, 36,000 USD), the 1 % penalty (360 USDC) and the keeper's 1 USDC + 30 % of it (109 USDC). The
    /// account has no credit: the keeper, who brought nothing, is paid in the account's WETH at 2,400; the fund's 251
    /// USDC become the account's debt to the Pool; no USDC and no Pool loan pay anyone.
    function test_liquidate__unhealthyNotCritical__reportsTheCloseAndPaysTheKeeperFromTheAccount() public {
        _settleWethAt(2_400e18);
        uint256 insuranceBefore = insurance.bookedBalance();
        vm.expectEmit(true, true, false, true, address(liquidator));
        emit ILiquidator.Liquidated(TRADER, KEEPER, 5_000, 36_000e18, 360e6, 109e6);
        Vm.Log[] memory logs = _liquidateRecording(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 15e18, "half closed");
        assertEq(_keeperHolds(weth), _wethFor(109e6, 1e18, 2_400e18), "keeper reward in the account's WETH");
        assertEq(_keeperHolds(usdc), 0, "no USDC to the keeper");
        assertEq(insurance.bookedBalance(), insuranceBefore, "no insurance share without credit");
        assertEq(_penaltyDebt(logs), 360e6 - 109e6, "the fund's share owed to the Pool");
        _assertNoLog(logs, keccak256("Lent(address,uint256,uint256)"), "no Pool loan");
    }

    /// @notice Liquidating one's own account gains nothing: at 2,400 TRADER liquidates itself, receives the keeper
    /// reward (109 USDC, in its own WETH: the account has no credit) and its account pays the whole 360 USDC penalty,
    /// a net loss of the fund's 251 USDC; the reward never exceeds the penalty.
    function test_liquidate__byTheAccountItself__rewardBelowThePenaltyItPays() public {
        _settleWethAt(2_400e18);
        uint256 wethBefore = engine.collateralBalance(TRADER, address(weth));
        vm.recordLogs();
        vm.prank(TRADER);
        liquidator.liquidate(TRADER);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        (, uint256 penalty, uint256 reward) = _absorbedDebtAndPenalty(logs);
        assertEq(penalty, 360e6, "1 % of 36,000 USD");
        assertEq(reward, 109e6, "1 USDC + 30 %");
        assertLe(reward, penalty, "the reward never exceeds the penalty");
        // The reward is seized from the account into the keeper's account: the same one, so its WETH stays.
        assertEq(_seizedTo(logs, TRADER), _wethFor(reward, 1e18, 2_400e18), "the reward, in its WETH");
        assertEq(engine.collateralBalance(TRADER, address(weth)), wethBefore, "paid to itself");
        assertEq(_penaltyDebt(logs), penalty - reward, "its account pays the whole penalty");
        assertGt(penalty - reward, 0, "a net loss");
    }

    /// @notice Prices older than the maximum age: `liquidate` waits (reverts PriceUnavailable) instead of liquidating
    /// at a stale price.
    function test_liquidate__stalePrices__revertsPriceUnavailable() public {
        _settleWethAt(2_400e18);
        assertTrue(engine.liquidationHealth(TRADER).liquidatable, "liquidatable while fresh");
        vm.warp(vm.getBlockTimestamp() + 2 hours);
        vm.expectPartialRevert(bytes4(keccak256("PriceUnavailable(address,uint8,uint8)")));
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
    }

    /// @notice Deep under water (WETH at 2,000: maintenance equity 39 x 2,000 - 90,090 < 0): the whole book is closed
    /// (10,000 bps) with no penalty and so no keeper reward (an account worth less than nothing pays none, and
    /// neither the InsuranceFund nor the LPs do). The collateral is absorbed, the InsuranceFund's whole 100 USDC
    /// covers the deficit first and the Pool socializes the rest; no debt, collateral or receivable is left.
    function test_liquidate__deepCrash__noPenaltyThenFundThenLps() public {
        _fundInsuranceFrom(OTHER, 100e6, "seed");
        _settleWethAt(2_000e18);
        uint256 fundBefore = insurance.bookedBalance();
        uint256 wethReserve = pool.reserves(address(weth));
        Vm.Log[] memory logs = _liquidateRecording(TRADER);
        uint256 fraction;
        uint256 penalty;
        uint256 reward;
        uint256 deficit;
        uint256 covered;
        uint256 socialized;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == LIQUIDATED) {
                (fraction,, penalty, reward) = abi.decode(logs[i].data, (uint256, uint256, uint256, uint256));
            } else if (logs[i].topics[0] == ABSORBED) {
                (,, deficit, covered) = abi.decode(logs[i].data, (uint256, uint256, uint256, uint256));
            } else if (logs[i].topics[0] == SOCIALIZED) {
                (socialized,,) = abi.decode(logs[i].data, (uint256, uint256, uint256));
            }
        }
        assertEq(fraction, 10_000, "critical: closed in full");
        assertEq(penalty, 0, "no penalty");
        assertEq(reward, 0, "no keeper reward");
        assertEq(_keeperHolds(usdc) + _keeperHolds(weth), 0, "the keeper got nothing");
        assertGt(deficit, 0, "a deficit");
        assertEq(fundBefore, 100e6, "the fund held 100 USDC");
        assertEq(covered, fundBefore, "the fund's whole balance covered it first");
        assertEq(insurance.bookedBalance(), 0, "the fund is empty");
        assertGe(socialized + covered, deficit, "the LPs bore the rest");
        (, uint256 scaled,) = engine.cash(TRADER);
        assertEq(scaled, 0, "no debt left");
        (uint16 collateralMask,) = engine.accountMasks(TRADER);
        assertEq(uint256(collateralMask), 0, "no collateral left");
        assertEq(pool.reserves(address(weth)), wethReserve + 10e18, "the collateral joined the reserves");
        assertEq(pool.totalScaledDebt(), 0, "no receivable left");
    }

    /// @notice Caps never stop a liquidation (docs/design.md#products): with the MarginEngine's caps at zero, the
    /// critical account above is still closed in full and the fund's share of the penalty still owed to the Pool.
    function test_liquidate__marginEngineCappedAtZero__stillLiquidates() public {
        pool.setProductCaps(address(engine), IProductRegistryTypes.ProductCaps(0, 0));
        _settleWethAt(2_340e18);
        Vm.Log[] memory logs = _liquidateRecording(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed in full");
        assertEq(_penaltyDebt(logs), 490_400_000, "the fund's share owed to the Pool");
    }

    /// @notice A keeper with debt: its reward, credited from the account's credit, repays its own debt first (one
    /// Pool repay inside the liquidation), and the books still add up to the wei.
    function test_liquidate__keeperWithDebt__rewardRepaysItsDebtAndTheBooksBalance() public {
        _deposit(KEEPER, weth, 10e18);
        _nextBlock();
        vm.prank(KEEPER);
        engine.withdraw(address(usdc), 5_000e6, KEEPER); // a borrow
        _nextBlock();
        _creditLongLiquidatable(OTHER);
        (, uint256 scaledBefore,) = engine.cash(KEEPER);
        assertGt(scaledBefore, 0, "fixture: the keeper owes");
        Vm.Log[] memory logs = _liquidateRecording(OTHER);
        (, uint256 penalty, uint256 reward) = _absorbedDebtAndPenalty(logs);
        assertGt(reward, 0, "a reward");
        assertGt(penalty, reward, "a fund share");
        (uint256 credit, uint256 scaledAfter,) = engine.cash(KEEPER);
        assertEq(credit, 0, "all of it repaid debt");
        assertLt(scaledAfter, scaledBefore, "the keeper's debt fell");
        address[] memory accounts = new address[](3);
        (accounts[0], accounts[1], accounts[2]) = (TRADER, OTHER, KEEPER);
        _assertBalancesCoverBooks(accounts, address(0));
        uint256 scaled;
        for (uint256 k = 0; k < 3; ++k) {
            (, uint256 debt,) = engine.cash(accounts[k]);
            scaled += debt;
        }
        assertEq(scaled, pool.totalScaledDebt(), "debts sum to the receivable");
    }

    /// @notice Self-liquidation paid from credit: the reward is credited back to the account itself, the fund gets its
    /// share in tokens, and the books balance.
    function test_liquidate__byTheAccountItselfFromCredit__paysOnlyTheFundsShare() public {
        _creditLongLiquidatable(OTHER);
        uint256 booked = insurance.bookedBalance();
        vm.recordLogs();
        vm.prank(OTHER);
        liquidator.liquidate(OTHER);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        (, uint256 penalty, uint256 reward) = _absorbedDebtAndPenalty(logs);
        int256 rewardCash;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] != CASH_CHANGED) continue;
            (int256 delta,,, bytes32 reason) = abi.decode(logs[i].data, (int256, uint256, uint256, bytes32));
            if (reason == "keeper reward") rewardCash += delta;
        }
        assertGt(reward, 0, "a reward");
        assertEq(uint256(rewardCash), reward, "credited back to the account itself");
        assertEq(insurance.bookedBalance() - booked, penalty - reward, "the fund's share, in tokens");
        address[] memory accounts = new address[](2);
        (accounts[0], accounts[1]) = (TRADER, OTHER);
        _assertBalancesCoverBooks(accounts, address(0));
    }

    /// @notice A keeper's collateral reward is announced to its own account: `CollateralDeposited` indexed by the
    /// keeper, for the amount its engine balance rose by (keepers and indexers follow accounts by that index).
    function test_liquidate__collateralReward__announcedToTheKeepersAccount() public {
        _settleWethAt(2_400e18);
        Vm.Log[] memory logs = _liquidateRecording(TRADER);
        bytes32 deposited = keccak256("CollateralDeposited(address,address,uint256,address)");
        uint256 announced;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(engine) || logs[i].topics[0] != deposited) continue;
            if (logs[i].topics[1] == bytes32(uint256(uint160(KEEPER)))) {
                announced += abi.decode(logs[i].data, (uint256));
            }
        }
        assertGt(announced, 0, "announced");
        assertEq(announced, _keeperHolds(weth), "what the keeper's account holds");
    }
}

/// @title LiquidatorLiquidateLivenessTest
/// @notice `Liquidator.liquidate`: close factor, penalty, keeper reward, absorb and the loss waterfall (fixture: LiquidationLivenessBase).
contract LiquidatorLiquidateLivenessTest is LiquidationLivenessBase {
    /// @notice 10 WETH at 2,200 (22,000 USD) against 20,000 USDC of debt and no position: maintenance equity about
    /// -200 USD, so liquidatable, but the collateral is worth 2,000 USD more than the debt. Only the debt's worth of
    /// WETH goes to the Pool, the keeper is paid out of the 1 % penalty on the debt (200 USD), and the account keeps
    /// the remaining 1,800 USD of WETH: it loses the penalty and nothing more.
    function test_liquidate__absorbCollateralWorthMoreThanDebt__keepsTheSurplusAndPaysTheKeeper() public {
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
        assertGt(_keeperHolds(weth), 0, "the keeper is paid in WETH");
        // Take no more than is owed: the account lost its debt and the penalty, to rounding.
        int256 valueAfter = int256(kept * 2_200);
        assertApproxEqAbs(valueBefore - valueAfter, int256(penalty * 1e12), 1e13, "lost only the penalty");
        assertTrue(!engine.liquidationHealth(BORROWER).liquidatable, "healthy again");
    }

    /// @notice The same account at 1,900 is insolvent at the Pool's prices (19,000 USD of WETH for 20,000 USDC of
    /// debt): all of its WETH goes to the Pool, the deficit to the InsuranceFund then LPs, and no penalty or reward is
    /// paid (an insolvent owner could otherwise profit by liquidating itself).
    function test_liquidate__absorbCollateralWorthLessThanDebt__takesAllAndPaysNoReward() public {
        _borrowOnlyAccountAt2200();
        _settleWethAt(1_900e18);
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidate(BORROWER);
        (,,, uint256 penalty, uint256 reward) = _liquidated(vm.getRecordedLogs(), BORROWER);
        assertEq(penalty, 0, "no penalty");
        assertEq(reward, 0, "no reward");
        assertEq(engine.collateralBalance(BORROWER, address(weth)), 0, "all of it absorbed");
        assertEq(_keeperHolds(weth), 0, "nothing to the keeper");
    }

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
}

/// @title LiquidatorLiquidatePayoutsTest
/// @notice `Liquidator.liquidate`: close factor, penalty, keeper reward, absorb and the loss waterfall (fixture: PayoutsBase).
contract LiquidatorLiquidatePayoutsTest is PayoutsBase {
    /// @notice After the borrower took all it may, a crash makes a long liquidatable while it is still solvent: a
    /// keeper holding nothing liquidates it and is paid out of the account, with no Pool loan.
    function test_liquidate__afterBorrowersDrainedTheReserve__runsWithoutAPoolLoan() public {
        _openBenchLong(TRADER);
        _deposit(BORROWER, weth, 700e18);
        _nextBlock();
        uint256 free = pool.reserves(address(usdc)) - 90_000e6;
        _withdraw(BORROWER, usdc, free);
        _settleWethAt(2_370e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(h.liquidatable && h.maintenanceEquity > 0, "liquidatable and solvent");
        uint256 lentBefore = pool.totalScaledDebt();
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 15e18, "half closed");
        assertGt(_keeperHolds(weth), 0, "the keeper was paid out of the account's WETH");
        assertEq(_keeperHolds(usdc), 0, "nothing came out of the Pool for the keeper");
        assertGe(pool.totalScaledDebt(), lentBefore, "no debt repaid by a loan");
    }
}

/// @title LiquidatorLiquidateFlowTest
/// @notice `Liquidator.liquidate`: close factor, penalty, keeper reward, absorb and the loss waterfall (fixture: CoreFlowBase).
contract LiquidatorLiquidateFlowTest is CoreFlowBase {
    /// @notice WETH at 2,400: maintenance equity 21,600 - 18,000 - 90 = 3,510 USD under a margin of 3,600 USD, above
    /// half of it: liquidatable but not critical. `liquidate` closes half (the close factor), charges the 1 % penalty
    /// on the closed notional, pays the keeper its share (at least 1 USDC) and the rest to the InsuranceFund, and
    /// leaves the account healthier.
    function test_liquidate__unhealthyNotCritical__closesHalfAndSplitsThePenalty() public {
        _openBenchLong(TRADER);
        _settleWethAt(2_400e18);
        IMarginEngineTypes.Health memory before = engine.liquidationHealth(TRADER);
        assertTrue(before.liquidatable, "liquidatable at 2,400");
        assertTrue(before.maintenanceEquity > int256(before.maintenanceMargin / 2), "not critical");
        uint256 insuranceBefore = insurance.bookedBalance();
        uint256 wethReserve = pool.reserves(address(weth));
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 15e18, "half closed");
        // Closed: 15 WETH at 2,400 = 36,000 USD; penalty 1 % = 360 USDC; keeper 1 USDC + 30 % = 109 USDC. The account
        // has no credit (its loss is debt), so the keeper's part is paid in its WETH at 2,400 (rounded up to a wei) and
        // the fund's 251 USDC are owed to the Pool as more debt: no collateral moves to the Pool.
        assertEq(_keeperHolds(weth), _wethFor(109e18), "keeper reward in WETH");
        assertEq(pool.reserves(address(weth)), wethReserve, "no collateral to the Pool");
        assertEq(insurance.bookedBalance(), insuranceBefore, "no insurance share without credit");
        assertEq(_keeperHolds(usdc), 0, "no Pool loan paid the keeper");
        IMarginEngineTypes.Health memory after_ = engine.liquidationHealth(TRADER);
        assertTrue(
            after_.maintenanceEquity - int256(after_.maintenanceMargin)
                > before.maintenanceEquity - int256(before.maintenanceMargin),
            "healthier"
        );
        vm.expectPartialRevert(bytes4(keccak256("NotLiquidatable(address,int256,uint256)")));
        liquidator.liquidate(OTHER);
    }

    /// @notice WETH at 2,000: equity 18,000 - 30,000 - 90 < 0. `liquidate` closes everything, the account's WETH is
    /// absorbed into the Pool's reserves, the InsuranceFund pays what it has toward the deficit and the rest is
    /// socialized: no debt, no collateral, no position is left, and LPs' share price falls.
    function test_liquidate__insolvent__absorbsCoversAndSocializes() public {
        _openBenchLong(TRADER);
        _fundInsurance(18e6);
        _settleWethAt(2_000e18);
        uint256 wethReserve = pool.reserves(address(weth));
        uint256 price = pool.sharePrice(false);
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed");
        assertEq(engine.collateralBalance(TRADER, address(weth)), 0, "collateral seized");
        assertEq(pool.reserves(address(weth)), wethReserve + 10e18, "absorbed into the reserves");
        (, uint256 scaled,) = engine.cash(TRADER);
        assertEq(scaled, 0, "debt written off");
        assertEq(pool.totalScaledDebt(), 0, "no receivable left");
        assertEq(insurance.bookedBalance(), 0, "the InsuranceFund paid everything it had");
        assertTrue(pool.sharePrice(false) < price, "the rest was socialized");
        assertEq(_keeperHolds(usdc), 0, "an insolvent account pays no keeper reward");
    }
}
