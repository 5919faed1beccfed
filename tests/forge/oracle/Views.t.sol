// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {MedianLib} from "../../../contracts/libraries/MedianLib.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {MultiSourceOracleBase} from "../utils/MultiSourceOracleBase.sol";
import {OracleConfigBase} from "../utils/OracleConfigBase.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {GasBurnerFeed, ProxyFeed} from "../utils/TestFeeds.sol";

/// @title OracleViewsMultiSourceTest
/// @notice the OracleAggregator's views of an unlisted asset and of a too short window (fixture: MultiSourceOracleBase).
contract OracleViewsMultiSourceTest is MultiSourceOracleBase {
    function test_views__unlistedAssetOrShortWindow__revert() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.AssetNotListed.selector, ASSET));
        oracle.update(ASSET);
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.AssetNotListed.selector, ASSET));
        oracle.getPriceData(ASSET);
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.AssetNotListed.selector, ASSET));
        oracle.priceForLiquidation(ASSET, true);
        _list(ASSET, _config(_one(feeds[0]), 1));
        vm.expectRevert(abi.encodeWithSelector(IOracleAggregator.WindowTooShort.selector, MIN_WINDOW - 1, MIN_WINDOW));
        oracle.twap(ASSET, MIN_WINDOW - 1);
    }
}

/// @title OracleViewsTest
/// @notice the OracleAggregator's views of an unlisted asset and of a too short window (fixture: OracleConfigBase).
contract OracleViewsTest is OracleConfigBase {
    /// @notice getAssetConfig of an unlisted asset reverts AssetNotListed; of a listed one it returns every field.
    function test_getAssetConfig__unlisted__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("AssetNotListed(address)", ASSET));
        oracle.getAssetConfig(ASSET);
        IOracleAggregator.AssetConfig memory config = _config(_two(feedA, feedB), 2);
        (config.sources[0].minAnswer, config.sources[0].maxAnswer) = (7, 1e12);
        config.sources[1].heartbeat = 90;
        (config.maxDispersionBps, config.maxDeviationBps) = (123, 456);
        (config.twapWindow, config.maxPriceAge, config.bufferSize) = (700, 800, 9);
        _list(ASSET, config);
        _assertStoredConfig(config);
    }

    /// @notice update, median, status, twap, getPriceData and every policy price of an unlisted asset revert
    /// AssetNotListed(asset); once listed (never updated) median is 0 and the status Stale.
    function test_views__unlistedAsset__revertAssetNotListed() public {
        bytes memory notListed = abi.encodeWithSignature("AssetNotListed(address)", ASSET);
        vm.expectRevert(notListed);
        oracle.update(ASSET);
        vm.expectRevert(notListed);
        oracle.median(ASSET);
        vm.expectRevert(notListed);
        oracle.status(ASSET);
        vm.expectRevert(notListed);
        oracle.twap(ASSET, MIN_WINDOW);
        vm.expectRevert(notListed);
        oracle.getPriceData(ASSET);
        vm.expectRevert(notListed);
        oracle.priceForRisk(ASSET, true);
        vm.expectRevert(notListed);
        oracle.priceForReduce(ASSET, false);
        vm.expectRevert(notListed);
        oracle.priceForLiquidation(ASSET, true);
        vm.expectRevert(notListed);
        oracle.priceBounds(ASSET, IOracleAggregator.Action.Reduce);

        _list(ASSET, _config(_one(feedB), 1));
        assertEq(oracle.median(ASSET), 0, "listed, never updated: median 0");
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Stale), "never updated: Stale");
        IOracleAggregator.PriceData memory data = oracle.getPriceData(ASSET);
        assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Stale), "getPriceData: Stale");
        assertEq(data.updatedAt, 0, "never updated");
        assertEq(oracle.twap(ASSET, MIN_WINDOW), 0, "no observation: the (zero) median");
        assertEq(oracle.update(ASSET).median, P, "listed asset updates");
        assertEq(oracle.median(ASSET), P, "median after the update");
    }
}
