// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../interfaces/IOracleAggregator.sol";
import {MockFeed} from "../../contracts/mocks/MockFeed.sol";
import {OracleFixture} from "./utils/OracleFixture.sol";

/// @title OracleAggregatorViewChecksTest
/// @notice The views of the OracleAggregator, one path per test with exact values: `twap(window)` (interpolated,
/// after the newest observation, in the block of the first observation, over a window longer than time), the
/// statuses (age, freeze) and the policy prices per status and per side. Written for the mutation campaign (issue #8:
/// slither-mutate's MIA and LOR mutants of contracts/OracleAggregator.sol).
contract OracleAggregatorViewChecksTest is OracleFixture {
    address internal constant ASSET = address(0xA55E7);
    uint256 internal constant P = 2_000e18;

    /// @dev 18 decimals, the single source.
    MockFeed internal feed;

    function setUp() public {
        _deployOracle();
        feed = _newFeed(18, P);
        _list(ASSET, _config(_one(feed), 1));
    }

    // ================================================================ twap(window)

    /// @notice Observations (T0, 0) and (T0+1800, 1800 P), median Q since T0+1800. At T0+2100: twap(600) interpolates
    /// the start at T0+1500 and is (300 P + 300 Q) / 600; twap(1800) is (1500 P + 300 Q) / 1800; twap(599) reverts
    /// WindowTooShort(599, 600). At T0+2400, twap(600) starts at the newest observation: Q. Kills line 284 (`window <
    /// minTwapWindow`: true / false / negated), line 287 (`slot.count == 0` -> true / negated), line 291 (`nowTs >
    /// window` -> false: it would start at the oldest), line 293 (`target >= newest.timestamp` -> true / negated) and
    /// line 296 (`start == nowTs` -> true / negated).
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
    /// observation). Kills line 296 (`start == nowTs` -> false: a division by zero seconds).
    function test_twap__blockOfTheFirstObservation__isTheMedian() public {
        _updateAt(T0, P);
        assertEq(oracle.twap(ASSET, 600), P, "same block: the median");
        vm.warp(T0 + 1);
        assertEq(oracle.twap(ASSET, 600), P, "one second later: P held");
    }

    /// @notice twap(type(uint32).max), a window longer than the time since the epoch, starts at the oldest
    /// observation: (100 P + 50 Q) / 150. Kills line 291 (`nowTs > window` -> true: `nowTs - window` would underflow).
    function test_twap__windowBeyondNow__startsAtTheOldest() public {
        uint256 q = P * 103 / 100;
        _updateAt(T0, P);
        _updateAt(T0 + 100, q);
        vm.warp(T0 + 150);
        assertEq(oracle.twap(ASSET, type(uint32).max), (100 * P + 50 * q) / 150, "from the oldest observation");
    }

    // ================================================================ statuses

    /// @notice A price is Ok for exactly maxPriceAge seconds after its update and Stale one second later (status() and
    /// getPriceData agree, every policy price reverts Stale). Kills line 391 (the age term: MIA true / false /
    /// negated, and the LOR mutant that drops it).
    function test_status__pastMaxPriceAge__stale() public {
        _updateAt(T0, P);
        vm.warp(T0 + MAX_PRICE_AGE);
        _assertStatus(IOracleAggregator.Status.Ok, "at maxPriceAge");
        assertEq(oracle.priceForRisk(ASSET, true), P, "Ok: risk price");
        vm.warp(T0 + MAX_PRICE_AGE + 1);
        _assertStatus(IOracleAggregator.Status.Stale, "past maxPriceAge");
        _expectAllUnavailable(IOracleAggregator.Status.Stale);
    }

    /// @notice Listed but never updated (updatedAt 0): Stale, every policy price reverts PriceUnavailable(.., Stale),
    /// including Reduce and Liquidate. Kills line 391 (`updatedAt == 0`) and line 364 (the LOR mutant `AddRisk &&
    /// s != Deviated`, and -> false).
    function test_status__neverUpdated__staleAndUnpriced() public {
        _assertStatus(IOracleAggregator.Status.Stale, "never updated");
        _expectAllUnavailable(IOracleAggregator.Status.Stale);
    }

    /// @notice Frozen beats a fresh Ok price for new risk: status Frozen, adding risk and valuing the Pool revert
    /// PriceUnavailable(.., Frozen), while reducing and liquidating follow the sources' own status (Ok: priced;
    /// docs/design.md#liveness). Unfrozen it is Ok again.
    function test_status__frozen__refusesNewRiskAndPricesExits() public {
        _updateAt(T0, P);
        _assertStatus(IOracleAggregator.Status.Ok, "fresh");
        vm.prank(GUARDIAN);
        oracle.setFrozen(ASSET, true);
        _assertStatus(IOracleAggregator.Status.Frozen, "frozen");
        assertEq(uint256(oracle.sourceStatus(ASSET)), uint256(IOracleAggregator.Status.Ok), "the sources are Ok");
        vm.expectRevert(_unavailable(IOracleAggregator.Action.AddRisk, IOracleAggregator.Status.Frozen));
        oracle.priceForRisk(ASSET, true);
        vm.expectRevert(_unavailable(IOracleAggregator.Action.Value, IOracleAggregator.Status.Frozen));
        oracle.priceBounds(ASSET, IOracleAggregator.Action.Value);
        assertEq(oracle.priceForReduce(ASSET, true), P, "a close is priced");
        assertEq(oracle.priceForLiquidation(ASSET, false), P, "a liquidation is priced");
        vm.prank(GUARDIAN);
        oracle.setFrozen(ASSET, false);
        _assertStatus(IOracleAggregator.Status.Ok, "unfrozen");
    }

    // ================================================================ policy prices

    /// @notice Ok, median Q = 1.03 P above the TWAP P: a long adding risk or reducing gets P, a short Q; a long is
    /// liquidated at Q, a short at P; priceBounds is (P, Q). Kills line 364 (the LOR mutant `s != Ok || ..`, -> true /
    /// negated), line 368 (`m < t` -> true) and lines 304, 310, 316 (`longExposure` -> true / false).
    function test_priceFor__medianAboveTwap__sidesPicked() public {
        uint256 q = P * 103 / 100;
        _updateAt(T0, P);
        IOracleAggregator.PriceData memory data = _updateAt(T0 + 600, q);
        assertEq(data.twap, P, "TWAP P");
        assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Ok), "3 % is Ok");
        _assertSides(P, q);
    }

    /// @notice Ok, median Q = 0.97 P below the TWAP P: the same sides with low Q and high P; priceBounds is (Q, P).
    /// Kills line 368 (`m < t` -> false) and lines 304, 310, 316.
    function test_priceFor__medianBelowTwap__sidesPicked() public {
        uint256 q = P * 97 / 100;
        _updateAt(T0, P);
        IOracleAggregator.PriceData memory data = _updateAt(T0 + 600, q);
        assertEq(data.twap, P, "TWAP P");
        assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Ok), "3 % is Ok");
        _assertSides(q, P);
    }

    /// @notice Deviated (median 1.06 P, TWAP P): adding risk reverts PriceUnavailable(asset, AddRisk, Deviated) (also
    /// through priceBounds); reduce and liquidation are priced. Kills line 364 (the LOR mutant `AddRisk && s !=
    /// Deviated`, -> false) and line 394.
    function test_priceFor__deviated__onlyReduceAndLiquidate() public {
        uint256 q = P * 106 / 100;
        _updateAt(T0, P);
        _updateAt(T0 + 600, q);
        _assertStatus(IOracleAggregator.Status.Deviated, "6 % from the TWAP");
        vm.expectRevert(_unavailable(IOracleAggregator.Action.AddRisk, IOracleAggregator.Status.Deviated));
        oracle.priceForRisk(ASSET, false);
        vm.expectRevert(_unavailable(IOracleAggregator.Action.AddRisk, IOracleAggregator.Status.Deviated));
        oracle.priceBounds(ASSET, IOracleAggregator.Action.AddRisk);
        assertEq(oracle.priceForReduce(ASSET, true), P, "Deviated: long reduces at the TWAP");
        assertEq(oracle.priceForReduce(ASSET, false), q, "Deviated: short reduces at the median");
        assertEq(oracle.priceForLiquidation(ASSET, true), q, "Deviated: long liquidated at the median");
        (uint256 low, uint256 high) = oracle.priceBounds(ASSET, IOracleAggregator.Action.Liquidate);
        assertEq(low, P, "Deviated: liquidation bounds low");
        assertEq(high, q, "Deviated: liquidation bounds high");
    }

    // ================================================================ helpers

    function _updateAt(uint256 t, uint256 price) internal returns (IOracleAggregator.PriceData memory) {
        vm.warp(t);
        feed.setAnswer(int256(price));
        return oracle.update(ASSET);
    }

    /// @dev Every policy price of an Ok asset whose lower and higher prices are `low` < `high`.
    function _assertSides(uint256 low, uint256 high) internal view {
        assertEq(oracle.priceForRisk(ASSET, true), low, "long adding risk: lower");
        assertEq(oracle.priceForRisk(ASSET, false), high, "short adding risk: higher");
        assertEq(oracle.priceForReduce(ASSET, true), low, "long reducing: lower");
        assertEq(oracle.priceForReduce(ASSET, false), high, "short reducing: higher");
        assertEq(oracle.priceForLiquidation(ASSET, true), high, "long liquidated: higher");
        assertEq(oracle.priceForLiquidation(ASSET, false), low, "short liquidated: lower");
        (uint256 l, uint256 h) = oracle.priceBounds(ASSET, IOracleAggregator.Action.AddRisk);
        assertEq(l, low, "priceBounds low");
        assertEq(h, high, "priceBounds high");
    }

    function _assertStatus(IOracleAggregator.Status want, string memory message) internal view {
        assertEq(uint256(oracle.status(ASSET)), uint256(want), message);
        assertEq(uint256(oracle.getPriceData(ASSET).status), uint256(want), message);
    }

    function _unavailable(IOracleAggregator.Action action, IOracleAggregator.Status s)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSignature("PriceUnavailable(address,uint8,uint8)", ASSET, uint8(action), uint8(s));
    }

    /// @dev Every action reverts PriceUnavailable with status `s`, for both sides and through priceBounds.
    function _expectAllUnavailable(IOracleAggregator.Status s) internal {
        vm.expectRevert(_unavailable(IOracleAggregator.Action.AddRisk, s));
        oracle.priceForRisk(ASSET, true);
        vm.expectRevert(_unavailable(IOracleAggregator.Action.Reduce, s));
        oracle.priceForReduce(ASSET, true);
        vm.expectRevert(_unavailable(IOracleAggregator.Action.Reduce, s));
        oracle.priceForReduce(ASSET, false);
        vm.expectRevert(_unavailable(IOracleAggregator.Action.Liquidate, s));
        oracle.priceForLiquidation(ASSET, false);
        vm.expectRevert(_unavailable(IOracleAggregator.Action.Liquidate, s));
        oracle.priceBounds(ASSET, IOracleAggregator.Action.Liquidate);
    }
}
