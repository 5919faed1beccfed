// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BlackScholes} from "../../../contracts/libraries/BlackScholes.sol";
import {WadMath} from "../../../contracts/libraries/WadMath.sol";
import {BaseTest} from "../utils/BaseTest.sol";
import {OptionMathVectors} from "./OptionMathVectors.sol";

/// @notice The differential test of the Solidity against its Python mirror: every vector of `OptionMathVectors`
/// (inputs over each function's whole domain and the outputs `ballast.optionmath` computes for them, written by
/// tools/optionmath_vectors.py) must come out of `WadMath` and `BlackScholes` to the wei. The mirror's distance to
/// the exact values (mpmath) is measured in tests/math; together they bound the contracts' error.
contract OptionMathVectorsTest is BaseTest {
    /// @notice lnWad over (0, 2**255): edges, values around 1e18 and every magnitude.
    function test_LnWad_EqualsMirror() public pure {
        _checkSigned(OptionMathVectors.lnWad(), WadMath.lnWad, "lnWad");
    }

    /// @notice lnX96 over [1, 2**256): inputs are stored as int256 and cast back.
    function test_LnX96_EqualsMirror() public pure {
        int256[2][] memory v = abi.decode(OptionMathVectors.lnX96(), (int256[2][]));
        for (uint256 i = 0; i < v.length; ++i) {
            assertEq(WadMath.lnX96(uint256(v[i][0])), v[i][1], "lnX96");
        }
    }

    /// @notice expWad from below EXP_WAD_MIN (0) to EXP_WAD_MAX, with the range reduction's boundaries.
    function test_ExpWad_EqualsMirror() public pure {
        _checkSigned(OptionMathVectors.expWad(), WadMath.expWad, "expWad");
    }

    /// @notice expX96 from below EXP_X96_MIN (0) to EXP_X96_MAX.
    function test_ExpX96_EqualsMirror() public pure {
        _checkUnsigned(OptionMathVectors.expX96(), WadMath.expX96, "expX96");
    }

    /// @notice sqrtWad and sqrtWadUp over [0, SQRT_WAD_MAX], with exact squares and their neighbours.
    function test_SqrtWad_EqualsMirror() public pure {
        int256[3][] memory v = abi.decode(OptionMathVectors.sqrtWad(), (int256[3][]));
        for (uint256 i = 0; i < v.length; ++i) {
            assertEq(WadMath.sqrtWad(uint256(v[i][0])), uint256(v[i][1]), "sqrtWad");
            assertEq(WadMath.sqrtWadUp(uint256(v[i][0])), uint256(v[i][2]), "sqrtWadUp");
        }
    }

    /// @notice normCdfWad over int256, the cut-offs at +-10.5 and the region around 0.
    function test_NormCdfWad_EqualsMirror() public pure {
        _checkUnsigned(OptionMathVectors.normCdfWad(), WadMath.normCdfWad, "normCdfWad");
    }

    /// @notice normCdfX96 over int256 and the cut-offs.
    function test_NormCdfX96_EqualsMirror() public pure {
        _checkUnsigned(OptionMathVectors.normCdfX96(), WadMath.normCdfX96, "normCdfX96");
    }

    /// @notice Every BlackScholes output over the domain's corners and random rows.
    function test_BlackScholes_EqualsMirror() public pure {
        int256[11][] memory v = abi.decode(OptionMathVectors.options(), (int256[11][]));
        for (uint256 i = 0; i < v.length; ++i) {
            (uint256 s, uint256 k, uint256 sigma, uint256 tau) =
                (uint256(v[i][0]), uint256(v[i][1]), uint256(v[i][2]), uint256(v[i][3]));
            assertEq(BlackScholes.callPriceDown(s, k, sigma, tau), uint256(v[i][4]), "callPriceDown");
            assertEq(BlackScholes.callPriceUp(s, k, sigma, tau), uint256(v[i][5]), "callPriceUp");
            assertEq(BlackScholes.putPriceDown(s, k, sigma, tau), uint256(v[i][6]), "putPriceDown");
            assertEq(BlackScholes.putPriceUp(s, k, sigma, tau), uint256(v[i][7]), "putPriceUp");
            assertEq(BlackScholes.callDelta(s, k, sigma, tau), uint256(v[i][8]), "callDelta");
            assertEq(BlackScholes.putDelta(s, k, sigma, tau), v[i][9], "putDelta");
            assertEq(BlackScholes.vega(s, k, sigma, tau), uint256(v[i][10]), "vega");
        }
    }

    /// @dev Every row (x, y) of `vectors`: f(x) == y to the wei.
    function _checkSigned(bytes memory vectors, function(int256) pure returns (int256) f, string memory name)
        internal
        pure
    {
        int256[2][] memory v = abi.decode(vectors, (int256[2][]));
        for (uint256 i = 0; i < v.length; ++i) {
            assertEq(f(v[i][0]), v[i][1], name);
        }
    }

    /// @dev Every row (x, y) of `vectors`, y stored as int256: f(x) == uint256(y) to the wei.
    function _checkUnsigned(bytes memory vectors, function(int256) pure returns (uint256) f, string memory name)
        internal
        pure
    {
        int256[2][] memory v = abi.decode(vectors, (int256[2][]));
        for (uint256 i = 0; i < v.length; ++i) {
            assertEq(f(v[i][0]), uint256(v[i][1]), name);
        }
    }
}
