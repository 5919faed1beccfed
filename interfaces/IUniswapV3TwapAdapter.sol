// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {IUniswapV3PoolOracle} from "./IUniswapV3PoolOracle.sol";

/// @title IUniswapV3TwapAdapter
/// @notice An OracleAggregator source that reads the time-weighted average tick of a Uniswap v3 pool over `window`
/// seconds ending now (`observe`), and reports the base token's price in 18 decimals: in the quote token, times the
/// quote token's USD price when a quote feed is set (else the quote token counts as 1 USD). The answer is stamped
/// with the pool's newest observation (its last trade or liquidity change), or the quote feed's round if older, so
/// the aggregator's heartbeat turns a pool nobody trades Stale.
/// @dev A swap moves the pool's spot price at once but the average only by its share of the window: to move the TWAP
/// by a factor f for the whole window, an attacker holds the spot at f for `window` seconds against arbitrage. The
/// harmonic-mean in-range liquidity over the window must be at least `minLiquidity` (a thin pool is refused). The
/// pool must keep enough observations for the window (`increaseObservationCardinalityNext`), else `observe` reverts
/// and the OracleAggregator excludes the source.
interface IUniswapV3TwapAdapter is AggregatorV3Interface {
    /// @notice The base token is not one of the pool's tokens, the pool or base is zero, or the window is zero.
    error InvalidTwapConfig(address pool, address base, uint32 window);
    /// @notice A token reports more than 36 decimals.
    error UnsupportedDecimals(uint8 decimals);
    /// @notice The harmonic-mean in-range liquidity over the window, `liquidity`, is below `minLiquidity`.
    error LiquidityTooLow(uint256 liquidity, uint256 minLiquidity);
    /// @notice The TWAP price rounds to zero.
    error ZeroPrice(int24 tick);
    /// @notice The quote feed's round `roundId` was never answered (`updatedAt` 0).
    error UnansweredQuote(uint80 roundId);
    /// @notice The quote feed's answer is zero or negative.
    error NonPositiveQuote(int256 answer);
    /// @notice The quote feed's answer is stamped `updatedAt`, after the block's `timestamp`.
    error FutureQuote(uint256 updatedAt, uint256 timestamp);

    /// @notice The pool read.
    function pool() external view returns (IUniswapV3PoolOracle);

    /// @notice The token priced.
    function base() external view returns (address);

    /// @notice Seconds averaged over.
    function window() external view returns (uint32);

    /// @notice The quote token's USD feed (zero: the quote token is taken at 1 USD).
    function quoteFeed() external view returns (AggregatorV3Interface);

    /// @notice The arithmetic-mean tick over the window ending now (rounded toward negative infinity).
    function twapTick() external view returns (int24);

    /// @notice The harmonic-mean in-range liquidity over the window ending now.
    function meanLiquidity() external view returns (uint256);
}
