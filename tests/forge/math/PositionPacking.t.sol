// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {PositionPacking} from "../../../contracts/libraries/PositionPacking.sol";
import {BaseTest} from "../utils/BaseTest.sol";

/// @notice PositionPacking: a position packs into one word exactly when its figures fit their fields, unpacks to
/// itself, and otherwise packs to the WIDE mark, which no packed position equals.
contract PositionPackingTest is BaseTest {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant PRICE_FIELD_MAX = 2 ** 80 - 1;
    uint256 internal constant INDEX_FIELD_MAX = 2 ** 64 - 1;

    function _position(int256 size, uint256 price, uint256 index)
        internal
        pure
        returns (IMarginEngineTypes.Position memory)
    {
        return IMarginEngineTypes.Position(int128(size), uint128(price), index);
    }

    function _assertSame(IMarginEngineTypes.Position memory a, IMarginEngineTypes.Position memory b, string memory what)
        internal
        pure
    {
        assertEq(int256(a.size), int256(b.size), string.concat(what, ": size"));
        assertEq(uint256(a.entryPrice), uint256(b.entryPrice), string.concat(what, ": entry price"));
        assertEq(a.entryIndex, b.entryIndex, string.concat(what, ": entry index"));
    }

    /// @notice Any position: it fits exactly when its size is an int112, its entry price below 2^80 - 1 and its entry
    /// index at least 1e18 and less than 2^64 - 1 above it; a fitting one unpacks to itself (never the WIDE mark), any
    /// other packs to the WIDE mark, which unpacks as "stored whole".
    function testFuzz_pack__anyPosition__roundTripsOrMarksWide(int128 size, uint128 price, uint256 index) public pure {
        vm.assume(size != 0);
        IMarginEngineTypes.Position memory p = _position(size, price, index);
        bool expected = size >= type(int112).min && size <= type(int112).max && price < PRICE_FIELD_MAX && index >= WAD
            && index - WAD < INDEX_FIELD_MAX;
        (uint256 word, bool fits) = PositionPacking.pack(p);
        assertEq(fits, expected, "fits exactly when every figure fits its field");
        (IMarginEngineTypes.Position memory back, bool wide) = PositionPacking.unpack(word);
        assertEq(wide, !fits, "a word is WIDE exactly when the position does not fit");
        if (fits) {
            assertTrue(word != PositionPacking.WIDE, "no packed position is the WIDE mark");
            _assertSame(back, p, "round trip");
        } else {
            assertEq(word, PositionPacking.WIDE, "the WIDE mark");
            _assertSame(back, _position(0, 0, 0), "a WIDE word unpacks to nothing");
        }
    }

    /// @notice A fitting position near its fields' limits, over the whole index range: the round trip is exact.
    function testFuzz_pack__fittingPosition__unpacksToItself(int112 size, uint80 price, uint64 above) public pure {
        vm.assume(size != 0 && price < PRICE_FIELD_MAX && above < INDEX_FIELD_MAX);
        IMarginEngineTypes.Position memory p = _position(size, price, WAD + above);
        (uint256 word, bool fits) = PositionPacking.pack(p);
        assertTrue(fits, "fits");
        (IMarginEngineTypes.Position memory back, bool wide) = PositionPacking.unpack(word);
        assertTrue(!wide, "packed");
        _assertSame(back, p, "round trip");
    }

    /// @notice An empty position packs to zero whatever its other figures, and zero unpacks to an empty position.
    function testFuzz_pack__emptyPosition__packsToZero(uint128 price, uint256 index) public pure {
        (uint256 word, bool fits) = PositionPacking.pack(_position(0, price, index));
        assertEq(word, 0, "zero");
        assertTrue(fits, "fits");
        (IMarginEngineTypes.Position memory back, bool wide) = PositionPacking.unpack(0);
        assertTrue(!wide, "not WIDE");
        _assertSame(back, _position(0, 0, 0), "empty");
    }

    /// @notice Each field's limit, one unit inside and one unit outside.
    function test_pack__fieldLimits__fitOneInsideAndNotOneOutside() public pure {
        int256 maxSize = type(int112).max;
        int256 minSize = type(int112).min;
        uint256 price = 3_000e18;
        _assertFits(_position(maxSize, price, WAD), true, "largest long");
        _assertFits(_position(maxSize + 1, price, WAD), false, "long beyond int112");
        _assertFits(_position(minSize, price, WAD), true, "largest short");
        _assertFits(_position(minSize - 1, price, WAD), false, "short beyond int112");
        _assertFits(_position(1, PRICE_FIELD_MAX - 1, WAD), true, "highest packed price");
        _assertFits(_position(1, PRICE_FIELD_MAX, WAD), false, "the WIDE mark's price");
        _assertFits(_position(1, price, WAD + INDEX_FIELD_MAX - 1), true, "highest packed index");
        _assertFits(_position(1, price, WAD + INDEX_FIELD_MAX), false, "index beyond its field");
        _assertFits(_position(1, price, WAD - 1), false, "index below 1e18");
        _assertFits(_position(-1, 0, WAD), true, "a zero price packs");
    }

    function _assertFits(IMarginEngineTypes.Position memory p, bool expected, string memory what) internal pure {
        (uint256 word, bool fits) = PositionPacking.pack(p);
        assertEq(fits, expected, what);
        (IMarginEngineTypes.Position memory back, bool wide) = PositionPacking.unpack(word);
        assertEq(wide, !expected, what);
        if (expected) _assertSame(back, p, what);
    }
}
