// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {BaseTest} from "../utils/BaseTest.sol";

/// @title AdapterOracleBase
/// @notice An OracleAggregator for the adapter tests (admin: the test, guardian: `GUARDIAN`), asset configurations
/// with test defaults, and the mocks the tests deploy many of.
/// @dev The aggregator and the larger mocks are deployed from their compiled artifacts (BaseTest's `_deploy`).
abstract contract AdapterOracleBase is BaseTest {
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
    address internal constant ASSET = address(0xA55E7);

    OracleAggregator internal oracle;

    function _deployOracle() internal {
        vm.warp(T0);
        oracle = OracleAggregator(
            _deploy("OracleAggregator.sol:OracleAggregator", abi.encode(address(this), GUARDIAN, MIN_WINDOW))
        );
        vm.label(address(oracle), "oracle");
    }

    /// @notice Chainlink's MockV3Aggregator (from @chainlink/contracts) with `decimals` answering `answer`.
    function _mockAggregator(uint8 decimals, int256 answer) internal returns (MockV3Aggregator) {
        return MockV3Aggregator(_deploy("MockV3Aggregator.sol:MockV3Aggregator", abi.encode(decimals, answer)));
    }

    function _mockToken(string memory name, string memory symbol, uint8 decimals) internal returns (MockERC20) {
        return MockERC20(_deploy("MockERC20.sol:MockERC20", abi.encode(name, symbol, decimals)));
    }

    /// @notice Defaults for `feeds`: the widest bounds the oracle accepts for each feed's decimals, `HEARTBEAT`, the
    /// constants above.
    function _config(AggregatorV3Interface[] memory feeds, uint8 quorum)
        internal
        view
        returns (IOracleAggregator.AssetConfig memory config)
    {
        config.sources = new IOracleAggregator.SourceConfig[](feeds.length);
        for (uint256 i = 0; i < feeds.length; ++i) {
            uint8 d = feeds[i].decimals();
            uint128 minAnswer = d <= 18 ? 1 : uint128(10 ** (d - 18));
            uint256 maxAnswer = d <= 18 ? type(uint96).max / 10 ** (18 - d) : type(uint96).max * 10 ** (d - 18);
            if (maxAnswer > type(uint128).max) maxAnswer = type(uint128).max;
            config.sources[i] =
                IOracleAggregator.SourceConfig(address(feeds[i]), HEARTBEAT, minAnswer, uint128(maxAnswer));
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

    function _list(address asset, IOracleAggregator.AssetConfig memory config) internal {
        oracle.setAssetConfig(asset, config);
    }
}
