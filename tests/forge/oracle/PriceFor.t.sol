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
}

/// @title OraclePriceForTest
/// @notice `OracleAggregator.priceForRisk`, `priceForReduce`, `priceForLiquidation` and `priceBounds`: the policy price per action, status and side (fixture: OracleViewBase).
contract OraclePriceForTest is OracleViewBase {
    /// @notice Ok, median Q = 1.03 P above the TWAP P: a long adding risk or reducing gets P, a short Q; a long is
    /// liquidated at Q, a short at P; priceBounds is (P, Q).
    function test_priceFor__medianAboveTwap__sidesPicked() public {
        uint256 q = P * 103 / 100;
        _updateAt(T0, P);
        IOracleAggregator.PriceData memory data = _updateAt(T0 + 600, q);
        assertEq(data.twap, P, "TWAP P");
        assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Ok), "3 % is Ok");
        _assertSides(P, q);
    }

    /// @notice Ok, median Q = 0.97 P below the TWAP P: the same sides with low Q and high P; priceBounds is (Q, P).
    function test_priceFor__medianBelowTwap__sidesPicked() public {
        uint256 q = P * 97 / 100;
        _updateAt(T0, P);
        IOracleAggregator.PriceData memory data = _updateAt(T0 + 600, q);
        assertEq(data.twap, P, "TWAP P");
        assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Ok), "3 % is Ok");
        _assertSides(q, P);
    }

    /// @notice Deviated (median 1.06 P, TWAP P): adding risk reverts PriceUnavailable(asset, AddRisk, Deviated) (also
    /// through priceBounds); reduce and liquidation are priced.
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
}
