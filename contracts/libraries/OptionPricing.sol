// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BlackScholes} from "./BlackScholes.sol";
import {FixedPointMath} from "./FixedPointMath.sol";

/// @title OptionPricing
/// @notice What the options book charges, pays and reserves per series, in WAD USD, each function named by its
/// rounding: the Pool is paid up (premiums, reserves) and pays down (proceeds, payoffs). docs/design.md#options.
/// @dev Sizes are WAD units of the underlying; a unit value is WAD USD per whole unit.
library OptionPricing {
    using FixedPointMath for uint256;

    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;

    /// @notice A price moved into the domain of `BlackScholes` ([1e-6, 1e12] USD), so a valuation never reverts on an
    /// extreme oracle price: below 1e-6 USD an option is valued as if the price were 1e-6 USD (a call is then worth
    /// at most 1e-6 USD, a put at most its strike), above 1e12 USD as if it were 1e12 USD.
    function clampSpot(uint256 spot) internal pure returns (uint256) {
        if (spot < BlackScholes.MIN_PRICE) return BlackScholes.MIN_PRICE;
        if (spot > BlackScholes.MAX_PRICE) return BlackScholes.MAX_PRICE;
        return spot;
    }

    /// @notice The upper Black-Scholes bound of one unit's value at `spot`.
    function unitValueUp(bool isCall, uint256 spot, uint256 strike, uint256 sigma, uint256 tau)
        internal
        pure
        returns (uint256)
    {
        spot = clampSpot(spot);
        return
            isCall
                ? BlackScholes.callPriceUp(spot, strike, sigma, tau)
                : BlackScholes.putPriceUp(spot, strike, sigma, tau);
    }

    /// @notice The lower Black-Scholes bound of one unit's value at `spot`.
    function unitValueDown(bool isCall, uint256 spot, uint256 strike, uint256 sigma, uint256 tau)
        internal
        pure
        returns (uint256)
    {
        spot = clampSpot(spot);
        return isCall
            ? BlackScholes.callPriceDown(spot, strike, sigma, tau)
            : BlackScholes.putPriceDown(spot, strike, sigma, tau);
    }

    /// @notice The spread at `openSize` of a series holding at most `maxOpenSize`: base + slope * open / max, at most
    /// `maxSpreadBps`, rounded up (a wider spread is the Pool's side both ways).
    function spreadBpsUp(
        uint256 baseSpreadBps,
        uint256 slopeBps,
        uint256 maxSpreadBps,
        uint256 openSize,
        uint256 maxOpenSize
    ) internal pure returns (uint256) {
        uint256 spread = baseSpreadBps + slopeBps.mulDivUp(openSize, maxOpenSize);
        return spread < maxSpreadBps ? spread : maxSpreadBps;
    }

    /// @notice What a buyer pays for `size` at `unitValue` (an upper bound) plus `spreadBps`, rounded up.
    function askUp(uint256 size, uint256 unitValue, uint256 spreadBps) internal pure returns (uint256) {
        return size.mulWadUp(unitValue).mulBpsUp(BPS + spreadBps);
    }

    /// @notice What a seller gets for `size` at `unitValue` (a lower bound) less `spreadBps`, rounded down.
    function bidDown(uint256 size, uint256 unitValue, uint256 spreadBps) internal pure returns (uint256) {
        return size.mulWadDown(unitValue).mulBpsDown(BPS - spreadBps);
    }

    /// @notice One unit's payoff at the settlement price: max(S - K, 0) for a call, max(K - S, 0) for a put.
    function unitPayoff(bool isCall, uint256 settlementPrice, uint256 strike) internal pure returns (uint256) {
        if (isCall) return settlementPrice > strike ? settlementPrice - strike : 0;
        return strike > settlementPrice ? strike - settlementPrice : 0;
    }

    /// @notice The payoff of `size` at `unitPayoff_`, rounded down.
    function payoffDown(uint256 size, uint256 unitPayoff_) internal pure returns (uint256) {
        return size.mulWadDown(unitPayoff_);
    }

    /// @notice The liquidity reserved for `size` open long options, rounded up: their payoff at the stressed price
    /// worse for the Pool, the upper price times (1 + stressShockBps) for a call (its payoff has no bound), the lower
    /// price times (1 - stressShockBps) for a put. A far out-of-the-money option reserves little, as it can be owed
    /// little short of a move beyond the stress scenario.
    function reserveUp(bool isCall, uint256 size, uint256 strike, uint256 low, uint256 high, uint256 stressShockBps)
        internal
        pure
        returns (uint256)
    {
        if (isCall) {
            uint256 stressed = clampSpot(high).mulBpsUp(BPS + stressShockBps);
            return stressed > strike ? size.mulWadUp(stressed - strike) : 0;
        }
        uint256 down = low.mulBpsDown(stressShockBps >= BPS ? 0 : BPS - stressShockBps);
        return strike > down ? size.mulWadUp(strike - down) : 0;
    }

    // ---------------------------------------------------------------- account positions (margin product)

    /// @notice The value to its account of a position of `size` units (negative: short) at `spot`, rounded towards the
    /// Pool: a long at the lower Black-Scholes bound rounded down, a short owes the upper bound rounded up.
    function positionValueDown(int256 size, bool isCall, uint256 spot, uint256 strike, uint256 sigma, uint256 tau)
        internal
        pure
        returns (int256)
    {
        if (size >= 0) return int256(uint256(size).mulWadDown(unitValueDown(isCall, spot, strike, sigma, tau)));
        return -int256(uint256(-size).mulWadUp(unitValueUp(isCall, spot, strike, sigma, tau)));
    }

    /// @notice The price of {`low`, `high`} better (`better`) or worse for a position: a long call and a short put
    /// gain when the price rises.
    function spotFor(bool isCall, bool long, bool better, uint256 low, uint256 high) internal pure returns (uint256) {
        return (isCall == long) == better ? high : low;
    }

    /// @notice The scenario price of a position: the worse end moved `shockBps` further against it (down for a long
    /// call or a short put, up for a short call or a long put: a short call's loss has no bound).
    function scenarioSpot(bool isCall, bool long, uint256 low, uint256 high, uint256 shockBps)
        internal
        pure
        returns (uint256)
    {
        if (isCall == long) return low.mulBpsDown(shockBps >= BPS ? 0 : BPS - shockBps);
        return high.mulBpsUp(BPS + shockBps);
    }

    /// @notice The scenario volatility of a position: down for a long, up for a short, by `volShockBps`, within the
    /// domain of `BlackScholes`.
    function scenarioVol(uint256 sigma, bool long, uint256 volShockBps) internal pure returns (uint256) {
        if (long) {
            uint256 down = sigma.mulBpsDown(volShockBps >= BPS ? 0 : BPS - volShockBps);
            return down < BlackScholes.MIN_VOL ? BlackScholes.MIN_VOL : down;
        }
        uint256 up = sigma.mulBpsUp(BPS + volShockBps);
        return up > BlackScholes.MAX_VOL ? BlackScholes.MAX_VOL : up;
    }

    /// @notice The payoff of a position of `size` (negative: short) at `unitPayoff_`, rounded towards the Pool.
    function positionPayoffDown(int256 size, uint256 unitPayoff_) internal pure returns (int256) {
        if (size >= 0) return int256(uint256(size).mulWadDown(unitPayoff_));
        return -int256(uint256(-size).mulWadUp(unitPayoff_));
    }
}
