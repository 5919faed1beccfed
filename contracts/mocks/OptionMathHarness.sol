// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BlackScholes} from "../libraries/BlackScholes.sol";
import {WadMath} from "../libraries/WadMath.sol";

/// @title OptionMathHarness
/// @notice Exposes `WadMath` and `BlackScholes` as external functions for the forge tests (an external call lets a
/// test expect a revert). Test networks only.
contract OptionMathHarness {
    // ---------------------------------------------------------------- WadMath

    /// @notice `WadMath.lnWad`.
    function lnWad(int256 x) external pure returns (int256) {
        return WadMath.lnWad(x);
    }

    /// @notice `WadMath.lnX96`.
    function lnX96(uint256 x) external pure returns (int256) {
        return WadMath.lnX96(x);
    }

    /// @notice `WadMath.expWad`.
    function expWad(int256 x) external pure returns (int256) {
        return WadMath.expWad(x);
    }

    /// @notice `WadMath.expX96`.
    function expX96(int256 y) external pure returns (uint256) {
        return WadMath.expX96(y);
    }

    /// @notice `WadMath.sqrtWad`.
    function sqrtWad(uint256 x) external pure returns (uint256) {
        return WadMath.sqrtWad(x);
    }

    /// @notice `WadMath.sqrtWadUp`.
    function sqrtWadUp(uint256 x) external pure returns (uint256) {
        return WadMath.sqrtWadUp(x);
    }

    /// @notice `WadMath.sqrtDown`.
    function sqrtDown(uint256 a) external pure returns (uint256) {
        return WadMath.sqrtDown(a);
    }

    /// @notice `WadMath.log2Down`.
    function log2Down(uint256 x) external pure returns (uint256) {
        return WadMath.log2Down(x);
    }

    /// @notice `WadMath.normCdfWad`.
    function normCdfWad(int256 x) external pure returns (uint256) {
        return WadMath.normCdfWad(x);
    }

    /// @notice `WadMath.normCdfX96`.
    function normCdfX96(int256 x) external pure returns (uint256) {
        return WadMath.normCdfX96(x);
    }

    // ---------------------------------------------------------------- BlackScholes

    /// @notice `BlackScholes.callPriceUp`.
    function callPriceUp(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) external pure returns (uint256) {
        return BlackScholes.callPriceUp(spot, strike, sigma, tau);
    }

    /// @notice `BlackScholes.callPriceDown`.
    function callPriceDown(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) external pure returns (uint256) {
        return BlackScholes.callPriceDown(spot, strike, sigma, tau);
    }

    /// @notice `BlackScholes.putPriceUp`.
    function putPriceUp(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) external pure returns (uint256) {
        return BlackScholes.putPriceUp(spot, strike, sigma, tau);
    }

    /// @notice `BlackScholes.putPriceDown`.
    function putPriceDown(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) external pure returns (uint256) {
        return BlackScholes.putPriceDown(spot, strike, sigma, tau);
    }

    /// @notice `BlackScholes.priceErrorBound`.
    function priceErrorBound(uint256 spot, uint256 strike) external pure returns (uint256) {
        return BlackScholes.priceErrorBound(spot, strike);
    }

    /// @notice `BlackScholes.callDelta`.
    function callDelta(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) external pure returns (uint256) {
        return BlackScholes.callDelta(spot, strike, sigma, tau);
    }

    /// @notice `BlackScholes.putDelta`.
    function putDelta(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) external pure returns (int256) {
        return BlackScholes.putDelta(spot, strike, sigma, tau);
    }

    /// @notice `BlackScholes.vega`.
    function vega(uint256 spot, uint256 strike, uint256 sigma, uint256 tau) external pure returns (uint256) {
        return BlackScholes.vega(spot, strike, sigma, tau);
    }

    /// @notice `BlackScholes.timeToExpiry`.
    function timeToExpiry(uint256 expiry, uint256 timestamp) external pure returns (uint256) {
        return BlackScholes.timeToExpiry(expiry, timestamp);
    }
}
