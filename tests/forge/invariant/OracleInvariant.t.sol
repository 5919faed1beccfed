// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OracleHandler} from "./OracleHandler.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";

/// @title OracleAggregatorInvariantTest
/// @notice Stateful fuzzing of one asset through `OracleHandler.step` (prices, time, updates, broken and reverting
/// feeds, freezes). Runs and depth: `[invariant]` in foundry.toml.
contract OracleAggregatorInvariantTest is OracleFixture {
    OracleHandler internal handler;

    function setUp() public {
        _deployOracle();
        handler = new OracleHandler(oracle, ASSET, T0);
        _list(ASSET, handler.config());
        oracle.grantRole(oracle.GUARDIAN_ROLE(), address(handler));

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](1);
        selectors[0] = OracleHandler.step.selector;
        targetSelector(address(handler), selectors);
    }

    /// @notice The stored median is the median of the answers that were fresh at the last update meeting the
    /// quorum, hence within their min and max.
    function invariant_MedianIsMedianOfFreshAnswers() public view {
        if (!handler.hasMedian()) {
            assertEq(oracle.getPriceData(ASSET).median, 0, "a median without any update meeting the quorum");
            return;
        }
        uint256 m = oracle.getPriceData(ASSET).median;
        assertGe(m, handler.freshMin(), "median below the lowest fresh answer");
        assertLe(m, handler.freshMax(), "median above the highest fresh answer");
        assertEq(m, handler.expectedMedian(), "median differs from the reference median");
    }

    /// @notice The stored TWAP, `twap()` and the average price of every ring segment lie within the medians ever
    /// stored. (A segment holds one price, or several when its later slot was moved forward to keep the window.)
    function invariant_TwapWithinRecordedMedians() public view {
        if (!handler.hasMedian()) return;
        (uint256 low, uint256 high) = (handler.medianLow(), handler.medianHigh());
        uint256 stored = oracle.getPriceData(ASSET).twap;
        assertGe(stored, low, "stored TWAP below every median");
        assertLe(stored, high, "stored TWAP above every median");
        uint256 now_ = oracle.twap(ASSET, handler.TWAP_WINDOW());
        assertGe(now_, low, "twap() below every median");
        assertLe(now_, high, "twap() above every median");

        (uint16 newest, uint16 count) = oracle.observationState(ASSET);
        uint16 size = handler.BUFFER_SIZE();
        uint256 oldest = count < size ? 0 : (uint256(newest) + 1) % size;
        for (uint256 k = 1; k < count; ++k) {
            IOracleAggregator.Observation memory a = oracle.observation(ASSET, (oldest + k - 1) % size);
            IOracleAggregator.Observation memory b = oracle.observation(ASSET, (oldest + k) % size);
            uint256 dc = b.cumulative - a.cumulative;
            uint256 dt = b.timestamp - a.timestamp;
            assertGe(dc / dt, low, "segment price below every median");
            assertLe(dc / dt, high, "segment price above every median");
        }
    }

    /// @notice At most `bufferSize` observations, strictly increasing in time in ring order.
    function invariant_RingBoundedAndOrdered() public view {
        _checkRing(ASSET, handler.BUFFER_SIZE());
    }

    /// @notice Once the history spans the TWAP window, the oldest observation held is at or before
    /// the last observation minus the window, however many updates came in between, so the stored TWAP spans it.
    function invariant_RingKeepsTheTwapWindow() public view {
        uint256 last = handler.lastObservationAt();
        uint256 window = handler.TWAP_WINDOW();
        if (handler.firstObservationAt() == 0 || last - handler.firstObservationAt() < window) return;
        (uint16 newest, uint16 count) = oracle.observationState(ASSET);
        uint16 size = handler.BUFFER_SIZE();
        uint256 oldest = count < size ? 0 : (uint256(newest) + 1) % size;
        assertLe(oracle.observation(ASSET, oldest).timestamp, last - window, "the ring dropped the window's start");
    }

    /// @notice The status is what docs/design.md#oracle-policy says for the model's state, and the policy views obey
    /// it.
    function invariant_StatusFollowsPolicy() public view {
        assertEq(block.timestamp, handler.time(), "clock: the handler's warps did not persist");
        IOracleAggregator.Status s = oracle.status(ASSET);
        assertEq(uint256(s), uint256(handler.expectedStatus()), "status differs from the model");
        assertEq(uint256(oracle.getPriceData(ASSET).status), uint256(s), "getPriceData().status != status()");
        IOracleAggregator.Status sources = oracle.sourceStatus(ASSET);
        assertEq(uint256(sources), uint256(handler.expectedSourceStatus()), "source status differs from the model");
        _assertPolicy(IOracleAggregator.Action.AddRisk, s == IOracleAggregator.Status.Ok);
        _assertPolicy(IOracleAggregator.Action.Value, s == IOracleAggregator.Status.Ok);
        // docs/design.md#liveness: a freeze brakes new risk only; closes and liquidations follow the sources' status.
        bool usable = sources == IOracleAggregator.Status.Ok || sources == IOracleAggregator.Status.Deviated;
        _assertPolicy(IOracleAggregator.Action.Reduce, usable);
        _assertPolicy(IOracleAggregator.Action.Liquidate, usable);
        assertTrue(!handler.freezeRuleBroken(), "the guardian chained freezes");
    }

    function _assertPolicy(IOracleAggregator.Action action, bool allowed) internal view {
        try oracle.priceBounds(ASSET, action) returns (uint256 low, uint256 high) {
            assertTrue(allowed, "price given for an action the status forbids");
            IOracleAggregator.PriceData memory d = oracle.getPriceData(ASSET);
            assertEq(low, d.median < d.twap ? d.median : d.twap, "low bound is not min(median, TWAP)");
            assertEq(high, d.median < d.twap ? d.twap : d.median, "high bound is not max(median, TWAP)");
        } catch {
            assertTrue(!allowed, "price refused for an action the status allows");
        }
    }

    /// @notice How much of the state space a campaign reached (printed with -vv).
    function afterInvariant() public {
        emit log_named_uint("updates", handler.updates());
        emit log_named_uint("  of which quorum lost", handler.updatesQuorumLost());
        emit log_named_uint("  of which in an already-observed block", handler.sameBlockUpdates());
        emit log_named_uint("freeze toggles", handler.freezes());
        emit log_named_uint("  of which refused (the guardian's cooldown)", handler.freezesRefused());
        emit log_named_uint("final status", uint256(oracle.status(ASSET)));
    }
}
