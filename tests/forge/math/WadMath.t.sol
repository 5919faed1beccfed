// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OptionMathHarness} from "../../../contracts/mocks/OptionMathHarness.sol";
import {WadMath} from "../../../contracts/libraries/WadMath.sol";
import {BaseTest} from "../utils/BaseTest.sol";

/// @notice WadMath: known values (the nearest integer to the exact value, from mpmath at 60 digits, where the stated
/// error bound makes it the only possible answer), edge cases and errors, and fuzzed properties. The error bounds
/// themselves are measured against mpmath over the whole domain in tests/math/test_option_math.py.
contract WadMathTest is BaseTest {
    OptionMathHarness internal h;

    int256 internal constant WAD = 1e18;
    int256 internal constant ONE_X96 = 2 ** 96;

    function setUp() public {
        h = new OptionMathHarness();
    }

    // ---------------------------------------------------------------- ln

    function test_LnWad_KnownValues() public view {
        // |error| < 0.5 + 1e-8 wei: the nearest integer, as no exact value below is within 1e-8 of a half.
        assertEq(h.lnWad(1e18), 0, "ln 1");
        assertEq(h.lnWad(2e18), 693_147_180_559_945_309, "ln 2 (0.4172 past)");
        assertEq(h.lnWad(0.5e18), -693_147_180_559_945_309, "ln 1/2");
        assertEq(h.lnWad(3e18), 1_098_612_288_668_109_691, "ln 3 (0.3952 past)");
        assertEq(h.lnWad(10e18), 2_302_585_092_994_045_684, "ln 10 (0.0180 past)");
        assertEq(h.lnWad(1), -41_446_531_673_892_822_312, "ln 1e-18 (-...312.3238)");
    }

    function test_LnWad_RevertsAtOrBelowZero() public {
        vm.expectRevert(abi.encodeWithSelector(WadMath.LnWadUndefined.selector, int256(0)));
        h.lnWad(0);
        vm.expectRevert(abi.encodeWithSelector(WadMath.LnWadUndefined.selector, int256(-1)));
        h.lnWad(-1);
        vm.expectRevert(abi.encodeWithSelector(WadMath.LnWadUndefined.selector, type(int256).min));
        h.lnWad(type(int256).min);
        vm.expectRevert(abi.encodeWithSelector(WadMath.LnX96Undefined.selector));
        h.lnX96(0);
    }

    function test_LnWad_LargestInput() public view {
        // ln((2**255 - 1) / 1e18) = 135.305999368893231589 - 1.7e-77.
        assertEq(h.lnWad(type(int256).max), 135_305_999_368_893_231_589, "ln max");
    }

    /// @notice ln(2x) - ln(x) = ln 2 = 0.693147180559945309417 to within the two roundings (1 wei).
    function testFuzz_LnWad_DoublingAddsLn2(uint256 x) public view {
        x = bound(x, 1, uint256(type(int256).max) / 2);
        int256 diff = h.lnWad(int256(2 * x)) - h.lnWad(int256(x));
        assertApproxEqAbs(diff, 693_147_180_559_945_309, 1, "ln 2x - ln x");
    }

    /// @notice Non-decreasing up to the rounding: each value is within 0.5 + 1e-8 wei of the exact one, so for x < y a
    /// decrease can only be 1 wei, where ln y - ln x < 2e-8 wei straddles a rounding boundary.
    function testFuzz_LnWad_Monotone(uint256 x, uint256 y) public view {
        x = bound(x, 1, uint256(type(int256).max));
        y = bound(y, x, uint256(type(int256).max));
        assertTrue(h.lnWad(int256(y)) + 1 >= h.lnWad(int256(x)), "ln monotone within 1 wei");
    }

    /// @notice exp(ln x) returns x to within the two functions' errors: relative 1e-18 plus a wei.
    function testFuzz_ExpOfLnIsIdentity(uint256 x) public view {
        x = bound(x, 1e6, 1e36);
        int256 back = h.expWad(h.lnWad(int256(x)));
        // ln's 0.5 wei error moves exp by 0.5e-18 of x; exp adds 0.5 wei and 2e-25 of x.
        assertApproxEqAbs(uint256(back), x, x / 1e18 + 2, "exp(ln x)");
    }

    function test_LnX96_KnownValues() public view {
        assertEq(h.lnX96(uint256(ONE_X96)), 0, "ln 1");
        // ln 2 in X96 is 54916777467707473351141471128.4; the stated bound is 1e-26 (794 units).
        assertApproxEqAbs(h.lnX96(2 ** 97), 54_916_777_467_707_473_351_141_471_128, 794, "ln 2");
        assertApproxEqAbs(h.lnX96(1), -96 * 54_916_777_467_707_473_351_141_471_128, 794, "ln 2**-96");
    }

    // ---------------------------------------------------------------- exp

    function test_ExpWad_KnownValues() public view {
        assertEq(h.expWad(0), 1e18, "e**0");
        assertEq(h.expWad(1e18), 2_718_281_828_459_045_235, "e (0.3603 past)");
        assertEq(h.expWad(-1e18), 367_879_441_171_442_322, "1/e (0.5955 past)");
        assertEq(h.expWad(10e18), 22_026_465_794_806_716_516_958, "e**10 (0.9006 past)");
        assertEq(h.expWad(-40e18), 4, "e**-40 (4.248)");
    }

    function test_ExpWad_DomainEdges() public {
        assertEq(h.expWad(WadMath.EXP_WAD_MIN - 1), 0, "below min");
        assertEq(h.expWad(type(int256).min), 0, "int256 min");
        assertTrue(h.expWad(WadMath.EXP_WAD_MIN) <= 1, "at min: e**x * 1e18 = 0.50000000000000000037");
        // e**EXP_WAD_MAX * 1e18 = 2**255 (1 - 7e-20): within 2e-25 relative of it.
        int256 top = h.expWad(WadMath.EXP_WAD_MAX);
        assertGt(uint256(top), uint256(type(int256).max) - uint256(type(int256).max) / 1e19, "at max");
        vm.expectRevert(abi.encodeWithSelector(WadMath.ExpWadOverflow.selector, WadMath.EXP_WAD_MAX + 1));
        h.expWad(WadMath.EXP_WAD_MAX + 1);
        vm.expectRevert(abi.encodeWithSelector(WadMath.ExpWadOverflow.selector, type(int256).max));
        h.expWad(type(int256).max);
    }

    function test_ExpX96_DomainEdges() public {
        assertEq(h.expX96(WadMath.EXP_X96_MIN - 1), 0, "below min");
        assertEq(h.expX96(type(int256).min), 0, "int256 min");
        // e**0 = 1: the interpolant's value at 0 is 7.4e-26 below, within the stated 2e-25 relative.
        assertApproxEqAbs(h.expX96(0), uint256(ONE_X96), 16_000, "e**0");
        assertGt(h.expX96(WadMath.EXP_X96_MAX), 0, "at max");
        vm.expectRevert(abi.encodeWithSelector(WadMath.ExpX96Overflow.selector, WadMath.EXP_X96_MAX + 1));
        h.expX96(WadMath.EXP_X96_MAX + 1);
    }

    /// @notice Strictly consistent order: x < y gives expWad(x) <= expWad(y). Adjacent inputs differ by 1e-18
    /// relative in the exact value, far more than the 2e-25 relative error, and rounding to nearest keeps order.
    function testFuzz_ExpWad_Monotone(int256 x, int256 y) public view {
        x = _boundInt(x, WadMath.EXP_WAD_MIN - 1e18, WadMath.EXP_WAD_MAX);
        y = _boundInt(y, x, WadMath.EXP_WAD_MAX);
        assertTrue(h.expWad(x) <= h.expWad(y), "exp monotone");
    }

    /// @notice e**(a + b) = e**a e**b to within the errors of three calls.
    function testFuzz_ExpWad_SumRule(int256 a, int256 b) public view {
        a = _boundInt(a, -20e18, 20e18);
        b = _boundInt(b, -20e18, 20e18);
        uint256 whole = uint256(h.expWad(a + b));
        uint256 parts = uint256(h.expWad(a)) * uint256(h.expWad(b)) / 1e18;
        // Each factor is within 0.5 wei (>= e**-20 * 1e18 = 2e9 wei, so 2.5e-10 relative) plus 2e-25 relative.
        assertApproxEqAbs(whole, parts, whole / 1e9 + 2, "e**(a+b)");
    }

    // ---------------------------------------------------------------- sqrt

    function test_SqrtWad_KnownValues() public view {
        assertEq(h.sqrtWad(0), 0, "0");
        assertEq(h.sqrtWad(1e18), 1e18, "1");
        assertEq(h.sqrtWad(4e18), 2e18, "4");
        assertEq(h.sqrtWad(2e18), 1_414_213_562_373_095_048, "sqrt 2 down");
        assertEq(h.sqrtWadUp(2e18), 1_414_213_562_373_095_049, "sqrt 2 up");
        assertEq(h.sqrtWadUp(4e18), 2e18, "4 up");
        assertEq(h.sqrtWad(1), 1e9, "1e-18");
        assertEq(h.sqrtDown(type(uint256).max), type(uint128).max, "max");
    }

    function test_SqrtWad_RevertsAboveMax() public {
        uint256 max = WadMath.SQRT_WAD_MAX;
        assertEq(h.sqrtWad(max), h.sqrtDown(max * 1e18), "at max");
        vm.expectRevert(abi.encodeWithSelector(WadMath.SqrtWadOverflow.selector, max + 1));
        h.sqrtWad(max + 1);
        vm.expectRevert(abi.encodeWithSelector(WadMath.SqrtWadOverflow.selector, type(uint256).max));
        h.sqrtWadUp(type(uint256).max);
    }

    /// @notice sqrtDown(a) is floor(sqrt a): r**2 <= a < (r + 1)**2, over all of uint256.
    function testFuzz_SqrtDown_IsFloor(uint256 a) public view {
        uint256 r = h.sqrtDown(a);
        assertLe(r, type(uint128).max, "fits");
        assertLe(r * r, a, "r**2 <= a");
        // a < (r + 1)**2 without overflow: floor(a / (r + 1)) < r + 1.
        assertLt(a / (r + 1), r + 1, "a < (r+1)**2");
    }

    function testFuzz_SqrtWad_DownAndUp(uint256 x) public view {
        x = bound(x, 0, WadMath.SQRT_WAD_MAX);
        uint256 down = h.sqrtWad(x);
        uint256 up = h.sqrtWadUp(x);
        assertEq(down, h.sqrtDown(x * 1e18), "down is floor(sqrt(x * 1e18))");
        assertEq(up, down * down == x * 1e18 ? down : down + 1, "up is the ceiling");
    }

    function testFuzz_Log2Down(uint256 x) public view {
        x = bound(x, 1, type(uint256).max);
        uint256 r = h.log2Down(x);
        assertLe(2 ** r, x, "2**r <= x");
        if (r < 255) assertGt(2 ** (r + 1), x, "x < 2**(r+1)");
    }

    // ---------------------------------------------------------------- normal CDF

    function test_NormCdfWad_KnownValues() public view {
        assertEq(h.normCdfWad(0), 0.5e18, "N(0)");
        assertEq(h.normCdfWad(1e18), 841_344_746_068_542_949, "N(1) (0.5852 past)");
        assertEq(h.normCdfWad(-1e18), 158_655_253_931_457_051, "N(-1) (0.4148 past)");
        assertEq(h.normCdfWad(0.5e18), 691_462_461_274_013_104, "N(0.5) (0.6377 past)");
        assertEq(h.normCdfWad(1.96e18), 975_002_104_851_779_566, "N(1.96) (0.8634 past)");
        assertEq(h.normCdfWad(-3e18), 1_349_898_031_630_095, "N(-3) (0.5267 past)");
        assertEq(h.normCdfWad(8e18), 999_999_999_999_999_378, "N(8) (0.9039 past)");
        assertEq(h.normCdfWad(-8e18), 622, "N(-8) (622.096)");
    }

    function test_NormCdfWad_Clamps() public view {
        assertEq(h.normCdfWad(WadMath.CDF_CUT_WAD), 1e18, "at +cut");
        assertEq(h.normCdfWad(type(int256).max), 1e18, "int256 max");
        assertEq(h.normCdfWad(-WadMath.CDF_CUT_WAD), 0, "at -cut");
        assertEq(h.normCdfWad(type(int256).min), 0, "int256 min");
        // Just inside the cut the exact values round to the same: N(-10.5) * 1e18 = 4.3e-8.
        assertEq(h.normCdfWad(WadMath.CDF_CUT_WAD - 1), 1e18, "inside +cut");
        assertEq(h.normCdfWad(-WadMath.CDF_CUT_WAD + 1), 0, "inside -cut");
        assertEq(h.normCdfX96(type(int256).max), uint256(ONE_X96), "X96 int256 max");
        assertEq(h.normCdfX96(type(int256).min), 0, "X96 int256 min");
    }

    /// @notice N(x) + N(-x) = 1: the X96 values add to exactly 2**96 (one tail, computed once); the WAD values to
    /// 1e18, or 1e18 + 1 when both round up from exactly a half.
    function testFuzz_NormCdf_Symmetry(int256 x) public view {
        x = _boundInt(x, -12e18, 12e18);
        uint256 sum = h.normCdfWad(x) + h.normCdfWad(-x);
        assertTrue(sum == 1e18 || (sum == 1e18 + 1 && x != 0), "N(x) + N(-x)");
        if (x != 0) {
            int256 q = x * 2 ** 50;
            assertEq(h.normCdfX96(q) + h.normCdfX96(-q), uint256(ONE_X96), "X96 symmetry");
        }
    }

    /// @notice Non-decreasing up to the rounding (see testFuzz_LnWad_Monotone): one step of 1e-18 moves N by at most
    /// 0.4 wei, less than the 1e-6 wei error where the X96 rounding can reorder adjacent values near a half.
    function testFuzz_NormCdfWad_MonotoneAndBounded(int256 x, int256 y) public view {
        x = _boundInt(x, -11e18, 11e18);
        y = _boundInt(y, x, 11e18);
        uint256 nx = h.normCdfWad(x);
        uint256 ny = h.normCdfWad(y);
        assertLe(nx, 1e18, "N <= 1");
        assertLe(nx, ny + 1, "N monotone within 1 wei");
    }

    /// @notice 2**96 N(x) is within [0, 2**96] and non-decreasing up to the X96 rounding (1e-28 of 1.0).
    function testFuzz_NormCdfX96_MonotoneAndBounded(int256 x, int256 y) public view {
        x = _boundInt(x, -11 * ONE_X96, 11 * ONE_X96);
        y = _boundInt(y, x, 11 * ONE_X96);
        uint256 nx = h.normCdfX96(x);
        assertLe(nx, uint256(ONE_X96), "N <= 1");
        assertLe(nx, h.normCdfX96(y) + 1e4, "monotone within 1e4 units (1.3e-25)");
    }

    // ---------------------------------------------------------------- helpers

    function _boundInt(int256 x, int256 min, int256 max) internal pure returns (int256) {
        if (x >= min && x <= max) return x;
        uint256 span = uint256(max - min);
        uint256 offset = uint256(x) % (span + 1);
        return min + int256(offset);
    }
}
