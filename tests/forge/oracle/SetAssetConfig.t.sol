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

    /// @notice A valid configuration (explicit heartbeats and bounds per source, quorum 2, 250 / 750 bps, a 1,200 s
    /// window, a 1,800 s maximum age, 32 slots) emits AssetConfigured(asset, config), is stored field by field, and
    /// starts with an empty ring.
    function test_setAssetConfig__valid__storesTheConfigAndEmits() public {
        IOracleAggregator.AssetConfig memory config = _config(_two(feedA, feedB), 2);
        config.sources[0] = IOracleAggregator.SourceConfig(address(feedA), 900, 100e8, 10_000e8);
        config.sources[1] = IOracleAggregator.SourceConfig(address(feedB), 86_400, 1, 50_000e18);
        (config.maxDispersionBps, config.maxDeviationBps) = (250, 750);
        (config.twapWindow, config.maxPriceAge, config.bufferSize) = (1_200, 1_800, 32);

        vm.expectEmit(true, false, false, true, address(oracle));
        emit IOracleAggregator.AssetConfigured(ASSET, config);
        oracle.setAssetConfig(ASSET, config);

        assertEq(oracle.getAssetConfig(ASSET).sources.length, 2, "two sources");
        _assertStoredConfig(config);
        _assertRing(ASSET, 0, 0, "listing records no observation");
    }

    /// @notice Listed but never updated: getPriceData is (0, 0, Stale, 0), twap(minimum window) is 0, and a
    /// liquidation price reverts PriceUnavailable(asset, Liquidate, Stale).
    function test_setAssetConfig__listedNeverUpdated__staleWithoutPrice() public {
        _list(ASSET, _config(_one(feedA), 1));
        IOracleAggregator.PriceData memory data = oracle.getPriceData(ASSET);
        assertEq(data.median, 0, "median");
        assertEq(data.twap, 0, "twap");
        assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Stale), "status");
        assertEq(data.updatedAt, 0, "updatedAt");
        assertEq(oracle.twap(ASSET, MIN_WINDOW), 0, "twap(minimum window)");
        _expectUnpriced(IOracleAggregator.Action.Liquidate, true, IOracleAggregator.Status.Stale);
    }

    /// @notice The guardian, a keeper and a stranger revert AccessControlUnauthorizedAccount(caller,
    /// DEFAULT_ADMIN_ROLE); nothing is listed.
    function test_setAssetConfig__callerWithoutAdminRole__reverts() public {
        address[3] memory callers = [GUARDIAN, address(0x4444), address(0x5555)];
        IOracleAggregator.AssetConfig memory config = _config(_one(feedA), 1);
        for (uint256 i = 0; i < callers.length; ++i) {
            _expectUnauthorized(callers[i], oracle.DEFAULT_ADMIN_ROLE());
            oracle.setAssetConfig(ASSET, config);
        }
        vm.expectRevert(abi.encodeWithSignature("AssetNotListed(address)", ASSET));
        oracle.getAssetConfig(ASSET);
    }

    /// @notice An 8-decimal source whose maxAnswer is the largest answer that normalizes into a uint96
    /// (floor((2^96 - 1) / 1e10)) is listed, and that answer is priced: median answer * 1e10, status Ok.
    function test_setAssetConfig__maxAtTheLargestStorablePrice__acceptedAndPriced() public {
        uint256 largest = type(uint96).max / 1e10;
        feedA.setAnswer(int256(largest));
        IOracleAggregator.AssetConfig memory config = _config(_one(feedA), 1);
        config.sources[0] = IOracleAggregator.SourceConfig(address(feedA), HEARTBEAT, 1, uint128(largest));
        _list(ASSET, config);
        vm.warp(T0 + 60);
        feedA.setAnswer(int256(largest));
        oracle.update(ASSET);
        assertEq(oracle.median(ASSET), largest * 1e10, "median of the largest answer");
        assertEq(uint256(oracle.status(ASSET)), uint256(IOracleAggregator.Status.Ok), "status");
    }

    /// @notice Reconfiguring with the same buffer size (a new 900 s window) keeps the ring (newest 1, count 2) and
    /// its cumulative: the next update 1,200 s after the first records 1,200 P.
    function test_setAssetConfig__sameBufferSize__cumulativeRunsOn() public {
        IOracleAggregator.AssetConfig memory config = _listWithTwoObservations(P);

        config.twapWindow = 900;
        _list(ASSET, config);
        _assertRing(ASSET, 1, 2, "same size: ring kept");
        assertEq(uint256(oracle.getAssetConfig(ASSET).twapWindow), 900, "new window stored");

        vm.warp(T0 + 1_200);
        feedB.setAnswer(int256(P));
        _expectPriceUpdated(ASSET, P, P, 1_200 * P, 1, IOracleAggregator.Status.Ok);
        oracle.update(ASSET);
    }

    /// @notice A new buffer size restarts the ring (0, 0) but keeps the stored median Q; with no history twap() is Q;
    /// the next update stores TWAP = median Q with cumulative 0 and starts the ring at slot 0 with (now, 0).
    function test_setAssetConfig__newBufferSize__restartsTheRingKeepingThePrice() public {
        uint256 q = P * 105 / 100;
        IOracleAggregator.AssetConfig memory config = _listWithTwoObservations(q);

        config.bufferSize = 8;
        _list(ASSET, config);
        _assertRing(ASSET, 0, 0, "new size: ring restarted");
        assertEq(oracle.median(ASSET), q, "the stored median survives a reconfiguration");
        vm.warp(T0 + 1_200);
        assertEq(oracle.twap(ASSET, MIN_WINDOW), q, "no history: twap() is the stored median");

        vm.warp(T0 + 1_800);
        feedB.setAnswer(int256(q));
        _expectPriceUpdated(ASSET, q, q, 0, 1, IOracleAggregator.Status.Ok);
        oracle.update(ASSET);
        _assertRing(ASSET, 0, 1, "restarted ring holds one observation");
        _assertObservation(ASSET, 0, T0 + 1_800, 0, "slot 0 holds (now, 0)");
    }

    /// @dev ASSET listed on feedB alone and updated at listing and 600 s later at `second`: a ring of two
    /// observations (checked). Returns the configuration, for the test to change and list again.
    function _listWithTwoObservations(uint256 second) internal returns (IOracleAggregator.AssetConfig memory config) {
        config = _config(_one(feedB), 1);
        _list(ASSET, config);
        oracle.update(ASSET);
        vm.warp(T0 + 600);
        feedB.setAnswer(int256(second));
        oracle.update(ASSET);
        _assertRing(ASSET, 1, 2, "two observations");
    }
}
