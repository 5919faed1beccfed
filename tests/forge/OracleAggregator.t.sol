// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {AggregatorV3Interface} from "../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {MedianLib} from "../../contracts/libraries/MedianLib.sol";
import {MockFeed} from "../../contracts/mocks/MockFeed.sol";
import {OracleFixture} from "./utils/OracleFixture.sol";
import {GasBurnerFeed, ProxyFeed} from "./utils/TestFeeds.sol";

/// @title OracleAggregatorTest
/// @notice Unit and fuzz tests of the OracleAggregator: median vs a reference sort, TWAP vs a reference integral,
/// the ring buffer, same-block manipulation, decimals, statuses and policy prices, every exclusion reason, and the
/// guard against starving source calls.
contract OracleAggregatorTest is OracleFixture {
    address internal constant ASSET = address(0xA55E7);
    uint256 internal constant P = 2_000e18;

    /// @dev Even indexes report with 8 decimals, odd ones with 18.
    MockFeed[8] internal feeds;

    function setUp() public {
        _deployOracle();
        for (uint256 i = 0; i < 8; ++i) {
            feeds[i] = _newFeed(i % 2 == 0 ? 8 : 18, P);
        }
    }

    // ================================================================ median

    /// @notice MedianLib sorts like a selection sort and takes the same median (mean of the middle two, rounded down).
    function testFuzz_MedianLibMatchesReferenceSort(uint256[8] memory values, uint256 nSeed) public pure {
        uint256 n = bound(nSeed, 1, 8);
        for (uint256 i = 0; i < 8; ++i) {
            values[i] = bound(values[i], 0, type(uint96).max);
        }
        uint256[] memory expected = _selectionSort(values, n);
        uint256[8] memory sorted = values;
        MedianLib.sortAscending(sorted, n);
        for (uint256 i = 0; i < n; ++i) {
            assertEq(sorted[i], expected[i], "sortAscending differs from the reference sort");
        }
        assertEq(MedianLib.medianOfSorted(sorted, n), _medianOfSorted(expected), "median differs from the reference");
    }

    /// @notice `update` stores the median of exactly the fresh answers (8- and 18-decimal feeds mixed, any subset
    /// stale), and flags dispersion exactly when (max - min) / median exceeds the bound.
    function testFuzz_UpdateStoresMedianOfFreshAnswers(uint256[8] memory raw, uint256 nSeed, uint256 staleMask) public {
        uint256 n = bound(nSeed, 1, 8);
        AggregatorV3Interface[] memory list = new AggregatorV3Interface[](n);
        uint256[8] memory fresh;
        uint256 freshCount;
        for (uint256 i = 0; i < n; ++i) {
            list[i] = feeds[i];
            uint256 wad = bound(raw[i], 1, 1e18) * 1e10; // exact in 8 and in 18 decimals
            _setPrice(feeds[i], wad);
            if ((staleMask >> i) & 1 == 1) feeds[i].setUpdatedAt(uint64(T0 - HEARTBEAT - 1));
            else fresh[freshCount++] = wad;
        }
        _list(ASSET, _config(list, 1));

        IOracleAggregator.PriceData memory data = oracle.update(ASSET);

        if (freshCount == 0) {
            assertEq(data.median, 0, "no fresh answer, yet a median");
            assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Stale), "no fresh answer, not Stale");
            return;
        }
        uint256[] memory sorted = _selectionSort(fresh, freshCount);
        uint256 expected = _medianOfSorted(sorted);
        assertEq(data.median, expected, "stored median != median of the fresh answers");
        assertEq(oracle.median(ASSET), expected, "median() != returned median");
        assertEq(data.twap, expected, "first observation: the TWAP is the median");
        bool dispersed = (sorted[freshCount - 1] - sorted[0]) * 10_000 > uint256(DISPERSION_BPS) * expected;
        IOracleAggregator.Status want = dispersed ? IOracleAggregator.Status.Deviated : IOracleAggregator.Status.Ok;
        assertEq(uint256(data.status), uint256(want), "status does not follow the dispersion of the fresh answers");
        assertEq(data.updatedAt, T0, "updatedAt");
    }

    // ================================================================ TWAP

    /// @notice Over random prices, gaps and buffer sizes, the ring holds the observations of a reference slot model
    /// (a full ring keeps its oldest slot while it starts the window), the TWAP stored by `update` equals the time
    /// integral of the medians since the window start and lies within them, and `twap(window)` agrees with the
    /// reference interpolation, also at a later time and for other windows.
    function testFuzz_TwapMatchesReferenceWithinWindowRange(
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

    /// @notice A 3-slot ring: seven updates 1,000 s apart wrap it (each time an observation at or before the window
    /// start exists); one 100 s later moves the newest slot forward instead, since the oldest starts the window.
    function test_RingBufferWrapsAndKeepsTheWindowStart() public {
        MockFeed feed = feeds[1];
        IOracleAggregator.AssetConfig memory config = _config(_one(feed), 1);
        config.bufferSize = 3;
        config.maxDeviationBps = 10_000;
        _list(ASSET, config);
        // Listing pre-fills the slots (timestamp 1) so that ring writes are never zero-to-nonzero.
        assertEq(oracle.observation(ASSET, 2).timestamp, 1, "slot 2 not pre-filled");
        assertEq(oracle.observation(ASSET, 3).timestamp, 0, "slot past the buffer touched");

        uint256[7] memory cumulative;
        for (uint256 j = 0; j < 7; ++j) {
            vm.warp(T0 + 1_000 * j);
            feed.setAnswer(int256((j + 1) * 1_000e18));
            oracle.update(ASSET);
            if (j > 0) cumulative[j] = cumulative[j - 1] + j * 1_000e18 * 1_000; // price j-1 held 1,000 s
        }
        (uint16 newest, uint16 count) = oracle.observationState(ASSET);
        assertEq(newest, 0, "newest slot after 7 writes into 3");
        assertEq(count, 3, "count capped at the buffer size");
        for (uint256 j = 4; j < 7; ++j) {
            IOracleAggregator.Observation memory o = oracle.observation(ASSET, j % 3);
            assertEq(o.timestamp, T0 + 1_000 * j, "slot timestamp");
            assertEq(o.cumulative, cumulative[j], "slot cumulative");
        }
        _checkRing(ASSET, 3);
        // The window (1800 s) starts at T0 + 4200: from the observation at T0 + 4000, 5000 and 6000 for 1000 s each.
        assertEq(oracle.getPriceData(ASSET).twap, 5_500e18, "stored TWAP");
        assertEq(oracle.twap(ASSET, MIN_WINDOW), 6_000e18, "twap(600): one price since T0 + 5000");

        // 100 s later the oldest slot (T0 + 4000) is still the only one at or before the window start (T0 + 4300).
        vm.warp(T0 + 6_100);
        feed.setAnswer(8_000e18);
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        (newest, count) = oracle.observationState(ASSET);
        assertEq(newest, 0, "a new slot overwrote the window start");
        IOracleAggregator.Observation memory moved = oracle.observation(ASSET, 0);
        assertEq(moved.timestamp, T0 + 6_100, "newest slot not moved forward");
        assertEq(moved.cumulative, cumulative[6] + 7_000e18 * 100, "moved slot cumulative");
        assertEq(oracle.observation(ASSET, 1).timestamp, T0 + 4_000, "window start dropped");
        assertEq(data.twap, uint256(5_000e18 * 1_000 + 6_000e18 * 1_000 + 7_000e18 * 100) / 2_100, "stored TWAP");
        // twap(600) starts at T0 + 5500, inside the segment (T0 + 5000, T0 + 6100] that now holds two prices.
        uint256 d = 6_000e18 * 1_000 + 7_000e18 * 100;
        assertEq(oracle.twap(ASSET, MIN_WINDOW), (d - d * 500 / 1_100) / 600, "twap(600) interpolated");

        // Resizing restarts the history; the new slots are pre-filled.
        config.bufferSize = 5;
        _list(ASSET, config);
        (, count) = oracle.observationState(ASSET);
        assertEq(count, 0, "resize keeps history");
        assertEq(oracle.observation(ASSET, 4).timestamp, 1, "grown slot not pre-filled");
        feed.setAnswer(9_000e18);
        data = oracle.update(ASSET);
        assertEq(data.twap, 9_000e18, "first observation after a resize: TWAP = median");
        (newest, count) = oracle.observationState(ASSET);
        assertEq(newest, 0, "restarted ring starts at slot 0");
        assertEq(count, 1, "restarted ring holds one observation");
    }

    // ================================================================ same-block manipulation

    /// @notice A price set in the current block has no TWAP weight: updates in one block with wild prices change the
    /// median but neither the stored TWAP nor `twap()`, and record no second observation.
    function testFuzz_SameBlockManipulationDoesNotMoveTwap(uint256[4] memory spikes) public {
        MockFeed feed = feeds[1];
        uint256 t = _establish(feed, P);
        (uint16 newestBefore, uint16 countBefore) = oracle.observationState(ASSET);

        t += 60;
        vm.warp(t);
        for (uint256 i = 0; i < 4; ++i) {
            uint256 spike = bound(spikes[i], 1, 1e27);
            feed.setAnswer(int256(spike));
            IOracleAggregator.PriceData memory data = oracle.update(ASSET);
            assertEq(data.median, spike, "median follows the source");
            assertEq(data.twap, P, "same-block price moved the stored TWAP");
            assertEq(oracle.twap(ASSET, TWAP_WINDOW), P, "same-block price moved twap()");
            assertEq(oracle.twap(ASSET, MIN_WINDOW), P, "same-block price moved twap(min window)");
        }
        (uint16 newest, uint16 count) = oracle.observationState(ASSET);
        assertEq(newest, (newestBefore + 1) % BUFFER_SIZE, "one observation for the block");
        assertEq(count, countBefore + 1, "one observation for the block");
    }

    /// @notice The classic attack: a 10x spike in one block is Deviated (no new risk), the TWAP stays, the spike
    /// weighs one second once the block has passed.
    function test_SpikeInOneBlockIsDeviatedAndWeighsOnlyOnceTimePasses() public {
        MockFeed feed = feeds[1];
        uint256 t = _establish(feed, P) + 60;
        vm.warp(t);
        feed.setAnswer(int256(10 * P));
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        assertEq(data.twap, P, "spike moved the TWAP");
        assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Deviated), "10x spike not Deviated");
        vm.expectRevert(_unavailable(IOracleAggregator.Action.AddRisk, IOracleAggregator.Status.Deviated));
        oracle.priceForRisk(ASSET, false);
        // Liquidation judges at the price better for the account: a short is judged at the TWAP, not the spike.
        assertEq(oracle.priceForLiquidation(ASSET, false), P, "liquidation of a short at the spike");
        assertEq(oracle.priceForLiquidation(ASSET, true), 10 * P, "liquidation of a long");

        vm.warp(t + 1);
        data = oracle.update(ASSET);
        uint256 oneSecond = (P * (TWAP_WINDOW - 1) + 10 * P) / TWAP_WINDOW;
        assertEq(oracle.twap(ASSET, TWAP_WINDOW), oneSecond, "spike weighs exactly one second");
        // The stored TWAP spans at least the window (from the newest observation at or before now - window), so
        // the one-second spike weighs at most 1 / TWAP_WINDOW in it.
        assertGe(data.twap, P + 1, "spike not in the stored TWAP");
        assertLe(data.twap, oneSecond, "spike weighs more than one second of the window");
    }

    // ================================================================ decimals

    /// @notice The same price through 6-, 8-, 18- and 24-decimal feeds gives equal medians and TWAPs, and no
    /// dispersion when the four are sources of one asset.
    function testFuzz_DecimalsDoNotChangeThePrice(uint256 centsA, uint256 centsB, uint256 gap) public {
        uint256 a = bound(centsA, 1, 1e10) * 1e16; // whole cents: exact in 6 decimals
        uint256 b = bound(centsB, 1, 1e10) * 1e16;
        uint8[4] memory decimals = [6, 8, 18, 24];
        MockFeed[4] memory fs;
        AggregatorV3Interface[] memory all = new AggregatorV3Interface[](4);
        for (uint256 i = 0; i < 4; ++i) {
            fs[i] = _newFeed(decimals[i], a);
            all[i] = fs[i];
            _list(address(uint160(0xA000 + i)), _config(_one(fs[i]), 1));
        }
        assertEq(uint256(fs[1].answer()) * 1e10, uint256(fs[2].answer()), "fixture: 8 vs 18 decimals");
        address mixed = address(0xA111);
        _list(mixed, _config(all, 4));

        for (uint256 round = 0; round < 2; ++round) {
            uint256 want = round == 0 ? a : b;
            if (round == 1) {
                vm.warp(T0 + bound(gap, 1, 2 * TWAP_WINDOW));
                for (uint256 i = 0; i < 4; ++i) {
                    _setPrice(fs[i], b);
                }
            }
            IOracleAggregator.PriceData memory ref = oracle.update(address(0xA000));
            assertEq(ref.median, want, "6-decimal median");
            for (uint256 i = 1; i < 5; ++i) {
                IOracleAggregator.PriceData memory data = oracle.update(i < 4 ? address(uint160(0xA000 + i)) : mixed);
                assertEq(data.median, ref.median, "median depends on decimals");
                assertEq(data.twap, ref.twap, "TWAP depends on decimals");
            }
            // Equal normalized answers: no dispersion, so the mixed asset has the status of a single-source one.
            assertEq(uint256(oracle.status(mixed)), uint256(oracle.status(address(0xA000))), "equal prices dispersed");
        }
    }

    // ================================================================ statuses and policy

    function test_StatusTransitionsAndPolicy() public {
        AggregatorV3Interface[] memory list = new AggregatorV3Interface[](3);
        (list[0], list[1], list[2]) = (feeds[0], feeds[1], feeds[2]);
        _list(ASSET, _config(list, 2));
        // Listed but never updated: Stale, nothing is priced.
        assertEq(uint256(_status(ASSET)), uint256(IOracleAggregator.Status.Stale), "never updated");
        _expectAllUnavailable(IOracleAggregator.Status.Stale);

        uint256 t = T0;
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Ok, "all fresh and equal");
        assertEq(oracle.priceForRisk(ASSET, true), P, "Ok: risk price");

        // Dispersion: one source 5 % off (median unmoved) -> Deviated: reduce and liquidate only.
        t = _step(t, 60);
        _setPrice(feeds[2], P * 105 / 100);
        assertEq(oracle.update(ASSET).median, P, "median ignores the outlier");
        _assertStatus(IOracleAggregator.Status.Deviated, "dispersed sources");
        vm.expectRevert(_unavailable(IOracleAggregator.Action.AddRisk, IOracleAggregator.Status.Deviated));
        oracle.priceForRisk(ASSET, true);
        assertEq(oracle.priceForReduce(ASSET, true), P, "Deviated: reduce allowed");
        assertEq(oracle.priceForLiquidation(ASSET, true), P, "Deviated: liquidation allowed");

        t = _step(t, 60);
        _setPrice(feeds[2], P);
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Ok, "dispersion gone");

        // Quorum lost (2 of 3 revert): Stale at once, the median is kept, nothing is priced.
        t = _step(t, 60);
        feeds[0].setReverting(true);
        feeds[1].setReverting(true);
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        assertEq(data.median, P, "median kept when the quorum is lost");
        assertEq(data.updatedAt, t - 60, "updatedAt kept when the quorum is lost");
        _assertStatus(IOracleAggregator.Status.Stale, "quorum lost");
        _expectAllUnavailable(IOracleAggregator.Status.Stale);

        t = _step(t, 60);
        feeds[0].setReverting(false);
        feeds[1].setReverting(false);
        _refresh(3);
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Ok, "quorum back");

        // Age: valid for exactly maxPriceAge seconds after the update.
        t = _step(t, MAX_PRICE_AGE);
        _assertStatus(IOracleAggregator.Status.Ok, "at maxPriceAge");
        t = _step(t, 1);
        _assertStatus(IOracleAggregator.Status.Stale, "past maxPriceAge");
        _expectAllUnavailable(IOracleAggregator.Status.Stale);
        // The sources are past their heartbeat too: an update alone cannot revive the price.
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Stale, "update with stale sources");
        _refresh(3);
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Ok, "fresh sources");

        // Frozen beats Stale for new risk, survives updates and age; only the guardian toggles it. Closes and
        // liquidations follow the sources' own status (docs/design.md#liveness).
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), oracle.GUARDIAN_ROLE()
            )
        );
        oracle.setFrozen(ASSET, true);
        vm.prank(GUARDIAN);
        oracle.setFrozen(ASSET, true);
        _assertStatus(IOracleAggregator.Status.Frozen, "frozen");
        vm.expectRevert(_unavailable(IOracleAggregator.Action.AddRisk, IOracleAggregator.Status.Frozen));
        oracle.priceForRisk(ASSET, true);
        oracle.priceForLiquidation(ASSET, true); // the sources are Ok: priced
        vm.prank(GUARDIAN);
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.FreezeUnchanged.selector, ASSET, true));
        oracle.setFrozen(ASSET, true);
        t = _step(t, 60);
        _refresh(3);
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Frozen, "update does not unfreeze");
        t = _step(t, MAX_PRICE_AGE + 1);
        _assertStatus(IOracleAggregator.Status.Frozen, "Frozen beats Stale");
        vm.expectRevert(_unavailable(IOracleAggregator.Action.Liquidate, IOracleAggregator.Status.Stale));
        oracle.priceForLiquidation(ASSET, true); // the sources' own status is Stale
        vm.prank(GUARDIAN);
        oracle.setFrozen(ASSET, false);
        _assertStatus(IOracleAggregator.Status.Stale, "unfrozen, still too old");
        _step(t, 60);
        _refresh(3);
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Ok, "unfrozen and fresh");
    }

    /// @notice Median vs TWAP deviation: within the bound the policy picks the worse/better side; beyond it the status
    /// is Deviated until the TWAP catches up.
    function test_DeviationFromTwapAndPolicySides() public {
        MockFeed feed = feeds[1];
        uint256 t = _establish(feed, P);

        // +3 % (< 5 %): Ok, median above the TWAP.
        t = _step(t, 60);
        uint256 up = P * 103 / 100;
        feed.setAnswer(int256(up));
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        assertEq(data.twap, P, "TWAP before the move has weight");
        _assertStatus(IOracleAggregator.Status.Ok, "3 % from the TWAP");
        assertEq(oracle.priceForRisk(ASSET, true), P, "long adding risk gets the lower price");
        assertEq(oracle.priceForRisk(ASSET, false), up, "short adding risk gets the higher price");
        assertEq(oracle.priceForReduce(ASSET, true), P, "long reducing gets the lower price");
        assertEq(oracle.priceForReduce(ASSET, false), up, "short reducing gets the higher price");
        assertEq(oracle.priceForLiquidation(ASSET, true), up, "long liquidated at the higher price");
        assertEq(oracle.priceForLiquidation(ASSET, false), P, "short liquidated at the lower price");
        (uint256 low, uint256 high) = oracle.priceBounds(ASSET, IOracleAggregator.Action.AddRisk);
        assertEq(low, P, "priceBounds low");
        assertEq(high, up, "priceBounds high");

        // +6 % (> 5 %): Deviated until the window has mostly seen the new price.
        t = _step(t, 60);
        uint256 jump = P * 106 / 100;
        feed.setAnswer(int256(jump));
        oracle.update(ASSET);
        _assertStatus(IOracleAggregator.Status.Deviated, "6 % from the TWAP");
        assertEq(oracle.priceForReduce(ASSET, true), oracle.getPriceData(ASSET).twap, "Deviated: reduce allowed");
        for (uint256 i = 0; i < 31; ++i) {
            t = _step(t, 60);
            feed.setAnswer(int256(jump));
            oracle.update(ASSET);
        }
        _assertStatus(IOracleAggregator.Status.Ok, "TWAP caught up");
        assertEq(oracle.getPriceData(ASSET).twap, jump, "TWAP converged");
    }

    function test_UnlistedAssetAndShortWindowRevert() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.AssetNotListed.selector, ASSET));
        oracle.update(ASSET);
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.AssetNotListed.selector, ASSET));
        oracle.getPriceData(ASSET);
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.AssetNotListed.selector, ASSET));
        oracle.priceForLiquidation(ASSET, true);
        _list(ASSET, _config(_one(feeds[0]), 1));
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.WindowTooShort.selector, MIN_WINDOW - 1, MIN_WINDOW));
        oracle.twap(ASSET, MIN_WINDOW - 1);
    }

    // ================================================================ exclusions

    function test_ExcludesRevertingSource() public {
        MockFeed bad = _listWithSecond();
        bad.setReverting(true);
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.Reverted, 0, 0);
        _updateCountsOnlyTheGoodSource();
    }

    /// @notice A source that needs more than SOURCE_GAS_LIMIT while the caller has plenty counts as reverted.
    function test_ExcludesSourceNeedingMoreThanItsGasLimit() public {
        for (uint256 i = 0; i < 2; ++i) {
            GasBurnerFeed hungry = new GasBurnerFeed(oracle.SOURCE_GAS_LIMIT() + 1, i == 1, int256(P / 1e10));
            address asset = address(uint160(0xBEEF + i));
            _list(asset, _config(_two(feeds[0], hungry), 1));
            vm.expectEmit(true, true, false, true, address(oracle));
            emit IOracleAggregator.SourceExcluded(asset, address(hungry), IOracleAggregator.Exclusion.Reverted, 0, 0);
            IOracleAggregator.PriceData memory data = oracle.update{gas: 2_000_000}(asset);
            assertEq(data.median, P, "hungry source not excluded");
        }
    }

    function test_ExcludesMalformedSource() public {
        MockFeed bad = _listWithSecond();
        // Returns 64 zero bytes (PUSH1 0x40 PUSH1 0 RETURN): too short for five words.
        vm.etch(address(bad), hex"60406000f3");
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.Malformed, 0, 0);
        _updateCountsOnlyTheGoodSource();
        // No code at all (STOP): success with empty return data.
        vm.etch(address(bad), hex"00");
        vm.warp(T0 + 1);
        _refresh(1);
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.Malformed, 0, 0);
        _updateCountsOnlyTheGoodSource();
    }

    function test_ExcludesNonPositiveAnswer() public {
        MockFeed bad = _listWithSecond();
        bad.setAnswer(0);
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.NonPositive, 0, T0);
        _updateCountsOnlyTheGoodSource();
        bad.setAnswer(-1);
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.NonPositive, -1, T0);
        _updateCountsOnlyTheGoodSource();
    }

    function test_ExcludesZeroTimestamp() public {
        MockFeed bad = _listWithSecond();
        bad.setRoundData(7, int256(P), 0);
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.ZeroTimestamp, int256(P), 0);
        _updateCountsOnlyTheGoodSource();
    }

    function test_ExcludesFutureTimestamp() public {
        MockFeed bad = _listWithSecond();
        bad.setRoundData(7, int256(P), uint64(T0 + 1));
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.FutureTimestamp, int256(P), T0 + 1);
        _updateCountsOnlyTheGoodSource();
    }

    function test_ExcludesStaleAnswerAndAcceptsTheHeartbeatBoundary() public {
        MockFeed bad = _listWithSecond();
        bad.setRoundData(7, int256(P * 2), uint64(T0 - HEARTBEAT - 1));
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.Stale, int256(P * 2), T0 - HEARTBEAT - 1);
        _updateCountsOnlyTheGoodSource();
        // Exactly `heartbeat` old is still fresh.
        vm.warp(T0 + 1);
        _refresh(1);
        bad.setRoundData(8, int256(P * 2), uint64(T0 + 1 - HEARTBEAT));
        assertEq(oracle.update(ASSET).median, P * 3 / 2, "answer exactly heartbeat old not counted");
    }

    function test_ExcludesOutOfBoundsAndAcceptsTheBounds() public {
        MockFeed bad = feeds[1];
        IOracleAggregator.AssetConfig memory config = _config(_two(feeds[0], bad), 1);
        (config.sources[1].minAnswer, config.sources[1].maxAnswer) = (1_000e18, 3_000e18);
        config.maxDispersionBps = 10_000;
        config.maxDeviationBps = 10_000;
        _list(ASSET, config);

        bad.setAnswer(1_000e18 - 1);
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.OutOfBounds, 1_000e18 - 1, T0);
        _updateCountsOnlyTheGoodSource();
        bad.setAnswer(3_000e18 + 1);
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.OutOfBounds, 3_000e18 + 1, T0);
        _updateCountsOnlyTheGoodSource();

        vm.warp(T0 + 1);
        _refresh(1);
        bad.setAnswer(1_000e18);
        assertEq(oracle.update(ASSET).median, (P + 1_000e18) / 2, "minAnswer is inclusive");
        vm.warp(T0 + 2);
        _refresh(1);
        bad.setAnswer(3_000e18);
        assertEq(oracle.update(ASSET).median, (P + 3_000e18) / 2, "maxAnswer is inclusive");
    }

    // ================================================================ gas griefing guard

    /// @notice Over every gas limit from far too little to plenty, `update` either succeeds with every source counted,
    /// or reverts (InsufficientGasForSources, or out of gas): a caller cannot choose a gas limit that gets a healthy
    /// source excluded. Covers a plain heavy feed, one that fails cheaply when short of gas, and a proxy in front of a
    /// heavy feed (a nested call keeps 1/64 at each level), each as the last and as the first source.
    function test_StarvedSourceRevertsInsteadOfBeingExcluded() public {
        for (uint256 kind = 0; kind < 3; ++kind) {
            for (uint256 last = 0; last < 2; ++last) {
                address asset = address(uint160(0xC0DE00 + kind * 2 + last));
                AggregatorV3Interface heavy = _heavyFeed(kind);
                _list(asset, _config(last == 1 ? _two(feeds[0], heavy) : _two(heavy, feeds[0]), 2));
                oracle.update(asset);
                vm.warp(T0 + 60);
                (uint256 guarded, uint256 outOfGas, uint256 succeeded) = _scanUpdateGas(asset, 20_000, 250_000, 1_000);
                emit log_named_uint("heavy feed kind (0 plain, 1 cheap failure, 2 proxy)", kind);
                emit log_named_uint("  as last source", last);
                emit log_named_uint("  reverted InsufficientGasForSources", guarded);
                emit log_named_uint("  ran out of gas", outOfGas);
                emit log_named_uint("  succeeded with all sources", succeeded);
                assertGe(guarded, 1, "never reverted with InsufficientGasForSources");
                assertGe(succeeded, 1, "never succeeded");
                vm.warp(T0);
            }
        }
    }

    /// @notice The other side of the guard: a source that is really broken is excluded as soon as the caller gives
    /// enough gas for the call to have had its full SOURCE_GAS_LIMIT, and below that `update` reverts.
    function test_BrokenSourceExcludedOnlyWithEnoughGas() public {
        MockFeed bad = _listWithSecond();
        oracle.update(ASSET);
        vm.warp(T0 + 60);
        _refresh(1);
        bad.setReverting(true);
        uint256 firstSuccess;
        for (uint256 g = 20_000; g <= 300_000; g += 1_000) {
            uint256 snapshot = vm.snapshotState();
            (bool ok, bytes memory ret) =
                address(oracle).call{gas: g}(abi.encodeCall(IOracleAggregator.update, (ASSET)));
            if (ok) {
                if (firstSuccess == 0) firstSuccess = g;
                assertEq(oracle.median(ASSET), P, "broken source counted");
            } else {
                assertEq(firstSuccess, 0, "update failed above a gas limit that worked");
                if (ret.length != 0) {
                    assertEq(bytes4(ret), IOracleAggregator.InsufficientGasForSources.selector, "unexpected revert");
                }
            }
            vm.revertToState(snapshot);
        }
        emit log_named_uint("smallest gas limit (step 1000) for update with a reverting 2nd source", firstSuccess);
        assertGe(firstSuccess, oracle.SOURCE_GAS_LIMIT(), "excluded without the full source gas limit");
        assertLe(firstSuccess, 200_000, "a broken source needs an unreasonable gas limit");
    }

    /// @notice The same property for any gas limit, with the source that fails cheaply when starved (the hard case
    /// for a guard that looks only at the gas left after the call).
    function testFuzz_StarvedSourceNeverExcluded(uint256 gasSeed, bool proxied) public {
        AggregatorV3Interface heavy = _heavyFeed(proxied ? 2 : 1);
        _list(ASSET, _config(_two(feeds[0], heavy), 2));
        oracle.update(ASSET);
        vm.warp(T0 + 60);
        _scanUpdateGas(ASSET, bound(gasSeed, 20_000, 400_000), 0, 1);
    }

    // ================================================================ helpers

    /// @dev List ASSET with a single 18-decimal source and run it at `price` for a whole window (updates every 60 s).
    function _establish(MockFeed feed, uint256 price) internal returns (uint256 t) {
        _list(ASSET, _config(_one(feed), 1));
        t = T0;
        feed.setAnswer(int256(price));
        oracle.update(ASSET);
        for (uint256 i = 0; i < 31; ++i) {
            t += 60;
            vm.warp(t);
            feed.setAnswer(int256(price));
            oracle.update(ASSET);
        }
        assertEq(oracle.getPriceData(ASSET).twap, price, "fixture: TWAP not established");
    }

    /// @dev List ASSET with feeds[0] (8 decimals, P) and feeds[1] (18 decimals, the one a test breaks), quorum 1.
    function _listWithSecond() internal returns (MockFeed) {
        _list(ASSET, _config(_two(feeds[0], feeds[1]), 1));
        return feeds[1];
    }

    function _expectExcluded(address feed, IOracleAggregator.Exclusion reason, int256 answer, uint256 updatedAt)
        internal
    {
        vm.expectEmit(true, true, false, true, address(oracle));
        emit IOracleAggregator.SourceExcluded(ASSET, feed, reason, answer, updatedAt);
    }

    function _updateCountsOnlyTheGoodSource() internal {
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        assertEq(data.median, P, "median is not the good source's answer alone");
        assertTrue(data.status != IOracleAggregator.Status.Stale, "one fresh source meets quorum 1");
    }

    function _step(uint256 t, uint256 dt) internal returns (uint256) {
        vm.warp(t + dt);
        return t + dt;
    }

    /// @dev Re-stamp the first `n` feeds now at P.
    function _refresh(uint256 n) internal {
        for (uint256 i = 0; i < n; ++i) {
            _setPrice(feeds[i], P);
        }
    }

    function _assertStatus(IOracleAggregator.Status want, string memory message) internal view {
        assertEq(uint256(_status(ASSET)), uint256(want), message);
        assertEq(uint256(oracle.getPriceData(ASSET).status), uint256(want), message);
    }

    function _unavailable(IOracleAggregator.Action action, IOracleAggregator.Status s)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSelector(IOracleAggregator.PriceUnavailable.selector, ASSET, action, s);
    }

    function _expectAllUnavailable(IOracleAggregator.Status s) internal {
        vm.expectRevert(_unavailable(IOracleAggregator.Action.AddRisk, s));
        oracle.priceForRisk(ASSET, true);
        vm.expectRevert(_unavailable(IOracleAggregator.Action.Reduce, s));
        oracle.priceForReduce(ASSET, false);
        vm.expectRevert(_unavailable(IOracleAggregator.Action.Liquidate, s));
        oracle.priceForLiquidation(ASSET, true);
        vm.expectRevert(_unavailable(IOracleAggregator.Action.Liquidate, s));
        oracle.priceBounds(ASSET, IOracleAggregator.Action.Liquidate);
    }

    /// @dev 0: needs 60k gas and runs out of gas when given less; 1: needs 60k and reverts cheaply when given less;
    /// 2: a ProxyFeed in front of kind 0.
    function _heavyFeed(uint256 kind) internal returns (AggregatorV3Interface) {
        GasBurnerFeed burner = new GasBurnerFeed(60_000, kind == 1, int256(P / 1e10));
        return kind == 2 ? AggregatorV3Interface(address(new ProxyFeed(burner))) : burner;
    }

    /// @dev Call `update` with every gas limit in [from, to] (step `step`; `to = 0` means only `from`) from the same
    /// state; a success must count every source (quorum = all sources, so an exclusion would read Stale).
    function _scanUpdateGas(address asset, uint256 from, uint256 to, uint256 step)
        internal
        returns (uint256 guarded, uint256 outOfGas, uint256 succeeded)
    {
        if (to < from) to = from;
        for (uint256 g = from; g <= to; g += step) {
            uint256 snapshot = vm.snapshotState();
            (bool ok, bytes memory ret) =
                address(oracle).call{gas: g}(abi.encodeCall(IOracleAggregator.update, (asset)));
            if (ok) {
                ++succeeded;
                assertEq(
                    uint256(oracle.status(asset)),
                    uint256(IOracleAggregator.Status.Ok),
                    "update succeeded with a starved source excluded"
                );
            } else if (ret.length == 0) {
                ++outOfGas;
            } else {
                assertEq(
                    bytes4(ret), IOracleAggregator.InsufficientGasForSources.selector, "unexpected revert of update"
                );
                ++guarded;
            }
            vm.revertToState(snapshot);
        }
    }

    function _selectionSort(uint256[8] memory values, uint256 n) internal pure returns (uint256[] memory s) {
        s = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            s[i] = values[i];
        }
        for (uint256 i = 0; i < n; ++i) {
            uint256 m = i;
            for (uint256 j = i + 1; j < n; ++j) {
                if (s[j] < s[m]) m = j;
            }
            (s[i], s[m]) = (s[m], s[i]);
        }
    }

    function _medianOfSorted(uint256[] memory s) internal pure returns (uint256) {
        uint256 n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /// @dev Time integral of the medians over [max(now - window, oldestKept), now]: `medians[i]` held from
    /// `times[i]` to `times[i + 1]`, the last (`medians[last]`) until `now`. Also the min and max of the medians that
    /// held in it. With an empty span the result is the current median.
    /// @dev The stored TWAP runs from the newest kept observation at or before now - window (so it spans at least
    /// the window); `twap(window)` interpolates the exact window. Both equal the reference integrals.
    /// @dev Reference model: every update (time, median) and the observation times the ring should hold, oldest first.
    struct History {
        uint256[] times;
        uint256[] medians;
        uint256 updates;
        uint256[] slots;
        uint256 slotCount;
    }

    function _recordReference(History memory h, uint256 t, uint256 median_, uint32 window) internal pure {
        (h.times[h.updates], h.medians[h.updates]) = (t, median_);
        ++h.updates;
        uint256 n = h.slotCount;
        if (n == 0) {
            (h.slots[0], h.slotCount) = (t, 1);
        } else if (h.slots[n - 1] != t) {
            bool full = n == h.slots.length;
            if (full && _storedWindowStart(h, t, window) == h.slots[0]) {
                h.slots[n - 1] = t; // the oldest still starts the window: the newest slot moves forward
            } else if (!full) {
                (h.slots[n], h.slotCount) = (t, n + 1);
            } else {
                for (uint256 k = 1; k < n; ++k) {
                    h.slots[k - 1] = h.slots[k];
                }
                h.slots[n - 1] = t;
            }
        }
    }

    /// @dev The newest observation at or before `now - window`, or the oldest one.
    function _storedWindowStart(History memory h, uint256 now_, uint256 window) internal pure returns (uint256 start) {
        start = h.slots[0];
        for (uint256 k = 0; k < h.slotCount; ++k) {
            if (h.slots[k] + window <= now_) start = h.slots[k];
        }
    }

    /// @dev Integral of the medians held over [start, now] (the current one alone if empty), divided by its length,
    /// with the lowest and highest median held in it.
    function _referenceAverage(History memory h, uint256 start, uint256 now_)
        internal
        pure
        returns (uint256 average, uint256 lo, uint256 hi)
    {
        uint256 last = h.updates - 1;
        if (start >= now_) return (h.medians[last], h.medians[last], h.medians[last]);
        lo = type(uint256).max;
        average = _integral(h, start, now_) / (now_ - start);
        for (uint256 i = 0; i <= last; ++i) {
            uint256 segEnd = i < last ? h.times[i + 1] : now_;
            if (segEnd <= start || segEnd <= h.times[i] || h.times[i] >= now_) continue;
            if (h.medians[i] < lo) lo = h.medians[i];
            if (h.medians[i] > hi) hi = h.medians[i];
        }
    }

    /// @dev Sum of median * seconds over [from, to].
    function _integral(History memory h, uint256 from, uint256 to) internal pure returns (uint256 sum) {
        uint256 last = h.updates - 1;
        for (uint256 i = 0; i <= last; ++i) {
            uint256 segStart = h.times[i] > from ? h.times[i] : from;
            uint256 segEnd = i < last ? h.times[i + 1] : to;
            if (segEnd > to) segEnd = to;
            if (segEnd > segStart) sum += h.medians[i] * (segEnd - segStart);
        }
    }

    /// @dev What `twap(window)` returns at `now`: the cumulative at `now - window` interpolated linearly (rounded
    /// down) between the observations around it, clamped to the oldest, the current median after the newest.
    function _referenceTwapView(History memory h, uint256 now_, uint256 window) internal pure returns (uint256) {
        uint256 target = now_ > window ? now_ - window : 0;
        uint256 first = h.times[0];
        if (target <= h.slots[0]) {
            (uint256 average,,) = _referenceAverage(h, h.slots[0], now_);
            return average;
        }
        if (target >= h.slots[h.slotCount - 1]) return h.medians[h.updates - 1];
        uint256 k = 0;
        while (h.slots[k + 1] <= target) ++k;
        uint256 c0 = _integral(h, first, h.slots[k]);
        uint256 c1 = _integral(h, first, h.slots[k + 1]);
        uint256 atTarget = c0 + (c1 - c0) * (target - h.slots[k]) / (h.slots[k + 1] - h.slots[k]);
        return (_integral(h, first, now_) - atTarget) / window;
    }

    /// @dev The ring holds exactly the reference observations, in order, with the reference cumulatives.
    function _checkRingAgainst(History memory h, uint16 size) internal view {
        uint256 count = _checkRing(ASSET, size);
        assertEq(count, h.slotCount, "observation count != reference");
        (uint16 newest,) = oracle.observationState(ASSET);
        uint256 oldest = count < size ? 0 : (uint256(newest) + 1) % size;
        for (uint256 k = 0; k < count; ++k) {
            IOracleAggregator.Observation memory o = oracle.observation(ASSET, (oldest + k) % size);
            assertEq(o.timestamp, h.slots[k], "observation time != reference");
            assertEq(o.cumulative, _integral(h, h.times[0], h.slots[k]), "observation cumulative != reference");
        }
    }
}
