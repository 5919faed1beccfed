// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WadMath} from "./WadMath.sol";

/// @title BlackScholes
/// @notice European call and put prices at a zero rate, with delta and vega. Inputs: spot S and strike K (WAD USD),
/// implied volatility sigma (WAD per year of 365 days: 0.8e18 is 80 %) and the time to expiry tau in seconds.
/// Prices come as bounds, named by their rounding: `...PriceUp` is at or above the exact Black-Scholes price and
/// `...PriceDown` at or below it (the Pool sells at the upper bound and buys back at the lower), each within
/// `priceErrorBound(S, K)` = (S + K) / 2**72 + 1 wei of the computed value and inside the no-arbitrage bounds
/// (max(S - K, 0) <= call <= S, max(K - S, 0) <= put <= K). docs/option-math.md has the error analysis and the
/// measurements; `ballast/optionmath.py` mirrors every function bit for bit.
/// @dev Supported inputs, else a revert carrying the value: S, K in [1e-6, 1e12] USD, sigma in [1 %, 1,000 %],
/// tau <= 2 years. At tau = 0 (at or after expiry: see `timeToExpiry`) prices are the intrinsic values.
/// With v = sigma sqrt(tau / YEAR), d1 = ln(S / K) / v + v / 2 and d2 = d1 - v are computed in X96 (2**96 = 1.0):
/// call = S N(d1) - K N(d2) and put = K N(-d2) - S N(-d1) = call - (S - K), kept as exact integers in units of
/// 2**-96 wei before rounding, so put-call parity holds exactly before the bounds are applied.
library BlackScholes {
    uint256 internal constant WAD = 1e18;
    /// @notice Seconds per year of volatility (365 days).
    uint256 internal constant YEAR = 365 days;
    /// @notice Smallest supported spot and strike: 1e-6 USD.
    uint256 internal constant MIN_PRICE = 1e12;
    /// @notice Largest supported spot and strike: 1e12 USD.
    uint256 internal constant MAX_PRICE = 1e30;
    /// @notice Smallest supported volatility: 1 % per year.
    uint256 internal constant MIN_VOL = 0.01e18;
    /// @notice Largest supported volatility: 1,000 % per year.
    uint256 internal constant MAX_VOL = 10e18;
    /// @notice Longest supported time to expiry: 2 years of 365 days.
    uint256 internal constant MAX_TIME_TO_EXPIRY = 2 * YEAR;
    /// @notice The price error bound is (S + K) >> PRICE_ERROR_SHIFT, plus 1 wei.
    uint256 internal constant PRICE_ERROR_SHIFT = 72;

    /// @notice The spot is outside [min, max] (WAD USD).
    error SpotOutOfRange(uint256 spot, uint256 min, uint256 max);
    /// @notice The strike is outside [min, max] (WAD USD).
    error StrikeOutOfRange(uint256 strike, uint256 min, uint256 max);
    /// @notice The implied volatility is outside [min, max] (WAD per year).
    error VolatilityOutOfRange(uint256 sigma, uint256 min, uint256 max);
    /// @notice The time to expiry is above max (seconds).
    error TimeToExpiryOutOfRange(uint256 tau, uint256 max);

    int256 private constant ONE_X96 = 2 ** 96;

    // ---------------------------------------------------------------- prices

    /// @notice An upper bound of the call price (WAD USD): at or above the exact price, at most
    /// 2 * priceErrorBound + 1 wei above it, and in [max(S - K, 0), S].
    function callPriceUp(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) internal pure returns (uint256) {
        _validate(spot, strike, sigma, tau);
        uint256 intrinsic = spot > strike ? spot - strike : 0;
        if (tau == 0) return intrinsic;
        return _up(_callX96(spot, strike, sigma, tau), priceErrorBound(spot, strike), intrinsic, spot);
    }

    /// @notice A lower bound of the call price (WAD USD): at or below the exact price, at most
    /// 2 * priceErrorBound + 1 wei below it, and at least max(S - K, 0).
    function callPriceDown(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) internal pure returns (uint256) {
        _validate(spot, strike, sigma, tau);
        uint256 intrinsic = spot > strike ? spot - strike : 0;
        if (tau == 0) return intrinsic;
        return _down(_callX96(spot, strike, sigma, tau), priceErrorBound(spot, strike), intrinsic);
    }

    /// @notice An upper bound of the put price (WAD USD): at or above the exact price, at most
    /// 2 * priceErrorBound + 1 wei above it, and in [max(K - S, 0), K].
    function putPriceUp(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) internal pure returns (uint256) {
        _validate(spot, strike, sigma, tau);
        uint256 intrinsic = strike > spot ? strike - spot : 0;
        if (tau == 0) return intrinsic;
        return _up(_putX96(spot, strike, sigma, tau), priceErrorBound(spot, strike), intrinsic, strike);
    }

    /// @notice A lower bound of the put price (WAD USD): at or below the exact price, at most
    /// 2 * priceErrorBound + 1 wei below it, and at least max(K - S, 0).
    function putPriceDown(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) internal pure returns (uint256) {
        _validate(spot, strike, sigma, tau);
        uint256 intrinsic = strike > spot ? strike - spot : 0;
        if (tau == 0) return intrinsic;
        return _down(_putX96(spot, strike, sigma, tau), priceErrorBound(spot, strike), intrinsic);
    }

    /// @notice The bound (wei) on the distance between the computed price (in units of 2**-96 wei, before rounding)
    /// and the exact one: (S + K) / 2**72 + 1. The analysis in docs/option-math.md gives (S + K) * 4e-25 (2**-81).
    function priceErrorBound(uint256 spot, uint256 strike) internal pure returns (uint256) {
        return ((spot + strike) >> PRICE_ERROR_SHIFT) + 1;
    }

    // ---------------------------------------------------------------- greeks

    /// @notice The call's delta N(d1) in WAD, rounded to nearest (|error| < 1 wei). At tau = 0: 1e18 in the money,
    /// 0 out of it, 0.5e18 at S = K (the limit as tau goes to 0).
    function callDelta(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) internal pure returns (uint256) {
        _validate(spot, strike, sigma, tau);
        if (tau == 0) return spot > strike ? WAD : spot < strike ? 0 : WAD / 2;
        (int256 d1,) = _d(spot, strike, sigma, _sqrtYearsX96(tau));
        unchecked {
            return (WadMath.normCdfX96(d1) * WAD + 2 ** 95) >> 96;
        }
    }

    /// @notice The put's delta N(d1) - 1 in WAD (callDelta - 1e18), in [-1e18, 0].
    function putDelta(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) internal pure returns (int256) {
        unchecked {
            return int256(callDelta(spot, strike, sigma, tau)) - int256(WAD);
        }
    }

    /// @notice Vega S phi(d1) sqrt(tau / YEAR): WAD USD per unit of sigma (per 1e18, 100 vol points; divide by 100 for
    /// one point), the same for a call and a put, rounded down (|error| < 3 wei + S / 2**94 + 1e-24 of it: phi(d1) is
    /// floored in X96). 0 at tau = 0.
    function vega(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) internal pure returns (uint256) {
        _validate(spot, strike, sigma, tau);
        if (tau == 0) return 0;
        uint256 sqrtYears = _sqrtYearsX96(tau);
        (int256 d1,) = _d(spot, strike, sigma, sqrtYears);
        unchecked {
            // |d1| < 2.4e7 * 2**96 < 2**121: d1 * d1 < 2**242. phi(d1) <= 0.4 * 2**96 and S < 2**100.
            uint256 phi = (WadMath.expX96(-((d1 * d1) >> 97)) * WadMath.INV_SQRT_2PI_X96) >> 96;
            return (((spot * phi) >> 96) * sqrtYears) >> 96;
        }
    }

    // ---------------------------------------------------------------- time

    /// @notice Seconds from `timestamp` to `expiry`, 0 at or after expiry (what the price functions take as tau).
    function timeToExpiry(uint256 expiry, uint256 timestamp) internal pure returns (uint256) {
        unchecked {
            return expiry > timestamp ? expiry - timestamp : 0;
        }
    }

    // ---------------------------------------------------------------- internals

    /// @dev Reverts with the first input outside the supported domain.
    function _validate(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) private pure {
        if (spot < MIN_PRICE || spot > MAX_PRICE) revert SpotOutOfRange(spot, MIN_PRICE, MAX_PRICE);
        if (strike < MIN_PRICE || strike > MAX_PRICE) revert StrikeOutOfRange(strike, MIN_PRICE, MAX_PRICE);
        if (sigma < MIN_VOL || sigma > MAX_VOL) revert VolatilityOutOfRange(sigma, MIN_VOL, MAX_VOL);
        if (tau > MAX_TIME_TO_EXPIRY) revert TimeToExpiryOutOfRange(tau, MAX_TIME_TO_EXPIRY);
    }

    /// @dev sqrt(tau / YEAR) in X96, rounded down; tau <= 2 years, so tau << 192 < 2**218.
    function _sqrtYearsX96(uint256 tau) private pure returns (uint256) {
        unchecked {
            return WadMath.sqrtDown((tau << 192) / YEAR);
        }
    }

    /// @dev (d1, d2) in X96 for validated inputs and tau > 0. v = sigma sqrt(tau / YEAR) >= 1.78e-6; the log-moneyness
    /// is taken of S * 2**155 / K (at least 2**155 / 1e18 > 2**95, so its truncation costs under 2**-95 relative);
    /// |ln(S / K)| <= 41.5, so |q| = |ln(S / K) / v| < 2.4e7.
    function _d(uint256 spot, uint256 strike, uint256 sigma, uint256 sqrtYears)
        private
        pure
        returns (int256 d1, int256 d2)
    {
        unchecked {
            // sigma <= 1e19 and sqrtYears < 1.5 * 2**96: the product is below 2**161. S < 2**100, so S << 155 fits.
            int256 v = int256((sigma * sqrtYears) / WAD);
            int256 logMoneyness = WadMath.lnX96((spot << 155) / strike) - 59 * WadMath.LN2_X96;
            int256 q = (logMoneyness << 96) / v;
            int256 h = v >> 1;
            return (q + h, q - h);
        }
    }

    /// @dev S N(d1) - K N(d2) in units of 2**-96 wei (tau > 0). S, K < 2**100 and N <= 2**96: no overflow.
    function _callX96(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) private pure returns (int256) {
        (int256 d1, int256 d2) = _d(spot, strike, sigma, _sqrtYearsX96(tau));
        unchecked {
            return int256(spot * WadMath.normCdfX96(d1)) - int256(strike * WadMath.normCdfX96(d2));
        }
    }

    /// @dev K N(-d2) - S N(-d1) = call - (S - K) in units of 2**-96 wei (normCdfX96(-d) = 2**96 - normCdfX96(d)).
    function _putX96(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) private pure returns (int256) {
        unchecked {
            return _callX96(spot, strike, sigma, tau) + (int256(strike) - int256(spot)) * ONE_X96;
        }
    }

    /// @dev max(floor(raw / 2**96) - bound, intrinsic).
    function _down(int256 raw, uint256 bound, uint256 intrinsic) private pure returns (uint256) {
        unchecked {
            int256 low = (raw >> 96) - int256(bound);
            return low > int256(intrinsic) ? uint256(low) : intrinsic;
        }
    }

    /// @dev min(max(ceil(raw / 2**96) + bound, intrinsic), cap).
    function _up(int256 raw, uint256 bound, uint256 intrinsic, uint256 cap) private pure returns (uint256) {
        unchecked {
            int256 high = -((-raw) >> 96) + int256(bound);
            uint256 up = high > int256(intrinsic) ? uint256(high) : intrinsic;
            return up < cap ? up : cap;
        }
    }
}
