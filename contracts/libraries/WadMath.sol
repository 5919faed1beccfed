// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title WadMath
/// @notice Natural logarithm, exponential, square root and the standard normal CDF in WAD (1e18) fixed point, in pure
/// Solidity. Each function names its rounding and states its error bound; docs/option-math.md derives and measures
/// them. The X96 variants (2**96 = 1.0, 96 fractional bits) serve callers that need more than WAD precision
/// (`BlackScholes`). `ballast/optionmath.py` mirrors every function bit for bit.
/// @dev Arithmetic is `unchecked`: each block states why nothing overflows. `>>` on `int256` is an arithmetic shift
/// (rounds toward minus infinity); `/` on `int256` truncates toward zero. Polynomial coefficients come from
/// `tools/optionmath_fit.py` (Chebyshev interpolants rounded to X96).
library WadMath {
    uint256 internal constant WAD = 1e18;
    /// @notice 1.0 in X96.
    int256 internal constant ONE_X96 = 2 ** 96;

    /// @notice Below this, `expWad` returns 0: e**x * 1e18 < 0.5.
    int256 internal constant EXP_WAD_MIN = -42_139_678_854_452_767_621;
    /// @notice The largest input of `expWad`: e**x * 1e18 < 2**255 up to here.
    int256 internal constant EXP_WAD_MAX = 135_305_999_368_893_231_589;
    /// @notice Below this, `expX96` returns 0: e**y * 2**96 < 1.
    int256 internal constant EXP_X96_MIN = -67 * 2 ** 96;
    /// @notice The largest input of `expX96` (e**100 * 2**96 < 2**256).
    int256 internal constant EXP_X96_MAX = 100 * 2 ** 96;
    /// @notice |x| from which `normCdfWad` returns exactly 0 or 1e18 (10.5; N(-10.5) = 4.3e-26).
    int256 internal constant CDF_CUT_WAD = 10.5e18;
    /// @notice The largest input of `sqrtWad` and `sqrtWadUp` (x * 1e18 must fit in 256 bits).
    uint256 internal constant SQRT_WAD_MAX = type(uint256).max / WAD;

    /// @notice `lnWad` of x <= 0.
    error LnWadUndefined(int256 x);
    /// @notice `lnX96` of 0 (its only input outside the domain).
    error LnX96Undefined();
    /// @notice `expWad` of x > `EXP_WAD_MAX` (the result would not fit in int256).
    error ExpWadOverflow(int256 x);
    /// @notice `expX96` of y > `EXP_X96_MAX`.
    error ExpX96Overflow(int256 y);
    /// @notice `sqrtWad` or `sqrtWadUp` of x > `SQRT_WAD_MAX` (x * 1e18 would overflow).
    error SqrtWadOverflow(uint256 x);

    /// @dev 10.5 in X96: N(-x) is taken as 0 from here on.
    int256 private constant CDF_CUT_X96 = 21 * 2 ** 95;
    /// @notice ln 2 in X96.
    int256 internal constant LN2_X96 = 54916777467707473351141471128;
    /// @dev round(2**96 / ln 2).
    int256 private constant INV_LN2_X96 = 114302077158074026402637675937;
    /// @dev floor(sqrt(2) * 2**96).
    uint256 private constant SQRT2_X96 = 112045541949572279837463876454;
    /// @dev ln(2**96 / 1e18) in X96: lnWad(x) = lnX96(x) + this.
    int256 private constant LN_2_96_OVER_WAD_X96 = 1988278089788132588087242333381;
    /// @dev 1 / sqrt(2 pi) in X96.
    uint256 internal constant INV_SQRT_2PI_X96 = 31607463825455920808620519744;

    // ln m = 2 z f(z**2), z = (m - 1) / (m + 1), m in [1/sqrt 2, sqrt 2]: f(w) = atanh(sqrt w) / sqrt w on
    // [0, 0.02944], degree 11 (fit error in ln m, coefficients rounded: 8.4e-28).
    int256 private constant LN_0 = 79228162514264337593543950147;
    int256 private constant LN_1 = 26409387504754779197849829608;
    int256 private constant LN_2 = 15845632502852867515720794100;
    int256 private constant LN_3 = 11318308930609192977847319705;
    int256 private constant LN_4 = 8803129168250973798904740104;
    int256 private constant LN_5 = 7202560228688926677308283153;
    int256 private constant LN_6 = 6094474024967617617762081026;
    int256 private constant LN_7 = 5281878672890912281010146175;
    int256 private constant LN_8 = 4660417471827715729283967450;
    int256 private constant LN_9 = 4172110344118223306721688436;
    int256 private constant LN_10 = 3723786177947951174050290256;
    int256 private constant LN_11 = 4059686083823660053731511330;

    // e**r on [-0.35, 0.35], degree 15 (fit error, coefficients rounded: 1.03e-25 relative).
    int256 private constant EXP_0 = 79228162514264337593543944467;
    int256 private constant EXP_1 = 79228162514264337593543949991;
    int256 private constant EXP_2 = 39614081257132168796778108080;
    int256 private constant EXP_3 = 13204693752377389598924352421;
    int256 private constant EXP_4 = 3301173438094347398679658411;
    int256 private constant EXP_5 = 660234687618869479884366383;
    int256 private constant EXP_6 = 110039114603144981981147755;
    int256 private constant EXP_7 = 15719873514734991655741498;
    int256 private constant EXP_8 = 1964984189339671745401103;
    int256 private constant EXP_9 = 218331576593412002962981;
    int256 private constant EXP_10 = 21833157697693512017679;
    int256 private constant EXP_11 = 1984832516741661931416;
    int256 private constant EXP_12 = 165402339717602300598;
    int256 private constant EXP_13 = 12723263597873269320;
    int256 private constant EXP_14 = 910663340683478339;
    int256 private constant EXP_15 = 60696311821639831;

    // g(u) = ln(N(-x) / t) + x**2 / 2, t = 4 / (4 + x), u = (58 t - 37) / 21 in [-1, 1] for x in [0, 10.5], degree 31
    // (fit error, coefficients rounded: 1.43e-24 in g, so relative in N(-x)): N(-x) = t e**(g(u) - x**2 / 2).
    int256 private constant CDF_0 = -113339163245370368420470492662;
    int256 private constant CDF_1 = 52131347572965307414604353516;
    int256 private constant CDF_2 = 7614497750442666707791973854;
    int256 private constant CDF_3 = -686281071250607258816725947;
    int256 private constant CDF_4 = -684855735720207676315866343;
    int256 private constant CDF_5 = -26953059034017092019860246;
    int256 private constant CDF_6 = 74273041018106569907998046;
    int256 private constant CDF_7 = 9885685516327384604750234;
    int256 private constant CDF_8 = -8980528699021439910811764;
    int256 private constant CDF_9 = -1821765600361697830278440;
    int256 private constant CDF_10 = 1157669136047780013936318;
    int256 private constant CDF_11 = 289877095805325637624798;
    int256 private constant CDF_12 = -154206269316011341572365;
    int256 private constant CDF_13 = -43117398685429987688219;
    int256 private constant CDF_14 = 20664906630798534843656;
    int256 private constant CDF_15 = 6179627961078947683705;
    int256 private constant CDF_16 = -2722428056197225173614;
    int256 private constant CDF_17 = -874804772485966153309;
    int256 private constant CDF_18 = 346631118802980780171;
    int256 private constant CDF_19 = 125536335196947280066;
    int256 private constant CDF_20 = -42342033806012227047;
    int256 private constant CDF_21 = -18598494549403351651;
    int256 private constant CDF_22 = 4992627645079555028;
    int256 private constant CDF_23 = 2832826627064412987;
    int256 private constant CDF_24 = -577835144642387478;
    int256 private constant CDF_25 = -428041816419756043;
    int256 private constant CDF_26 = 65426843879953189;
    int256 private constant CDF_27 = 59396165272835572;
    int256 private constant CDF_28 = -6545466777874478;
    int256 private constant CDF_29 = -6503257711039150;
    int256 private constant CDF_30 = 410565954961284;
    int256 private constant CDF_31 = 399492486851073;

    // ---------------------------------------------------------------- logarithm

    /// @notice ln(x / 1e18) * 1e18, rounded to nearest: |error| < 0.5 wei + 1e-8 wei. Reverts `LnWadUndefined` for
    /// x <= 0.
    function lnWad(int256 x) internal pure returns (int256) {
        if (x <= 0) revert LnWadUndefined(x);
        // lnX96 is at most 177 * 2**96 in magnitude (x < 2**255), so the product stays below 2**170.
        unchecked {
            int256 y = lnX96(uint256(x)) + LN_2_96_OVER_WAD_X96;
            return (y * int256(WAD) + 2 ** 95) >> 96;
        }
    }

    /// @notice ln(x / 2**96) in X96 for an X96 number x > 0: |error| < 1e-26 (below 2**-86). Reverts
    /// `LnX96Undefined` for 0.
    /// @dev x = m 2**(k - 96) with m in [1, 2) (X96), m halved above sqrt 2; ln m = 2 z f(z**2) with
    /// z = (m - 1) / (m + 1), |z| <= 0.1716. Truncating x to 97 significant bits costs at most 2**-96 relative.
    function lnX96(uint256 x) internal pure returns (int256) {
        if (x == 0) revert LnX96Undefined();
        unchecked {
            uint256 k = log2Down(x);
            uint256 m = k >= 96 ? x >> (k - 96) : x << (96 - k);
            int256 e = int256(k) - 96;
            // m < 2**97: every product below is under 2**194.
            int256 z;
            if (m >= SQRT2_X96) {
                z = ((int256(m) - 2 * ONE_X96) << 96) / (int256(m) + 2 * ONE_X96);
                e += 1;
            } else {
                z = ((int256(m) - ONE_X96) << 96) / (int256(m) + ONE_X96);
            }
            int256 w = (z * z) >> 96;
            int256 p = LN_11;
            p = ((p * w) >> 96) + LN_10;
            p = ((p * w) >> 96) + LN_9;
            p = ((p * w) >> 96) + LN_8;
            p = ((p * w) >> 96) + LN_7;
            p = ((p * w) >> 96) + LN_6;
            p = ((p * w) >> 96) + LN_5;
            p = ((p * w) >> 96) + LN_4;
            p = ((p * w) >> 96) + LN_3;
            p = ((p * w) >> 96) + LN_2;
            p = ((p * w) >> 96) + LN_1;
            p = ((p * w) >> 96) + LN_0;
            return e * LN2_X96 + ((z * p) >> 95);
        }
    }

    /// @notice floor(log2 x) for x > 0 (0 for x = 0).
    function log2Down(uint256 x) internal pure returns (uint256 r) {
        unchecked {
            if (x >= 2 ** 128) {
                x >>= 128;
                r = 128;
            }
            if (x >= 2 ** 64) {
                x >>= 64;
                r += 64;
            }
            if (x >= 2 ** 32) {
                x >>= 32;
                r += 32;
            }
            if (x >= 2 ** 16) {
                x >>= 16;
                r += 16;
            }
            if (x >= 2 ** 8) {
                x >>= 8;
                r += 8;
            }
            if (x >= 2 ** 4) {
                x >>= 4;
                r += 4;
            }
            if (x >= 2 ** 2) {
                x >>= 2;
                r += 2;
            }
            if (x >= 2) r += 1;
        }
    }

    // ---------------------------------------------------------------- exponential

    /// @notice e**(x / 1e18) * 1e18, rounded to nearest: |error| < 0.5 wei + 2e-25 of the result. 0 below
    /// `EXP_WAD_MIN`; reverts `ExpWadOverflow` above `EXP_WAD_MAX`.
    function expWad(int256 x) internal pure returns (int256) {
        if (x < EXP_WAD_MIN) return 0;
        if (x > EXP_WAD_MAX) revert ExpWadOverflow(x);
        unchecked {
            // |x| <= 1.36e20, so x * 2**96 < 2**164.
            (int256 k, uint256 p) = _expReduced((x << 96) / int256(WAD));
            // p < 1.42 * 2**96 and k in [-61, 195]: p * 1e18 < 2**157. At k = 195 the domain keeps e**r, and so
            // p * 1e18 * 2**99, below 2**255.
            if (k >= 96) return int256((p * WAD) << uint256(k - 96));
            uint256 shift = uint256(96 - k);
            return int256((p * WAD + (1 << (shift - 1))) >> shift);
        }
    }

    /// @notice e**(y / 2**96) * 2**96, rounded down: |error| < 2e-25 of the result + 1 (X96 units). 0 below
    /// `EXP_X96_MIN`; reverts `ExpX96Overflow` above `EXP_X96_MAX`.
    function expX96(int256 y) internal pure returns (uint256) {
        if (y < EXP_X96_MIN) return 0;
        if (y > EXP_X96_MAX) revert ExpX96Overflow(y);
        unchecked {
            (int256 k, uint256 p) = _expReduced(y);
            // k in [-97, 145] and p < 2**97: p << k < 2**242.
            return k >= 0 ? p << uint256(k) : p >> uint256(-k);
        }
    }

    /// @dev (k, e**r in X96) with y = k ln 2 + r, k = round(y / ln 2), |r| <= ln(2) / 2 + 1e-27 < 0.35.
    /// |y| <= 136 * 2**96, so y * INV_LN2_X96 < 2**201 and every Horner product stays below 2**196.
    function _expReduced(int256 y) private pure returns (int256 k, uint256) {
        unchecked {
            k = (y * INV_LN2_X96 + 2 ** 191) >> 192;
            int256 r = y - k * LN2_X96;
            int256 p = EXP_15;
            p = ((p * r) >> 96) + EXP_14;
            p = ((p * r) >> 96) + EXP_13;
            p = ((p * r) >> 96) + EXP_12;
            p = ((p * r) >> 96) + EXP_11;
            p = ((p * r) >> 96) + EXP_10;
            p = ((p * r) >> 96) + EXP_9;
            p = ((p * r) >> 96) + EXP_8;
            p = ((p * r) >> 96) + EXP_7;
            p = ((p * r) >> 96) + EXP_6;
            p = ((p * r) >> 96) + EXP_5;
            p = ((p * r) >> 96) + EXP_4;
            p = ((p * r) >> 96) + EXP_3;
            p = ((p * r) >> 96) + EXP_2;
            p = ((p * r) >> 96) + EXP_1;
            p = ((p * r) >> 96) + EXP_0;
            return (k, uint256(p));
        }
    }

    // ---------------------------------------------------------------- square root

    /// @notice sqrt(x / 1e18) * 1e18 rounded down (exact). Reverts `SqrtWadOverflow` above `SQRT_WAD_MAX`.
    function sqrtWad(uint256 x) internal pure returns (uint256) {
        if (x > SQRT_WAD_MAX) revert SqrtWadOverflow(x);
        unchecked {
            return sqrtDown(x * WAD);
        }
    }

    /// @notice sqrt(x / 1e18) * 1e18 rounded up (exact). Reverts `SqrtWadOverflow` above `SQRT_WAD_MAX`.
    function sqrtWadUp(uint256 x) internal pure returns (uint256 r) {
        if (x > SQRT_WAD_MAX) revert SqrtWadOverflow(x);
        unchecked {
            uint256 a = x * WAD;
            r = sqrtDown(a);
            // r <= 2**128 - 1, so r * r does not overflow.
            if (r * r < a) r += 1;
        }
    }

    /// @notice floor(sqrt(a)) (exact).
    /// @dev Newton's iteration from x0 = 1.5 e, e = 2**floor(log2(a) / 2) <= sqrt(a) < 2 e, so |x0 - sqrt a| <= e / 2.
    /// The first step lands above sqrt(a) within e / 12 and each next one squares the relative error (e_{n+1} <=
    /// e_n**2 / (2e)): after six steps it is below e * 1.3e-44 < 1 (e <= 2**128). The floored iteration never falls
    /// below floor(sqrt a), so it ends on floor(sqrt a) or one above it, which the last line corrects.
    function sqrtDown(uint256 a) internal pure returns (uint256) {
        if (a <= 1) return a;
        unchecked {
            uint256 e = 1 << (log2Down(a) >> 1);
            uint256 x = (3 * e) >> 1;
            x = (x + a / x) >> 1;
            x = (x + a / x) >> 1;
            x = (x + a / x) >> 1;
            x = (x + a / x) >> 1;
            x = (x + a / x) >> 1;
            x = (x + a / x) >> 1;
            return x > a / x ? x - 1 : x;
        }
    }

    // ---------------------------------------------------------------- standard normal CDF

    /// @notice N(x / 1e18) * 1e18, the standard normal CDF, rounded to nearest: |error| < 0.5 wei + 1e-6 wei. Exactly 0
    /// at or below -10.5e18 and 1e18 at or above 10.5e18.
    function normCdfWad(int256 x) internal pure returns (uint256) {
        if (x >= CDF_CUT_WAD) return WAD;
        if (x <= -CDF_CUT_WAD) return 0;
        unchecked {
            // |x| < 10.5e18: x * 2**96 < 2**160; the result is at most 2**96, times 1e18 below 2**156.
            uint256 n = normCdfX96((x << 96) / int256(WAD));
            return (n * WAD + 2 ** 95) >> 96;
        }
    }

    /// @notice N(x / 2**96) * 2**96 for an X96 number x: |error| < 1e-24 (X96 units: below 2**-79 of 1.0). Exactly
    /// 0 at or below -10.5 and 2**96 at or above 10.5. normCdfX96(-x) = 2**96 - normCdfX96(x) for x != 0.
    /// @dev N(-|x|) = t e**(g(u) - x**2 / 2) with t = 4 / (4 + |x|) in (0.2758, 1] and u = (58 t - 37) / 21 in [-1, 1];
    /// the exponent lies in [-57.2, -0.69].
    function normCdfX96(int256 x) internal pure returns (uint256) {
        // N(-|x|), 0 beyond the cut-off.
        uint256 tail = 0;
        if (x < CDF_CUT_X96 && x > -CDF_CUT_X96) {
            unchecked {
                uint256 a = uint256(x >= 0 ? x : -x);
                // a < 10.5 * 2**96: (4 * 2**96) << 96 < 2**195, a * a < 2**197, |u| <= 2**96.
                uint256 t = (uint256(4 * ONE_X96) << 96) / (uint256(4 * ONE_X96) + a);
                int256 u = (58 * int256(t) - 37 * ONE_X96) / 21;
                int256 p = CDF_31;
                p = ((p * u) >> 96) + CDF_30;
                p = ((p * u) >> 96) + CDF_29;
                p = ((p * u) >> 96) + CDF_28;
                p = ((p * u) >> 96) + CDF_27;
                p = ((p * u) >> 96) + CDF_26;
                p = ((p * u) >> 96) + CDF_25;
                p = ((p * u) >> 96) + CDF_24;
                p = ((p * u) >> 96) + CDF_23;
                p = ((p * u) >> 96) + CDF_22;
                p = ((p * u) >> 96) + CDF_21;
                p = ((p * u) >> 96) + CDF_20;
                p = ((p * u) >> 96) + CDF_19;
                p = ((p * u) >> 96) + CDF_18;
                p = ((p * u) >> 96) + CDF_17;
                p = ((p * u) >> 96) + CDF_16;
                p = ((p * u) >> 96) + CDF_15;
                p = ((p * u) >> 96) + CDF_14;
                p = ((p * u) >> 96) + CDF_13;
                p = ((p * u) >> 96) + CDF_12;
                p = ((p * u) >> 96) + CDF_11;
                p = ((p * u) >> 96) + CDF_10;
                p = ((p * u) >> 96) + CDF_9;
                p = ((p * u) >> 96) + CDF_8;
                p = ((p * u) >> 96) + CDF_7;
                p = ((p * u) >> 96) + CDF_6;
                p = ((p * u) >> 96) + CDF_5;
                p = ((p * u) >> 96) + CDF_4;
                p = ((p * u) >> 96) + CDF_3;
                p = ((p * u) >> 96) + CDF_2;
                p = ((p * u) >> 96) + CDF_1;
                p = ((p * u) >> 96) + CDF_0;
                tail = (t * expX96(p - int256((a * a) >> 97))) >> 96;
            }
        }
        unchecked {
            return x > 0 ? uint256(ONE_X96) - tail : tail;
        }
    }
}
