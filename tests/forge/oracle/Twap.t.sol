// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {MedianLib} from "../../../contracts/libraries/MedianLib.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {MultiSourceOracleBase} from "../utils/MultiSourceOracleBase.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {OracleViewBase} from "../utils/OracleViewBase.sol";
import {GasBurnerFeed, ProxyFeed} from "../utils/TestFeeds.sol";

/// @title OracleTwapMultiSourceTest
/// @notice `OracleAggregator.twap`: the TWAP over the ring buffer (fixture: MultiSourceOracleBase).
contract OracleTwapMultiSourceTest is MultiSourceOracleBase {
    /// @notice Over random prices, gaps and buffer sizes, the ring holds the observations of a reference slot model
    /// (a full ring keeps its oldest slot while it starts the window), the TWAP stored by `update` equals the time
    /// integral of the medians since the window start and lies within them, and `twap(window)` agrees with the
    /// reference interpolation, also at a later time and for other windows.
    function testFuzz_twap__randomPricesGapsAndRings__matchesTheReferenceIntegral(
        uint256[16] memory prices,
        uint256[16] memory gaps,
        uint256 sizeSeed,
        uint256 endGap,
        uint256 windowSeed
    ) public {
        uint16 size = uint16(bound(sizeSeed, 3, 24));
        MockFeed feed = feeds[1];
        IOracleAggregator.AssetConfig memory config = _config(_one(feed), 1);
        config.bufferSize = size;
        _list(ASSET, config);

        History memory h = History(new uint256[](16), new uint256[](16), 0, new uint256[](size), 0);
        uint256 t = T0;
        for (uint256 j = 0; j < 16; ++j) {
            if (j > 0) t += bound(gaps[j], 1, 2 * TWAP_WINDOW);
            vm.warp(t);
            uint256 p = bound(prices[j], 1, 1e27);
            feed.setAnswer(int256(p));
            IOracleAggregator.PriceData memory data = oracle.update(ASSET);
            _recordReference(h, t, p, TWAP_WINDOW);
            assertEq(data.median, p, "median of one source");

            uint256 start = _storedWindowStart(h, t, TWAP_WINDOW);
            (uint256 expected, uint256 lo, uint256 hi) = _referenceAverage(h, start, t);
            assertEq(data.twap, expected, "stored TWAP != reference integral");
            assertGe(data.twap, lo, "stored TWAP below the lowest median held in its window");
            assertLe(data.twap, hi, "stored TWAP above the highest median held in its window");
            assertEq(oracle.twap(ASSET, TWAP_WINDOW), _referenceTwapView(h, t, TWAP_WINDOW), "twap(window) at update");
            _checkRingAgainst(h, size);
        }

        t += bound(endGap, 0, 4 * TWAP_WINDOW);
        vm.warp(t);
        uint32 window = uint32(bound(windowSeed, MIN_WINDOW, 8 * TWAP_WINDOW));
        uint256 got = oracle.twap(ASSET, window);
        assertEq(got, _referenceTwapView(h, t, window), "twap(window) later != reference interpolation");
        (, uint256 low, uint256 high) = _referenceAverage(h, _storedWindowStart(h, t, window), t);
        assertGe(got, low, "twap(window) below the lowest median since the observation before its start");
        assertLe(got, high, "twap(window) above the highest median since the observation before its start");
    }

    /// @notice Over a random path of 1 to 10 updates of an 8-decimal source (answers 100 to 1e15, 1 to 3,000 s
    /// apart), a random TWAP window (600 to 7,200 s) and ring (3 to 6 slots): the TWAP each update stores equals the
    /// reference integral since the window start and lies within the prices held since it; after a wait of 0 to
    /// 3,000 s, `twap(600)`, `twap(window)` and `twap(2 window)` equal the reference interpolation and lie within the
    /// prices held since the observation at or before their start.
    function testFuzz_twap__randomPricePath__withinPricesOfItsWindow(
        uint256[10] memory answers,
        uint256[10] memory gaps,
        uint256 stepsSeed,
        uint256 sizeSeed,
        uint256 windowSeed,
        uint256 waitSeed
    ) public {
        uint256 steps = bound(stepsSeed, 1, 10);
        uint16 size = uint16(bound(sizeSeed, 3, 6));
        uint32 window = uint32(bound(windowSeed, MIN_WINDOW, 7_200));
        MockFeed feed = feeds[0];
        IOracleAggregator.AssetConfig memory config = _config(_one(feed), 1);
        (config.bufferSize, config.twapWindow) = (size, window);
        (config.maxDispersionBps, config.maxDeviationBps) = (10_000, 10_000);
        _list(ASSET, config);

        History memory h = History(new uint256[](steps), new uint256[](steps), 0, new uint256[](size), 0);
        uint256 t = T0;
        for (uint256 i = 0; i < steps; ++i) {
            t += bound(gaps[i], 1, 3_000);
            vm.warp(t);
            uint256 answer = bound(answers[i], 100, 1e15);
            feed.setRoundData(uint80(i + 2), int256(answer), uint64(t));
            IOracleAggregator.PriceData memory data = oracle.update(ASSET);
            _recordReference(h, t, answer * 1e10, window);

            (uint256 expected, uint256 lo, uint256 hi) = _referenceAverage(h, _storedWindowStart(h, t, window), t);
            assertGe(data.twap, lo, "stored TWAP below the prices of its window");
            assertLe(data.twap, hi, "stored TWAP above the prices of its window");
            assertEq(data.twap, expected, "stored TWAP != reference integral");
        }

        uint256 now_ = t + bound(waitSeed, 0, 3_000);
        vm.warp(now_);
        uint32[3] memory queries = [MIN_WINDOW, window, 2 * window];
        for (uint256 k = 0; k < 3; ++k) {
            uint256 got = oracle.twap(ASSET, queries[k]);
            (, uint256 lo, uint256 hi) = _referenceAverage(h, _storedWindowStart(h, now_, queries[k]), now_);
            assertGe(got, lo, "twap(query) below the prices since the observation at or before its start");
            assertLe(got, hi, "twap(query) above the prices since the observation at or before its start");
            assertEq(got, _referenceTwapView(h, now_, queries[k]), "twap(query) != reference interpolation");
        }
    }
}

