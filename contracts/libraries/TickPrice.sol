// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title TickPrice
/// @notice Prices from Uniswap v3 ticks, from the definition: the price of token0 in token1 (raw units) at tick `t`
/// is 1.0001^t.
/// @dev 1.0001^|t| is computed by binary exponentiation on 36-decimal fixed point: the factors 1.0001^(2^k) are
/// squared from 1.0001 at run time, each product rounded down by `Math.mulDiv` (a relative error below 1e-36 per
/// product; at most 40 products, and each squaring at most doubles the relative error carried so far, so the result
/// is within about 2^21 * 1e-36 of the exact power). A negative tick is the reciprocal.
library TickPrice {
    /// @notice The largest |tick| Uniswap v3 allows.
    int24 internal constant MAX_TICK = 887_272;
    /// @notice 1 in the 36-decimal fixed point used here.
    uint256 internal constant ONE = 1e36;
    /// @dev 1.0001 in 36 decimals.
    uint256 private constant BASE = 1.0001e36;

    /// @notice A tick outside [-MAX_TICK, MAX_TICK].
    error TickOutOfRange(int256 tick);

    /// @notice 1.0001^`tick`, 36 decimals (rounded down; 0 for ticks below about -829,000).
    function ratioAtTick(int256 tick) internal pure returns (uint256 ratio) {
        if (tick < -MAX_TICK || tick > MAX_TICK) revert TickOutOfRange(tick);
        uint256 n = tick < 0 ? uint256(-tick) : uint256(tick);
        ratio = ONE;
        uint256 factor = BASE;
        while (n > 0) {
            if (n & 1 == 1) ratio = Math.mulDiv(ratio, factor, ONE);
            n >>= 1;
            if (n > 0) factor = Math.mulDiv(factor, factor, ONE);
        }
        if (tick < 0) ratio = Math.mulDiv(ONE, ONE, ratio);
    }

    /// @notice The price of one whole base token in whole quote tokens, 18 decimals, at `tick` of a pool where the base
    /// token is token0 (`baseIsToken0`) or token1.
    function priceAtTick(int256 tick, bool baseIsToken0, uint8 baseDecimals, uint8 quoteDecimals)
        internal
        pure
        returns (uint256)
    {
        // token1 per token0 is 1.0001^tick, so token0 per token1 is 1.0001^-tick (raw units). A whole base token is
        // 10^baseDecimals raw units; a whole quote token 10^quoteDecimals.
        uint256 ratio = ratioAtTick(baseIsToken0 ? tick : -tick);
        return Math.mulDiv(ratio, 10 ** baseDecimals, 10 ** (uint256(quoteDecimals) + 18));
    }
}
