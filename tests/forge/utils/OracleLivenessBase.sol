// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IErrors} from "../../../interfaces/IErrors.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {EngineFixture} from "./EngineFixture.sol";

/// @title OracleLivenessBase
/// @notice The bench core for the oracle's liveness rules (docs/design.md#liveness): a guardian freeze stops new risk
/// only and expires by itself, and an asset whose price left its feeds' bounds is wound down within a governed time at
/// a price no higher than its market, after which every account holding it is liquidated or absorbed.
abstract contract OracleLivenessBase is EngineFixture {
    MockERC20 internal ltt;

    function setUp() public {
        _deploySeededBenchCore();
        vm.warp(vm.getBlockTimestamp() + LP_COOLDOWN);
        _nextBlock();
    }

    function _status(address asset) internal view returns (IOracleAggregator.Status) {
        return oracle.status(asset);
    }

    /// @dev LTT at 10 USD whose only feed accepts 0.01 USD and up; a pool asset, collateral and market 2.
    function _listLongTail() internal {
        ltt = new MockERC20("LTT", "LTT", 18);
        MockFeed feed = new MockFeed(FEED_DECIMALS, 10e8, "ltt feed");
        IOracleAggregator.AssetConfig memory config = _benchOracleConfig(feed);
        config.sources[0].minAnswer = 1e6; // 0.01 USD: answers below it are not a price
        oracle.setAssetConfig(address(ltt), config);
        oracle.update(address(ltt));
        assets.push(address(ltt));
        feedOf[address(ltt)] = feed;
        pool.listAsset(address(ltt), IPoolTypes.AssetParams(0, 10_000, 0, 0, CAP));
        _listCollateral(address(ltt));
        _listMarket(address(ltt), 1e18);
    }

    /// @dev Restamp every feed but LTT's (so the other assets stay Ok while time passes) and update them.
    function _restampAll() internal {
        for (uint256 i = 0; i < assets.length; ++i) {
            if (assets[i] == address(ltt)) continue;
            MockFeed feed = feedOf[assets[i]];
            feed.setAnswer(feed.answer());
            oracle.update(assets[i]);
        }
    }
}