/// @title OracleTwapTest
/// @notice `OracleAggregator.twap`: the TWAP over the ring buffer (fixture: OracleViewBase).
contract OracleTwapTest is OracleViewBase {
    /// @notice Observations (T0, 0) and (T0+1800, 1800 P), median Q since T0+1800. At T0+2100: twap(600) interpolates
    /// the start at T0+1500 and is (300 P + 300 Q) / 600; twap(1800) is (1500 P + 300 Q) / 1800; twap(599) reverts
    /// WindowTooShort(599, 600). At T0+2400, twap(600) starts at the newest observation: Q.
    function test_twap__windowInsideHistory__interpolates() public {
        uint256 q = P * 104 / 100;
        _updateAt(T0, P);
        _updateAt(T0 + 1800, q);
        vm.warp(T0 + 2100);
        assertEq(oracle.twap(ASSET, 600), (P + q) / 2, "twap(600) interpolated");
        assertEq(oracle.twap(ASSET, 1800), (1500 * P + 300 * q) / 1800, "twap(1800) interpolated");
        vm.expectRevert(abi.encodeWithSignature("WindowTooShort(uint32,uint32)", 599, 600));
        oracle.twap(ASSET, 599);
        vm.warp(T0 + 2400);
        assertEq(oracle.twap(ASSET, 600), q, "window after the newest observation: the median");
    }

    /// @notice In the block of the first observation twap(600) is the median (no time has passed since the only
    /// observation).
    function test_twap__blockOfTheFirstObservation__isTheMedian() public {
        _updateAt(T0, P);
        assertEq(oracle.twap(ASSET, 600), P, "same block: the median");
        vm.warp(T0 + 1);
        assertEq(oracle.twap(ASSET, 600), P, "one second later: P held");
    }

    /// @notice twap(type(uint32).max), a window longer than the time since the epoch, starts at the oldest observation:
    /// (100 P + 50 Q) / 150.
    function test_twap__windowBeyondNow__startsAtTheOldest() public {
        uint256 q = P * 103 / 100;
        _updateAt(T0, P);
        _updateAt(T0 + 100, q);
        vm.warp(T0 + 150);
        assertEq(oracle.twap(ASSET, type(uint32).max), (100 * P + 50 * q) / 150, "from the oldest observation");
    }

    /// @notice Observations (T0, 0) and (T0+1800, 1800 P), median Q since T0+1800. At T0+2400: twap(600) lies after
    /// the newest observation and is Q; twap(1200) is (600 P + 600 Q) / 1200; twap(1e6), longer than the history but
    /// not than the time since the epoch, is clamped to the oldest observation: (1800 P + 600 Q) / 2400.
    function test_twap__afterTheLastUpdate__weightsTheStoredMedianUntilNow() public {
        uint256 q = P * 105 / 100;
        _updateAt(T0, P);
        _updateAt(T0 + TWAP_WINDOW, q);
        vm.warp(T0 + TWAP_WINDOW + 600);
        assertEq(oracle.twap(ASSET, 600), q, "window after the newest observation: the stored median");
        assertEq(oracle.twap(ASSET, 1_200), (600 * P + 600 * q) / 1_200, "twap(1200)");
        assertEq(oracle.twap(ASSET, 1e6), (TWAP_WINDOW * P + 600 * q) / (TWAP_WINDOW + 600), "twap(1e6): all history");
    }
}
