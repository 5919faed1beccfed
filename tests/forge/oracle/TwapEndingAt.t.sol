// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OracleViewBase} from "../utils/OracleViewBase.sol";

/// @title OracleTwapEndingAtTest
/// @notice `OracleAggregator.twapEndingAt`: the TWAP over a span ending in the past, from the observation ring, and
/// whether the ring still holds the whole span (fixture: OracleViewBase, one 18-decimal feed, a 64-slot ring).
contract OracleTwapEndingAtTest is OracleViewBase {
    /// @dev 2,000 from T0, 2,600 from T0 + 1,000, 3,000 from T0 + 2,000, observed again at T0 + 3,000.
    function _path() internal {
        _updateAt(T0, 2_000e18);
        _updateAt(T0 + 1_000, 2_600e18);
        _updateAt(T0 + 2_000, 3_000e18);
        _updateAt(T0 + 3_000, 3_000e18);
    }

    /// @notice A span the ring holds averages the medians that held in it, exactly: [T0 + 1,000, T0 + 2,000] is 2,600,
    /// [T0 + 500, T0 + 1,500] is half 2,000 and half 2,600, and a span past the newest observation extends the stored
    /// median up to its end.
    function test_twapEndingAt__spanHeld__averagesThePricesThatHeld() public {
        _path();
        vm.warp(T0 + 4_000);
        _assertTwap(1_000, T0 + 2_000, 2_600e18, true);
        _assertTwap(1_000, T0 + 1_500, 2_300e18, true);
        _assertTwap(2_000, T0 + 2_000, 2_300e18, true);
        _assertTwap(1_000, T0 + 3_500, 3_000e18, true);
        _assertTwap(3_000, T0 + 3_000, uint256(7_600e18) / 3, true);
    }

    /// @notice Ending now, it is `twap(window)`, whatever the window (the history shorter than it included).
    function testFuzz_twapEndingAt__endingNow__equalsTwap(uint256 windowSeed, uint256 waitSeed) public {
        _path();
        vm.warp(T0 + 3_000 + bound(waitSeed, 0, 5_000));
        uint32 window = uint32(bound(windowSeed, MIN_WINDOW, 10_000));
        (uint256 price,,) = oracle.twapEndingAt(ASSET, window, uint32(vm.getBlockTimestamp()));
        assertEq(price, oracle.twap(ASSET, window), "twap(window) now");
    }

    /// @notice Over a random path, the TWAP `twap(window)` gave at a past time is what `twapEndingAt` gives for that
    /// time later, while the ring holds the span (one price held between two observations: the interpolation is exact).
    function testFuzz_twapEndingAt__later__equalsTheTwapOfThatTime(
        uint256[8] memory prices,
        uint256[8] memory gaps,
        uint256 pickSeed,
        uint256 offsetSeed,
        uint256 windowSeed
    ) public {
        uint32 window = uint32(bound(windowSeed, MIN_WINDOW, 3 * TWAP_WINDOW));
        uint256 pick = bound(pickSeed, 1, 6);
        uint256 t = T0;
        uint256 then;
        uint256 expected;
        for (uint256 j = 0; j < 8; ++j) {
            if (j > 0) t += bound(gaps[j], 1, 2 * TWAP_WINDOW);
            _updateAt(t, bound(prices[j], 1e18, 1e24));
            if (j == pick) {
                // A time between this update and the next, at which the TWAP is read.
                then = t + bound(offsetSeed, 0, 1);
                vm.warp(then);
                expected = oracle.twap(ASSET, window);
            }
        }
        vm.warp(t + 100);
        (uint256 price, bool complete,) = oracle.twapEndingAt(ASSET, window, uint32(then));
        (uint256 fromNow,,) = oracle.twapEndingAt(ASSET, window, uint32(vm.getBlockTimestamp()));
        assertEq(fromNow, oracle.twap(ASSET, window), "ending now");
        assertEq(complete, then >= T0 + window, "complete iff the span starts within the history");
        assertEq(price, expected, "the TWAP of that time");
    }

    /// @notice A span starting before the oldest observation is not complete: the average covers the part held (one
    /// starting at it is complete); a span ending before the oldest observation is the stored median, not complete.
    function test_twapEndingAt__spanBeforeHistory__notComplete() public {
        _path();
        _assertTwap(2_000, T0 + 1_000, 2_000e18, false);
        _assertTwap(2_500, T0 + 2_000, 2_300e18, false);
        _assertTwap(2_000, T0 + 2_000, 2_300e18, true);
        _assertTwap(1_000, T0 - 10, 3_000e18, false);
    }

    /// @notice Once a small ring moved on (3 slots, updates further apart than the TWAP window), an old span is no
    /// longer complete.
    function test_twapEndingAt__ringMovedOn__notComplete() public {
        IOracleAggregator.AssetConfig memory config = _config(_one(feed), 1);
        config.bufferSize = 3;
        _list(ASSET, config);
        _path();
        _assertTwap(1_000, T0 + 2_000, 2_600e18, true);
        for (uint256 i = 1; i <= 3; ++i) {
            _updateAt(T0 + 3_000 + i * 2 * TWAP_WINDOW, 3_000e18);
        }
        (, bool complete,) = oracle.twapEndingAt(ASSET, 1_000, uint32(T0 + 2_000));
        assertTrue(!complete, "dropped from the ring");
    }

    /// @notice An empty ring (listed, never updated) gives the stored median, not complete.
    function test_twapEndingAt__emptyRing__notComplete() public view {
        (uint256 price, bool complete,) = oracle.twapEndingAt(ASSET, MIN_WINDOW, uint32(T0));
        assertEq(price, oracle.median(ASSET), "the stored median");
        assertTrue(!complete, "nothing held");
    }

    /// @notice A window below the minimum reverts WindowTooShort; an end after now TwapEndInFuture(end, now); an
    /// unlisted asset AssetNotListed.
    function test_twapEndingAt__badArguments__revert() public {
        _path();
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.WindowTooShort.selector, MIN_WINDOW - 1, MIN_WINDOW));
        oracle.twapEndingAt(ASSET, MIN_WINDOW - 1, uint32(T0 + 3_000));
        vm.expectRevert(
            abi.encodeWithSelector(IOracleAggregator.TwapEndInFuture.selector, uint32(T0 + 3_001), T0 + 3_000)
        );
        oracle.twapEndingAt(ASSET, MIN_WINDOW, uint32(T0 + 3_001));
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.AssetNotListed.selector, OTHER_ASSET));
        oracle.twapEndingAt(OTHER_ASSET, MIN_WINDOW, uint32(T0 + 3_000));
    }

    function _assertTwap(uint32 window, uint256 end, uint256 price, bool complete) internal view {
        (uint256 got, bool held,) = oracle.twapEndingAt(ASSET, window, uint32(end));
        assertEq(got, price, "price");
        assertEq(held, complete, "complete");
    }

    /// @notice `observed` counts the seconds of the span between the oldest and the newest observation: the whole
    /// span when the ring holds it and a later update closed it (1,000 at T0 + 2,000), not the stored median extending
    /// the newest observation (500 of [T0 + 2,500, T0 + 3,500]; 0 of [T0 + 3,000, T0 + 4,000]), nor what lies before
    /// the history (1,000 of [T0 - 1,000, T0 + 1,000]); 0 when none of it is held.
    function test_twapEndingAt__observed__excludesTheStoredMedianExtension() public {
        _path();
        vm.warp(T0 + 4_000);
        _assertObserved(1_000, T0 + 2_000, 2_600e18, true, 1_000);
        _assertObserved(1_000, T0 + 3_500, 3_000e18, true, 500);
        _assertObserved(1_000, T0 + 4_000, 3_000e18, true, 0);
        _assertObserved(2_000, T0 + 1_000, 2_000e18, false, 1_000);
        _assertObserved(1_000, T0 - 10, 3_000e18, false, 0);
    }

    function _assertObserved(uint32 window, uint256 end, uint256 price, bool complete, uint32 observed) internal view {
        (uint256 got, bool held, uint32 seconds_) = oracle.twapEndingAt(ASSET, window, uint32(end));
        assertEq(got, price, "price");
        assertEq(held, complete, "complete");
        assertEq(seconds_, observed, "observed");
    }

    /// @notice A full ring whose newest slot moves forward in place (3 slots, updates closer together than the TWAP
    /// window keep the oldest as the window's start) is fixed only up to the observation before the newest: a span
    /// ending after it is not `observed == window`, because a later in-place move changes its average.
    /// [T0 + 1,000, T0 + 2,000] after the newest slot moved from T0 + 2,000 to T0 + 2,500: 0 s observed (fixed up to
    /// T0 + 1,000), its price the average of 2,600 and 3,000 over the moved slot (2,733.3...); after a second move to
    /// T0 + 2,700 the same span's price changed (2,764.7...), and it is still 0 s observed. A span up to the fixed
    /// observation ([T0, T0 + 1,000]) is observed whole and does not change.
    function test_twapEndingAt__fullRingNewestMovedInPlace__observedOnlyUpToTheObservationBeforeIt() public {
        IOracleAggregator.AssetConfig memory config = _config(_one(feed), 1);
        config.bufferSize = 3;
        _list(ASSET, config);
        _updateAt(T0, 2_000e18);
        _updateAt(T0 + 1_000, 2_600e18);
        _updateAt(T0 + 2_000, 3_000e18); // the ring is full
        _updateAt(T0 + 2_500, 3_000e18); // the window (1,800 s) still starts at T0: the newest slot moves in place
        vm.warp(T0 + 2_600);
        (uint256 moved, bool complete, uint32 observed) = oracle.twapEndingAt(ASSET, 1_000, uint32(T0 + 2_000));
        assertTrue(complete, "the ring holds the span");
        assertEq(uint256(observed), 0, "not observed: after the observation before the newest");
        assertEq(moved, uint256(2_600e18 * 1_000 + 3_000e18 * 500) / 1_500, "the moved slot's average");
        _assertObserved(1_000, T0 + 1_000, 2_000e18, true, 1_000);
        _assertObserved(1_000, T0 + 1_500, (2_000e18 * 500 + moved * 500) / 1_000, true, 500);

        _updateAt(T0 + 2_700, 3_000e18); // moves in place again
        (uint256 movedAgain,, uint32 observedAgain) = oracle.twapEndingAt(ASSET, 1_000, uint32(T0 + 2_000));
        assertEq(movedAgain, uint256(2_600e18 * 1_000 + 3_000e18 * 700) / 1_700, "the span's price changed");
        assertTrue(movedAgain != moved, "so it was not fixed");
        assertEq(uint256(observedAgain), 0, "still not observed");
        _assertObserved(1_000, T0 + 1_000, 2_000e18, true, 1_000);
    }
}
