// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IMarginProduct} from "../../../interfaces/IMarginProduct.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";

/// @title OptionsAccountRiskTest
/// @notice `OptionsBook.accountRisk`: an account's options as its health reads them. With WETH at one price (median =
/// TWAP) both ends of the range are that price; each figure is recomputed here from `BlackScholes`: the value at the
/// price, and the losses in the margin scenario (price 20 % against the position, volatility 25 % against it) and
/// the stress scenario (30 %); a short's losses are at least 1 % of its size at the upper price (the short floor);
/// maintenance is half the shorts' margin loss (fixture: OptionsBase).
contract OptionsAccountRiskTest is OptionsBase {
    uint256 internal constant SHOCKED_VOL_UP = 1e18; // 80 % x 1.25
    uint256 internal constant SHOCKED_VOL_DOWN = 0.6e18; // 80 % x 0.75

    function setUp() public override {
        super.setUp();
        _depositUsdc(TRADER, 100_000e6);
    }

    /// @dev A short's value (negative, up) of `size` at `spot` and `sigma`.
    function _shortValue(bool isCall, uint256 strike, uint256 size, uint256 spot, uint256 sigma)
        internal
        view
        returns (int256)
    {
        return -int256(_ceilDiv(size * _unitUp(isCall, spot, strike, sigma, _tau()), 1e18));
    }

    /// @notice A long of 2 calls is worth its lower Black-Scholes bound at both ends and margins nothing: its losses
    /// never exceed its worth, and a long has no maintenance margin.
    function test_accountRisk__long__worthItsValueNoMargin() public {
        _trade(TRADER, callId, 2e18);
        IMarginProduct.AccountRisk memory r = _risk(TRADER, false);
        int256 value = int256(2e18 * _unitDown(true, 3_000e18, 3_000e18, VOL, _tau()) / 1e18);
        assertEq(r.maintenanceValue, value, "maintenance value");
        assertEq(r.initialValue, value, "initial value");
        assertEq(r.maintenanceMargin, 0, "no maintenance margin");
        assertEq(r.initialMargin, 0, "losses within its worth");
        assertEq(r.stressLoss, 0, "no stress loss beyond its worth");
        IMarginProduct.AccountRisk memory l = _risk(TRADER, true);
        assertEq(l.maintenanceValue, value, "the same figures for a liquidation");
    }

    /// @notice A short call of 1 owes its upper bound; its margin loss is the value at 3,600 and 100 % vol less that,
    /// the maintenance margin half of it, the stress loss the value at 3,900.
    function test_accountRisk__shortCall__scenarioMargin() public {
        _trade(TRADER, callId, -1e18);
        IMarginProduct.AccountRisk memory r = _risk(TRADER, false);
        int256 value = _shortValue(true, 3_000e18, 1e18, 3_000e18, VOL);
        uint256 marginLoss = uint256(value - _shortValue(true, 3_000e18, 1e18, 3_600e18, SHOCKED_VOL_UP));
        uint256 stressLoss = uint256(value - _shortValue(true, 3_000e18, 1e18, 3_900e18, SHOCKED_VOL_UP));
        assertEq(r.maintenanceValue, value, "maintenance value");
        assertEq(r.initialValue, value, "initial value");
        assertEq(r.initialMargin, marginLoss, "initial margin: the margin-scenario loss");
        assertEq(r.maintenanceMargin, _ceilDiv(marginLoss * MAINTENANCE_RATIO_BPS, BPS), "half of it, up");
        assertEq(r.stressLoss, stressLoss, "stress loss");
        assertGt(stressLoss, marginLoss, "the stress is the larger move");
    }

    /// @notice A short put of 1: the scenarios move the price down (2,400 and 2,100).
    function test_accountRisk__shortPut__scenarioMargin() public {
        _trade(TRADER, putId, -1e18);
        IMarginProduct.AccountRisk memory r = _risk(TRADER, false);
        int256 value = _shortValue(false, 3_000e18, 1e18, 3_000e18, VOL);
        uint256 marginLoss = uint256(value - _shortValue(false, 3_000e18, 1e18, 2_400e18, SHOCKED_VOL_UP));
        uint256 stressLoss = uint256(value - _shortValue(false, 3_000e18, 1e18, 2_100e18, SHOCKED_VOL_UP));
        assertEq(r.maintenanceValue, value, "maintenance value");
        assertEq(r.initialMargin, marginLoss, "initial margin");
        assertEq(r.maintenanceMargin, _ceilDiv(marginLoss * MAINTENANCE_RATIO_BPS, BPS), "maintenance margin");
        assertEq(r.stressLoss, stressLoss, "stress loss");
    }

    /// @notice A long and a short net: the long's worth offsets the short's losses in the initial margin and the
    /// stress loss (but not in the maintenance margin, the shorts' alone).
    function test_accountRisk__longAndShort__worthOffsetsTheLosses() public {
        _trade(TRADER, otmCallId, 3e18);
        _trade(TRADER, putId, -1e18);
        IMarginProduct.AccountRisk memory r = _risk(TRADER, false);
        uint256 tau = _tau();
        int256 longValue = int256(3e18 * _unitDown(true, 3_000e18, 3_600e18, VOL, tau) / 1e18);
        int256 shortValue = _shortValue(false, 3_000e18, 1e18, 3_000e18, VOL);
        // The long call's loss in the put's scenarios: the price down 20 % / 30 %, vol down 25 %.
        int256 longAt2400 = int256(3e18 * _unitDown(true, 2_400e18, 3_600e18, SHOCKED_VOL_DOWN, tau) / 1e18);
        int256 longAt2100 = int256(3e18 * _unitDown(true, 2_100e18, 3_600e18, SHOCKED_VOL_DOWN, tau) / 1e18);
        uint256 shortMarginLoss = uint256(shortValue - _shortValue(false, 3_000e18, 1e18, 2_400e18, SHOCKED_VOL_UP));
        uint256 shortStressLoss = uint256(shortValue - _shortValue(false, 3_000e18, 1e18, 2_100e18, SHOCKED_VOL_UP));
        uint256 marginLoss = shortMarginLoss + uint256(longValue - longAt2400);
        uint256 stressLoss = shortStressLoss + uint256(longValue - longAt2100);
        int256 iv = longValue + shortValue;
        assertEq(r.initialValue, iv, "net value");
        uint256 worth = iv > 0 ? uint256(iv) : 0;
        assertEq(r.initialMargin, marginLoss - worth, "losses less the positive worth");
        assertEq(r.stressLoss, stressLoss - worth, "stress loss less the positive worth");
        assertEq(r.maintenanceMargin, _ceilDiv(shortMarginLoss * MAINTENANCE_RATIO_BPS, BPS), "the short's only");
    }

    /// @notice A short call's margin has no bound: as WETH doubles and doubles again (3,000 to 24,000) the maintenance
    /// margin rises every time, and deep in the money it is at least 9 % of the price per unit (half of a 20 % move,
    /// less the time value).
    function test_accountRisk__shortCallPriceRises__marginGrowsWithoutBound() public {
        _trade(TRADER, callId, -1e18);
        uint256 previous = _risk(TRADER, false).maintenanceMargin;
        uint256 price = 3_000e18;
        for (uint256 i = 0; i < 3; ++i) {
            price *= 2;
            _moveWeth(price);
            uint256 margin = _risk(TRADER, false).maintenanceMargin;
            assertGt(margin, previous, "rises with the price");
            assertGe(margin, price * 9 / 100, "at least 9 % of the price");
            previous = margin;
        }
        assertGe(previous, 2_160e18, "at 24,000: at least 2,160 per unit");
    }

    /// @notice Stale WETH: the liquidation figures revert PriceUnavailable(asset, Liquidate, Stale); the health figures
    /// (liquidation = false) never revert and read the stored prices.
    function test_accountRisk__stale__onlyTheLiquidationFiguresRevert() public {
        _trade(TRADER, callId, -1e18);
        _trade(TRADER, putId, 1e18);
        _makeStale();
        _expectPriceUnavailable(address(weth), IOracleAggregator.Action.Liquidate, IOracleAggregator.Status.Stale);
        book.accountRisk(TRADER, true);
        IMarginProduct.AccountRisk memory r = _risk(TRADER, false);
        int256 value = _shortValue(true, 3_000e18, 1e18, 3_000e18, VOL)
            + int256(1e18 * _unitDown(false, 3_000e18, 3_000e18, VOL, _tau()) / 1e18);
        assertEq(r.maintenanceValue, value, "valued at the stored 3,000");
        assertGt(r.maintenanceMargin, 0, "still margined");
    }

    /// @notice A settled position is worth its payoff, with no margin and no price read: a short call settled at 3,600
    /// owes 600 even with the price Stale.
    function test_accountRisk__settled__worthThePayoff() public {
        _trade(TRADER, callId, -1e18);
        _expireAndSettle(callId, 3_600e18);
        _makeStale();
        IMarginProduct.AccountRisk memory r = _risk(TRADER, true);
        assertEq(r.maintenanceValue, -600e18, "owes the payoff");
        assertEq(r.initialValue, -600e18, "initial value");
        assertEq(r.maintenanceMargin + r.initialMargin + r.stressLoss, 0, "no margin");
    }

    /// @notice An account with nothing in the book has all-zero figures.
    function test_accountRisk__empty__zero() public view {
        IMarginProduct.AccountRisk memory r = _risk(OTHER, true);
        assertEq(r.maintenanceValue, 0, "value");
        assertEq(r.maintenanceMargin + r.initialMargin + r.stressLoss, 0, "margins");
    }

    /// @notice The short floor: a call struck at 5,000 written 1 hour before expiry with WETH at 3,000 is worth next to
    /// nothing now and in both scenarios (3,600 and 3,900 at 100 % vol), so its scenario losses are next to nothing;
    /// it is still margined at 1 % of its size at the upper price: 2 x 3,000 x 1 % = 60 USD of initial margin and of
    /// stress loss (the engine's initial margin too), half of it maintenance. A writer with no collateral cannot sell
    /// it (InsufficientMargin); without the floor it was margined at 0 and could.
    function test_accountRisk__nearExpiryOtmShortCall__marginedAtTheFloor() public {
        uint256 farCall = _list(5_000e18, true);
        vm.warp(expiry - 4_300); // _moveWeth takes 1,214 s: about 51 min to go
        _moveWeth(3_000e18);
        assertLt(vm.getBlockTimestamp() + SETTLEMENT_WINDOW, expiry, "fixture: the series still trades");
        assertLe(_tau(), 1 hours, "fixture: within the hour before expiry");
        _trade(TRADER, farCall, -2e18);

        uint256 floor = 60e18; // 2 x 3,000 x 100 / 10,000
        int256 value = _shortValue(true, 5_000e18, 2e18, 3_000e18, VOL);
        uint256 marginScenarioLoss = uint256(value - _shortValue(true, 5_000e18, 2e18, 3_600e18, SHOCKED_VOL_UP));
        uint256 stressScenarioLoss = uint256(value - _shortValue(true, 5_000e18, 2e18, 3_900e18, SHOCKED_VOL_UP));
        assertLt(stressScenarioLoss, floor / 100, "the scenarios alone lose next to nothing");
        assertLt(marginScenarioLoss, floor / 100, "the margin scenario too");

        IMarginProduct.AccountRisk memory r = _risk(TRADER, false);
        assertEq(r.initialValue, value, "worth its (tiny) upper bound");
        assertEq(r.initialMargin, floor, "initial margin: the floor");
        assertGt(r.initialMargin, 0, "never margined at nothing");
        assertEq(r.stressLoss, floor, "stress loss: the floor");
        assertEq(r.maintenanceMargin, floor / 2, "maintenance: half the floor");
        assertEq(_risk(TRADER, true).initialMargin, floor, "the liquidation figures too");
        assertEq(engine.health(TRADER).initialMargin, floor, "the engine margins it");

        // A writer with no collateral: its equity is its proceeds (spread 50 + 200 x 3/100 = 56 bps; USDC, down) less
        // the call's upper bound, against a floor of 30.
        address writer = _actor("writer");
        int256 equity = _shortValue(true, 5_000e18, 1e18, 3_000e18, VOL)
            + int256(_bid(true, 5_000e18, 1e18, 3_000e18, 56) / UNIT * UNIT);
        vm.prank(writer);
        vm.expectRevert(
            abi.encodeWithSelector(IMarginEngineTypes.InsufficientMargin.selector, equity, 30e18, equity - 30e18)
        );
        engine.tradeProduct(PRODUCT, _action(farCall, -1e18, type(int256).min));
    }

    /// @notice An expired series whose settlement TWAP the oracle recorded is valued at that TWAP, not at the spot: a
    /// short call struck at 3,000, WETH at 3,600 through the settlement window, then back at 3,000 (median = TWAP)
    /// before anyone settles: it still owes its payoff, 600 (it was worth 0 at the spot), in the health and the
    /// liquidation figures alike. The scenarios move that price (tau = 0, intrinsic values): 3,600 x 1.2 = 4,320
    /// loses 1,320 - 600 = 720 (maintenance 360), 3,600 x 1.3 = 4,680 loses 1,080.
    function test_accountRisk__expiredRecorded__valuedAtTheSettlementTwap() public {
        _trade(TRADER, callId, -1e18);
        _expireAt(3_600e18);
        _moveWeth(3_000e18);
        (uint256 twap, bool complete, uint32 observed) =
            oracle.twapEndingAt(address(weth), SETTLEMENT_WINDOW, uint32(expiry));
        assertTrue(complete && observed == SETTLEMENT_WINDOW && twap == 3_600e18, "fixture: recorded at 3,600");
        IOracleAggregator.PriceData memory d = oracle.getPriceData(address(weth));
        assertEq(d.median, 3_000e18, "fixture: the median back at 3,000");
        assertEq(d.twap, 3_000e18, "fixture: the TWAP back at 3,000");
        assertTrue(!book.series(callId).settled, "fixture: not settled");

        for (uint256 i = 0; i < 2; ++i) {
            IMarginProduct.AccountRisk memory r = _risk(TRADER, i == 1);
            assertEq(r.maintenanceValue, -600e18, "owes its payoff at the recorded TWAP");
            assertEq(r.initialValue, -600e18, "initial value");
            assertEq(r.initialMargin, 720e18, "margin scenario from 3,600");
            assertEq(r.maintenanceMargin, 360e18, "half of it");
            assertEq(r.stressLoss, 1_080e18, "stress scenario from 3,600");
        }
        assertEq(book.settle(callId), 3_600e18, "what settle fixes");
        assertEq(_risk(TRADER, false).maintenanceValue, -600e18, "the same once settled");
    }
}
