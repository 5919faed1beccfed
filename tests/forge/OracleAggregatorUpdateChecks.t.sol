// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {MockFeed} from "../../contracts/mocks/MockFeed.sol";
import {OracleFixture} from "./utils/OracleFixture.sol";

/// @title OracleAggregatorUpdateChecksTest
/// @notice The price side of the OracleAggregator, one path per test with exact values: `update` (quorum, dispersion,
/// deviation, the first observation, same-block updates, the window start, every exclusion reason, the starved-call
/// guard, decimals), `twap(window)`, the statuses, and the policy prices. Written for the mutation campaign (issue
/// #8: slither-mutate's MIA and LOR mutants of contracts/OracleAggregator.sol); the governance paths are in
/// OracleAggregatorChecks.t.sol.
contract OracleAggregatorUpdateChecksTest is OracleFixture {
    address internal constant ASSET = address(0xA55E7);
    address internal constant OTHER_ASSET = address(0xA55E8);
    uint256 internal constant P = 2_000e18;

    /// @dev 8 decimals.
    MockFeed internal feedA;
    /// @dev 18 decimals: the single source of the one-feed tests, the broken one of the exclusion tests.
    MockFeed internal feedB;
    /// @dev 18 decimals.
    MockFeed internal feedC;

    function setUp() public {
        _deployOracle();
        feedA = _newFeed(8, P);
        feedB = _newFeed(18, P);
        feedC = _newFeed(18, P);
    }

    // ================================================================ observations and TWAP stored by update

    /// @notice The first update stores the median as the TWAP, emits PriceUpdated(P, P, 0, 1, Ok) and starts the ring
    /// with (T0, 0) in slot 0. Kills line 100 (`price.median != 0` -> false / negated) and line 125 (`ring.count ==
    /// 0` -> false / negated: the pre-filled slot would be taken for an observation and the TWAP would be 0).
    function test_update__firstPrice__startsTheRing() public {
        _list(ASSET, _config(_one(feedB), 1));
        vm.expectEmit(true, false, false, true, address(oracle));
        emit IOracleAggregator.PriceUpdated(ASSET, P, P, 0, 1, IOracleAggregator.Status.Ok);
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        _assertData(data, P, P, IOracleAggregator.Status.Ok, T0);
        _assertRing(0, 1, "first observation");
        _assertObservation(0, T0, 0, "slot 0");
    }

    /// @notice Two later updates record (T0+600, 600 P) and (T0+1200, 600 P + 600 Q): the TWAP is P, then (P + Q) / 2,
    /// the status Ok (Q is 4 % above P). Kills line 125 (-> true: the ring would restart), line 134 (`newest.timestamp
    /// != nowTs` -> false / negated), line 140 (`start.timestamp == nowTs` -> true) and line 102 (-> true / negated).
    function test_update__laterPrices__recordedAndAveraged() public {
        _list(ASSET, _config(_one(feedB), 1));
        uint256 q = P * 104 / 100;
        _updateAt(T0, P);
        _assertData(_updateAt(T0 + 600, q), q, P, IOracleAggregator.Status.Ok, T0 + 600);
        _assertRing(1, 2, "second observation");
        _assertObservation(1, T0 + 600, 600 * P, "slot 1");
        _assertData(_updateAt(T0 + 1200, q), q, (P + q) / 2, IOracleAggregator.Status.Ok, T0 + 1200);
        _assertRing(2, 3, "third observation");
        _assertObservation(2, T0 + 1200, 600 * P + 600 * q, "slot 2");
    }

    /// @notice A second update in the block of the first records nothing more (ring (0, 1), slot 0 still (T0, 0)) and,
    /// with no history, stores the new median as the TWAP. Kills line 134 (-> true: a second observation with the same
    /// timestamp) and line 140 (-> false: a division by zero seconds).
    function test_update__sameBlock__keepsOneObservation() public {
        _list(ASSET, _config(_one(feedB), 1));
        _updateAt(T0, P);
        feedB.setAnswer(int256(P * 3 / 2));
        _assertData(oracle.update(ASSET), P * 3 / 2, P * 3 / 2, IOracleAggregator.Status.Ok, T0);
        _assertRing(0, 1, "same block: no new observation");
        _assertObservation(0, T0, 0, "slot 0 unchanged");
    }

    /// @notice With updates at T0, T0+1800 (P), T0+3600 and T0+5400 (Q), the window start moves to the observation at
    /// T0+3600, so the stored TWAP is Q, not the average since T0. Kills line 133 (`nowTs > window` -> false).
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
    /// stored TWAP and twap(type(uint32).max) are (60 P + 60 Q) / 120. Kills line 133 and line 291 (`nowTs > window`
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
    /// still pre-filled); the first real price then starts the ring with TWAP = median. Kills line 100 (-> true).
    function test_update__neverPricedQuorumLost__recordsNoObservation() public {
        _list(ASSET, _config(_one(feedB), 1));
        feedB.setReverting(true);
        _assertData(oracle.update(ASSET), 0, 0, IOracleAggregator.Status.Stale, 0);
        _assertRing(0, 0, "no observation without a price");
        _assertObservation(0, 1, 0, "slot 0 still pre-filled");
        feedB.setReverting(false);
        _assertData(_updateAt(T0 + 60, P), P, P, IOracleAggregator.Status.Ok, T0 + 60);
        _assertRing(0, 1, "first observation");
        _assertObservation(0, T0 + 60, 0, "slot 0");
    }

    // ================================================================ quorum, dispersion, deviation

    /// @notice 2 of 2 needed, one reverts and the other moves 1 %: the median P and updatedAt T0 are kept, the status is
    /// Stale (only the quorum flag makes it so: the price is 60 s old), PriceUpdated reports 1 fresh source, and the
    /// observation accumulates the held P. Kills line 88 (`fresh < h.quorum`: true / false / negated) and line 391
    /// (the LOR mutant that keeps only `updatedAt == 0 && quorum lost`).
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
        _assertObservation(1, T0 + 60, 60 * P, "held price accumulated");
    }

    /// @notice Three sources at P, P, P: Ok. At P, P, 1.05 P: median P, spread 5 % > 2 %: Deviated (no AddRisk price,
    /// reduce at P). At P, P, 1.02 P: spread exactly 2 %: Ok. Kills line 94 (`exceedsSpreadBps`: true / false /
    /// negated) and line 394 (`flags & (DISPERSED | DEVIATED) != 0`: true / false / negated).
    function test_update__dispersedSources__deviated() public {
        AggregatorV3Interface[] memory three = new AggregatorV3Interface[](3);
        (three[0], three[1], three[2]) = (feedA, feedB, feedC);
        _list(ASSET, _config(three, 2));
        _assertData(oracle.update(ASSET), P, P, IOracleAggregator.Status.Ok, T0);

        vm.warp(T0 + 60);
        _stamp(P, P, P * 105 / 100);
        _assertData(oracle.update(ASSET), P, P, IOracleAggregator.Status.Deviated, T0 + 60);
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Deviated), "status() Deviated");
        vm.expectRevert(_unavailable(IOracleAggregator.Action.AddRisk, IOracleAggregator.Status.Deviated));
        oracle.priceForRisk(ASSET, true);
        assertEq(oracle.priceForReduce(ASSET, true), P, "Deviated: reduce at P");

        vm.warp(T0 + 120);
        _stamp(P, P, P * 102 / 100);
        _assertData(oracle.update(ASSET), P, P, IOracleAggregator.Status.Ok, T0 + 120);
    }

    /// @notice One source moving from P to 1.05 P after 600 s (TWAP P): exactly 5 % is Ok; another moving to 1.06 P is
    /// Deviated. Kills line 102 (`deviatesBps(median, twap)`: true / false / negated) and line 394.
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
    /// Kills line 191 (`decimals <= 18`: true / false / negated: one of the two would underflow).
    function test_update__feedDecimalsAbove18__normalized() public {
        MockFeed feed24 = _newFeed(24, P);
        _list(ASSET, _config(_two(feedA, feed24), 2));
        assertEq(oracle.update(ASSET).median, P, "8 and 24 decimals at P");
        vm.warp(T0 + 60);
        feedA.setAnswer(int256(P / 1e10));
        feed24.setAnswer(int256(2_020e18 * 1e6));
        assertEq(oracle.update(ASSET).median, 2_010e18, "mean of the two normalized answers");
    }

    // ================================================================ source exclusions

    /// @notice A reverting source (plenty of gas) is excluded with reason Reverted (0, 0) and the other one counted.
    /// Kills line 160 (`!ok` -> false: it would pass for Malformed; -> true) and line 164 (`gasBefore <
    /// SOURCE_CALL_GAS_NEEDED` -> true / negated: the update would revert).
    function test_update__revertingSource__excludedAsReverted() public {
        _listWithBroken();
        feedB.setReverting(true);
        _expectExcluded(IOracleAggregator.Exclusion.Reverted, 0, 0);
        _updateCountsOnlyFeedA();
    }

    /// @notice A source call that fails while the caller's gas limit (90,000) could not give it SOURCE_GAS_LIMIT makes
    /// `update` revert InsufficientGasForSources instead of excluding it; with plenty of gas it is excluded. Kills
    /// line 164 (-> false: the starved source would be excluded).
    function test_update__starvedSourceCall__revertsInsufficientGas() public {
        _list(ASSET, _config(_two(feedB, feedA), 1));
        feedB.setReverting(true);
        vm.expectPartialRevert(IOracleAggregator.InsufficientGasForSources.selector);
        oracle.update{gas: 90_000}(ASSET);
        assertEq(oracle.median(ASSET), 0, "nothing stored by the starved update");
        _expectExcluded(IOracleAggregator.Exclusion.Reverted, 0, 0);
        _updateCountsOnlyFeedA();
    }

    /// @notice A source returning 64 bytes is excluded as Malformed (0, 0). Kills line 168 (`ret.length < 160` -> false:
    /// decoding would revert the update; -> true / negated: every good source would be Malformed).
    function test_update__shortReturnData__excludedAsMalformed() public {
        _listWithBroken();
        vm.etch(address(feedB), hex"60406000f3");
        _expectExcluded(IOracleAggregator.Exclusion.Malformed, 0, 0);
        _updateCountsOnlyFeedA();
    }

    /// @notice Answers 0 and -1 are excluded as NonPositive with the answer and its timestamp. Kills line 176
    /// (`answer <= 0` -> false: they would be OutOfBounds; -> true / negated) and line 182 (`excluded` -> false: they
    /// would be counted; -> true / negated).
    function test_update__nonPositiveAnswer__excluded() public {
        _listWithBroken();
        feedB.setAnswer(0);
        _expectExcluded(IOracleAggregator.Exclusion.NonPositive, 0, T0);
        _updateCountsOnlyFeedA();
        feedB.setAnswer(-1);
        _expectExcluded(IOracleAggregator.Exclusion.NonPositive, -1, T0);
        _updateCountsOnlyFeedA();
    }

    /// @notice An answer stamped 0 is excluded as ZeroTimestamp. Kills line 177 (`updatedAt == 0` -> false: it would be
    /// Stale; -> true / negated).
    function test_update__zeroTimestamp__excluded() public {
        _listWithBroken();
        feedB.setRoundData(7, int256(P), 0);
        _expectExcluded(IOracleAggregator.Exclusion.ZeroTimestamp, int256(P), 0);
        _updateCountsOnlyFeedA();
    }

    /// @notice An answer stamped one second ahead is excluded as FutureTimestamp. Kills line 178 (`updatedAt >
    /// block.timestamp` -> false: the age would underflow; -> true / negated).
    function test_update__futureTimestamp__excluded() public {
        _listWithBroken();
        feedB.setRoundData(7, int256(P), uint64(T0 + 1));
        _expectExcluded(IOracleAggregator.Exclusion.FutureTimestamp, int256(P), T0 + 1);
        _updateCountsOnlyFeedA();
    }

    /// @notice An answer heartbeat + 1 s old is excluded as Stale; one exactly heartbeat old is counted (median 1.5 P).
    /// Kills line 179 (`age > heartbeat` -> false: 2 P would be counted; -> true / negated).
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
    /// 2,500). Kills line 180 (`answer < min || answer > max`: && / true / false / negated).
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

    // ================================================================ helpers

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

    function _assertRing(uint256 newest, uint256 count, string memory message) internal view {
        (uint16 n, uint16 c) = oracle.observationState(ASSET);
        assertEq(uint256(n), newest, message);
        assertEq(uint256(c), count, message);
    }

    function _assertObservation(uint256 index, uint256 ts, uint256 cumulative, string memory message) internal view {
        IOracleAggregator.Observation memory o = oracle.observation(ASSET, index);
        assertEq(uint256(o.timestamp), ts, message);
        assertEq(uint256(o.cumulative), cumulative, message);
    }

    function _unavailable(IOracleAggregator.Action action, IOracleAggregator.Status s)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSignature("PriceUnavailable(address,uint8,uint8)", ASSET, uint8(action), uint8(s));
    }
}
