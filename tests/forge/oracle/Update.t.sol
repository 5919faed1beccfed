// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {MedianLib} from "../../../contracts/libraries/MedianLib.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {PushFeed} from "../../../contracts/oracles/PushFeed.sol";
import {MultiSourceOracleBase} from "../utils/MultiSourceOracleBase.sol";
import {OracleConfigBase} from "../utils/OracleConfigBase.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {GasBurnerFeed, ProxyFeed} from "../utils/TestFeeds.sol";
import {Vm} from "../utils/Vm.sol";

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

    /// @notice With 1 to 8 fresh sources (8- and 18-decimal, unsorted answers from 1,990.50 to 2,015 USD, quorum =
    /// count) `update` emits PriceUpdated(asset, m, m, 0, count, Ok) where m is their median (so no source was
    /// excluded), and stores (m, m, Ok, now).
    function test_update__oneToEightFreshSources__storesTheirMedian() public {
        uint256[8] memory cents = [uint256(200_325), 199_050, 201_500, 199_800, 201_175, 199_400, 200_750, 200_100];
        uint256[8] memory wads;
        for (uint256 i = 0; i < 8; ++i) {
            wads[i] = cents[i] * 1e16;
            _setPrice(feeds[i], wads[i]);
        }
        for (uint256 count = 1; count <= 8; ++count) {
            address asset = address(uint160(0xA100 + count));
            AggregatorV3Interface[] memory list = new AggregatorV3Interface[](count);
            for (uint256 i = 0; i < count; ++i) {
                list[i] = feeds[i];
            }
            IOracleAggregator.AssetConfig memory config = _config(list, uint8(count));
            config.maxDispersionBps = 10_000;
            _list(asset, config);
            uint256 expected = _medianOfSorted(_selectionSort(wads, count));

            _expectPriceUpdated(asset, expected, expected, 0, count, IOracleAggregator.Status.Ok);
            IOracleAggregator.PriceData memory data = oracle.update(asset);
            assertEq(oracle.median(asset), expected, "median() != the median of the answers");
            assertEq(data.median, expected, "returned median");
            assertEq(data.twap, expected, "first observation: the TWAP is the median");
            assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Ok), "status");
            assertEq(data.updatedAt, T0, "updatedAt");
            IOracleAggregator.PriceData memory stored = oracle.getPriceData(asset);
            assertEq(stored.median, expected, "stored median");
            assertEq(stored.twap, expected, "stored TWAP");
            assertEq(uint256(stored.status), uint256(IOracleAggregator.Status.Ok), "stored status");
            assertEq(stored.updatedAt, T0, "stored updatedAt");
        }
    }

    /// @notice Two and four 18-decimal sources at P + k wei (k in {1, 2} and {4, 1, 3, 7}): the two middle answers sum
    /// to an odd number, and the stored median is their mean rounded down (P + 1 and P + 3).
    function test_update__evenCountWithOddMiddleSum__roundsTheMedianDown() public {
        uint256[4][2] memory offsets = [[uint256(1), 2, 0, 0], [uint256(4), 1, 3, 7]];
        for (uint256 c = 0; c < 2; ++c) {
            uint256 n = c == 0 ? 2 : 4;
            AggregatorV3Interface[] memory list = new AggregatorV3Interface[](n);
            uint256[8] memory values;
            for (uint256 i = 0; i < n; ++i) {
                values[i] = P + offsets[c][i];
                list[i] = _newFeed(18, values[i]);
            }
            address asset = address(uint160(0xB100 + c));
            _list(asset, _config(list, uint8(n)));
            oracle.update(asset);

            uint256[] memory sorted = _selectionSort(values, n);
            uint256 middleSum = sorted[n / 2 - 1] + sorted[n / 2];
            assertEq(middleSum % 2, 1, "fixture: the middle answers sum to an odd number");
            assertEq(oracle.median(asset), middleSum / 2, "median is not the mean of the middle two rounded down");
            assertEq(oracle.median(asset), c == 0 ? P + 1 : P + 3, "median (hand count: 1+2=3 -> 1; 3+4=7 -> 3)");
        }
    }

    /// @notice Five sources at 1,000, 2,000, 1,500, 3,000, 1,200 USD (median of all five: 1,500), the third older than
    /// its heartbeat, the fifth reverting: SourceExcluded(third, Stale, ..) then SourceExcluded(fifth, Reverted, 0, 0),
    /// and the median of the three fresh answers, 2,000, with freshSources 3 and status Ok.
    function test_update__someSourcesExcluded__medianOfTheFreshAnswersOnly() public {
        uint256[5] memory usd = [uint256(1_000e18), 2_000e18, 1_500e18, 3_000e18, 1_200e18];
        AggregatorV3Interface[] memory list = new AggregatorV3Interface[](5);
        for (uint256 i = 0; i < 5; ++i) {
            _setPrice(feeds[i], usd[i]);
            list[i] = feeds[i];
        }
        uint256 staleAt = T0 - HEARTBEAT - 1;
        feeds[2].setUpdatedAt(uint64(staleAt));
        feeds[4].setReverting(true);
        IOracleAggregator.AssetConfig memory config = _config(list, 3);
        config.maxDispersionBps = 10_000;
        _list(ASSET, config);

        _expectExcluded(address(feeds[2]), IOracleAggregator.Exclusion.Stale, _toAnswer(usd[2], 8), staleAt);
        _expectExcluded(address(feeds[4]), IOracleAggregator.Exclusion.Reverted, 0, 0);
        _expectPriceUpdated(ASSET, 2_000e18, 2_000e18, 0, 3, IOracleAggregator.Status.Ok);
        assertEq(oracle.update(ASSET).median, 2_000e18, "median of 1,000, 2,000 and 3,000");
    }

    /// @notice 2,000.5 USD through a 6-, 8-, 18- and 24-decimal feed is stored as 2,000.5e18; the 24-decimal answer
    /// carries 10^6 - 1 more units beyond 18 decimals, which are truncated.
    function test_update__feedDecimals__normalizedToWadTruncatingBeyond18() public {
        uint8[4] memory decimals = [6, 8, 18, 24];
        for (uint256 i = 0; i < 4; ++i) {
            uint8 d = decimals[i];
            uint256 answer = 20_005 * 10 ** (d - 1) + (d > 18 ? 10 ** (d - 18) - 1 : 0);
            MockFeed feed = _newFeed(d, P);
            feed.setAnswer(int256(answer));
            address asset = address(uint160(0xC100 + i));
            _list(asset, _config(_one(feed), 1));
            oracle.update(asset);
            assertEq(oracle.median(asset), 2_000.5e18, "not normalized to 18 decimals");
        }
    }

    /// @notice 2,000.12345678 USD through an 8- and an 18-decimal feed: each alone and both together (dispersion bound
    /// 1 bp) store the same median, 2,000.12345678e18, and the pair is Ok.
    function test_update__8And18DecimalSources__equalPricesWithoutDispersion() public {
        uint256 price = 200_012_345_678 * 1e10;
        MockFeed feed8 = _newFeed(8, price);
        MockFeed feed18 = _newFeed(18, price);
        assertEq(uint256(feed8.answer()), 200_012_345_678, "fixture: 8-decimal answer");
        _list(ASSET, _config(_one(feed8), 1));
        _list(OTHER_ASSET, _config(_one(feed18), 1));
        address both = address(0xB07B);
        IOracleAggregator.AssetConfig memory config = _config(_two(feed8, feed18), 2);
        config.maxDispersionBps = 1;
        _list(both, config);
        oracle.update(ASSET);
        oracle.update(OTHER_ASSET);
        oracle.update(both);
        assertEq(oracle.median(ASSET), price, "8 decimals");
        assertEq(oracle.median(OTHER_ASSET), price, "18 decimals");
        assertEq(oracle.median(both), price, "both");
        assertEq(uint256(oracle.status(both)), uint256(IOracleAggregator.Status.Ok), "the pair is dispersed");
    }

    /// @notice In the trio (2,000, 2,100, 2,200, quorum 2), 600 s after its first update, the third source gives an
    /// unusable answer: zero or negative (NonPositive), stamped 0 (ZeroTimestamp), 1 s ahead (FutureTimestamp),
    /// heartbeat + 1 s old (Stale), 1 unit below minAnswer or above maxAnswer (OutOfBounds), or the call reverts
    /// (Reverted) or hits an account without code (Malformed). Each time it is excluded with its reason, answer and
    /// timestamp, and PriceUpdated reports the median of the other two, 2,050, from 2 fresh sources, status Ok.
    function test_update__unusableAnswerOfOneOfThree__excludedWithItsReason() public {
        _listTrio();
        uint256 t = T0 + 600;
        vm.warp(t);
        MockFeed bad = feeds[2];
        int256[7] memory answers = [int256(0), -2_200e8, 2_200e8, 2_200e8, 2_200e8, 1_000e8 - 1, 3_000e8 + 1];
        uint256[7] memory stamps = [t - 10, t - 10, 0, t + 1, t - HEARTBEAT - 1, t - 10, t - 10];
        IOracleAggregator.Exclusion[7] memory reasons = [
            IOracleAggregator.Exclusion.NonPositive,
            IOracleAggregator.Exclusion.NonPositive,
            IOracleAggregator.Exclusion.ZeroTimestamp,
            IOracleAggregator.Exclusion.FutureTimestamp,
            IOracleAggregator.Exclusion.Stale,
            IOracleAggregator.Exclusion.OutOfBounds,
            IOracleAggregator.Exclusion.OutOfBounds
        ];
        for (uint256 i = 0; i < 9; ++i) {
            uint256 snapshot = vm.snapshotState();
            if (i < 7) {
                bad.setRoundData(7, answers[i], uint64(stamps[i]));
                _expectExcluded(address(bad), reasons[i], answers[i], stamps[i]);
            } else if (i == 7) {
                bad.setReverting(true);
                _expectExcluded(address(bad), IOracleAggregator.Exclusion.Reverted, 0, 0);
            } else {
                vm.etch(address(bad), hex""); // the call succeeds and returns nothing
                _expectExcluded(address(bad), IOracleAggregator.Exclusion.Malformed, 0, 0);
            }
            _expectTrioUpdated(2_050e18, 2, IOracleAggregator.Status.Ok);
            oracle.update(ASSET);
            assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Ok), "status");
            vm.revertToState(snapshot);
        }
    }

    /// @notice In the trio, the third source at its limits is fresh and counted (3 fresh sources, Ok): exactly
    /// heartbeat old or stamped now (median 2,100), at minAnswer 1,000 (median 2,000), at maxAnswer 3,000 (2,100).
    function test_update__answerAtItsLimit__freshAndCounted() public {
        _listTrio();
        uint256 t = T0 + 600;
        vm.warp(t);
        int256[4] memory answers = [int256(2_200e8), 2_200e8, 1_000e8, 3_000e8];
        uint256[4] memory stamps = [t - HEARTBEAT, t, t - 10, t - 10];
        uint256[4] memory medians = [uint256(2_100e18), 2_100e18, 2_000e18, 2_100e18];
        for (uint256 i = 0; i < 4; ++i) {
            uint256 snapshot = vm.snapshotState();
            feeds[2].setRoundData(7, answers[i], uint64(stamps[i]));
            _expectTrioUpdated(medians[i], 3, IOracleAggregator.Status.Ok);
            assertEq(oracle.update(ASSET).median, medians[i], "median");
            vm.revertToState(snapshot);
        }
    }

    /// @notice In the trio, the second source reverts and the third is past its heartbeat: both excluded in source
    /// order (Reverted, then Stale), 1 fresh source of the 2 needed: Stale, the median 2,100 and its updatedAt kept,
    /// and the held 2,100 recorded (cumulative 600 * 2,100, TWAP 2,100, ring (1, 2)); liquidation is unpriced.
    function test_update__quorumLostInTheTrio__staleKeepingTheMedian() public {
        _listTrio();
        uint256 t = T0 + 600;
        vm.warp(t);
        feeds[1].setReverting(true);
        feeds[2].setUpdatedAt(uint64(t - HEARTBEAT - 1));
        _expectExcluded(address(feeds[1]), IOracleAggregator.Exclusion.Reverted, 0, 0);
        _expectExcluded(address(feeds[2]), IOracleAggregator.Exclusion.Stale, 2_200e8, t - HEARTBEAT - 1);
        _expectTrioUpdated(2_100e18, 1, IOracleAggregator.Status.Stale);
        oracle.update(ASSET);

        IOracleAggregator.PriceData memory data = oracle.getPriceData(ASSET);
        assertEq(data.median, 2_100e18, "median kept");
        assertEq(data.twap, 2_100e18, "TWAP of the held median");
        assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Stale), "status");
        assertEq(data.updatedAt, T0, "updatedAt kept");
        (uint16 newest, uint16 count) = oracle.observationState(ASSET);
        assertEq(uint256(newest), 1, "newest slot");
        assertEq(uint256(count), 2, "the held price is observed");
        _expectUnpriced(IOracleAggregator.Action.Liquidate, true, IOracleAggregator.Status.Stale);
    }

    /// @notice In the trio, two sources revert (Stale); once they answer again (2,150 and 2,160) the next update
    /// stores their median 2,150 from 3 fresh sources, status Ok, updatedAt now.
    function test_update__quorumRestored__okWithTheNewMedian() public {
        _listTrio();
        vm.warp(T0 + 600);
        feeds[1].setReverting(true);
        feeds[2].setReverting(true);
        oracle.update(ASSET);
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Stale), "quorum lost");

        vm.warp(T0 + 1_200);
        feeds[1].setReverting(false);
        feeds[2].setReverting(false);
        _setPrice(feeds[1], 2_150e18);
        _setPrice(feeds[2], 2_160e18);
        // 2,100 held since T0: cumulative 1,200 * 2,100, stored TWAP 2,100.
        _expectPriceUpdated(ASSET, 2_150e18, 2_100e18, 1_200 * 2_100e18, 3, IOracleAggregator.Status.Ok);
        oracle.update(ASSET);
        assertEq(oracle.getPriceData(ASSET).updatedAt, T0 + 1_200, "updatedAt");
    }

    /// @notice A first update with 1 fresh source of the 2 needed emits PriceUpdated(asset, 0, 0, 0, 1, Stale), records
    /// no observation and leaves updatedAt 0.
    function test_update__firstUpdateWithoutQuorum__staleWithoutAnObservation() public {
        feeds[0].setReverting(true);
        _list(ASSET, _config(_two(feeds[0], feeds[1]), 2));
        _expectExcluded(address(feeds[0]), IOracleAggregator.Exclusion.Reverted, 0, 0);
        _expectPriceUpdated(ASSET, 0, 0, 0, 1, IOracleAggregator.Status.Stale);
        oracle.update(ASSET);
        (uint16 newest, uint16 count) = oracle.observationState(ASSET);
        assertEq(uint256(newest) + uint256(count), 0, "an observation without a price");
        assertEq(oracle.getPriceData(ASSET).updatedAt, 0, "updatedAt");
    }

    /// @notice A fixed path of 11 updates through a 4-slot ring (prices 1,800 to 2,400 USD, 120 to 1,000 s apart):
    /// after every update PriceUpdated carries the reference model's stored TWAP and cumulative, `twap(1800)` equals
    /// the reference interpolation, and the ring holds the reference observations in order with the newest at the
    /// reference index; the path makes the full ring keep its oldest slot at least once. 700 s after the last update,
    /// `twap(w)` equals the reference for w in {600, 1000, 1800, 2500, 1e6}: 2,000 for 600 (after the newest
    /// observation) and the average since the oldest observation held for 1e6.
    function test_update__ringOfFourWraps__twapMatchesTheReferenceModel() public {
        uint16 size = 4;
        MockFeed feed = _listRingOf(size);
        uint256[11] memory usd = [uint256(2_000), 2_100, 1_900, 2_300, 2_250, 1_800, 2_050, 2_400, 2_200, 1_950, 2_000];
        uint256[11] memory gaps = [uint256(0), 300, 450, 200, 900, 600, 120, 700, 1_000, 250, 500];
        History memory h = History(new uint256[](11), new uint256[](11), 0, new uint256[](size), 0);
        (uint256 t, uint256 appended, uint256 moved) = (T0, 0, 0);
        for (uint256 j = 0; j < 11; ++j) {
            t += gaps[j];
            vm.warp(t);
            feed.setRoundData(uint80(j + 2), int256(usd[j] * 1e8), uint64(t));
            if (h.slotCount == size && _storedWindowStart(h, t, TWAP_WINDOW) == h.slots[0]) ++moved;
            else ++appended;
            _recordReference(h, t, usd[j] * 1e18, TWAP_WINDOW);
            (uint256 stored,,) = _referenceAverage(h, _storedWindowStart(h, t, TWAP_WINDOW), t);

            _expectPriceUpdated(
                ASSET, usd[j] * 1e18, stored, _integral(h, h.times[0], t), 1, IOracleAggregator.Status.Ok
            );
            IOracleAggregator.PriceData memory data = oracle.update(ASSET);
            assertEq(data.twap, stored, "stored TWAP != reference");
            assertEq(oracle.twap(ASSET, TWAP_WINDOW), _referenceTwapView(h, t, TWAP_WINDOW), "twap(1800)");
            (uint16 newest,) = oracle.observationState(ASSET);
            assertEq(uint256(newest), (appended - 1) % size, "newest index != reference");
            _checkRingAgainst(h, size);
        }
        assertGt(moved, 0, "the path never made the ring keep its oldest slot");

        uint256 now_ = t + 700;
        vm.warp(now_);
        uint32[5] memory windows = [uint32(600), 1_000, TWAP_WINDOW, 2_500, 1e6];
        for (uint256 k = 0; k < 5; ++k) {
            assertEq(oracle.twap(ASSET, windows[k]), _referenceTwapView(h, now_, windows[k]), "twap(w) != reference");
        }
        assertEq(oracle.twap(ASSET, 600), 2_000e18, "twap(600): the last price, held since the newest observation");
        (uint256 all,,) = _referenceAverage(h, h.slots[0], now_);
        assertEq(oracle.twap(ASSET, 1e6), all, "twap(1e6): the average since the oldest observation held");
    }

    /// @notice An 8-slot ring, five updates 600 s apart at 2,000 USD, then an update every 12 s block at 3,000 for 40
    /// blocks: after every update the stored TWAP equals the reference, the ring holds the reference observations, and
    /// once the history spans the window the oldest observation held is at or before now - 1800 (the ring keeps its
    /// oldest slot instead of wrapping). At the end 3,000 has held for 468 s of a span of at least 1,800 s: the TWAP is
    /// (2,000 (span - 468) + 3,000 * 468) / span, below 2,300, and the newest slot moved forward at least 30 times.
    function test_update__calledEveryBlock__storedTwapStillSpansTheWindow() public {
        uint16 size = 8;
        MockFeed feed = _listRingOf(size);
        History memory h = History(new uint256[](45), new uint256[](45), 0, new uint256[](size), 0);
        (uint256 t, uint256 moved) = (T0, 0);
        IOracleAggregator.PriceData memory data;
        for (uint256 i = 0; i < 45; ++i) {
            uint256 usd = i < 5 ? uint256(2_000) : uint256(3_000);
            uint256 gap = i < 5 ? uint256(600) : uint256(12);
            t += gap;
            vm.warp(t);
            feed.setRoundData(uint80(i + 2), int256(usd * 1e8), uint64(t));
            if (h.slotCount == size && _storedWindowStart(h, t, TWAP_WINDOW) == h.slots[0]) ++moved;
            _recordReference(h, t, usd * 1e18, TWAP_WINDOW);
            data = oracle.update(ASSET);

            (uint256 stored,,) = _referenceAverage(h, _storedWindowStart(h, t, TWAP_WINDOW), t);
            assertEq(data.twap, stored, "stored TWAP != reference");
            _checkRingAgainst(h, size);
            if (t - h.slots[0] >= TWAP_WINDOW) {
                (uint16 newest, uint16 count) = oracle.observationState(ASSET);
                uint256 oldest = count < size ? 0 : (uint256(newest) + 1) % size;
                assertLe(oracle.observation(ASSET, oldest).timestamp, t - TWAP_WINDOW, "the window shrank");
            }
        }
        uint256 spamSeconds = 12 * 39;
        uint256 span = t - _storedWindowStart(h, t, TWAP_WINDOW);
        assertGe(span, TWAP_WINDOW, "stored TWAP spans less than the window");
        assertEq(data.twap, (2_000e18 * (span - spamSeconds) + 3_000e18 * spamSeconds) / span, "stored TWAP");
        assertLt(data.twap, 2_300e18, "the spam moved the TWAP by more than its weight");
        assertGe(moved, 30, "the newest slot moved forward fewer than 30 times");
    }

    /// @notice Random answers of 1 to 8 sources (1 micro-USD to 100,000 USD, 6, 8 or 18 decimals, each fresh or older
    /// than its heartbeat, at least one fresh; quorum 1): the stored median lies within the fresh answers and is their
    /// median (mean of the middle two rounded down), PriceUpdated counts the fresh sources, and every other source is
    /// excluded with a SourceExcluded event.
    function testFuzz_update__randomAnswers__medianWithinFreshAnswers(
        uint256[8] memory microUsd,
        uint256 decimalsSeed,
        uint256 nSeed,
        uint256 freshMask
    ) public {
        uint256 n = bound(nSeed, 1, 8);
        if (freshMask & ((1 << n) - 1) == 0) freshMask |= 1;
        uint8[3] memory choices = [6, 8, 18];
        IOracleAggregator.AssetConfig memory config = _config(_one(feeds[0]), 1);
        config.sources = new IOracleAggregator.SourceConfig[](n);
        uint256[8] memory fresh;
        uint256 freshCount;
        for (uint256 i = 0; i < n; ++i) {
            uint8 d = choices[(decimalsSeed >> (8 * i)) % 3];
            uint256 micro = bound(microUsd[i], 1, 1e11);
            bool isFresh = (freshMask >> i) & 1 == 1;
            feeds[i].setDecimals(d);
            feeds[i].setRoundData(2, int256(micro * 10 ** (d - 6)), uint64(isFresh ? T0 : T0 - HEARTBEAT - 1));
            config.sources[i] = IOracleAggregator.SourceConfig(
                address(feeds[i]), HEARTBEAT, uint128(10 ** (d - 6)), uint128(10 ** (d + 7))
            );
            if (isFresh) fresh[freshCount++] = micro * 1e12;
        }
        (config.maxDispersionBps, config.maxDeviationBps) = (10_000, 10_000);
        _list(ASSET, config);

        vm.recordLogs();
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        uint256[] memory sorted = _selectionSort(fresh, freshCount);
        assertGe(data.median, sorted[0], "median below the lowest fresh answer");
        assertLe(data.median, sorted[freshCount - 1], "median above the highest fresh answer");
        assertEq(data.median, _medianOfSorted(sorted), "median != the median of the fresh answers");
        assertEq(oracle.median(ASSET), data.median, "median() != returned median");
        uint256 excluded;
        bool updated;
        for (uint256 k = 0; k < logs.length; ++k) {
            if (logs[k].emitter != address(oracle)) continue;
            if (logs[k].topics[0] == IOracleAggregator.SourceExcluded.selector) ++excluded;
            if (logs[k].topics[0] == IOracleAggregator.PriceUpdated.selector) {
                (uint256 median_,,, uint256 freshSources,) =
                    abi.decode(logs[k].data, (uint256, uint256, uint256, uint256, IOracleAggregator.Status));
                assertEq(median_, data.median, "PriceUpdated median");
                assertEq(freshSources, freshCount, "PriceUpdated freshSources != the fresh answers");
                updated = true;
            }
        }
        assertTrue(updated, "no PriceUpdated");
        assertEq(excluded, n - freshCount, "SourceExcluded events != the sources not fresh");
    }

    /// @dev ASSET priced by feeds[0], feeds[1] and feeds[2] (8, 18, 8 decimals) answering 2,000, 2,100 and 2,200 USD
    /// within bounds [1,000, 3,000] USD, quorum 2, dispersion and deviation unbounded; updated once at T0 (median
    /// 2,100).
    function _listTrio() internal {
        AggregatorV3Interface[] memory three = new AggregatorV3Interface[](3);
        uint256[3] memory usd = [uint256(2_000e18), 2_100e18, 2_200e18];
        for (uint256 i = 0; i < 3; ++i) {
            three[i] = feeds[i];
            _setPrice(feeds[i], usd[i]);
        }
        IOracleAggregator.AssetConfig memory config = _config(three, 2);
        for (uint256 i = 0; i < 3; ++i) {
            uint8 d = feeds[i].decimals();
            config.sources[i].minAnswer = uint128(uint256(_toAnswer(1_000e18, d)));
            config.sources[i].maxAnswer = uint128(uint256(_toAnswer(3_000e18, d)));
        }
        (config.maxDispersionBps, config.maxDeviationBps) = (10_000, 10_000);
        _list(ASSET, config);
        assertEq(oracle.update(ASSET).median, 2_100e18, "trio: median");
    }

    /// @dev The trio's update 600 s after its first: 2,100 held for 600 s (cumulative 600 * 2,100; the stored TWAP
    /// runs from the first observation: 2,100).
    function _expectTrioUpdated(uint256 median_, uint256 fresh, IOracleAggregator.Status s) internal {
        _expectPriceUpdated(ASSET, median_, 2_100e18, 600 * 2_100e18, fresh, s);
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

    /// @notice `update` is permissionless: a stranger's call returns the stored price data (Q, P, Ok, now), the same as
    /// getPriceData.
    function test_update__anyCaller__returnsTheStoredPriceData() public {
        _list(ASSET, _config(_one(feedB), 1));
        oracle.update(ASSET);
        uint256 q = P * 105 / 100;
        vm.warp(T0 + TWAP_WINDOW);
        feedB.setAnswer(int256(q));
        vm.prank(address(0x5555));
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        _assertData(data, q, P, IOracleAggregator.Status.Ok, T0 + TWAP_WINDOW);
        _assertData(oracle.getPriceData(ASSET), q, P, IOracleAggregator.Status.Ok, T0 + TWAP_WINDOW);
    }

    /// @notice Deviation bound 10 %: a median 15 % above the TWAP P a window after the first update is Deviated. Half
    /// a window later the stored TWAP still runs from the first observation (the newest at or before now - window):
    /// (1800 P + 900 * 1.15 P) / 2700 = 1.05 P, 9.5 % below the median, so Ok; the exact-window twap(1800) starts at
    /// T0 + 900, interpolated on the first segment: (1800 P + 900 * 1.15 P - 900 P) / 1800 = 1.075 P.
    function test_update__medianBeyondTheDeviationBound__deviatedUntilTheTwapCatchesUp() public {
        IOracleAggregator.AssetConfig memory config = _config(_one(feedB), 1);
        config.maxDeviationBps = 1_000;
        _list(ASSET, config);
        oracle.update(ASSET);
        uint256 high = P * 115 / 100;
        _assertData(_updateAt(T0 + 1_800, high), high, P, IOracleAggregator.Status.Deviated, T0 + 1_800);

        uint256 stored = (1_800 * P + 900 * high) / 2_700;
        _assertData(_updateAt(T0 + 2_700, high), high, stored, IOracleAggregator.Status.Ok, T0 + 2_700);
        assertEq(stored, P * 105 / 100, "hand calculation: 1.05 P");
        assertEq(oracle.twap(ASSET, TWAP_WINDOW), (1_800 * P + 900 * high - 900 * P) / 1_800, "twap(1800)");
        assertEq(oracle.twap(ASSET, TWAP_WINDOW), P * 1_075 / 1_000, "hand calculation: 1.075 P");
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Ok), "status()");
    }

    /// @notice Deviation bound 10 %, TWAP P: a median exactly 10 % above or below P is Ok; 1 wei further either way is
    /// Deviated.
    function test_update__deviationAtOrBeyondTheBound__deviatedOnlyBeyond() public {
        IOracleAggregator.AssetConfig memory config = _config(_one(feedB), 1);
        config.maxDeviationBps = 1_000;
        _list(ASSET, config);
        oracle.update(ASSET);
        uint256[4] memory medians = [P * 110 / 100, P * 90 / 100, P * 110 / 100 + 1, P * 90 / 100 - 1];
        for (uint256 i = 0; i < 4; ++i) {
            uint256 snapshot = vm.snapshotState();
            IOracleAggregator.Status want = i < 2 ? IOracleAggregator.Status.Ok : IOracleAggregator.Status.Deviated;
            _assertData(_updateAt(T0 + TWAP_WINDOW, medians[i]), medians[i], P, want, T0 + TWAP_WINDOW);
            vm.revertToState(snapshot);
        }
    }

    /// @notice An update while frozen stores the new median (PriceUpdated(Q, P, 1800 P, 1, Frozen)) and the asset
    /// stays Frozen; unfrozen it is Ok.
    function test_update__whileFrozen__refreshesThePriceButStaysFrozen() public {
        _list(ASSET, _config(_one(feedB), 1));
        oracle.update(ASSET);
        _guardianSetFrozen(true);
        uint256 q = P * 105 / 100;
        vm.warp(T0 + TWAP_WINDOW);
        feedB.setAnswer(int256(q));
        _expectPriceUpdated(ASSET, q, P, TWAP_WINDOW * P, 1, IOracleAggregator.Status.Frozen);
        oracle.update(ASSET);
        assertEq(oracle.median(ASSET), q, "median refreshed");
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Frozen), "still frozen");
        _guardianSetFrozen(false);
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Ok), "unfrozen");
    }

    /// @notice A price set in the block of the update (2 P, a window after P) has no TWAP weight: PriceUpdated(2 P, P,
    /// 1800 P, 1, Deviated), twap(1800) is P and the new observation is (now, 1800 P).
    function test_update__priceSetInTheSameBlock__hasNoTwapWeight() public {
        _list(ASSET, _config(_one(feedB), 1));
        oracle.update(ASSET);
        vm.warp(T0 + TWAP_WINDOW);
        feedB.setAnswer(int256(2 * P));
        _expectPriceUpdated(ASSET, 2 * P, P, TWAP_WINDOW * P, 1, IOracleAggregator.Status.Deviated);
        oracle.update(ASSET);
        assertEq(oracle.twap(ASSET, TWAP_WINDOW), P, "twap(1800)");
        _assertObservation(ASSET, 1, T0 + TWAP_WINDOW, TWAP_WINDOW * P, "observation of the block");
    }

    /// @notice Two updates in one block (1.05 P, then 2.5 P): both store the TWAP P and the cumulative 1800 P, the ring
    /// holds one observation for the block (newest 1, count 2); from the block on the last median holds: 600 s later
    /// the cumulative is 1800 P + 600 * 2.5 P, the first median of the block never weighed.
    function test_update__secondUpdateInTheSameBlock__recordsNoObservationAndTheLastMedianHolds() public {
        _list(ASSET, _config(_one(feedB), 1));
        oracle.update(ASSET);
        uint256 first = P * 105 / 100;
        uint256 second = P * 5 / 2;
        vm.warp(T0 + TWAP_WINDOW);
        feedB.setAnswer(int256(first));
        _expectPriceUpdated(ASSET, first, P, TWAP_WINDOW * P, 1, IOracleAggregator.Status.Ok);
        oracle.update(ASSET);
        feedB.setAnswer(int256(second));
        _expectPriceUpdated(ASSET, second, P, TWAP_WINDOW * P, 1, IOracleAggregator.Status.Deviated);
        oracle.update(ASSET);
        _assertRing(ASSET, 1, 2, "one observation for the block");
        assertEq(oracle.getPriceData(ASSET).twap, P, "stored TWAP");

        vm.warp(T0 + TWAP_WINDOW + 600);
        uint256 cumulative = TWAP_WINDOW * P + 600 * second;
        // The stored TWAP runs from the first observation (the newest at or before now - 1800).
        uint256 twap_ = cumulative / (TWAP_WINDOW + 600);
        _expectPriceUpdated(ASSET, second, twap_, cumulative, 1, IOracleAggregator.Status.Deviated);
        oracle.update(ASSET);
    }

    /// @notice A PushFeed source before its first round answers 0 at time 0: excluded as NonPositive (0, 0), no fresh
    /// source, Stale. After the reporter's first submission (2,000 USD) the next update counts it: PriceUpdated(P, P,
    /// 0, 1, Ok).
    function test_update__pushFeedSource__excludedUntilItsFirstRoundThenPriced() public {
        address reporter = address(0x4444);
        PushFeed push = new PushFeed(address(this), 8, "ETH / USD (push)");
        push.setReporter(reporter, true);
        _list(ASSET, _config(_one(AggregatorV3Interface(address(push))), 1));

        vm.expectEmit(true, true, false, true, address(oracle));
        emit IOracleAggregator.SourceExcluded(ASSET, address(push), IOracleAggregator.Exclusion.NonPositive, 0, 0);
        _expectPriceUpdated(ASSET, 0, 0, 0, 0, IOracleAggregator.Status.Stale);
        oracle.update(ASSET);
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Stale), "no round yet: Stale");

        vm.warp(T0 + 60);
        vm.prank(reporter);
        push.submit(2_000e8);
        _expectPriceUpdated(ASSET, P, P, 0, 1, IOracleAggregator.Status.Ok);
        oracle.update(ASSET);
        assertEq(oracle.median(ASSET), P, "median of the pushed answer");
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Ok), "status");
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
