// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";

/// @title PositionPacking
/// @notice A position in one storage word: its size (int112, the low 112 bits), its entry price (uint80, the next 80)
/// and its entry borrow index less 1e18 (uint64, the top 64; the Pool's borrow index starts at 1e18 and only grows).
/// A position whose figures do not fit (a size beyond int112, an entry price of 2^80 - 1 or more, about 1.2 million
/// USD per whole unit, or an entry index 2^64 - 1 or more above 1e18, about 19.4 times its start) is stored whole
/// elsewhere, and its word holds only the `WIDE` mark. Every position is kept exactly either way. An empty position
/// (size 0) packs to zero, whatever its other figures.
library PositionPacking {
    uint256 internal constant WAD = 1e18;
    /// @dev The word of a position stored whole: an entry price field of 2^80 - 1, never a packed position's.
    uint256 internal constant WIDE = uint256(type(uint80).max) << 112;

    /// @notice `p` packed, and whether it fits: if not, `word` is the `WIDE` mark and `p` must be stored whole.
    function pack(IMarginEngineTypes.Position memory p) internal pure returns (uint256 word, bool fits) {
        (int256 size, uint256 price, uint256 index) = (p.size, p.entryPrice, p.entryIndex);
        if (size == 0) return (0, true);
        fits = size == int112(size) && price < type(uint80).max && index >= WAD && index - WAD < type(uint64).max;
        if (!fits) return (WIDE, false);
        // Exact: each figure was checked to fit its field just above.
        word = uint256(uint112(int112(size))) | price << 112 | (index - WAD) << 192;
    }

    /// @notice The position `word` holds, and whether it is stored whole instead (then `p` is empty).
    function unpack(uint256 word) internal pure returns (IMarginEngineTypes.Position memory p, bool wide) {
        if (word == WIDE) return (p, true);
        if (word == 0) return (p, false);
        p.size = int112(uint112(word));
        p.entryPrice = uint80(word >> 112);
        p.entryIndex = (word >> 192) + WAD;
    }
}
