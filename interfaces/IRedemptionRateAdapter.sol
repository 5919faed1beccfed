// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// @title IRedemptionRateAdapter
/// @notice An OracleAggregator source for a wrapped asset (a staking or yield token): the underlying's price times the
/// wrapper's exchange rate, read from the wrapper contract, in 18 decimals. The wrapped token's own market (an
/// order book, a thin pool) is never read, so a run on the wrapper's secondary market does not mark it down.
/// @dev The rate is read from an ERC-4626 vault (`convertToAssets` of one whole share) or from a rate provider
/// (`getRate`, 18 decimals). It must stay within bounds around an anchor (a rate and its time): at least
/// `anchor * (1 - maxDropBps)` (a slash or a loss larger than that is a governance matter, not a price) and at most
/// `anchor * (1 + maxGrowthBpsPerYear * elapsed / year)` (a donation that inflates the rate is refused). Anyone may move
/// the anchor to the current rate when it is within those bounds (`poke`).
interface IRedemptionRateAdapter is AggregatorV3Interface {
    /// @notice How the wrapper reports its rate.
    enum RateKind {
        ERC4626,
        RateProvider
    }

    /// @notice A zero address, a zero maximum age, or a drop bound of 100 % or more.
    error InvalidRedemptionConfig(address underlyingFeed, address wrapper, uint32 maxAge, uint16 maxDropBps);
    /// @notice The underlying feed reports more than 36 decimals.
    error UnsupportedDecimals(uint8 decimals);
    /// @notice The wrapper reports a rate of zero.
    error ZeroRate();
    /// @notice The rate `rate` is above the cap `cap` (the anchor grown at the maximum rate since it was set).
    error RateAboveCap(uint256 rate, uint256 cap);
    /// @notice The rate `rate` is below the floor `floor` (the anchor less the largest drop).
    error RateBelowFloor(uint256 rate, uint256 floor);
    /// @notice The underlying's answer is zero or negative.
    error NonPositiveUnderlying(int256 answer);
    /// @notice The underlying's answer, stamped `updatedAt`, is older than `maxAge` seconds (or in the future) at
    /// `timestamp`.
    error StaleUnderlying(uint256 updatedAt, uint256 maxAge, uint256 timestamp);

    /// @notice The anchor moved to `rate` at `timestamp`.
    event RateAnchored(uint256 rate, uint256 timestamp);

    /// @notice Move the anchor to the current rate (within its bounds). Permissionless.
    function poke() external;

    /// @notice The wrapper's current rate, underlying per wrapped token, 18 decimals (unchecked).
    function rate() external view returns (uint256);

    /// @notice The lowest and highest rate accepted now.
    function rateBounds() external view returns (uint256 floor, uint256 cap);

    /// @notice The anchor rate and when it was set.
    function anchor() external view returns (uint256 rate, uint256 timestamp);

    /// @notice The underlying's price feed.
    function underlyingFeed() external view returns (AggregatorV3Interface);

    /// @notice The wrapper (the ERC-4626 vault or the rate provider).
    function wrapper() external view returns (address);
}
