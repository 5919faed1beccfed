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

/// @title OraclePriceForMultiSourceTest
/// @notice `OracleAggregator.priceForRisk`, `priceForReduce`, `priceForLiquidation` and `priceBounds`: the policy price per action, status and side (fixture: MultiSourceOracleBase).
contract OraclePriceForMultiSourceTest is MultiSourceOracleBase {
    /// @notice Median vs TWAP deviation: within the bound the policy picks the worse/better side; beyond it the status
    /// is Deviated until the TWAP catches up.
    function test_priceFor__medianAwayFromTwap__sidesThenDeviated() public {
        MockFeed feed = feeds[1];
        uint256 t = _establish(feed, P);

        // +3 % (< 5 %): Ok, median above the TWAP.
        t = _step(t, 60);
        uint256 up = P * 103 / 100;
        feed.setAnswer(int256(up));
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        assertEq(data.twap, P, "TWAP before the move has weight");
        _assertStatus(IOracleAggregator.Status.Ok, "3 % from the TWAP");
        _assertSides(P, up);

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
}

/// @title OraclePriceForTest
/// @notice `OracleAggregator.priceForRisk`, `priceForReduce`, `priceForLiquidation` and `priceBounds`: the policy price per action, status and side (fixture: OracleViewBase).
contract OraclePriceForTest is OracleViewBase {
    /// @dev P at T0, then the median `q` 600 s later: the TWAP is still P and, 3 % away, the status Ok.
    function _okMedianAt(uint256 q) internal {
        _updateAt(T0, P);
        IOracleAggregator.PriceData memory data = _updateAt(T0 + 600, q);
        assertEq(data.twap, P, "TWAP P");
        assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Ok), "3 % is Ok");
    }

    /// @notice Ok, median Q = 1.03 P above the TWAP P: a long adding risk or reducing gets P, a short Q; a long is
    /// liquidated at Q, a short at P; priceBounds is (P, Q).
    function test_priceFor__medianAboveTwap__sidesPicked() public {
        uint256 q = P * 103 / 100;
        _okMedianAt(q);
        _assertSides(P, q);
    }

    /// @notice Ok, median Q = 0.97 P below the TWAP P: the same sides with low Q and high P; priceBounds is (Q, P).
    function test_priceFor__medianBelowTwap__sidesPicked() public {
        uint256 q = P * 97 / 100;
        _okMedianAt(q);
        _assertSides(q, P);
    }

    /// @notice Deviated (median 1.06 P, TWAP P): adding risk reverts PriceUnavailable(asset, AddRisk, Deviated) (also
    /// through priceBounds); reduce and liquidation are priced.
    function test_priceFor__deviated__onlyReduceAndLiquidate() public {
        uint256 q = P * 106 / 100;
        _updateAt(T0, P);
        _updateAt(T0 + 600, q);
        _assertStatus(IOracleAggregator.Status.Deviated, "6 % from the TWAP");
        _expectUnpriced(IOracleAggregator.Action.AddRisk, false, IOracleAggregator.Status.Deviated);
        _expectBoundsUnpriced(IOracleAggregator.Action.AddRisk, IOracleAggregator.Status.Deviated);
        assertEq(oracle.priceForReduce(ASSET, true), P, "Deviated: long reduces at the TWAP");
        assertEq(oracle.priceForReduce(ASSET, false), q, "Deviated: short reduces at the median");
        assertEq(oracle.priceForLiquidation(ASSET, true), q, "Deviated: long liquidated at the median");
        _assertBounds(IOracleAggregator.Action.Liquidate, P, q, "Deviated: liquidation bounds");
    }

    /// @notice Ok with the median Q = 1.03 P above or Q = 0.97 P below the TWAP P: priceBounds of AddRisk, Reduce,
    /// Liquidate and Value is (min(Q, P), max(Q, P)).
    function test_priceBounds__okEitherSide__lowAndHighForEveryAction() public {
        uint256[2] memory medians = [P * 103 / 100, P * 97 / 100];
        for (uint256 i = 0; i < 2; ++i) {
            uint256 snapshot = vm.snapshotState();
            uint256 q = medians[i];
            _okMedianAt(q);
            (uint256 low, uint256 high) = q < P ? (q, P) : (P, q);
            _assertBounds(IOracleAggregator.Action.AddRisk, low, high, "AddRisk");
            _assertBounds(IOracleAggregator.Action.Reduce, low, high, "Reduce");
            _assertBounds(IOracleAggregator.Action.Liquidate, low, high, "Liquidate");
            _assertBounds(IOracleAggregator.Action.Value, low, high, "Value");
            vm.revertToState(snapshot);
        }
    }

    /// @notice Deviated with the median Q = 1.06 P above or Q = 0.94 P below the TWAP P: adding risk reverts
    /// PriceUnavailable(asset, AddRisk, Deviated) for a long, a short and priceBounds; a long reduces at the lower
    /// price and a short at the higher one; a long is liquidated at the higher price and a short at the lower one;
    /// priceBounds of Reduce and Liquidate is (lower, higher).
    function test_priceFor__deviatedEitherSide__exitsPricedNewRiskRefused() public {
        uint256[2] memory medians = [P * 106 / 100, P * 94 / 100];
        IOracleAggregator.Status deviated = IOracleAggregator.Status.Deviated;
        for (uint256 i = 0; i < 2; ++i) {
            uint256 snapshot = vm.snapshotState();
            uint256 q = medians[i];
            _updateAt(T0, P);
            _updateAt(T0 + 600, q);
            _assertStatus(deviated, "6 % from the TWAP");
            (uint256 low, uint256 high) = q < P ? (q, P) : (P, q);
            _expectUnpriced(IOracleAggregator.Action.AddRisk, true, deviated);
            _expectUnpriced(IOracleAggregator.Action.AddRisk, false, deviated);
            _expectBoundsUnpriced(IOracleAggregator.Action.AddRisk, deviated);
            _assertExitPrices(low, high);
            vm.revertToState(snapshot);
        }
    }

    /// @notice Stale by age (maxPriceAge + 1 s after the update) or by a lost quorum (the only source reverts): every
    /// policy view, both sides and priceBounds of AddRisk, Reduce and Liquidate, reverts PriceUnavailable(asset,
    /// action, Stale).
    function test_priceFor__staleByAgeOrQuorum__everyViewReverts() public {
        for (uint256 i = 0; i < 2; ++i) {
            uint256 snapshot = vm.snapshotState();
            _okMedianAt(P * 103 / 100);
            if (i == 0) {
                vm.warp(T0 + 600 + MAX_PRICE_AGE + 1);
            } else {
                feed.setReverting(true);
                vm.warp(T0 + 660);
                oracle.update(ASSET);
            }
            _assertStatus(IOracleAggregator.Status.Stale, i == 0 ? "stale by age" : "stale by quorum");
            _expectEveryViewUnpriced(IOracleAggregator.Status.Stale, false);
            vm.revertToState(snapshot);
        }
    }

    /// @notice Frozen over an Ok price (median Q = 1.03 P, TWAP P): adding risk reverts PriceUnavailable(asset,
    /// AddRisk, Frozen) for a long, a short and priceBounds; reduce and liquidation prices and bounds follow the
    /// sources' own status (Ok: priced at the usual sides; docs/design.md#liveness).
    function test_priceFor__frozen__refusesNewRiskAndPricesExits() public {
        uint256 q = P * 103 / 100;
        _okMedianAt(q);
        _guardianSetFrozen(true);
        _assertStatus(IOracleAggregator.Status.Frozen, "frozen");
        assertEq(uint256(oracle.sourceStatus(ASSET)), uint256(IOracleAggregator.Status.Ok), "the sources are Ok");
        _expectEveryViewUnpriced(IOracleAggregator.Status.Frozen, true);
        _assertExitPrices(P, q);
    }

    /// @dev Exits are priced from the lower and higher prices `low` < `high`: a long reduces at the lower and is
    /// liquidated at the higher, a short the other way round; priceBounds of Reduce and Liquidate is (low, high).
    function _assertExitPrices(uint256 low, uint256 high) internal view {
        assertEq(oracle.priceForReduce(ASSET, true), low, "long reduces at the lower price");
        assertEq(oracle.priceForReduce(ASSET, false), high, "short reduces at the higher price");
        assertEq(oracle.priceForLiquidation(ASSET, true), high, "long liquidated at the higher price");
        assertEq(oracle.priceForLiquidation(ASSET, false), low, "short liquidated at the lower price");
        _assertBounds(IOracleAggregator.Action.Reduce, low, high, "Reduce");
        _assertBounds(IOracleAggregator.Action.Liquidate, low, high, "Liquidate");
    }

    /// @dev Adding risk (both sides and priceBounds) reverts PriceUnavailable(asset, AddRisk, s); unless `onlyAddRisk`,
    /// so do reducing and liquidating (both sides and priceBounds).
    function _expectEveryViewUnpriced(IOracleAggregator.Status s, bool onlyAddRisk) internal {
        IOracleAggregator.Action[3] memory actions =
            [IOracleAggregator.Action.AddRisk, IOracleAggregator.Action.Reduce, IOracleAggregator.Action.Liquidate];
        uint256 n = onlyAddRisk ? 1 : 3;
        for (uint256 i = 0; i < n; ++i) {
            _expectUnpriced(actions[i], true, s);
            _expectUnpriced(actions[i], false, s);
            _expectBoundsUnpriced(actions[i], s);
        }
    }
}
