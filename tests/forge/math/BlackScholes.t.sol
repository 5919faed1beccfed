// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OptionMathHarness} from "../../../contracts/mocks/OptionMathHarness.sol";
import {BlackScholes} from "../../../contracts/libraries/BlackScholes.sol";
import {BaseTest} from "../utils/BaseTest.sol";

/// @notice BlackScholes: prices against mpmath references (60 digits) at chosen points, the edge cases (expiry, tiny
/// sigma sqrt(t), deep in and out of the money, the corners of the supported range), the range errors, and fuzzed
/// properties. E is `priceErrorBound(S, K)`; the library states that Down <= exact <= Up and Up - Down <= 2E + 1, so
/// the order properties of the exact price hold for the computed ones within that distance.
contract BlackScholesTest is BaseTest {
    OptionMathHarness internal h;

    uint256 internal constant WAD = 1e18;
    uint256 internal constant MIN_PRICE = 1e12;
    uint256 internal constant MAX_PRICE = 1e30;
    uint256 internal constant MIN_VOL = 0.01e18;
    uint256 internal constant MAX_VOL = 10e18;
    uint256 internal constant YEAR = 365 days;
    uint256 internal constant MAX_TAU = 2 * YEAR;

    function setUp() public {
        h = new OptionMathHarness();
    }

    // ---------------------------------------------------------------- reference points

    /// @notice ETH at 3,000, strike 3,000, 80 %, 30 days: call = put = 273.895223455388806381427 USD,
    /// delta 0.545649203909231467730, vega 340.870863457171960431 USD per unit of sigma.
    function test_AtTheMoney() public view {
        _assertBrackets(3000e18, 3000e18, 0.8e18, 30 days, 273_895_223_455_388_806_381, 273_895_223_455_388_806_381);
        assertApproxEqAbs(h.callDelta(3000e18, 3000e18, 0.8e18, 30 days), 545_649_203_909_231_468, 1, "delta");
        assertApproxEqAbs(h.vega(3000e18, 3000e18, 0.8e18, 30 days), 340_870_863_457_171_960_431, 3, "vega");
    }

    /// @notice Strike 3,500, 7 days: call 13.400351284623630645980, put 513.400351284623630645980.
    function test_OutOfTheMoneyCall() public view {
        _assertBrackets(3000e18, 3500e18, 0.8e18, 7 days, 13_400_351_284_623_630_645, 513_400_351_284_623_630_645);
        assertApproxEqAbs(h.callDelta(3000e18, 3500e18, 0.8e18, 7 days), 90_773_197_193_168_604, 1, "delta");
    }

    /// @notice BTC at 60,000, strike 50,000, 60 %, 90 days: call 12,683.288323905619856620, put 2,683.288...
    function test_InTheMoneyCall() public view {
        _assertBrackets(
            60_000e18, 50_000e18, 0.6e18, 90 days, 12_683_288_323_905_619_856_620, 2_683_288_323_905_619_856_620
        );
        assertApproxEqAbs(h.putDelta(60_000e18, 50_000e18, 0.6e18, 90 days), -223_354_386_487_429_596, 1, "put delta");
    }

    // ---------------------------------------------------------------- edge cases

    function test_AtExpiry_IntrinsicValue() public view {
        assertEq(h.callPriceUp(3500e18, 3000e18, 0.8e18, 0), 500e18, "ITM call up");
        assertEq(h.callPriceDown(3500e18, 3000e18, 0.8e18, 0), 500e18, "ITM call down");
        assertEq(h.putPriceUp(3500e18, 3000e18, 0.8e18, 0), 0, "OTM put up");
        assertEq(h.putPriceDown(2500e18, 3000e18, 0.8e18, 0), 500e18, "ITM put down");
        assertEq(h.callPriceUp(3000e18, 3000e18, 0.8e18, 0), 0, "ATM call");
        assertEq(h.callDelta(3500e18, 3000e18, 0.8e18, 0), 1e18, "ITM delta");
        assertEq(h.callDelta(2500e18, 3000e18, 0.8e18, 0), 0, "OTM delta");
        assertEq(h.callDelta(3000e18, 3000e18, 0.8e18, 0), 0.5e18, "ATM delta: the limit");
        assertEq(h.putDelta(3500e18, 3000e18, 0.8e18, 0), 0, "ITM call's put delta");
        assertEq(h.vega(3000e18, 3000e18, 0.8e18, 0), 0, "vega");
    }

    /// @notice After expiry the time to expiry is 0 and the price is the intrinsic value.
    function test_AfterExpiry_TimeToExpiryIsZero() public {
        uint256 expiry = 1_700_000_000;
        vm.warp(expiry + 1 days);
        uint256 tau = h.timeToExpiry(expiry, block.timestamp);
        assertEq(tau, 0, "after expiry");
        assertEq(h.timeToExpiry(expiry, expiry), 0, "at expiry");
        assertEq(h.timeToExpiry(expiry, expiry - 60), 60, "a minute before");
        assertEq(h.callPriceDown(3100e18, 3000e18, 0.8e18, tau), 100e18, "intrinsic");
    }

    /// @notice sigma sqrt(t) = 1.78e-6 (1 %, one second): at the money the call is S v / sqrt(2 pi) =
    /// 710406231576.734 wei; off the money by 1 % it is the intrinsic value to within E.
    function test_TinySigmaSqrtT() public view {
        _assertBrackets(1e18, 1e18, MIN_VOL, 1, 710_406_231_576, 710_406_231_576);
        assertEq(h.callPriceDown(1.01e18, 1e18, MIN_VOL, 1), 0.01e18, "ITM: intrinsic");
        assertLe(h.callPriceUp(1.01e18, 1e18, MIN_VOL, 1), 0.01e18 + 2 * _bound(1.01e18, 1e18) + 1, "ITM up");
        assertEq(h.callPriceDown(0.99e18, 1e18, MIN_VOL, 1), 0, "OTM: 0");
        assertLe(h.callPriceUp(0.99e18, 1e18, MIN_VOL, 1), 2 * _bound(0.99e18, 1e18) + 1, "OTM up");
        assertEq(h.callDelta(1.01e18, 1e18, MIN_VOL, 1), 1e18, "ITM delta");
        assertEq(h.callDelta(0.99e18, 1e18, MIN_VOL, 1), 0, "OTM delta");
        assertApproxEqAbs(h.callDelta(1e18, 1e18, MIN_VOL, 1), 500_000_355_203_115_788, 1, "ATM delta");
    }

    /// @notice The corners of the range at 1,000 % over 2 years (mpmath): S = 1e-6, K = 1e12 USD: call
    /// 999975177508.652 wei; S = 1e12, K = 1e-6: put the same; S = K = 1e12: call 999999999998462540205571965149.81.
    function test_ExtremesOfTheRange() public view {
        _assertBrackets(
            MIN_PRICE, MAX_PRICE, MAX_VOL, MAX_TAU, 999_975_177_508, 999_999_999_999_999_999_999_975_177_508
        );
        _assertBrackets(
            MAX_PRICE, MIN_PRICE, MAX_VOL, MAX_TAU, 999_999_999_999_999_999_999_975_177_508, 999_975_177_508
        );
        _assertBrackets(
            MAX_PRICE,
            MAX_PRICE,
            MAX_VOL,
            MAX_TAU,
            999_999_999_998_462_540_205_571_965_149,
            999_999_999_998_462_540_205_571_965_149
        );
    }

    /// @notice Deep in and out of the money: the price is the intrinsic value (or 0) to within the bound.
    function test_DeepInAndOutOfTheMoney() public view {
        // K / S = 1e18 at 1 %, one hour: no time value at all.
        assertEq(h.callPriceDown(MIN_PRICE, MAX_PRICE, MIN_VOL, 1 hours), 0, "deep OTM call");
        assertLe(h.callPriceUp(MIN_PRICE, MAX_PRICE, MIN_VOL, 1 hours), 2 * _bound(MIN_PRICE, MAX_PRICE) + 1, "up");
        assertEq(h.putPriceDown(MIN_PRICE, MAX_PRICE, MIN_VOL, 1 hours), MAX_PRICE - MIN_PRICE, "deep ITM put");
        uint256 spread = 2 * _bound(MIN_PRICE, MAX_PRICE) + 1;
        assertLe(h.putPriceUp(MIN_PRICE, MAX_PRICE, MIN_VOL, 1 hours), MAX_PRICE - MIN_PRICE + spread, "put up");
        assertEq(h.callPriceDown(MAX_PRICE, MIN_PRICE, MIN_VOL, 1 hours), MAX_PRICE - MIN_PRICE, "deep ITM call");
        assertLe(h.callPriceUp(MAX_PRICE, MIN_PRICE, MIN_VOL, 1 hours), MAX_PRICE - MIN_PRICE + spread, "call up");
        // The no-arbitrage caps: a call is worth at most S, a put at most K (here 1 % over a day, K = 2 S).
        assertLe(h.putPriceUp(1e18, 2e18, MAX_VOL, 1 days), 2e18, "put <= K");
        assertEq(h.callDelta(MAX_PRICE, MIN_PRICE, MIN_VOL, 1 hours), 1e18, "delta 1");
        assertEq(h.vega(MAX_PRICE, MIN_PRICE, MIN_VOL, 1 hours), 0, "vega 0");
    }

    // ---------------------------------------------------------------- range errors

    function test_RangeErrors() public {
        vm.expectRevert(
            abi.encodeWithSelector(BlackScholes.SpotOutOfRange.selector, MIN_PRICE - 1, MIN_PRICE, MAX_PRICE)
        );
        h.callPriceUp(MIN_PRICE - 1, WAD, WAD, 1);
        vm.expectRevert(
            abi.encodeWithSelector(BlackScholes.SpotOutOfRange.selector, MAX_PRICE + 1, MIN_PRICE, MAX_PRICE)
        );
        h.putPriceDown(MAX_PRICE + 1, WAD, WAD, 1);
        vm.expectRevert(abi.encodeWithSelector(BlackScholes.StrikeOutOfRange.selector, 0, MIN_PRICE, MAX_PRICE));
        h.callPriceDown(WAD, 0, WAD, 1);
        vm.expectRevert(
            abi.encodeWithSelector(BlackScholes.StrikeOutOfRange.selector, MAX_PRICE + 1, MIN_PRICE, MAX_PRICE)
        );
        h.putPriceUp(WAD, MAX_PRICE + 1, WAD, 1);
        vm.expectRevert(
            abi.encodeWithSelector(BlackScholes.VolatilityOutOfRange.selector, MIN_VOL - 1, MIN_VOL, MAX_VOL)
        );
        h.callDelta(WAD, WAD, MIN_VOL - 1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(BlackScholes.VolatilityOutOfRange.selector, MAX_VOL + 1, MIN_VOL, MAX_VOL)
        );
        h.vega(WAD, WAD, MAX_VOL + 1, 1);
        vm.expectRevert(abi.encodeWithSelector(BlackScholes.TimeToExpiryOutOfRange.selector, MAX_TAU + 1, MAX_TAU));
        h.callPriceUp(WAD, WAD, WAD, MAX_TAU + 1);
        // Inputs are checked at expiry too.
        vm.expectRevert(abi.encodeWithSelector(BlackScholes.VolatilityOutOfRange.selector, 0, MIN_VOL, MAX_VOL));
        h.callPriceUp(WAD, WAD, 0, 0);
    }

    function test_RangeEdgesAreAccepted() public view {
        assertLe(h.callPriceUp(MIN_PRICE, MIN_PRICE, MIN_VOL, 1), MIN_PRICE, "all minimal");
        assertLe(h.putPriceUp(MAX_PRICE, MAX_PRICE, MAX_VOL, MAX_TAU), MAX_PRICE, "all maximal");
    }

    // ---------------------------------------------------------------- fuzzed properties

    /// @notice max(S - K, 0) <= Down <= Up <= S for the call, max(K - S, 0) <= Down <= Up <= K for the put, and each
    /// pair within 2E + 1.
    function testFuzz_NoArbitrageBounds(uint256 s, uint256 k, uint256 v, uint256 t) public view {
        (s, k, v, t) = _inputs(s, k, v, t);
        uint256 e = _bound(s, k);
        _assertBracket(h.callPriceDown(s, k, v, t), h.callPriceUp(s, k, v, t), s > k ? s - k : 0, s, e, "call", "S");
        _assertBracket(h.putPriceDown(s, k, v, t), h.putPriceUp(s, k, v, t), k > s ? k - s : 0, k, e, "put", "K");
    }

    /// @dev intrinsic <= down <= up <= cap and up - down <= 2e + 1 for the `side` (capped by `capName`).
    function _assertBracket(
        uint256 down,
        uint256 up,
        uint256 intrinsic,
        uint256 cap,
        uint256 e,
        string memory side,
        string memory capName
    ) internal pure {
        assertGe(down, intrinsic, string.concat(side, " >= intrinsic"));
        assertLe(down, up, string.concat(side, " down <= up"));
        assertLe(up, cap, string.concat(side, " <= ", capName));
        assertLe(up - down, 2 * e + 1, string.concat(side, " spread"));
    }

    /// @notice C - P = S - K: the bounds bracket it (Down_C - Up_P <= S - K <= Up_C - Down_P), and the Up (or Down)
    /// prices differ by S - K within 2E + 1 (exactly, unless a no-arbitrage clamp moved one of them).
    function testFuzz_PutCallParity(uint256 s, uint256 k, uint256 v, uint256 t) public view {
        (s, k, v, t) = _inputs(s, k, v, t);
        int256 e = int256(_bound(s, k));
        int256 forward = int256(s) - int256(k);
        int256 cDown = int256(h.callPriceDown(s, k, v, t));
        int256 cUp = int256(h.callPriceUp(s, k, v, t));
        int256 pDown = int256(h.putPriceDown(s, k, v, t));
        int256 pUp = int256(h.putPriceUp(s, k, v, t));
        assertTrue(cDown - pUp <= forward && forward <= cUp - pDown, "parity bracketed");
        assertApproxEqAbs(cUp - pUp, forward, uint256(2 * e + 1), "up parity");
        assertApproxEqAbs(cDown - pDown, forward, uint256(2 * e + 1), "down parity");
    }

    /// @notice The call rises with S: for S1 <= S2, Up(S2) >= Down(S1), so Down(S2) >= Down(S1) - (2E + 1); the put
    /// falls with S the same way.
    function testFuzz_CallIncreasingInSpot(uint256 s1, uint256 s2, uint256 k, uint256 v, uint256 t) public view {
        (s1, k, v, t) = _inputs(s1, k, v, t);
        s2 = bound(s2, s1, MAX_PRICE);
        uint256 e2 = _bound(s2, k);
        uint256 down1 = h.callPriceDown(s1, k, v, t);
        assertGe(h.callPriceUp(s2, k, v, t), down1, "up(S2) >= down(S1)");
        assertGe(h.callPriceDown(s2, k, v, t) + 2 * e2 + 1, down1, "down(S2) >= down(S1) - (2E + 1)");
        assertGe(h.putPriceUp(s1, k, v, t), h.putPriceDown(s2, k, v, t), "put falls with S");
    }

    /// @notice The call falls and the put rises with the strike, within the same distance.
    function testFuzz_MonotoneInStrike(uint256 s, uint256 k1, uint256 k2, uint256 v, uint256 t) public view {
        (s, k1, v, t) = _inputs(s, k1, v, t);
        k2 = bound(k2, k1, MAX_PRICE);
        assertGe(h.callPriceUp(s, k1, v, t), h.callPriceDown(s, k2, v, t), "call falls with K");
        assertGe(h.putPriceUp(s, k2, v, t), h.putPriceDown(s, k1, v, t), "put rises with K");
    }

    /// @notice The call (and the put) rise with sigma and with the time to expiry, within the same distance.
    function testFuzz_CallIncreasingInSigmaAndTime(uint256 s, uint256 k, uint256 v1, uint256 v2, uint256 t1, uint256 t2)
        public
        view
    {
        (s, k, v1, t1) = _inputs(s, k, v1, t1);
        v2 = bound(v2, v1, MAX_VOL);
        t2 = bound(t2, t1, MAX_TAU);
        uint256 e = _bound(s, k);
        uint256 low = h.callPriceDown(s, k, v1, t1);
        assertGe(h.callPriceUp(s, k, v2, t1), low, "up(sigma2) >= down(sigma1)");
        assertGe(h.callPriceDown(s, k, v2, t1) + 2 * e + 1, low, "down(sigma2) >= down(sigma1) - (2E + 1)");
        assertGe(h.callPriceUp(s, k, v1, t2), low, "up(t2) >= down(t1)");
        assertGe(h.putPriceUp(s, k, v2, t2), h.putPriceDown(s, k, v1, t1), "put rises with sigma and t");
    }

    /// @notice Delta in [0, 1e18] and non-decreasing in S within its 1 wei error; the put's is the call's minus 1e18;
    /// vega is at most S sqrt(t) / sqrt(2 pi).
    function testFuzz_Greeks(uint256 s1, uint256 s2, uint256 k, uint256 v, uint256 t) public view {
        (s1, k, v, t) = _inputs(s1, k, v, t);
        s2 = bound(s2, s1, MAX_PRICE);
        uint256 d1 = h.callDelta(s1, k, v, t);
        assertLe(d1, 1e18, "delta <= 1");
        assertLe(d1, h.callDelta(s2, k, v, t) + 1, "delta rises with S");
        assertEq(h.putDelta(s1, k, v, t), int256(d1) - 1e18, "put delta");
        // 0.398942280401432678 = 1 / sqrt(2 pi) rounded up, sqrt(t / YEAR) rounded up; 3 wei for the floors.
        uint256 cap = s1 * 398_942_280_401_432_678 / 1e18 * _sqrtUp(t * 1e36 / YEAR) / 1e18 + 3;
        assertLe(h.vega(s1, k, v, t), cap, "vega <= S sqrt(t) phi(0)");
    }

    // ---------------------------------------------------------------- helpers

    function _bound(uint256 s, uint256 k) internal view returns (uint256) {
        return h.priceErrorBound(s, k);
    }

    /// @dev Down <= floor(exact) and Up >= ceil(exact) (exact call = callFloor + a fraction, likewise the put), both
    /// within 2E + 1.
    function _assertBrackets(uint256 s, uint256 k, uint256 v, uint256 t, uint256 callFloor, uint256 putFloor)
        internal
        view
    {
        uint256 e = _bound(s, k);
        uint256 cDown = h.callPriceDown(s, k, v, t);
        uint256 cUp = h.callPriceUp(s, k, v, t);
        assertLe(cDown, callFloor, "call down <= exact");
        assertGe(cUp, callFloor + 1, "call up >= exact");
        assertLe(cUp - cDown, 2 * e + 1, "call spread");
        uint256 pDown = h.putPriceDown(s, k, v, t);
        uint256 pUp = h.putPriceUp(s, k, v, t);
        assertLe(pDown, putFloor, "put down <= exact");
        assertGe(pUp, putFloor + 1, "put up >= exact");
        assertLe(pUp - pDown, 2 * e + 1, "put spread");
    }

    /// @dev Log-uniform prices over [1e-6, 1e12] USD, volatility over [1 %, 1,000 %] and time over [1 s, 2 years]
    /// (0 one time in 64): the fuzzer's uniform words would otherwise sit at the top of each range.
    function _inputs(uint256 s, uint256 k, uint256 v, uint256 t)
        internal
        pure
        returns (uint256, uint256, uint256, uint256)
    {
        return (_logUniform(s, MIN_PRICE, 18), _logUniform(k, MIN_PRICE, 18), _logUniform(v, MIN_VOL, 3), _time(t));
    }

    /// @dev A value in [min, min * 10**decades]: a decade from the low bits, a mantissa from the rest.
    function _logUniform(uint256 seed, uint256 min, uint256 decades) internal pure returns (uint256) {
        uint256 low = min * 10 ** (seed % decades);
        return bound(seed >> 8, low, low * 10);
    }

    function _time(uint256 seed) internal pure returns (uint256) {
        if (seed % 64 == 0) return 0;
        uint256 low = 10 ** ((seed >> 6) % 8);
        return bound(seed >> 16, low, low * 10 > MAX_TAU ? MAX_TAU : low * 10);
    }

    function _sqrtUp(uint256 x) internal view returns (uint256) {
        uint256 r = h.sqrtDown(x);
        return r * r < x ? r + 1 : r;
    }
}
