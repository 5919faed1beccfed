// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {MedianLib} from "../../../contracts/libraries/MedianLib.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {OracleFixture} from "./OracleFixture.sol";
import {GasBurnerFeed, ProxyFeed} from "./TestFeeds.sol";

/// @title MultiSourceOracleBase
/// @notice An OracleAggregator with eight feeds at 2,000 USD (even indexes 8 decimals, odd ones 18) for ASSET, and
/// independent references: a selection sort and its median, and a TWAP integral over a slot model of the ring.
abstract contract MultiSourceOracleBase is OracleFixture {
    /// @dev Even indexes report with 8 decimals, odd ones with 18.
    MockFeed[8] internal feeds;

    function setUp() public {
        _deployOracle();
        for (uint256 i = 0; i < 8; ++i) {
            feeds[i] = _newFeed(i % 2 == 0 ? 8 : 18, P);
        }
    }

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

    /// @dev List ASSET with feeds[0] alone, a ring of `size` slots and no deviation bound; returns the feed.
    function _listRingOf(uint16 size) internal returns (MockFeed feed) {
        feed = feeds[0];
        IOracleAggregator.AssetConfig memory config = _config(_one(feed), 1);
        (config.bufferSize, config.maxDeviationBps) = (size, 10_000);
        _list(ASSET, config);
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

    function _expectAllUnavailable(IOracleAggregator.Status s) internal {
        _expectUnpriced(IOracleAggregator.Action.AddRisk, true, s);
        _expectUnpriced(IOracleAggregator.Action.Reduce, false, s);
        _expectUnpriced(IOracleAggregator.Action.Liquidate, true, s);
        _expectBoundsUnpriced(IOracleAggregator.Action.Liquidate, s);
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
