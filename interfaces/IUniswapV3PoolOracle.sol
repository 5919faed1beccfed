// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IUniswapV3PoolOracle
/// @notice The part of a Uniswap v3 pool that the UniswapV3TwapAdapter reads.
interface IUniswapV3PoolOracle {
    /// @notice The pool's first token (the lower address).
    function token0() external view returns (address);

    /// @notice The pool's second token.
    function token1() external view returns (address);

    /// @notice Cumulative tick and seconds-per-liquidity values as of each `secondsAgos` from now.
    function observe(uint32[] calldata secondsAgos)
        external
        view
        returns (int56[] memory tickCumulatives, uint160[] memory secondsPerLiquidityCumulativeX128s);
}
