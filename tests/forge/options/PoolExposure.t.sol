// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {PriceRange} from "../../../contracts/libraries/PriceRange.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";

/// @title OptionsPoolExposureTest
/// @notice `OptionsBook.poolExposure`: the accounts' PnL against the Pool at the two ends of every live series' range,
/// the liquidity reserved for the longs, and the settled payoffs not yet realized; the engine adds it to the Pool's
/// exposure (fixture: OptionsBase).
contract OptionsPoolExposureTest is OptionsBase {
    function setUp() public override {
        super.setUp();
        _depositUsdc(TRADER, 100_000e6);
        _depositUsdc(OTHER, 100_000e6);
    }

    /// @dev TRADER long 2 calls (3,000) and 1 put (3,000); OTHER short 1 put (3,000) and 1 OTM call (3,600).
    function _book() internal {
        _trade(TRADER, callId, 2e18);
        _trade(TRADER, putId, 1e18);
        _trade(OTHER, putId, -1e18);
        _trade(OTHER, otmCallId, -1e18);
    }

    /// @notice With nothing open (series listed) every figure is zero.
    function test_poolExposure__empty__zero() public view {
        (int256 low, int256 high, uint256 reserved, uint256 provision) = book.poolExposure(true);
        assertEq(low, 0, "low");
        assertEq(high, 0, "high");
        assertEq(reserved + provision, 0, "reserved, provision");
    }

    /// @notice With WETH at one price each series' longs are marked at the lower bound and shorts at the upper at the
    /// low end, the other way round at the high end, so low <= high; the reserve is each long's payoff at the stressed
    /// price (a call's at 3,000 x 1.3 = 3,900: 900; a put's at 3,000 x 0.7 = 2,100: 900), which covers what the longs
    /// are worth; the engine's exposure adds exactly the book's.
    function test_poolExposure__openPositions__marksReservesAndJoinsTheEngine() public {
        (int256 engineLow0, int256 engineHigh0, uint256 engineReserved0,) = engine.poolExposure(false);
        _book();
        (int256 expectedLow, int256 expectedHigh, uint256 longsWorth) = _expected();
        (int256 low, int256 high, uint256 reserved, uint256 provision) = book.poolExposure(true);
        assertEq(low, expectedLow, "low: longs down, shorts up");
        assertEq(high, expectedHigh, "high: longs up, shorts down");
        assertTrue(low <= high, "low <= high");
        assertEq(reserved, 1_800e18 + 900e18, "2 x (3,900 - 3,000) for the calls, 3,000 - 2,100 for the put");
        assertGe(reserved, longsWorth, "covers the longs' worth");
        assertEq(provision, 0, "no provision");
        (int256 engineLow, int256 engineHigh, uint256 engineReserved,) = engine.poolExposure(false);
        assertEq(engineLow - engineLow0, low, "the engine adds the low end");
        assertEq(engineHigh - engineHigh0, high, "the engine adds the high end");
        assertEq(engineReserved - engineReserved0, reserved, "and the reserve");
    }

    /// @dev `_book`'s figures at 3,000: the low and high ends, and the longs' upper worth.
    function _expected() internal view returns (int256 low, int256 high, uint256 longsWorth) {
        uint256 tau = _tau();
        uint256 callDown = 2e18 * _unitDown(true, 3_000e18, 3_000e18, VOL, tau) / 1e18;
        uint256 callUp = _ceilDiv(2e18 * _unitUp(true, 3_000e18, 3_000e18, VOL, tau), 1e18);
        uint256 putDown = _unitDown(false, 3_000e18, 3_000e18, VOL, tau);
        uint256 putUp = _unitUp(false, 3_000e18, 3_000e18, VOL, tau);
        uint256 otmDown = _unitDown(true, 3_000e18, 3_600e18, VOL, tau);
        uint256 otmUp = _unitUp(true, 3_000e18, 3_600e18, VOL, tau);
        // The put: 1 long and 1 short, marked at the same unit bounds the other way round.
        low = int256(callDown) + int256(putDown) - int256(putUp) - int256(otmUp);
        high = int256(callUp) + int256(putUp) - int256(putDown) - int256(otmDown);
        longsWorth = callUp + putUp;
    }

    /// @notice Stale WETH: `poolExposure(true)` (valuing the Pool) reverts PriceUnavailable(WETH, Value, Stale);
    /// `poolExposure(false)` answers from the stored prices.
    function test_poolExposure__stale__onlyEnforcedReverts() public {
        _book();
        _makeStale();
        _expectPriceUnavailable(address(weth), IOracleAggregator.Action.Value, IOracleAggregator.Status.Stale);
        book.poolExposure(true);
        (int256 low, int256 high, uint256 reserved,) = book.poolExposure(false);
        assertTrue(low <= high, "low <= high");
        assertEq(reserved, 2_700e18, "reserve at the stored price");
    }

    /// @notice After settlement the series leaves the live set; what it owes and is owed stays in both ends until
    /// realized (call at 3,600: 2 x 600 owed to TRADER; the puts worthless; OTHER's OTM call worthless), and the
    /// longs' payoff stays reserved; realizing takes it out.
    function test_poolExposure__settled__countedUntilRealized() public {
        _book();
        _expireAt(3_600e18);
        for (uint256 id = 1; id <= 3; ++id) {
            book.settle(id);
        }
        (int256 low, int256 high, uint256 reserved,) = book.poolExposure(true);
        assertEq(low, 1_200e18, "owed to the long calls");
        assertEq(high, 1_200e18, "both ends");
        assertEq(reserved, 1_200e18, "reserved");
        _realize(TRADER);
        (low, high, reserved,) = book.poolExposure(true);
        assertEq(low, 0, "realized");
        assertEq(reserved, 0, "released");
    }

    /// @notice An expired, unsettled series is marked at its intrinsic value with the settlement price in its range:
    /// WETH at 3,600 through the window, the long calls are worth 2 x 600 at both ends.
    function test_poolExposure__expiredUnsettled__intrinsicWithTheExpiryPrice() public {
        _trade(TRADER, callId, 2e18);
        _expireAt(3_600e18);
        (int256 low, int256 high,,) = book.poolExposure(true);
        assertEq(low, 1_200e18, "intrinsic at the low end");
        assertEq(high, 1_200e18, "intrinsic at the high end");
    }

    /// @notice A far out-of-the-money long reserves (next to) nothing: 1,000 calls struck at 12,000 (4 x the price, the
    /// edge of the listing band) can only pay past a move beyond the stress scenario (3,000 x 1.3 = 3,900 < 12,000),
    /// so buying them reserves 0 in the book and the engine's reserve does not move (the old rule reserved 1,000 x
    /// 3,900 = 3.9 M USD for them, more than the Pool's 3 M).
    function test_poolExposure__farOtmLongCall__reservesNothing() public {
        uint256 farCall = book.listSeries(address(weth), 12_000e18, expiry, true, 1_000e18);
        (,, uint256 engineReserved0,) = engine.poolExposure(false);
        (,, uint256 bookReserved0,) = book.poolExposure(false);
        int256 premium = _trade(TRADER, farCall, 1_000e18);
        assertEq(book.positionOf(TRADER, farCall), 1_000e18, "bought 1,000");
        (,, uint256 bookReserved,) = book.poolExposure(true);
        (,, uint256 engineReserved,) = engine.poolExposure(false);
        assertEq(bookReserved - bookReserved0, 0, "the book reserves nothing for them");
        assertEq(engineReserved, engineReserved0, "the engine's reserve does not move");
        assertLt(uint256(-premium), 1_000e18 * 3_000 / 1_000_000, "and they cost next to nothing");
    }

    /// @notice An in- or at-the-money long reserves its payoff at the stressed price, read at the end of the range worse
    /// for the Pool: with the median moved to 3,300 once (the TWAP lagging, so low < high), 1 call struck at 2,400
    /// reserves high x 1.3 (up) - 2,400, 1 put struck at 3,600 reserves 3,600 - low x 0.7 (down), and 1 put struck at
    /// 750 (out of the money beyond the stress) nothing.
    function test_poolExposure__itmLongs__reserveThePayoffAtTheStressedPrice() public {
        uint256 itmCall = _list(2_400e18, true);
        uint256 itmPut = _list(3_600e18, false);
        uint256 farPut = _list(750e18, false);
        _trade(TRADER, itmCall, 1e18);
        _trade(TRADER, itmPut, 1e18);
        _trade(TRADER, farPut, 1e18);
        (,, uint256 atOnePrice,) = book.poolExposure(true);
        assertEq(atOnePrice, (3_900e18 - 2_400e18) + (3_600e18 - 2_100e18), "at 3,000: 1,500 + 1,500 + 0");

        _moveWethOnce(3_300e18);
        PriceRange.Range memory r = PriceRange.fromData(oracle.getPriceData(address(weth)));
        assertTrue(r.low < r.high, "fixture: a range");
        assertEq(r.high, 3_300e18, "fixture: the median on top");
        uint256 stressedHigh = _ceilDiv(r.high * 13_000, BPS);
        uint256 stressedLow = r.low * 7_000 / BPS;
        (,, uint256 reserved,) = book.poolExposure(false);
        assertEq(reserved, (stressedHigh - 2_400e18) + (3_600e18 - stressedLow), "the call at high, the put at low");
    }
}
