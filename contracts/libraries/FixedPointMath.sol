// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title FixedPointMath
/// @notice WAD (1e18) arithmetic and token-unit conversion. Every function names its rounding direction.
library FixedPointMath {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;

    /// @notice floor(x * y / d).
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.mulDiv(x, y, d);
    }

    /// @notice ceil(x * y / d).
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.mulDiv(x, y, d, Math.Rounding.Ceil);
    }

    /// @notice floor(x * y / WAD).
    function mulWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD);
    }

    /// @notice ceil(x * y / WAD).
    function mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD, Math.Rounding.Ceil);
    }

    /// @notice floor(x * bps / 10_000).
    function mulBpsDown(uint256 x, uint256 bps) internal pure returns (uint256) {
        return x * bps / BPS;
    }

    /// @notice ceil(x * bps / 10_000).
    function mulBpsUp(uint256 x, uint256 bps) internal pure returns (uint256) {
        return Math.mulDiv(x, bps, BPS, Math.Rounding.Ceil);
    }

    /// @notice USD value (WAD) of `amount` token units at `price` (WAD USD per whole token), rounded down.
    function toValueDown(uint256 amount, uint256 price, uint8 decimals) internal pure returns (uint256) {
        return Math.mulDiv(amount, price, 10 ** decimals);
    }

    /// @notice USD value (WAD) of `amount` token units at `price`, rounded up.
    function toValueUp(uint256 amount, uint256 price, uint8 decimals) internal pure returns (uint256) {
        return Math.mulDiv(amount, price, 10 ** decimals, Math.Rounding.Ceil);
    }

    /// @notice Token units worth `value` USD at `price`, rounded down.
    function toAmountDown(uint256 value, uint256 price, uint8 decimals) internal pure returns (uint256) {
        return Math.mulDiv(value, 10 ** decimals, price);
    }

    /// @notice Token units worth `value` USD at `price`, rounded up.
    function toAmountUp(uint256 value, uint256 price, uint8 decimals) internal pure returns (uint256) {
        return Math.mulDiv(value, 10 ** decimals, price, Math.Rounding.Ceil);
    }

    /// @notice |a - b|.
    function absDiff(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a - b : b - a;
    }
}
