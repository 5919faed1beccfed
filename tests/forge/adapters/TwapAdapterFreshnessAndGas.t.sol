// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {UniswapV3TwapAdapter} from "../../../contracts/oracles/adapters/UniswapV3TwapAdapter.sol";
import {UniswapPoolBase} from "./UniswapPoolBase.sol";

/// @title TwapAdapterFreshnessAndGasTest
/// @notice The Uniswap v3 TWAP source: its read gas against the aggregator's per-source limit as the pool's
/// observation cardinality grows (anyone may grow it), and the freshness it reports for a pool nobody trades.
contract TwapAdapterFreshnessAndGasTest is UniswapPoolBase {
    uint32 internal constant WINDOW = 1800;

    function _adapter(AggregatorV3Interface quote) internal returns (UniswapV3TwapAdapter) {
        return UniswapV3TwapAdapter(
            _deploy(
                "UniswapV3TwapAdapter.sol:UniswapV3TwapAdapter",
                abi.encode(pool, address(weth), WINDOW, uint128(0), quote, "WETH / USD (Uniswap TWAP)")
            )
        );
    }

    /// @dev A pool of `cardinality` observation slots, `swaps` swaps a minute apart, an adapter with a USDC/USD quote
    /// feed; the cold gas of one `latestRoundData` at a time whose window start falls inside the history.
    function _coldReadGas(uint16 cardinality, uint256 swaps)
        internal
        returns (uint256 used, UniswapV3TwapAdapter adapter)
    {
        _deployOracle();
        _deployPool(cardinality);
        MockV3Aggregator usdcUsd = _mockAggregator(8, 1e8);
        adapter = _adapter(AggregatorV3Interface(address(usdcUsd)));
        for (uint256 i = 1; i <= swaps; ++i) {
            vm.warp(T0 + i * 60);
            _swapToPrice(i % 2 == 0 ? 2_000e18 : 1_990e18);
        }
        vm.warp(T0 + (swaps + 1) * 60);
        usdcUsd.updateAnswer(1e8);
        vm.cool(address(adapter));
        vm.cool(address(pool));
        vm.cool(address(usdcUsd));
        adapter.latestRoundData();
        used = vm.lastCallGas().gasTotalUsed;
    }

    /// @notice The read gas grows with the pool's cardinality, which anyone may raise: a filled ring of 4,000 swaps
    /// (`observe` binary-searches 12 levels of cold slots) with a cheap mock quote feed leaves a thin margin below
    /// SOURCE_GAS_LIMIT (a real Chainlink proxy as quote feed costs several thousand more).
    function test_TwapReadGasGrowsWithCardinalityWithinSourceLimit() public {
        (uint256 small,) = _coldReadGas(100, 50);
        emit log_named_uint("TWAP + quote read gas, cardinality 100, 50 swaps", small);
        (uint256 large,) = _coldReadGas(4_000, 4_000);
        emit log_named_uint("TWAP + quote read gas, cardinality 4,000, filled", large);
        assertGt(large, small + 10_000, "grows with the cardinality");
        assertLt(large, oracle.SOURCE_GAS_LIMIT(), "still within the source gas limit");
    }

    /// @notice A pool nobody has traded for 30 days: the TWAP is its last price, stamped with the pool's newest
    /// observation, so the aggregator's heartbeat turns the asset Stale; a trade makes it fresh again.
    function test_IdlePoolTwapIsStampedWithLastObservationAndGoesStale() public {
        _deployOracle();
        _deployPool(100);
        UniswapV3TwapAdapter adapter = _adapter(AggregatorV3Interface(address(0)));
        vm.warp(T0 + 30 days);
        (, int256 answer,, uint256 updatedAt,) = adapter.latestRoundData();
        assertEq(updatedAt, T0, "stamped with the last observation");
        assertApproxEqRel(uint256(answer), 2_000e18, 1e14, "the month-old price, reported");
        _list(ASSET, _config(_one(AggregatorV3Interface(address(adapter))), 1));
        vm.expectEmit(true, true, false, true, address(oracle));
        emit IOracleAggregator.SourceExcluded(ASSET, address(adapter), IOracleAggregator.Exclusion.Stale, answer, T0);
        IOracleAggregator.PriceData memory data = oracle.update(ASSET);
        assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Stale), "Stale");

        _swapToPrice(2_010e18);
        (,,, updatedAt,) = adapter.latestRoundData();
        assertEq(updatedAt, block.timestamp, "a trade stamps it now");
        vm.warp(block.timestamp + 1);
        data = oracle.update(ASSET);
        assertEq(uint256(data.status), uint256(IOracleAggregator.Status.Ok), "fresh again");
    }
}
