// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {OracleFixture} from "./OracleFixture.sol";

/// @title OracleViewBase
/// @notice An OracleAggregator with one feed for ASSET, for the views with exact values: `twap(window)`, the statuses
/// (age, freeze) and the policy prices per status and per side.
abstract contract OracleViewBase is OracleFixture {
    /// @dev 18 decimals, the single source.
    MockFeed internal feed;

    function setUp() public {
        _deployOracle();
        feed = _newFeed(18, P);
        _list(ASSET, _config(_one(feed), 1));
    }

    function _updateAt(uint256 t, uint256 price) internal returns (IOracleAggregator.PriceData memory) {
        vm.warp(t);
        feed.setAnswer(int256(price));
        return oracle.update(ASSET);
    }

    /// @dev Every action reverts PriceUnavailable with status `s`, for both sides and through priceBounds.
    function _expectAllUnavailable(IOracleAggregator.Status s) internal {
        _expectUnpriced(IOracleAggregator.Action.AddRisk, true, s);
        _expectUnpriced(IOracleAggregator.Action.Reduce, true, s);
        _expectUnpriced(IOracleAggregator.Action.Reduce, false, s);
        _expectUnpriced(IOracleAggregator.Action.Liquidate, false, s);
        _expectBoundsUnpriced(IOracleAggregator.Action.Liquidate, s);
    }
}
