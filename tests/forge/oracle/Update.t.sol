// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {MedianLib} from "../../../contracts/libraries/MedianLib.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {MultiSourceOracleBase} from "../utils/MultiSourceOracleBase.sol";
import {OracleConfigBase} from "../utils/OracleConfigBase.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {GasBurnerFeed, ProxyFeed} from "../utils/TestFeeds.sol";

/// @title OracleUpdateMultiSourceTest
/// @notice `OracleAggregator.update`: the median of fresh answers, exclusions, the ring buffer, status (fixture: MultiSourceOracleBase).
contract OracleUpdateMultiSourceTest is MultiSourceOracleBase {
    /// @notice `update` stores the median of exactly the fresh answers (8- and 18-decimal feeds mixed, any subset
    /// stale), and flags dispersion exactly when (max - min) / median exceeds the bound.
    function testFuzz_update__anyFreshSubset__storesTheirMedian(uint256[8] memory raw, uint256 nSeed, uint256 staleMask)
        public
    {
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

    /// @notice A 3-slot ring: seven updates 1,000 s apart wrap it (each time an observation at or before the window
    /// start exists); one 100 s later moves the newest slot forward instead, since the oldest starts the window.
    function test_update__fullRing__wrapsButKeepsTheWindowStart() public {
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

    /// @notice A price set in the current block has no TWAP weight: updates in one block with wild prices change the
    /// median but neither the stored TWAP nor `twap()`, and record no second observation.
    function testFuzz_update__sameBlockPrices__leaveTheTwapUnmoved(uint256[4] memory spikes) public {
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
    function test_update__oneBlockSpike__deviatedAndWeighsOneSecond() public {
        MockFeed feed = feeds[1];
        uint256 t = _establish(feed, P) + 60;
        vm.warp(t);
        feed.setAnswer(int256(10 * P));
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        assertEq(data.twap, P, "spike moved the TWAP");
        assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Deviated), "10x spike not Deviated");
        _expectUnpriced(IOracleAggregator.Action.AddRisk, false, IOracleAggregator.Status.Deviated);
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

    /// @notice The same price through 6-, 8-, 18- and 24-decimal feeds gives equal medians and TWAPs, and no
    /// dispersion when the four are sources of one asset.
    function testFuzz_update__anyFeedDecimals__samePrice(uint256 centsA, uint256 centsB, uint256 gap) public {
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

    function test_update__revertingSourceBesideAGoodOne__excluded() public {
        MockFeed bad = _listWithSecond();
        bad.setReverting(true);
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.Reverted, 0, 0);
        _updateCountsOnlyTheGoodSource();
    }

    /// @notice A source that needs more than SOURCE_GAS_LIMIT while the caller has plenty counts as reverted.
    function test_update__sourceAboveItsGasLimit__excludedAsReverted() public {
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

    function test_update__malformedSourceBesideAGoodOne__excluded() public {
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

    function test_update__nonPositiveAnswerBesideAGoodOne__excluded() public {
        MockFeed bad = _listWithSecond();
        bad.setAnswer(0);
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.NonPositive, 0, T0);
        _updateCountsOnlyTheGoodSource();
        bad.setAnswer(-1);
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.NonPositive, -1, T0);
        _updateCountsOnlyTheGoodSource();
    }

    function test_update__zeroTimestampBesideAGoodOne__excluded() public {
        MockFeed bad = _listWithSecond();
        bad.setRoundData(7, int256(P), 0);
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.ZeroTimestamp, int256(P), 0);
        _updateCountsOnlyTheGoodSource();
    }

    function test_update__futureTimestampBesideAGoodOne__excluded() public {
        MockFeed bad = _listWithSecond();
        bad.setRoundData(7, int256(P), uint64(T0 + 1));
        _expectExcluded(address(bad), IOracleAggregator.Exclusion.FutureTimestamp, int256(P), T0 + 1);
        _updateCountsOnlyTheGoodSource();
    }

    function test_update__answerPastTheHeartbeat__excludedButTheBoundaryCounts() public {
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

    function test_update__answerOutsideTheBounds__excludedButTheBoundsCount() public {
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

    /// @notice Over every gas limit from far too little to plenty, `update` either succeeds with every source counted,
    /// or reverts (InsufficientGasForSources, or out of gas): a caller cannot choose a gas limit that gets a healthy
    /// source excluded. Covers a plain heavy feed, one that fails cheaply when short of gas, and a proxy in front of a
    /// heavy feed (a nested call keeps 1/64 at each level), each as the last and as the first source.
    function test_update__anyGasLimit__countsEverySourceOrReverts() public {
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
    function test_update__brokenSource__excludedOnlyWithItsFullGasLimit() public {
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
    function testFuzz_update__cheaplyFailingStarvedSource__neverExcluded(uint256 gasSeed, bool proxied) public {
        AggregatorV3Interface heavy = _heavyFeed(proxied ? 2 : 1);
        _list(ASSET, _config(_two(feeds[0], heavy), 2));
        oracle.update(ASSET);
        vm.warp(T0 + 60);
        _scanUpdateGas(ASSET, bound(gasSeed, 20_000, 400_000), 0, 1);
    }
}

/// @title OracleUpdateTest
/// @notice The price side of the OracleAggregator, one path per test with exact values: `update` (quorum, dispersion,
/// deviation, the first observation, same-block updates, the window start, every exclusion reason, the starved-call
/// guard, decimals), `twap(window)`, the statuses, and the policy prices.
contract OracleUpdateTest is OracleConfigBase {
    /// @dev 18 decimals (feedB, also 18 decimals, is the single source of the one-feed tests and the broken one of the
    /// exclusion tests).
    MockFeed internal feedC;

    function setUp() public override {
        super.setUp();
        feedC = _newFeed(18, P);
    }

    /// @notice The first update stores the median as the TWAP, emits PriceUpdated(P, P, 0, 1, Ok) and starts the ring
    /// with (T0, 0) in slot 0.
    function test_update__firstPrice__startsTheRing() public {
        _list(ASSET, _config(_one(feedB), 1));
        vm.expectEmit(true, false, false, true, address(oracle));
        emit IOracleAggregator.PriceUpdated(ASSET, P, P, 0, 1, IOracleAggregator.Status.Ok);
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        _assertData(data, P, P, IOracleAggregator.Status.Ok, T0);
        _assertNewest(0, 1, T0, 0, "first observation", "slot 0");
    }

    /// @notice Two later updates record (T0+600, 600 P) and (T0+1200, 600 P + 600 Q): the TWAP is P, then (P + Q) / 2,
    /// the status Ok (Q is 4 % above P).
    function test_update__laterPrices__recordedAndAveraged() public {
        _list(ASSET, _config(_one(feedB), 1));
        uint256 q = P * 104 / 100;
        _updateAt(T0, P);
        _assertData(_updateAt(T0 + 600, q), q, P, IOracleAggregator.Status.Ok, T0 + 600);
        _assertNewest(1, 2, T0 + 600, 600 * P, "second observation", "slot 1");
        _assertData(_updateAt(T0 + 1200, q), q, (P + q) / 2, IOracleAggregator.Status.Ok, T0 + 1200);
        _assertNewest(2, 3, T0 + 1200, 600 * P + 600 * q, "third observation", "slot 2");
    }

    /// @notice A second update in the block of the first records nothing more (ring (0, 1), slot 0 still (T0, 0)) and,
    /// with no history, stores the new median as the TWAP.
    function test_update__sameBlock__keepsOneObservation() public {
        _list(ASSET, _config(_one(feedB), 1));
        _updateAt(T0, P);
        feedB.setAnswer(int256(P * 3 / 2));
        _assertData(oracle.update(ASSET), P * 3 / 2, P * 3 / 2, IOracleAggregator.Status.Ok, T0);
        _assertNewest(0, 1, T0, 0, "same block: no new observation", "slot 0 unchanged");
    }

    /// @notice With updates at T0, T0+1800 (P), T0+3600 and T0+5400 (Q), the window start moves to the observation at
    /// T0+3600, so the stored TWAP is Q, not the average since T0.
    function test_update__windowStartMoves__twapCoversOnlyTheWindow() public {
        _list(ASSET, _config(_one(feedB), 1));
        uint256 q = P * 103 / 100;
        _updateAt(T0, P);
        assertEq(_updateAt(T0 + 1800, P).twap, P, "TWAP over the first window");
        assertEq(_updateAt(T0 + 3600, q).twap, P, "P held over the second window");
        assertEq(_updateAt(T0 + 5400, q).twap, q, "Q held over the third window");
        assertEq(oracle.twap(ASSET, TWAP_WINDOW), q, "twap(window) agrees");
    }

    /// @notice A window longer than the time since the epoch (type(uint32).max) starts at the oldest observation: the
    /// stored TWAP and twap(type(uint32).max) are (60 P + 60 Q) / 120.
    /// -> true: `nowTs - window` would underflow).
    function test_update__windowBeyondNow__startsAtTheOldest() public {
        IOracleAggregator.AssetConfig memory config = _config(_one(feedB), 1);
        config.twapWindow = type(uint32).max;
        _list(ASSET, config);
        uint256 q = P * 103 / 100;
        _updateAt(T0, P);
        assertEq(_updateAt(T0 + 60, q).twap, P, "P held for 60 s");
        assertEq(_updateAt(T0 + 120, q).twap, (P + q) / 2, "P then Q for 60 s each");
        assertEq(oracle.twap(ASSET, type(uint32).max), (P + q) / 2, "twap(max window) from the oldest");
    }

    /// @notice A quorum-lost update of a never-priced asset (median 0) records no observation (ring (0, 0), slot 0
    /// still pre-filled); the first real price then starts the ring with TWAP = median.
    function test_update__neverPricedQuorumLost__recordsNoObservation() public {
        _list(ASSET, _config(_one(feedB), 1));
        feedB.setReverting(true);
        _assertData(oracle.update(ASSET), 0, 0, IOracleAggregator.Status.Stale, 0);
        _assertNewest(0, 0, 1, 0, "no observation without a price", "slot 0 still pre-filled");
        feedB.setReverting(false);
        _assertData(_updateAt(T0 + 60, P), P, P, IOracleAggregator.Status.Ok, T0 + 60);
        _assertNewest(0, 1, T0 + 60, 0, "first observation", "slot 0");
    }

    /// @notice 2 of 2 needed, one reverts and the other moves 1 %: the median P and updatedAt T0 are kept, the status
    /// is Stale (only the quorum flag makes it so: the price is 60 s old), PriceUpdated reports 1 fresh source, and the
    /// observation accumulates the held P.
    function test_update__quorumLost__keepsTheMedian() public {
        _list(ASSET, _config(_two(feedA, feedB), 2));
        _assertData(oracle.update(ASSET), P, P, IOracleAggregator.Status.Ok, T0);
        vm.warp(T0 + 60);
        feedA.setReverting(true);
        feedB.setAnswer(int256(P * 101 / 100));
        vm.expectEmit(true, false, false, true, address(oracle));
        emit IOracleAggregator.PriceUpdated(ASSET, P, P, 60 * P, 1, IOracleAggregator.Status.Stale);
        _assertData(oracle.update(ASSET), P, P, IOracleAggregator.Status.Stale, T0);
        assertEq(oracle.median(ASSET), P, "median kept");
        _assertObservation(ASSET, 1, T0 + 60, 60 * P, "held price accumulated");
    }

    /// @notice Three sources at P, P, P: Ok. At P, P, 1.05 P: median P, spread 5 % > 2 %: Deviated (no AddRisk price,
    /// reduce at P). At P, P, 1.02 P: spread exactly 2 %: Ok.
    function test_update__dispersedSources__deviated() public {
        AggregatorV3Interface[] memory three = new AggregatorV3Interface[](3);
        (three[0], three[1], three[2]) = (feedA, feedB, feedC);
        _list(ASSET, _config(three, 2));
        _assertData(oracle.update(ASSET), P, P, IOracleAggregator.Status.Ok, T0);

        vm.warp(T0 + 60);
        _stamp(P, P, P * 105 / 100);
        _assertData(oracle.update(ASSET), P, P, IOracleAggregator.Status.Deviated, T0 + 60);
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Deviated), "status() Deviated");
        _expectUnpriced(IOracleAggregator.Action.AddRisk, true, IOracleAggregator.Status.Deviated);
        assertEq(oracle.priceForReduce(ASSET, true), P, "Deviated: reduce at P");

        vm.warp(T0 + 120);
        _stamp(P, P, P * 102 / 100);
        _assertData(oracle.update(ASSET), P, P, IOracleAggregator.Status.Ok, T0 + 120);
    }

    /// @notice One source moving from P to 1.05 P after 600 s (TWAP P): exactly 5 % is Ok; another moving to 1.06 P is
    /// Deviated.
    function test_update__medianFarFromTwap__deviated() public {
        _list(ASSET, _config(_one(feedB), 1));
        _list(OTHER_ASSET, _config(_one(feedC), 1));
        oracle.update(ASSET);
        oracle.update(OTHER_ASSET);
        vm.warp(T0 + 600);
        feedB.setAnswer(int256(P * 105 / 100));
        feedC.setAnswer(int256(P * 106 / 100));
        _assertData(oracle.update(ASSET), P * 105 / 100, P, IOracleAggregator.Status.Ok, T0 + 600);
        IOracleAggregator.PriceData memory other = oracle.update(OTHER_ASSET);
        assertEq(other.median, P * 106 / 100, "median 1.06 P");
        assertEq(other.twap, P, "TWAP P");
        assertEq(uint256(other.status), uint256(IOracleAggregator.Status.Deviated), "6 % from the TWAP");
    }

    /// @notice A 24-decimal feed is divided down and an 8-decimal one scaled up: (2,000 + 2,020) / 2 = 2,010 exactly.
    function test_update__feedDecimalsAbove18__normalized() public {
        MockFeed feed24 = _newFeed(24, P);
        _list(ASSET, _config(_two(feedA, feed24), 2));
        assertEq(oracle.update(ASSET).median, P, "8 and 24 decimals at P");
        vm.warp(T0 + 60);
        feedA.setAnswer(int256(P / 1e10));
        feed24.setAnswer(int256(2_020e18 * 1e6));
        assertEq(oracle.update(ASSET).median, 2_010e18, "mean of the two normalized answers");
    }

    /// @notice A reverting source (plenty of gas) is excluded with reason Reverted (0, 0) and the other one counted.
    function test_update__revertingSource__excludedAsReverted() public {
        _listWithBroken();
        feedB.setReverting(true);
        _expectExcluded(IOracleAggregator.Exclusion.Reverted, 0, 0);
        _updateCountsOnlyFeedA();
    }

    /// @notice A source call that fails while the caller's gas limit (90,000) could not give it SOURCE_GAS_LIMIT makes
    /// `update` revert InsufficientGasForSources instead of excluding it; with plenty of gas it is excluded.
    function test_update__starvedSourceCall__revertsInsufficientGas() public {
        _list(ASSET, _config(_two(feedB, feedA), 1));
        feedB.setReverting(true);
        vm.expectPartialRevert(IOracleAggregator.InsufficientGasForSources.selector);
        oracle.update{gas: 90_000}(ASSET);
        assertEq(oracle.median(ASSET), 0, "nothing stored by the starved update");
        _expectExcluded(IOracleAggregator.Exclusion.Reverted, 0, 0);
        _updateCountsOnlyFeedA();
    }

    /// @notice A source returning 64 bytes is excluded as Malformed (0, 0).
    function test_update__shortReturnData__excludedAsMalformed() public {
        _listWithBroken();
        vm.etch(address(feedB), hex"60406000f3");
        _expectExcluded(IOracleAggregator.Exclusion.Malformed, 0, 0);
        _updateCountsOnlyFeedA();
    }

    /// @notice Answers 0 and -1 are excluded as NonPositive with the answer and its timestamp.
    function test_update__nonPositiveAnswer__excluded() public {
        _listWithBroken();
        feedB.setAnswer(0);
        _expectExcluded(IOracleAggregator.Exclusion.NonPositive, 0, T0);
        _updateCountsOnlyFeedA();
        feedB.setAnswer(-1);
        _expectExcluded(IOracleAggregator.Exclusion.NonPositive, -1, T0);
        _updateCountsOnlyFeedA();
    }

    /// @notice An answer stamped 0 is excluded as ZeroTimestamp.
    function test_update__zeroTimestamp__excluded() public {
        _listWithBroken();
        feedB.setRoundData(7, int256(P), 0);
        _expectExcluded(IOracleAggregator.Exclusion.ZeroTimestamp, int256(P), 0);
        _updateCountsOnlyFeedA();
    }

    /// @notice An answer stamped one second ahead is excluded as FutureTimestamp.
    function test_update__futureTimestamp__excluded() public {
        _listWithBroken();
        feedB.setRoundData(7, int256(P), uint64(T0 + 1));
        _expectExcluded(IOracleAggregator.Exclusion.FutureTimestamp, int256(P), T0 + 1);
        _updateCountsOnlyFeedA();
    }

    /// @notice An answer heartbeat + 1 s old is excluded as Stale; one exactly heartbeat old is counted (median 1.5 P).
    function test_update__staleAnswer__excluded() public {
        _listWithBroken();
        feedB.setRoundData(7, int256(2 * P), uint64(T0 - HEARTBEAT - 1));
        _expectExcluded(IOracleAggregator.Exclusion.Stale, int256(2 * P), T0 - HEARTBEAT - 1);
        _updateCountsOnlyFeedA();
        vm.warp(T0 + 1);
        feedA.setAnswer(int256(P / 1e10));
        feedB.setRoundData(8, int256(2 * P), uint64(T0 + 1 - HEARTBEAT));
        assertEq(oracle.update(ASSET).median, P * 3 / 2, "exactly heartbeat old is fresh");
    }

    /// @notice With bounds [1,000, 3,000], answers 999 and 3,001 are excluded as OutOfBounds; 3,000 is counted (median
    /// 2,500).
    function test_update__answerOutOfBounds__excluded() public {
        IOracleAggregator.AssetConfig memory config = _config(_two(feedA, feedB), 1);
        (config.sources[1].minAnswer, config.sources[1].maxAnswer) = (1_000e18, 3_000e18);
        _list(ASSET, config);
        feedB.setAnswer(999e18);
        _expectExcluded(IOracleAggregator.Exclusion.OutOfBounds, 999e18, T0);
        _updateCountsOnlyFeedA();
        feedB.setAnswer(3_001e18);
        _expectExcluded(IOracleAggregator.Exclusion.OutOfBounds, 3_001e18, T0);
        _updateCountsOnlyFeedA();
        feedB.setAnswer(3_000e18);
        assertEq(oracle.update(ASSET).median, 2_500e18, "maxAnswer is inclusive");
    }

    /// @dev ASSET's ring holds `count` observations, the newest in slot `newest`, which holds (`ts`, `cumulative`).
    function _assertNewest(
        uint256 newest,
        uint256 count,
        uint256 ts,
        uint256 cumulative,
        string memory ringMessage,
        string memory slotMessage
    ) internal view {
        _assertRing(ASSET, newest, count, ringMessage);
        _assertObservation(ASSET, newest, ts, cumulative, slotMessage);
    }

    /// @dev ASSET with feedA (8 decimals, P) and feedB (18 decimals, the one a test breaks), quorum 1.
    function _listWithBroken() internal {
        _list(ASSET, _config(_two(feedA, feedB), 1));
    }

    function _expectExcluded(IOracleAggregator.Exclusion reason, int256 answer, uint256 updatedAt) internal {
        vm.expectEmit(true, true, false, true, address(oracle));
        emit IOracleAggregator.SourceExcluded(ASSET, address(feedB), reason, answer, updatedAt);
    }

    function _updateCountsOnlyFeedA() internal {
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        assertEq(data.median, P, "median is feedA's answer alone");
        assertEq(data.updatedAt, block.timestamp, "the price was validated now");
    }

    function _updateAt(uint256 t, uint256 price) internal returns (IOracleAggregator.PriceData memory) {
        vm.warp(t);
        feedB.setAnswer(int256(price));
        return oracle.update(ASSET);
    }

    /// @dev Stamp feedA, feedB and feedC now with the given WAD prices.
    function _stamp(uint256 a, uint256 b, uint256 c) internal {
        feedA.setAnswer(int256(a / 1e10));
        feedB.setAnswer(int256(b));
        feedC.setAnswer(int256(c));
    }

    function _assertData(
        IOracleAggregator.PriceData memory data,
        uint256 median_,
        uint256 twap_,
        IOracleAggregator.Status status_,
        uint256 updatedAt
    ) internal pure {
        assertEq(data.median, median_, "median");
        assertEq(data.twap, twap_, "twap");
        assertEq(uint256(data.status), uint256(status_), "status");
        assertEq(data.updatedAt, updatedAt, "updatedAt");
    }
}
