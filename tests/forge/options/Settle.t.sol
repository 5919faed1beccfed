// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";

/// @title OptionsSettleTest
/// @notice `OptionsBook.settle`: after expiry anyone fixes the settlement price, the oracle's TWAP over the settlement
/// window (300 s) ending at expiry when the ring observed all of it, else the fallback rule; the open positions'
/// payoffs join `settledLongUsd` / `settledShortUsd` (fixture: OptionsBase).
contract OptionsSettleTest is OptionsBase {
    /// @dev TRADER long 2 calls and 1 put struck at 3,000, OTHER short 1 call.
    function _positions() internal {
        _depositUsdc(TRADER, 10_000e6);
        _depositUsdc(OTHER, 10_000e6);
        _trade(TRADER, callId, 2e18);
        _trade(TRADER, putId, 1e18);
        _trade(OTHER, callId, -1e18);
    }

    /// @notice WETH at 3,600 over the whole settlement window: anyone settles the call at the TWAP ending at expiry
    /// (atExpiry, with the delay since expiry), the longs' 2 x 600 and the short's 1 x 600 join the aggregates, the
    /// series leaves the live set; the put settles worthless and adds nothing.
    function test_settle__recordedTwapAtExpiry__fixesThePriceAndTheAggregates() public {
        _positions();
        _expireAt(3_600e18);
        (uint256 twap, bool complete, uint32 observed) =
            oracle.twapEndingAt(address(weth), SETTLEMENT_WINDOW, uint32(expiry));
        assertEq(twap, 3_600e18, "the TWAP at expiry");
        assertTrue(complete && observed == SETTLEMENT_WINDOW, "recorded");

        vm.expectEmit(true, false, false, true, address(book));
        emit IOptionsBookTypes.Settled(callId, 3_600e18, true, vm.getBlockTimestamp() - expiry);
        vm.prank(OTHER);
        assertEq(book.settle(callId), 3_600e18, "settlement price");

        IOptionsBookTypes.Series memory s = book.series(callId);
        assertTrue(s.settled, "settled");
        assertEq(s.settlementPrice, 3_600e18, "stored");
        assertEq(book.settledLongUsd(), 1_200e18, "2 long x 600");
        assertEq(book.settledShortUsd(), 600e18, "1 short x 600");
        uint256[] memory live = book.liveSeries();
        assertEq(live.length, 2, "two live");
        assertTrue(live[0] != callId && live[1] != callId, "the call left the live set");

        assertEq(book.settle(putId), 3_600e18, "the put");
        assertEq(book.settledLongUsd(), 1_200e18, "a worthless put adds nothing");
        assertEq(book.positionOf(TRADER, callId), 2e18, "positions stay until realized");
    }

    /// @notice The price is the TWAP ending at expiry, not the median or the TWAP after it: 3,000 until 150 s before
    /// expiry, 3,060 from then, recorded by an update at expiry, settles at 3,030 though WETH moved to 3,120 after.
    function test_settle__pricesMoveAroundExpiry__usesTheWindowEndingAtExpiry() public {
        _positions();
        vm.warp(expiry - 2 * TWAP_WINDOW - 400);
        _settlePrices(); // the last update 398 s before expiry
        vm.warp(expiry - 150);
        _moveWethOnce(3_060e18);
        vm.warp(expiry);
        _restampAndUpdate();
        vm.warp(expiry + 60);
        _moveWethOnce(3_120e18);
        assertEq(book.settle(callId), 3_030e18, "150 s at 3,000 and 150 s at 3,060");
        assertEq(book.settledLongUsd(), 60e18, "2 x 30");
        assertEq(book.settledShortUsd(), 30e18, "1 x 30");
    }

    /// @notice Fallback, at least half the window observed: the last update 100 s before expiry (3,000 until then,
    /// 3,090 after), none since: 200 of 300 s observed; the settlement is the TWAP over the part observed (3,000), not
    /// the window's TWAP with the stored median extending the newest observation (3,030), and not atExpiry.
    function test_settle__halfObserved__settlesAtTheTwapOfThePartObserved() public {
        _positions();
        vm.warp(expiry - 2 * TWAP_WINDOW - 400);
        _settlePrices(); // the last update 398 s before expiry
        vm.warp(expiry - 100);
        _moveWethOnce(3_090e18);
        vm.warp(expiry + 10);
        (uint256 atExpiry,, uint32 observed) = oracle.twapEndingAt(address(weth), SETTLEMENT_WINDOW, uint32(expiry));
        assertEq(uint256(observed), 200, "observed up to the newest observation");
        assertEq(atExpiry, 3_030e18, "the window's TWAP: 200 s at 3,000, 100 s of the stored 3,090");
        vm.expectEmit(true, false, false, true, address(book));
        emit IOptionsBookTypes.Settled(callId, 3_000e18, false, 10);
        assertEq(book.settle(callId), 3_000e18, "the TWAP of the part observed");
        assertEq(book.settledLongUsd(), 0, "a call struck at 3,000 pays nothing");
    }

    /// @notice A full ring (64 slots) whose newest slot moves forward in place across expiry: WETH updated every 5 s
    /// at 3,000 from 400 s before expiry, then at 3,600 from 5 s after it. The oracle's TWAP over the window ending at
    /// expiry averages in the moved slot, so it depends on the prices after expiry and on the time of the settlement
    /// (3,009.0... at +10 s, 3,092.5... at +100 s); only the 205 s up to the observation before the newest are fixed.
    /// The settlement uses those alone: 3,000 whenever it is called (the bug was a settlement at the contaminated
    /// TWAP, which the settler could pick by timing).
    function test_settle__fullRingNewestMovedPastExpiry__ignoresThePricesAfterExpiry() public {
        _positions();
        vm.warp(expiry - 2_000);
        _restampAndUpdate();
        for (uint256 t = expiry - 400; t < expiry; t += 5) {
            vm.warp(t);
            _setFeed(address(weth), 3_000e18);
            oracle.update(address(weth));
        }
        uint256 previousTwap;
        for (uint256 t = expiry + 5; t <= expiry + 100; t += 5) {
            vm.warp(t);
            _setFeed(address(weth), 3_600e18);
            oracle.update(address(weth));
            if (t != expiry + 10 && t != expiry + 100) continue;
            (uint256 twap, bool complete, uint32 observed) =
                oracle.twapEndingAt(address(weth), SETTLEMENT_WINDOW, uint32(expiry));
            assertTrue(complete, "the ring holds the window's start");
            assertEq(uint256(observed), 205, "fixed up to the observation before the newest");
            assertGt(twap, 3_000e18, "the window's TWAP averages in prices after expiry");
            assertTrue(twap != previousTwap, "and changes with the time of the settlement");
            previousTwap = twap;
            uint256 snap = vm.snapshotState();
            vm.expectEmit(true, false, false, true, address(book));
            emit IOptionsBookTypes.Settled(callId, 3_000e18, false, t - expiry);
            assertEq(book.settle(callId), 3_000e18, "the TWAP of the fixed part");
            assertEq(book.settledLongUsd(), 0, "nothing owed at 3,000");
            vm.revertToState(snap);
        }
    }

    /// @notice Fallback, less than half the window observed (the last update 250 s before expiry: 50 s observed):
    /// the TWAP over the window ending now (3,090 held since), not atExpiry.
    function test_settle__lessThanHalfObserved__settlesAtTheTwapEndingNow() public {
        _positions();
        vm.warp(expiry - 2 * TWAP_WINDOW - 400);
        _settlePrices(); // the last update 398 s before expiry
        vm.warp(expiry - 250);
        _moveWethOnce(3_090e18);
        vm.warp(expiry + 50);
        (uint256 atExpiry,, uint32 observed) = oracle.twapEndingAt(address(weth), SETTLEMENT_WINDOW, uint32(expiry));
        assertEq(uint256(observed), 50, "50 s observed");
        assertEq(atExpiry, 3_075e18, "50 s at 3,000, 250 s at 3,090");
        uint256 twapNow = oracle.twap(address(weth), SETTLEMENT_WINDOW);
        assertEq(twapNow, 3_090e18, "the TWAP ending now");
        vm.expectEmit(true, false, false, true, address(book));
        emit IOptionsBookTypes.Settled(callId, 3_090e18, false, 50);
        assertEq(book.settle(callId), 3_090e18, "the TWAP ending now");
        assertEq(book.settledLongUsd(), 180e18, "2 x 90");
    }

    /// @notice Settled late, once the ring (64 slots, WETH updated every 10 s: 3,000 up to expiry, 3,600 after) no
    /// longer holds the window's start but holds the rest of it fixed up to expiry: the TWAP over that part (3,000),
    /// not atExpiry.
    function test_settle__ringLostTheStart__settlesAtTheFixedPartUpToExpiry() public {
        _positions();
        vm.warp(expiry - 2_000);
        _restampAndUpdate();
        for (uint256 t = expiry - 400; t <= expiry + 450; t += 10) {
            vm.warp(t);
            _setFeed(address(weth), t <= expiry ? 3_000e18 : 3_600e18);
            _restampAndUpdate();
        }
        (uint256 twap, bool complete, uint32 observed) =
            oracle.twapEndingAt(address(weth), SETTLEMENT_WINDOW, uint32(expiry));
        assertTrue(!complete, "the ring lost the window's start");
        assertGe(2 * uint256(observed), SETTLEMENT_WINDOW, "at least half of it held");
        assertEq(twap, 3_000e18, "the part held, fixed up to expiry");
        vm.expectEmit(true, false, false, true, address(book));
        emit IOptionsBookTypes.Settled(callId, 3_000e18, false, 450);
        assertEq(book.settle(callId), 3_000e18, "the TWAP of the part held");
    }

    /// @notice Not recorded and the price Stale: the fallback is as strict as a liquidation, the settlement reverts
    /// PriceUnavailable(asset, Liquidate, Stale) until the oracle updates.
    function test_settle__notRecordedAndStale__reverts() public {
        _positions();
        vm.warp(expiry + MAX_PRICE_AGE);
        _expectPriceUnavailable(address(weth), IOracleAggregator.Action.Liquidate, IOracleAggregator.Status.Stale);
        book.settle(callId);
        _restampAndUpdate();
        assertEq(book.settle(callId), 3_000e18, "settles once updated");
    }

    /// @notice Before expiry: SeriesNotExpired(id, expiry, now); a second settlement SeriesAlreadySettled(id); an
    /// unknown series SeriesNotFound(id).
    function test_settle__invalid__reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(IOptionsBookTypes.SeriesNotExpired.selector, callId, expiry, vm.getBlockTimestamp())
        );
        book.settle(callId);
        vm.warp(expiry - 1);
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.SeriesNotExpired.selector, callId, expiry, expiry - 1));
        book.settle(callId);
        _expireAndSettle(callId, 3_000e18);
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.SeriesAlreadySettled.selector, callId));
        book.settle(callId);
        vm.expectRevert(abi.encodeWithSelector(IOptionsBookTypes.SeriesNotFound.selector, 99));
        book.settle(99);
    }
}
