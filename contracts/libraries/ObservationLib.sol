// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";

/// @title ObservationLib
/// @notice A ring buffer of cumulative price observations and time-weighted averages over it.
/// @dev `cumulative` is the sum of price * seconds since the first observation. An observation at time t
/// adds the price that held since the previous observation, so a price set in the current block has no weight.
library ObservationLib {
    /// @notice Linear steps `advanceWindowStart` takes before it falls back to a binary search.
    uint256 internal constant LINEAR_STEPS = 3;

    /// @notice Where the ring buffer stands: the newest slot, how many slots hold data, the capacity.
    struct Ring {
        uint16 newest;
        uint16 count;
        uint16 size;
    }

    /// @notice Physical index of the `k`-th oldest observation (k = 0 is the oldest).
    function at(Ring memory ring, uint256 k) internal pure returns (uint256) {
        uint256 oldest = ring.count < ring.size ? 0 : (uint256(ring.newest) + 1) % ring.size;
        return (oldest + k) % ring.size;
    }

    /// @notice Record an observation at `timestamp`, accumulating `heldPrice` since the newest one: in the next slot
    /// (`inPlace = false`, overwriting the oldest when the ring is full) or by moving the newest slot forward in time
    /// (`inPlace = true`, when the oldest slot is still needed as the start of the TWAP window).
    /// @dev The caller guarantees `ring.count > 0` and `timestamp > newest.timestamp`. A slot moved forward covers
    /// more than one price since the observation before it, so the price between two observations is then an average.
    function record(
        IOracleAggregator.Observation[512] storage buffer,
        Ring memory ring,
        IOracleAggregator.Observation memory newest,
        uint256 heldPrice,
        uint32 timestamp,
        bool inPlace
    ) internal returns (IOracleAggregator.Observation memory next) {
        next.timestamp = timestamp;
        next.cumulative = uint224(newest.cumulative + heldPrice * (timestamp - newest.timestamp));
        if (!inPlace) {
            ring.newest = uint16((uint256(ring.newest) + 1) % ring.size);
            if (ring.count < ring.size) ++ring.count;
        }
        buffer[ring.newest] = next;
    }

    /// @notice Physical index of the oldest observation of a full ring; `type(uint256).max` while it fills.
    function oldestIfFull(Ring memory ring) internal pure returns (uint256) {
        return ring.count < ring.size ? type(uint256).max : (uint256(ring.newest) + 1) % ring.size;
    }

    /// @notice Move the window start (a physical index) forward to the newest observation at or before `target`,
    /// never past the newest; returns that observation and its index.
    /// @dev In steady state the start moves by about one slot per update, so a few linear steps settle it; after a
    /// long pause a binary search over the rest of the ring bounds the cost.
    function advanceWindowStart(
        IOracleAggregator.Observation[512] storage buffer,
        Ring memory ring,
        IOracleAggregator.Observation memory newest,
        uint256 startIndex,
        uint32 target
    ) internal view returns (IOracleAggregator.Observation memory start, uint256 index) {
        index = startIndex;
        bool loaded;
        for (uint256 step = 0; step < LINEAR_STEPS && index != ring.newest; ++step) {
            uint256 next = (index + 1) % ring.size;
            IOracleAggregator.Observation memory candidate = next == ring.newest ? newest : buffer[next];
            if (candidate.timestamp > target) return (loaded ? start : buffer[index], index);
            (index, start, loaded) = (next, candidate, true);
        }
        if (index == ring.newest) return (newest, index);
        if (!loaded) start = buffer[index];
        // Still behind: binary search the logical range [k(index), count - 1] for the last timestamp <= target.
        uint256 oldest = ring.count < ring.size ? 0 : (uint256(ring.newest) + 1) % ring.size;
        uint256 lo = (index + ring.size - oldest) % ring.size;
        uint256 hi = uint256(ring.count) - 1;
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            if (buffer[at(ring, mid)].timestamp <= target) lo = mid;
            else hi = mid - 1;
        }
        index = at(ring, lo);
        start = index == ring.newest ? newest : buffer[index];
    }

    /// @notice Cumulative price at `target`, for a target no later than the newest observation; a target before
    /// the oldest observation is clamped to it. Returns the time the value refers to.
    function cumulativeAt(IOracleAggregator.Observation[512] storage buffer, Ring memory ring, uint32 target)
        internal
        view
        returns (uint256 cumulative, uint32 timestamp)
    {
        IOracleAggregator.Observation memory oldest = buffer[at(ring, 0)];
        if (target <= oldest.timestamp) return (oldest.cumulative, oldest.timestamp);

        // Binary search for the last observation at or before `target` (k in [0, count - 1]).
        uint256 lo = 0;
        uint256 hi = uint256(ring.count) - 1;
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            if (buffer[at(ring, mid)].timestamp <= target) lo = mid;
            else hi = mid - 1;
        }
        IOracleAggregator.Observation memory before = buffer[at(ring, lo)];
        if (before.timestamp == target || lo == uint256(ring.count) - 1) {
            return (before.cumulative, before.timestamp);
        }
        IOracleAggregator.Observation memory afterwards = buffer[at(ring, lo + 1)];
        // Linear between two observations: exact when one price held between them, the average price when the later
        // slot was moved forward over several prices. Scaling the cumulative difference (at most 2^96 * 2^32) by the
        // elapsed seconds (2^32) cannot overflow, and rounding it down keeps every part of the result an average of
        // prices that held (a rounded-down average price times the seconds could push the remainder onto the rest).
        uint256 elapsed = target - before.timestamp;
        uint256 span = afterwards.timestamp - before.timestamp;
        return (before.cumulative + (afterwards.cumulative - before.cumulative) * elapsed / span, target);
    }

    /// @notice Logical index of the last observation at or before `target` in [`lo`, `hi`] (k = 0 is the oldest); the
    /// observation at `lo` is at or before `target`.
    function lastAtOrBefore(
        IOracleAggregator.Observation[512] storage buffer,
        Ring memory ring,
        uint32 target,
        uint256 lo,
        uint256 hi
    ) internal view returns (uint256) {
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            if (buffer[at(ring, mid)].timestamp <= target) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /// @notice Cumulative price at `target`, from the observation at logical index `k`, the last at or before it, and
    /// the next one (the same interpolation as `cumulativeAt`); `target` no later than the newest observation.
    function cumulativeFrom(
        IOracleAggregator.Observation[512] storage buffer,
        Ring memory ring,
        uint256 k,
        uint32 target
    ) internal view returns (uint256) {
        IOracleAggregator.Observation memory before = buffer[at(ring, k)];
        if (before.timestamp == target) return before.cumulative;
        IOracleAggregator.Observation memory afterwards = buffer[at(ring, k + 1)];
        uint256 elapsed = target - before.timestamp;
        uint256 span = afterwards.timestamp - before.timestamp;
        return before.cumulative + (afterwards.cumulative - before.cumulative) * elapsed / span;
    }
}
