// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IUniswapV3PoolOracle
/// @notice The part of a Uniswap v3 pool that the UniswapV3TwapAdapter reads.
interface IUniswapV3PoolOracle {
    /// @notice The pool's first token (the lower address).
    function token0() external view returns (address);

    /// @notice The pool's second token.
    function token1() external view returns (address);

    /// @notice The pool's current state; the adapter reads `observationIndex`, the slot of the newest observation.
    function slot0()
        external
        view
        returns (
            uint160 sqrtPriceX96,
            int24 tick,
            uint16 observationIndex,
            uint16 observationCardinality,
            uint16 observationCardinalityNext,
            uint8 feeProtocol,
            bool unlocked
        );

    /// @notice The observation in slot `index`: written at `blockTimestamp` (the first swap or liquidity change of
    /// a block records one).
    function observations(uint256 index)
        external
        view
        returns (
            uint32 blockTimestamp,
            int56 tickCumulative,
            uint160 secondsPerLiquidityCumulativeX128,
            bool initialized
        );

    /// @notice Cumulative tick and seconds-per-liquidity values as of each `secondsAgos` from now.
    function observe(uint32[] calldata secondsAgos)
        external
        view
        returns (int56[] memory tickCumulatives, uint160[] memory secondsPerLiquidityCumulativeX128s);
}
