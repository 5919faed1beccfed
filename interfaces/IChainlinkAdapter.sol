// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// @title IChainlinkAdapter
/// @notice An OracleAggregator source that reads one Chainlink aggregator and reports its answer in 18 decimals, or
/// reverts with the reason when the answer must not be used. The OracleAggregator counts a reverting source as
/// excluded (`Exclusion.Reverted`); calling `latestRoundData` directly shows why.
/// @dev Checks, in order: the round is complete (`updatedAt != 0`, `answeredInRound >= roundId`), the answer is
/// positive, it is not stamped in the future, and it is at most `maxAge` seconds old.
interface IChainlinkAdapter is AggregatorV3Interface {
    /// @notice The feed reports more than 36 decimals (given at deployment).
    error UnsupportedDecimals(uint8 decimals);
    /// @notice The maximum age given at deployment is zero.
    error ZeroMaxAge();
    /// @notice The feed is the zero address.
    error ZeroFeed();
    /// @notice Round `roundId` is not complete: it was never answered (`updatedAt` 0) or carries the answer of the
    /// earlier round `answeredInRound`.
    error IncompleteRound(uint80 roundId, uint80 answeredInRound, uint256 updatedAt);
    /// @notice The feed's answer is zero or negative.
    error NonPositiveAnswer(uint80 roundId, int256 answer);
    /// @notice The answer is stamped `updatedAt`, after the current time `timestamp`.
    error FutureAnswer(uint256 updatedAt, uint256 timestamp);
    /// @notice The answer, stamped `updatedAt`, is older than `maxAge` seconds at `timestamp`.
    error StaleAnswer(uint256 updatedAt, uint256 maxAge, uint256 timestamp);
    /// @notice The answer scaled to 18 decimals is zero (a feed with more than 18 decimals and a tiny answer).
    error AnswerRoundsToZero(int256 answer, uint8 feedDecimals);

    /// @notice The Chainlink aggregator read.
    function feed() external view returns (AggregatorV3Interface);

    /// @notice The feed's own decimals (read once at deployment).
    function feedDecimals() external view returns (uint8);

    /// @notice Oldest answer accepted, in seconds.
    function maxAge() external view returns (uint32);
}
