// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {OracleConfigBase} from "../utils/OracleConfigBase.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";

/// @title OracleSetAssetConfigTest
/// @notice `OracleAggregator.setAssetConfig`: bounds of an asset's configuration and the ring on a resize (fixture: OracleConfigBase).
contract OracleSetAssetConfigTest is OracleConfigBase {
    /// @notice No sources reverts InvalidSourceCount(0, 8); nine reverts InvalidSourceCount(9, 8); eight are listed.
    function test_setAssetConfig__sourceCountOutOfRange__reverts() public {
        IOracleAggregator.AssetConfig memory config = _config(_two(feedA, feedB), 1);
        config.sources = new IOracleAggregator.SourceConfig[](0);
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidSourceCount(uint256,uint256)", 0, 8));

        AggregatorV3Interface[] memory nine = new AggregatorV3Interface[](9);
        for (uint256 i = 0; i < 9; ++i) {
            nine[i] = _newFeed(18, P);
        }
        _expectConfigRevert(_config(nine, 1), abi.encodeWithSignature("InvalidSourceCount(uint256,uint256)", 9, 8));

        AggregatorV3Interface[] memory eight = new AggregatorV3Interface[](8);
        for (uint256 i = 0; i < 8; ++i) {
            eight[i] = nine[i];
        }
        _list(ASSET, _config(eight, 8));
        assertEq(oracle.getAssetConfig(ASSET).sources.length, 8, "eight sources listed");
        assertEq(oracle.update(ASSET).median, P, "median of eight");
    }

    /// @notice Quorum 0 reverts InvalidQuorum(0, 2), quorum 3 of 2 sources InvalidQuorum(3, 2); quorum 2 is listed.
    function test_setAssetConfig__quorumOutOfRange__reverts() public {
        _expectConfigRevert(
            _config(_two(feedA, feedB), 0), abi.encodeWithSignature("InvalidQuorum(uint8,uint256)", 0, 2)
        );
        _expectConfigRevert(
            _config(_two(feedA, feedB), 3), abi.encodeWithSignature("InvalidQuorum(uint8,uint256)", 3, 2)
        );
        _list(ASSET, _config(_two(feedA, feedB), 2));
        assertEq(uint256(oracle.getAssetConfig(ASSET).quorum), 2, "quorum 2 of 2 listed");
    }

    /// @notice A dispersion or deviation bound of 0 or 10,001 bps reverts InvalidBps(value); 10,000 (100 %) and 1 are
    /// listed.
    function test_setAssetConfig__bpsOutOfRange__reverts() public {
        IOracleAggregator.AssetConfig memory config = _config(_two(feedA, feedB), 1);
        config.maxDispersionBps = 0;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidBps(uint16)", 0));
        config.maxDispersionBps = 10_001;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidBps(uint16)", 10_001));
        config.maxDispersionBps = 10_000;
        config.maxDeviationBps = 0;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidBps(uint16)", 0));
        config.maxDeviationBps = 10_001;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidBps(uint16)", 10_001));
        config.maxDeviationBps = 10_000;
        _list(ASSET, config);
        IOracleAggregator.AssetConfig memory stored = oracle.getAssetConfig(ASSET);
        assertEq(uint256(stored.maxDispersionBps), 10_000, "dispersion bound of 100 % listed");
        assertEq(uint256(stored.maxDeviationBps), 10_000, "deviation bound of 100 % listed");
        (config.maxDispersionBps, config.maxDeviationBps) = (1, 1);
        _list(OTHER_ASSET, config);
        stored = oracle.getAssetConfig(OTHER_ASSET);
        assertEq(uint256(stored.maxDispersionBps), 1, "dispersion bound of 1 bps listed");
        assertEq(uint256(stored.maxDeviationBps), 1, "deviation bound of 1 bps listed");
    }

    /// @notice A TWAP window one second under the minimum reverts WindowTooShort(599, 600); the minimum is listed.
    function test_setAssetConfig__windowBelowMinimum__reverts() public {
        IOracleAggregator.AssetConfig memory config = _config(_two(feedA, feedB), 1);
        config.twapWindow = MIN_WINDOW - 1;
        _expectConfigRevert(
            config, abi.encodeWithSignature("WindowTooShort(uint32,uint32)", MIN_WINDOW - 1, MIN_WINDOW)
        );
        config.twapWindow = MIN_WINDOW;
        _list(ASSET, config);
        assertEq(uint256(oracle.getAssetConfig(ASSET).twapWindow), MIN_WINDOW, "minimum window listed");
    }

    /// @notice A ring of 0, 1, 2 or 513 slots reverts InvalidBufferSize(size, 3, 512); 3 and 512 are listed.
    function test_setAssetConfig__bufferSizeOutOfRange__reverts() public {
        IOracleAggregator.AssetConfig memory config = _config(_two(feedA, feedB), 1);
        config.bufferSize = 0;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidBufferSize(uint16,uint16,uint16)", 0, 3, 512));
        config.bufferSize = 1;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidBufferSize(uint16,uint16,uint16)", 1, 3, 512));
        config.bufferSize = 2;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidBufferSize(uint16,uint16,uint16)", 2, 3, 512));
        config.bufferSize = 513;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidBufferSize(uint16,uint16,uint16)", 513, 3, 512));
        config.bufferSize = 3;
        _list(ASSET, config);
        config.bufferSize = 512;
        _list(OTHER_ASSET, config);
        assertEq(uint256(oracle.getAssetConfig(ASSET).bufferSize), 3, "3 slots listed");
        assertEq(uint256(oracle.getAssetConfig(OTHER_ASSET).bufferSize), 512, "512 slots listed");
    }

    /// @notice A maximum price age of 0 or 2^24 s reverts InvalidMaxPriceAge(age); 2^24 - 1 is listed.
    function test_setAssetConfig__maxPriceAgeOutOfRange__reverts() public {
        IOracleAggregator.AssetConfig memory config = _config(_two(feedA, feedB), 1);
        config.maxPriceAge = 0;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidMaxPriceAge(uint32)", 0));
        config.maxPriceAge = 1 << 24;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidMaxPriceAge(uint32)", 1 << 24));
        config.maxPriceAge = (1 << 24) - 1;
        _list(ASSET, config);
        assertEq(uint256(oracle.getAssetConfig(ASSET).maxPriceAge), (1 << 24) - 1, "largest age listed");
    }

    /// @notice A zero feed reverts InvalidFeed(1, 0); a feed listed twice reverts InvalidFeed(1, feed); two distinct
    /// feeds are listed.
    function test_setAssetConfig__zeroOrDuplicateFeed__reverts() public {
        IOracleAggregator.AssetConfig memory config = _config(_two(feedA, feedB), 1);
        config.sources[1].feed = address(0);
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidFeed(uint256,address)", 1, address(0)));
        config = _config(_two(feedA, feedA), 1);
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidFeed(uint256,address)", 1, address(feedA)));
        _list(ASSET, _config(_two(feedA, feedB), 1));
        IOracleAggregator.AssetConfig memory stored = oracle.getAssetConfig(ASSET);
        assertEq(stored.sources[0].feed, address(feedA), "first feed");
        assertEq(stored.sources[1].feed, address(feedB), "second feed");
    }

    /// @notice A zero heartbeat reverts InvalidHeartbeat(0, 0); a heartbeat of 1 s is listed.
    function test_setAssetConfig__zeroHeartbeat__reverts() public {
        IOracleAggregator.AssetConfig memory config = _config(_one(feedB), 1);
        config.sources[0].heartbeat = 0;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidHeartbeat(uint256,uint32)", 0, 0));
        config.sources[0].heartbeat = 1;
        _list(ASSET, config);
        assertEq(uint256(oracle.getAssetConfig(ASSET).sources[0].heartbeat), 1, "heartbeat of 1 s listed");
    }

    /// @notice minAnswer 0 reverts InvalidBounds(0, 0, max), minAnswer above maxAnswer InvalidBounds(0, 5, 4); min ==
    /// max is listed.
    function test_setAssetConfig__emptyOrZeroBounds__reverts() public {
        IOracleAggregator.AssetConfig memory config = _config(_one(feedB), 1);
        uint128 max = config.sources[0].maxAnswer;
        config.sources[0].minAnswer = 0;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidBounds(uint256,uint128,uint128)", 0, 0, max));
        (config.sources[0].minAnswer, config.sources[0].maxAnswer) = (5, 4);
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidBounds(uint256,uint128,uint128)", 0, 5, 4));
        (config.sources[0].minAnswer, config.sources[0].maxAnswer) = (uint128(P), uint128(P));
        _list(ASSET, config);
        assertEq(oracle.update(ASSET).median, P, "answer equal to min == max counted");
    }

    /// @notice A 37-decimal feed reverts InvalidDecimals(0, 37) (its bounds would pass the normalization check); a
    /// 36-decimal feed is listed and normalized.
    function test_setAssetConfig__decimalsAbove36__reverts() public {
        MockFeed wide = _newFeed(37, P);
        IOracleAggregator.AssetConfig memory config = _config(_one(wide), 1);
        (config.sources[0].minAnswer, config.sources[0].maxAnswer) = (1e19, 1e38);
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidDecimals(uint256,uint8)", 0, 37));
        // 100 USD at 36 decimals is 1e38, inside the widest bound a uint128 holds.
        MockFeed wide36 = _newFeed(36, 100e18);
        _list(ASSET, _config(_one(wide36), 1));
        assertEq(oracle.update(ASSET).median, 100e18, "36 decimals normalized");
    }

    /// @notice A minAnswer that normalizes to 0 (99 at 20 decimals) or a maxAnswer that normalizes above uint96 (at 18
    /// decimals) reverts InvalidBounds(0, min, max); 100 at 20 decimals and uint96 max at 18 are listed.
    function test_setAssetConfig__boundsNormalizeOutOfRange__reverts() public {
        MockFeed feed20 = _newFeed(20, P);
        IOracleAggregator.AssetConfig memory config = _config(_one(feed20), 1);
        uint128 max20 = config.sources[0].maxAnswer;
        config.sources[0].minAnswer = 99;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidBounds(uint256,uint128,uint128)", 0, 99, max20));
        config.sources[0].minAnswer = 100;
        _list(ASSET, config);

        config = _config(_one(feedB), 1);
        uint128 tooHigh = uint128(type(uint96).max) + 1;
        config.sources[0].maxAnswer = tooHigh;
        _expectConfigRevert(config, abi.encodeWithSignature("InvalidBounds(uint256,uint128,uint128)", 0, 1, tooHigh));
        config.sources[0].maxAnswer = type(uint96).max;
        _list(OTHER_ASSET, config);
        assertEq(uint256(oracle.getAssetConfig(ASSET).sources[0].minAnswer), 100, "min 100 at 20 decimals listed");
        assertEq(uint256(oracle.getAssetConfig(OTHER_ASSET).sources[0].maxAnswer), type(uint96).max, "uint96 max");
    }

    /// @notice Reconfiguring with the same buffer size keeps the ring (newest 1, count 2); a new size restarts it (0,
    /// 0) and is stored.
    function test_setAssetConfig__sameBufferSize__keepsTheRing() public {
        IOracleAggregator.AssetConfig memory config = _config(_one(feedB), 1);
        _list(ASSET, config);
        assertEq(uint256(oracle.getAssetConfig(ASSET).bufferSize), BUFFER_SIZE, "size stored on listing");
        oracle.update(ASSET);
        vm.warp(T0 + 60);
        feedB.setAnswer(int256(P));
        oracle.update(ASSET);
        _assertRing(ASSET, 1, 2, "two observations");

        config.sources[0].heartbeat = HEARTBEAT / 2;
        _list(ASSET, config);
        _assertRing(ASSET, 1, 2, "same size: ring kept");
        assertEq(uint256(oracle.getAssetConfig(ASSET).sources[0].heartbeat), HEARTBEAT / 2, "reconfigured");

        config.bufferSize = 32;
        _list(ASSET, config);
        _assertRing(ASSET, 0, 0, "new size: ring restarted");
        assertEq(uint256(oracle.getAssetConfig(ASSET).bufferSize), 32, "new size stored");
    }

    /// @notice Listing pre-fills exactly the ring's slots with (1, 0); growing the ring again later leaves a slot that
    /// still holds a real observation untouched.
    function test_setAssetConfig__resize__prefillsOnlyEmptySlots() public {
        IOracleAggregator.AssetConfig memory config = _config(_one(feedB), 1);
        config.bufferSize = 5;
        _list(ASSET, config);
        _assertObservation(ASSET, 0, 1, 0, "slot 0 pre-filled");
        _assertObservation(ASSET, 4, 1, 0, "slot 4 pre-filled");
        _assertObservation(ASSET, 5, 0, 0, "slot 5 outside the ring");
        for (uint256 i = 0; i < 5; ++i) {
            vm.warp(T0 + 100 * i);
            feedB.setAnswer(int256(P));
            oracle.update(ASSET);
        }
        _assertRing(ASSET, 4, 5, "five observations");
        _assertObservation(ASSET, 3, T0 + 300, 300 * P, "slot 3 observed");

        config.bufferSize = 3;
        _list(ASSET, config);
        config.bufferSize = 5;
        _list(ASSET, config);
        _assertRing(ASSET, 0, 0, "ring restarted");
        _assertObservation(ASSET, 3, T0 + 300, 300 * P, "slot 3 not overwritten by the pre-fill");
        _assertObservation(ASSET, 4, T0 + 400, 400 * P, "slot 4 not overwritten by the pre-fill");
    }
}
