// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title FixedPointMath
/// @notice WAD (1e18) arithmetic and token-unit conversion. Every function names its rounding direction.
library FixedPointMath {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;

    /// @notice floor(x * y / d).
    /// @dev When x * y fits in 256 bits (every call on realistic amounts) the quotient is computed directly, exactly as
    /// `Math.mulDiv` does in that case (`d == 0` panics with 0x12 either way); otherwise `Math.mulDiv`'s 512-bit path.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        (uint256 p, bool fits) = _mul(x, y);
        if (fits) return p / d;
        return Math.mulDiv(x, y, d);
    }

    /// @notice ceil(x * y / d).
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        (uint256 p, bool fits) = _mul(x, y);
        if (fits) {
            uint256 q = p / d;
            // A remainder means d >= 2, so q <= p / 2 and q + 1 cannot overflow.
            unchecked {
                return p % d == 0 ? q : q + 1;
            }
        }
        return Math.mulDiv(x, y, d, Math.Rounding.Ceil);
    }

    /// @notice floor(x * y / WAD).
    function mulWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivDown(x, y, WAD);
    }

    /// @notice ceil(x * y / WAD).
    function mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivUp(x, y, WAD);
    }

    /// @notice floor(x * bps / 10_000).
    function mulBpsDown(uint256 x, uint256 bps) internal pure returns (uint256) {
        return x * bps / BPS;
    }

    /// @notice ceil(x * bps / 10_000).
    function mulBpsUp(uint256 x, uint256 bps) internal pure returns (uint256) {
        return mulDivUp(x, bps, BPS);
    }

    /// @notice USD value (WAD) of `amount` token units at `price` (WAD USD per whole token), rounded down.
    function toValueDown(uint256 amount, uint256 price, uint8 decimals) internal pure returns (uint256) {
        return mulDivDown(amount, price, _pow10(decimals));
    }

    /// @notice USD value (WAD) of `amount` token units at `price`, rounded up.
    function toValueUp(uint256 amount, uint256 price, uint8 decimals) internal pure returns (uint256) {
        return mulDivUp(amount, price, _pow10(decimals));
    }

    /// @notice Token units worth `value` USD at `price`, rounded down.
    function toAmountDown(uint256 value, uint256 price, uint8 decimals) internal pure returns (uint256) {
        return mulDivDown(value, _pow10(decimals), price);
    }

    /// @notice Token units worth `value` USD at `price`, rounded up.
    function toAmountUp(uint256 value, uint256 price, uint8 decimals) internal pure returns (uint256) {
        return mulDivUp(value, _pow10(decimals), price);
    }

    /// @dev 10 ** decimals with the EXP opcode: 10 ** 77 is the largest power that fits; above it the checked power
    /// panics (0x11) exactly as before.
    function _pow10(uint8 decimals) private pure returns (uint256 p) {
        if (decimals > 77) return 10 ** decimals;
        assembly ("memory-safe") {
            p := exp(10, decimals)
        }
    }

    /// @dev x * y and whether it fits in 256 bits.
    function _mul(uint256 x, uint256 y) private pure returns (uint256 p, bool fits) {
        assembly ("memory-safe") {
            p := mul(x, y)
            fits := or(iszero(x), eq(div(p, x), y))
        }
    }

    /// @notice |a - b|.
    function absDiff(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a - b : b - a;
    }
}
