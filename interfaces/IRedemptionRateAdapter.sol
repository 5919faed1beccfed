// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// @title IRedemptionRateAdapter
/// @notice An OracleAggregator source for a wrapped asset (a staking or yield token): the underlying's price times the
/// wrapper's exchange rate, read from the wrapper contract, in 18 decimals, stamped with the underlying's round. The
/// wrapped token's own market (an order book, a thin pool) is never read, so a run on the wrapper's secondary market
/// does not mark it down.
/// @dev The rate is read from an ERC-4626 vault (`convertToAssets` of one whole share) or from a rate provider
/// (`getRate`, 18 decimals). The adapter reports what it sees and lets the aggregator judge age and bounds: a stale
/// underlying is reported with its own `updatedAt`, and a rate below the anchor (a slash, a loss) is reported as it is
/// (collateral valued at what it redeems for). A rate above the cap, `anchor * (1 + maxGrowthBpsPerYear * elapsed /
/// year)` with `elapsed` at most `MAX_ACCRUAL` (7 days), is clamped to the cap: a donation that inflates the rate is
/// priced at most a week's growth above the anchor. Anyone may move the anchor (`poke`) to the current rate clamped
/// to the cap, so pokes never let the priced rate grow faster than `maxGrowthBpsPerYear` (compounded at each poke): a
/// keeper should poke daily so routine growth stays within the cap, and a poke by anyone else can only make the price
/// more conservative. It reverts only for an answer that means nothing: an unanswered underlying round (`updatedAt`
/// 0), a non-positive underlying, a zero rate, or a price that rounds to zero.
interface IRedemptionRateAdapter is AggregatorV3Interface {
    /// @notice How the wrapper reports its rate.
    enum RateKind {
        ERC4626,
        RateProvider
    }

    /// @notice The underlying feed or the wrapper is the zero address.
    error InvalidRedemptionConfig(address underlyingFeed, address wrapper);
    /// @notice The underlying feed reports more than 36 decimals.
    error UnsupportedDecimals(uint8 decimals);
    /// @notice The wrapper reports a rate of zero.
    error ZeroRate();
    /// @notice The rate `rate` does not fit the anchor's 192 bits.
    error RateTooLarge(uint256 rate);
    /// @notice The underlying's round `roundId` was never answered (`updatedAt` 0).
    error UnansweredUnderlying(uint80 roundId);
    /// @notice The underlying's answer is zero or negative.
    error NonPositiveUnderlying(int256 answer);
    /// @notice The underlying's answer `underlying` times the rate `rate` rounds to zero in 18 decimals.
    error AnswerRoundsToZero(int256 underlying, uint256 rate);

    /// @notice The anchor moved to `rate` at `timestamp`.
    event RateAnchored(uint256 rate, uint256 timestamp);

    /// @notice Move the anchor to the current rate, clamped to the cap, now. Permissionless; a keeper should poke daily.
    function poke() external;

    /// @notice The wrapper's current rate, underlying per wrapped token, 18 decimals (not clamped).
    function rate() external view returns (uint256);

    /// @notice The highest rate priced now (a higher rate is clamped to it): the anchor grown at `maxGrowthBpsPerYear`
    /// for the time since it was set, at most `MAX_ACCRUAL`.
    function rateCap() external view returns (uint256);

    /// @notice The anchor rate and when it was set.
    function anchor() external view returns (uint256 rate, uint256 timestamp);

    /// @notice The underlying's price feed.
    function underlyingFeed() external view returns (AggregatorV3Interface);

    /// @notice The wrapper (the ERC-4626 vault or the rate provider).
    function wrapper() external view returns (address);
}
