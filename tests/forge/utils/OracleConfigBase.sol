// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {OracleFixture} from "./OracleFixture.sol";

/// @title OracleConfigBase
/// @notice An OracleAggregator with two feeds (feedA, feedB) for ASSET, for the governance side: every bound
/// `setAssetConfig` checks (the exact custom error with its arguments, and the accepted boundary), the ring buffer on
/// a resize, the constructor, `setFrozen`, `getAssetConfig` and the views of an unlisted asset.
abstract contract OracleConfigBase is OracleFixture {
    /// @dev 8 decimals.
    MockFeed internal feedA;

    /// @dev 18 decimals.
    MockFeed internal feedB;

    function setUp() public virtual {
        _deployOracle();
        feedA = _newFeed(8, P);
        feedB = _newFeed(18, P);
    }

    function _expectConfigRevert(IOracleAggregator.AssetConfig memory config, bytes memory err) internal {
        vm.expectRevert(err);
        oracle.setAssetConfig(ASSET, config);
    }

    /// @dev ASSET's stored configuration is `want`, field by field.
    function _assertStoredConfig(IOracleAggregator.AssetConfig memory want) internal view {
        IOracleAggregator.AssetConfig memory stored = oracle.getAssetConfig(ASSET);
        assertEq(stored.sources.length, want.sources.length, "sources");
        for (uint256 i = 0; i < want.sources.length; ++i) {
            assertEq(stored.sources[i].feed, want.sources[i].feed, "feed");
            assertEq(uint256(stored.sources[i].heartbeat), want.sources[i].heartbeat, "heartbeat");
            assertEq(uint256(stored.sources[i].minAnswer), want.sources[i].minAnswer, "minAnswer");
            assertEq(uint256(stored.sources[i].maxAnswer), want.sources[i].maxAnswer, "maxAnswer");
        }
        assertEq(uint256(stored.quorum), want.quorum, "quorum");
        assertEq(uint256(stored.maxDispersionBps), want.maxDispersionBps, "dispersion");
        assertEq(uint256(stored.maxDeviationBps), want.maxDeviationBps, "deviation");
        assertEq(uint256(stored.twapWindow), want.twapWindow, "window");
        assertEq(uint256(stored.maxPriceAge), want.maxPriceAge, "max age");
        assertEq(uint256(stored.bufferSize), want.bufferSize, "buffer size");
    }

    function _assertRing(address asset, uint256 newest, uint256 count, string memory message) internal view {
        (uint16 n, uint16 c) = oracle.observationState(asset);
        assertEq(uint256(n), newest, message);
        assertEq(uint256(c), count, message);
    }

    function _assertObservation(address asset, uint256 index, uint256 ts, uint256 cumulative, string memory message)
        internal
        view
    {
        IOracleAggregator.Observation memory o = oracle.observation(asset, index);
        assertEq(uint256(o.timestamp), ts, message);
        assertEq(uint256(o.cumulative), cumulative, message);
    }
}
