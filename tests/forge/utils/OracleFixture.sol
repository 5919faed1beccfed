// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {BaseTest} from "./BaseTest.sol";

/// @title OracleFixture
/// @notice An OracleAggregator (admin = the test, guardian = `GUARDIAN`), feeds, and asset configurations with
/// test defaults that a test adjusts before listing.
abstract contract OracleFixture is BaseTest {
    uint32 internal constant MIN_WINDOW = 600;
    uint32 internal constant TWAP_WINDOW = 1800;
    uint32 internal constant MAX_PRICE_AGE = 3600;
    uint32 internal constant HEARTBEAT = 3600;
    uint16 internal constant BUFFER_SIZE = 64;
    uint16 internal constant DISPERSION_BPS = 200; // 2 %
    uint16 internal constant DEVIATION_BPS = 500; // 5 %
    /// @dev A realistic start time (forge starts at 1).
    uint256 internal constant T0 = 1_700_000_000;
    address internal constant GUARDIAN = address(0x6A4D);
    /// @dev The asset the oracle tests list, a second one, and the price they start it at.
    address internal constant ASSET = address(0xA55E7);
    address internal constant OTHER_ASSET = address(0xA55E8);
    uint256 internal constant P = 2_000e18;

    OracleAggregator internal oracle;

    function _deployOracle() internal {
        vm.warp(T0);
        oracle = new OracleAggregator(address(this), GUARDIAN, MIN_WINDOW);
        vm.label(address(oracle), "oracle");
    }

    /// @notice A MockFeed with `decimals` reporting the WAD price `wad`, stamped now.
    function _newFeed(uint8 decimals, uint256 wad) internal returns (MockFeed feed) {
        feed = new MockFeed(decimals, _toAnswer(wad, decimals), "test feed");
    }

    /// @notice The feed answer meaning the WAD price `wad` (exact only when `wad` is a multiple of the scale).
    function _toAnswer(uint256 wad, uint8 decimals) internal pure returns (int256) {
        if (decimals <= 18) return int256(wad / 10 ** (18 - decimals));
        return int256(wad * 10 ** (decimals - 18));
    }

    /// @notice What the oracle makes of a feed answer: 18 decimals.
    function _normalize(uint256 answer, uint8 decimals) internal pure returns (uint256) {
        if (decimals <= 18) return answer * 10 ** (18 - decimals);
        return answer / 10 ** (decimals - 18);
    }

    /// @notice Smallest bound the oracle accepts for a feed with `decimals` (normalized >= 1).
    function _minAnswer(uint8 decimals) internal pure returns (uint128) {
        return decimals <= 18 ? 1 : uint128(10 ** (decimals - 18));
    }

    /// @notice Largest bound the oracle accepts for a feed with `decimals` (normalized <= uint96 max).
    function _maxAnswer(uint8 decimals) internal pure returns (uint128) {
        if (decimals <= 18) return uint128(type(uint96).max / 10 ** (18 - decimals));
        uint256 max = uint256(type(uint96).max) * 10 ** (decimals - 18);
        return max > type(uint128).max ? type(uint128).max : uint128(max);
    }

    function _setPrice(MockFeed feed, uint256 wad) internal {
        feed.setAnswer(_toAnswer(wad, feed.decimals()));
    }

    /// @notice Defaults for `feeds`: widest bounds, `HEARTBEAT`, the constants above.
    function _config(AggregatorV3Interface[] memory feeds, uint8 quorum)
        internal
        view
        returns (IOracleAggregator.AssetConfig memory config)
    {
        config.sources = new IOracleAggregator.SourceConfig[](feeds.length);
        for (uint256 i = 0; i < feeds.length; ++i) {
            config.sources[i] = IOracleAggregator.SourceConfig(
                address(feeds[i]), HEARTBEAT, _minAnswer(feeds[i].decimals()), _maxAnswer(feeds[i].decimals())
            );
        }
        config.quorum = quorum;
        config.maxDispersionBps = DISPERSION_BPS;
        config.maxDeviationBps = DEVIATION_BPS;
        config.twapWindow = TWAP_WINDOW;
        config.maxPriceAge = MAX_PRICE_AGE;
        config.bufferSize = BUFFER_SIZE;
    }

    function _one(AggregatorV3Interface a) internal pure returns (AggregatorV3Interface[] memory feeds) {
        feeds = new AggregatorV3Interface[](1);
        feeds[0] = a;
    }

    function _two(AggregatorV3Interface a, AggregatorV3Interface b)
        internal
        pure
        returns (AggregatorV3Interface[] memory feeds)
    {
        feeds = new AggregatorV3Interface[](2);
        (feeds[0], feeds[1]) = (a, b);
    }

    /// @dev Expect the oracle's `PriceUpdated` event for `asset` with these values.
    function _expectPriceUpdated(
        address asset,
        uint256 median_,
        uint256 twap_,
        uint256 cumulative,
        uint256 fresh,
        IOracleAggregator.Status s
    ) internal {
        vm.expectEmit(true, false, false, true, address(oracle));
        emit IOracleAggregator.PriceUpdated(asset, median_, twap_, cumulative, fresh, s);
    }

    function _list(address asset, IOracleAggregator.AssetConfig memory config) internal {
        oracle.setAssetConfig(asset, config);
    }

    function _status(address asset) internal view returns (IOracleAggregator.Status) {
        return oracle.status(asset);
    }

    /// @notice Check the ring buffer of `asset`: at most `size` entries, strictly increasing timestamps in ring
    /// order, non-decreasing cumulatives. Returns the number of entries.
    function _checkRing(address asset, uint16 size) internal view returns (uint256 count) {
        (uint16 newest, uint16 n) = oracle.observationState(asset);
        count = n;
        assertLe(count, size, "observation count above the buffer size");
        if (count == 0) return 0;
        assertLe(newest, size - 1, "newest index outside the buffer");
        uint256 oldest = count < size ? 0 : (uint256(newest) + 1) % size;
        if (count < size) assertEq(newest, count - 1, "partly filled ring: newest is not count - 1");
        IOracleAggregator.Observation memory previous = oracle.observation(asset, oldest);
        for (uint256 k = 1; k < count; ++k) {
            IOracleAggregator.Observation memory o = oracle.observation(asset, (oldest + k) % size);
            assertGe(o.timestamp, uint256(previous.timestamp) + 1, "observations not strictly increasing in time");
            assertGe(o.cumulative, previous.cumulative, "cumulative decreased");
            previous = o;
        }
    }

    /// @dev The guardian freezes (`frozen`) or unfreezes ASSET.
    function _guardianSetFrozen(bool frozen) internal {
        vm.prank(GUARDIAN);
        oracle.setFrozen(ASSET, frozen);
    }

    /// @dev The next call, made by `caller`, must revert AccessControlUnauthorizedAccount(caller, role).
    function _expectUnauthorized(address caller, bytes32 role) internal {
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role));
        vm.prank(caller);
    }

    function _assertStatus(IOracleAggregator.Status want, string memory message) internal view {
        assertEq(uint256(_status(ASSET)), uint256(want), message);
        assertEq(uint256(oracle.getPriceData(ASSET).status), uint256(want), message);
    }

    /// @dev Every policy price of an Ok ASSET whose lower and higher prices are `low` < `high`.
    function _assertSides(uint256 low, uint256 high) internal view {
        assertEq(oracle.priceForRisk(ASSET, true), low, "long adding risk: lower");
        assertEq(oracle.priceForRisk(ASSET, false), high, "short adding risk: higher");
        assertEq(oracle.priceForReduce(ASSET, true), low, "long reducing: lower");
        assertEq(oracle.priceForReduce(ASSET, false), high, "short reducing: higher");
        assertEq(oracle.priceForLiquidation(ASSET, true), high, "long liquidated: higher");
        assertEq(oracle.priceForLiquidation(ASSET, false), low, "short liquidated: lower");
        _assertBounds(IOracleAggregator.Action.AddRisk, low, high, "priceBounds");
    }

    /// @dev `priceBounds(ASSET, action)` is (`low`, `high`); `message` names the check.
    function _assertBounds(IOracleAggregator.Action action, uint256 low, uint256 high, string memory message)
        internal
        view
    {
        (uint256 l, uint256 h) = oracle.priceBounds(ASSET, action);
        assertEq(l, low, string.concat(message, " low"));
        assertEq(h, high, string.concat(message, " high"));
    }

    function _unavailable(IOracleAggregator.Action action, IOracleAggregator.Status s)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSelector(IOracleAggregator.PriceUnavailable.selector, ASSET, action, s);
    }

    /// @dev ASSET's policy price for `action` (AddRisk, Reduce or Liquidate) on the side `isLong` reverts
    /// PriceUnavailable(ASSET, action, s).
    function _expectUnpriced(IOracleAggregator.Action action, bool isLong, IOracleAggregator.Status s) internal {
        vm.expectRevert(_unavailable(action, s));
        if (action == IOracleAggregator.Action.AddRisk) oracle.priceForRisk(ASSET, isLong);
        else if (action == IOracleAggregator.Action.Reduce) oracle.priceForReduce(ASSET, isLong);
        else oracle.priceForLiquidation(ASSET, isLong);
    }

    /// @dev `priceBounds(ASSET, action)` reverts PriceUnavailable(ASSET, action, s).
    function _expectBoundsUnpriced(IOracleAggregator.Action action, IOracleAggregator.Status s) internal {
        vm.expectRevert(_unavailable(action, s));
        oracle.priceBounds(ASSET, action);
    }
}
