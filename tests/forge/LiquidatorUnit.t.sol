// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsuranceFund} from "../../interfaces/IInsuranceFund.sol";
import {ILiquidator} from "../../interfaces/ILiquidator.sol";
import {IMarginEngine, IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {Liquidator} from "../../contracts/Liquidator.sol";
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
    bytes32 internal constant REPAID = keccak256("Repaid(address,uint256,uint256)");
    bytes32 internal constant SOCIALIZED = keccak256("DeficitSocialized(uint256,uint256,uint256)");
    bytes32 internal constant LIQUIDATED = keccak256("Liquidated(address,address,uint256,uint256,uint256,uint256)");
    bytes32 internal constant ABSORBED = keccak256("Absorbed(address,uint256,uint256,uint256,uint256)");

    /// @dev `account` liquidated by KEEPER; the logs of that call.
    function _liquidateRecording(address account) internal returns (Vm.Log[] memory) {
        vm.recordLogs();
        vm.prank(KEEPER);
        liquidator.liquidate(account);
        return vm.getRecordedLogs();
    }

    function _assertNoLog(Vm.Log[] memory logs, bytes32 topic, string memory message) internal pure {
        for (uint256 i = 0; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != topic, message);
        }
    }

    function setUp() public {
        _deployBenchCore();
        _seedPool(1_000_000e18);
        _nextBlock();
        _openBenchLong(TRADER);
    }

    /// @notice `liquidateMany` liquidates the liquidatable accounts of the batch, skips the others and returns
    /// how many it liquidated (kills Liquidator.sol:73 `h.liquidatable` ==> false).
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
        assertEq(weth.balanceOf(KEEPER), _wethFor(109e6, 1e18, 2_400e18), "keeper reward in WETH");
        assertEq(engine.collateralBalance(OTHER, address(weth)), 1e18, "the healthy account is untouched");
    }

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
        assertEq(weth.balanceOf(KEEPER), toKeeper, "keeper reward in WETH");
        assertEq(_penaltyDebt(logs), 490_400_000, "the fund's share owed to the Pool");
        assertEq(engine.collateralBalance(TRADER, address(weth)), 10e18 - toKeeper, "keeps the rest");
        (, uint256 scaledDebt,) = engine.cash(TRADER);
        assertTrue(scaledDebt != 0, "the realized loss stays the account's debt");
        assertTrue(pool.totalScaledDebt() != 0, "and the Pool's receivable");
    }

    /// @notice With a minimum keeper reward above the penalty, the keeper gets the whole penalty and the
    /// InsuranceFund nothing: the reward never exceeds the penalty (kills Liquidator.sol:140 `reward > penalty` ==>
    /// false, under which the insurance share underflows and the liquidation reverts).
    function test_liquidate__minRewardAbovePenalty__keeperGetsThePenalty() public {
        liquidator.setParams(ILiquidator.Params(5_000, 5_000, 100, 100, 3_000, 1_000e6, 50e18));
        _settleWethAt(2_400e18);
        uint256 wethReserve = pool.reserves(address(weth));
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 15e18, "half closed");
        assertEq(weth.balanceOf(KEEPER), _wethFor(360e6, 1e18, 2_400e18), "the keeper gets the whole penalty");
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
        assertEq(weth.balanceOf(KEEPER), toKeeper, "the keeper is paid in WETH");
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

    /// @dev The debt of the `Absorbed` event and the penalty and reward of the `Liquidated` event in `logs`.
    function _absorbedDebtAndPenalty(Vm.Log[] memory logs)
        internal
        pure
        returns (uint256 debt, uint256 penalty, uint256 reward)
    {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == ABSORBED) {
                (debt,,,) = abi.decode(logs[i].data, (uint256, uint256, uint256, uint256));
            }
            if (logs[i].topics[0] == LIQUIDATED) {
                (,, penalty, reward) = abi.decode(logs[i].data, (uint256, uint256, uint256, uint256));
            }
        }
    }

    /// @notice With an empty InsuranceFund the whole deficit is socialized: nothing is repaid to the Pool on the
    /// fund's behalf, not even a zero repayment (kills Liquidator.sol:169 `scaledCovered != 0` ==> true).
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

    /// @notice The Liquidator holds nothing between liquidations: settlement tokens left in it (here a 5 USDC
    /// transfer) go to the InsuranceFund with the rounding dust of the next absorb's cover (kills Liquidator.sol:184
    /// `dust != 0` ==> false).
    function test_liquidate__usdcLeftInTheLiquidator__fundsTheInsurance() public {
        usdc.mint(address(liquidator), 5e6);
        _settleWethAt(2_000e18);
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(usdc.balanceOf(address(liquidator)), 0, "nothing stays in the Liquidator");
        // The fund paid its 18 USDC toward the deficit, then booked the 5 USDC (plus at most a unit of dust).
        assertApproxEqAbs(insurance.bookedBalance(), 5e6, 1, "booked by the InsuranceFund");
    }

    /// @notice An InsuranceFund large enough covers the whole deficit: nothing is socialized, not even a zero
    /// amount, and LPs lose nothing (kills Liquidator.sol:178 `scaledSocial != 0` ==> true).
    function test_liquidate__deficitFullyInsured__nothingSocialized() public {
        usdc.mint(OTHER, 50_000e6);
        vm.startPrank(OTHER);
        usdc.approve(address(insurance), 50_000e6);
        insurance.fund(50_000e6, "backstop");
        vm.stopPrank();
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
    /// uninsured rest of the debt is written off once, with the last asset (kills Liquidator.sol:191
    /// `i == assets.length - 1` ==> true, which writes it off with every asset).
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
    /// what it has and the rest of the debt is written off in full, to the last scaled unit, with nothing to absorb
    /// (kills Liquidator.sol:174 `assets.length == 0` ==> false, which would size the write-off from the deficit).
    function test_liquidate__insolventCashOnlyAccount__writesOffAllTheDebt() public {
        _insolventCashAccount(0);
    }

    /// @notice The same account with a dust of WETH as collateral (worth 0 after rounding down) and an empty
    /// InsuranceFund: the deficit is the whole debt, which rounded up to scaled units exceeds the account's scaled
    /// debt by one, and the write-off is clamped to it (kills Liquidator.sol:177 `scaledSocial > scaledLeft` ==>
    /// false, under which the subtraction underflows).
    function test_liquidate__insolventWithDustCollateral__writesOffAllTheDebt() public {
        _insolventCashAccount(1);
    }

    /// @dev OTHER: 6,500 USDC of cash (and `dustWeth` wei of WETH), 10 WETH long at 3,000, a month of interest, WETH
    /// at 2,300: insolvent. With dust, the InsuranceFund is emptied first, so the whole debt is socialized.
    function _insolventCashAccount(uint256 dustWeth) internal {
        _deposit(OTHER, usdc, 6_500e6);
        if (dustWeth != 0) _deposit(OTHER, weth, dustWeth);
        _nextBlock();
        _open(OTHER, 0, 10e18);
        _nextBlock();
        vm.warp(vm.getBlockTimestamp() + 30 days); // interest: an index well above 1, so rounding shows
        _settleWethAt(2_300e18);
        assertTrue(engine.liquidationHealth(OTHER).maintenanceEquity < 0, "insolvent");
        if (dustWeth != 0) insurance.withdraw(TRADER, insurance.bookedBalance());
        vm.prank(KEEPER);
        liquidator.liquidate(OTHER);
        (, uint256 scaled,) = engine.cash(OTHER);
        assertEq(scaled, 0, "written off");
        (, uint256 traderScaled,) = engine.cash(TRADER);
        assertEq(pool.totalScaledDebt(), traderScaled, "the Pool keeps only the other account's debt");
    }

    // ------------------------------------------- the settlement price: penalty up at the low, cap down at the high

    /// @dev WETH settled at `wethWad`, then USDC's feed moved to `usdcWad` for one update: its median moves, its TWAP
    /// barely (12 s of a 600 s window), and its status stays Ok (2 % is within the 5 % deviation bound).
    function _splitUsdc(uint256 wethWad, uint256 usdcWad) internal returns (uint256 low, uint256 high) {
        _settleWethAt(wethWad);
        _setFeed(address(usdc), usdcWad);
        oracle.update(address(usdc));
        _nextBlock();
        IOracleAggregator.PriceData memory d = oracle.getPriceData(address(usdc));
        assertTrue(d.median != d.twap, "USDC's median and TWAP differ");
        (low, high) = d.median < d.twap ? (d.median, d.twap) : (d.twap, d.median);
    }

    /// @dev WETH wei the engine takes for `units` of USDC: the units valued at the lower USDC price `usdcLow` (rounded
    /// down), then converted at the upper WETH price `wethPrice` (rounded up).
    function _wethFor(uint256 units, uint256 usdcLow, uint256 wethPrice) internal pure returns (uint256) {
        uint256 usd = units * usdcLow / 1e6;
        return (usd * 1e18 + wethPrice - 1) / wethPrice;
    }

    /// @dev Liquidate TRADER as KEEPER; the penalty (USDC units) its `Liquidated` event reports, checked against what
    /// moved: the account has no credit, so the keeper's reward is paid in WETH (converted at the lower USDC price and
    /// the upper WETH price) and the fund's share is owed to the Pool as the account's debt (a "penalty" cash change).
    function _liquidatePenalty() internal returns (uint256 penalty) {
        IOracleAggregator.PriceData memory u = oracle.getPriceData(address(usdc));
        uint256 usdcLow = u.median < u.twap ? u.median : u.twap;
        (, uint256 wethHigh) = oracle.priceBounds(address(weth), IOracleAggregator.Action.Liquidate);
        uint256 reserve = pool.reserves(address(weth));
        Vm.Log[] memory logs = _liquidateRecording(TRADER);
        uint256 reward;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == LIQUIDATED) {
                (,, penalty, reward) = abi.decode(logs[i].data, (uint256, uint256, uint256, uint256));
            }
        }
        assertEq(weth.balanceOf(KEEPER), _wethFor(reward, usdcLow, wethHigh), "the keeper's reward in WETH");
        assertEq(pool.reserves(address(weth)), reserve, "no collateral to the Pool");
        assertEq(_penaltyDebt(logs), penalty - reward, "the fund's share owed to the Pool");
    }

    /// @dev The settlement units a "penalty" cash change of the liquidated account added to its debt, in `logs`.
    function _penaltyDebt(Vm.Log[] memory logs) internal pure returns (uint256 units) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] != CASH_CHANGED) continue;
            (int256 delta,,, bytes32 reason) = abi.decode(logs[i].data, (int256, uint256, uint256, bytes32));
            if (reason == "penalty") units += uint256(-delta);
        }
    }

    /// @dev A partial liquidation at 2,400 (15 WETH closed, 36,000 USD): the 360 USD penalty in USDC, rounded up at
    /// the lower of USDC's median and TWAP (the account pays the most units).
    function _checkUncappedPenalty(uint256 usdcWad) internal {
        (uint256 low,) = _splitUsdc(2_400e18, usdcWad);
        uint256 expected = (360e18 * 1e6 + low - 1) / low;
        assertEq(_liquidatePenalty(), expected, "penalty = ceil(360 USD / lower USDC price)");
        assertEq(int256(engine.position(TRADER, 0).size), 15e18, "half closed");
    }

    /// @notice USDC's median above its TWAP: the penalty is converted at the TWAP (kills Liquidator.sol:198
    /// `d.median < d.twap` ==> true and its negation).
    function test_liquidate__usdcMedianAboveTwap__penaltyAtTheLowerPrice() public {
        _checkUncappedPenalty(1.02e18);
    }

    /// @notice USDC's median below its TWAP: the penalty is converted at the median (kills Liquidator.sol:198
    /// `d.median < d.twap` ==> false and its negation).
    function test_liquidate__usdcMedianBelowTwap__penaltyAtTheLowerPrice() public {
        _checkUncappedPenalty(0.98e18);
    }

    /// @dev A critical but barely solvent account: closed in full, and the penalty capped at what it is still worth,
    /// its maintenance equity converted at the higher USDC price (the fewest units), less 2 units of rounding; the
    /// account is left at or above zero.
    function _checkCappedPenalty(uint256 wethWad, uint256 usdcWad) internal {
        (, uint256 high) = _splitUsdc(wethWad, usdcWad);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(h.maintenanceEquity > 0 && h.maintenanceEquity < int256(h.maintenanceMargin / 2), "critical");
        // A full close at the prices of the health read leaves the maintenance equity as it was.
        uint256 expected = uint256(h.maintenanceEquity) * 1e6 / high - 2;
        assertTrue(expected * 100 < 30 * wethWad / 1e12, "the cap binds: below 1 % of the notional");
        // The close leaves the equity as the health read computed it, to a unit of rounding.
        assertApproxEqAbs(_liquidatePenalty(), expected, 1, "penalty = floor(equity / higher USDC price) - 2");
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed in full");
        assertTrue(engine.liquidationHealth(TRADER).maintenanceEquity >= 0, "not pushed below zero");
    }

    /// @notice The cap with USDC's median above its TWAP (kills Liquidator.sol:204 `d.median > d.twap` ==> false and
    /// its negation).
    function test_liquidate__cappedPenaltyUsdcMedianAboveTwap__convertedAtTheHigherPrice() public {
        _checkCappedPenalty(2_320e18, 1.02e18);
    }

    /// @notice The cap with USDC's median below its TWAP (kills Liquidator.sol:204 `d.median > d.twap` ==> true and
    /// its negation).
    function test_liquidate__cappedPenaltyUsdcMedianBelowTwap__convertedAtTheHigherPrice() public {
        _checkCappedPenalty(2_320e18, 0.98e18);
    }

    // ---------------------------------------------------------------- parameters

    /// @notice Every parameter outside its bounds reverts with its name, value and bounds; the bounds themselves are
    /// accepted (kills Liquidator.sol:224 `value < min || value > max` ==> false, `&&`).
    function test_setParams__outOfBounds__revertsWithTheBounds() public {
        _expectOutOfBounds(_params(999, 5_000, 100, 3_000), "closeFactorBps", 999, 1_000, 10_000);
        _expectOutOfBounds(_params(10_001, 5_000, 100, 3_000), "closeFactorBps", 10_001, 1_000, 10_000);
        _expectOutOfBounds(_params(5_000, 10_001, 100, 3_000), "criticalHealthBps", 10_001, 0, 10_000);
        _expectOutOfBounds(_params(5_000, 5_000, 100, 10_001), "keeperShareBps", 10_001, 0, 10_000);
        liquidator.setParams(ILiquidator.Params(1_000, 10_000, 0, 0, 10_000, 0, 0));
        assertEq(liquidator.params().closeFactorBps, 1_000, "lower bound accepted");
        liquidator.setParams(ILiquidator.Params(10_000, 0, 499, 499, 0, 1e6, 50e18));
        assertEq(liquidator.penaltyBps(), 499, "just under the markets' 5 % maintenance fraction");
    }

    /// @notice A penalty at or above a market's maintenance fraction (5 %) is refused: liquidating at the threshold
    /// would create bad debt (kills Liquidator.sol:215 `!checkMarkets` ==> true and :219 `p.penaltyBps >= mmf` ==>
    /// false). The absolute bound (10 %) comes first.
    function test_setParams__penaltyAtMaintenanceFraction__reverts() public {
        _expectOutOfBounds(_params(5_000, 5_000, 500, 3_000), "maxPenaltyBps", 500, 500, 499);
        _expectOutOfBounds(_params(5_000, 5_000, 1_001, 3_000), "penaltyBps", 1_001, 0, 1_000);
    }

    function _params(uint16 closeFactor, uint16 critical, uint16 penalty, uint16 keeperShare)
        internal
        pure
        returns (ILiquidator.Params memory)
    {
        return ILiquidator.Params(closeFactor, critical, penalty, penalty, keeperShare, 1e6, 50e18);
    }

    function _expectOutOfBounds(ILiquidator.Params memory p, bytes32 name, uint256 value, uint256 min, uint256 max)
        internal
    {
        vm.expectRevert(
            abi.encodeWithSignature("ParamOutOfBounds(bytes32,uint256,uint256,uint256)", name, value, min, max)
        );
        liquidator.setParams(p);
    }

    /// @notice The constructor checks the absolute bounds but never calls the engine: the core is deployed at
    /// predicted addresses in any order, so the engine may not exist yet (kills Liquidator.sol:215 `!checkMarkets`
    /// ==> false, which would call `marketCount` on an empty address).
    function test_constructor__engineNotDeployedYet__deploys() public {
        address me = address(this);
        IMarginEngine future = IMarginEngine(address(0xdead));
        IInsuranceFund fund = IInsuranceFund(address(insurance));
        Liquidator.Wiring memory w = Liquidator.Wiring(lock, future, pool, fund, oracle, address(usdc), me, me);
        Liquidator fresh = new Liquidator(w, _params(5_000, 5_000, 100, 3_000));
        assertEq(address(fresh.engine()), address(0xdead), "wired to the future engine");
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("penaltyBps"), 1_001, 0, 1_000
            )
        );
        new Liquidator(w, _params(5_000, 5_000, 1_001, 3_000));
    }
}
