// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {OracleFixture} from "./OracleFixture.sol";

/// @title OracleViewBase
/// @notice An OracleAggregator with one feed for ASSET, for the views with exact values: `twap(window)`, the statuses
/// (age, freeze) and the policy prices per status and per side.
abstract contract OracleViewBase is OracleFixture {
    address internal constant ASSET = address(0xA55E7);

    uint256 internal constant P = 2_000e18;

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
