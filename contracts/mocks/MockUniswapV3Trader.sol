// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IUniswapV3PoolOracle} from "../../interfaces/IUniswapV3PoolOracle.sol";
import {MockERC20} from "./MockERC20.sol";

/// @notice The Uniswap v3 pool calls the trader makes.
interface IUniswapV3PoolActionsLike {
    function mint(address recipient, int24 tickLower, int24 tickUpper, uint128 amount, bytes calldata data)
        external
        returns (uint256 amount0, uint256 amount1);
    function swap(
        address recipient,
        bool zeroForOne,
        int256 amountSpecified,
        uint160 sqrtPriceLimitX96,
        bytes calldata data
    ) external returns (int256 amount0, int256 amount1);
}

/// @title MockUniswapV3Trader
/// @notice Adds liquidity to and swaps in a Uniswap v3 pool of two MockERC20 tokens, paying the pool in its callbacks
/// by minting what it owes (tests and local networks only: the tokens' mint is open).
contract MockUniswapV3Trader {
    /// @notice A callback came from `caller`, not from the pool being traded.
    error NotActivePool(address caller);

    address private transient _active;

    /// @notice Swapped `amount0` / `amount1` (positive: paid into the pool) in `pool`.
    event Swapped(address indexed pool, int256 amount0, int256 amount1);

    /// @notice Add `amount` of liquidity between the two ticks.
    function addLiquidity(address pool, int24 tickLower, int24 tickUpper, uint128 amount) external {
        _active = pool;
        IUniswapV3PoolActionsLike(pool).mint(address(this), tickLower, tickUpper, amount, "");
        _active = address(0);
    }

    /// @notice Swap as much as it takes to move the pool's price to `sqrtPriceLimitX96`.
    function swapToPrice(address pool, bool zeroForOne, uint160 sqrtPriceLimitX96)
        external
        returns (int256 amount0, int256 amount1)
    {
        _active = pool;
        (amount0, amount1) =
            IUniswapV3PoolActionsLike(pool).swap(address(this), zeroForOne, type(int128).max, sqrtPriceLimitX96, "");
        _active = address(0);
        emit Swapped(pool, amount0, amount1);
    }

    function uniswapV3MintCallback(uint256 amount0, uint256 amount1, bytes calldata) external {
        _pay(amount0, amount1);
    }

    function uniswapV3SwapCallback(int256 amount0, int256 amount1, bytes calldata) external {
        _pay(amount0 > 0 ? uint256(amount0) : 0, amount1 > 0 ? uint256(amount1) : 0);
    }

    function _pay(uint256 amount0, uint256 amount1) private {
        if (msg.sender != _active) revert NotActivePool(msg.sender);
        if (amount0 > 0) MockERC20(IUniswapV3PoolOracle(msg.sender).token0()).mint(msg.sender, amount0);
        if (amount1 > 0) MockERC20(IUniswapV3PoolOracle(msg.sender).token1()).mint(msg.sender, amount1);
    }
}
