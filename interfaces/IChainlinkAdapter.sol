// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// @title IChainlinkAdapter
/// @notice An OracleAggregator source that reads one Chainlink aggregator and reports its answer in 18 decimals with
/// the feed's own round data, however old: the aggregator judges the age (the source's heartbeat), future stamps and
/// the answer bounds, and its permissionless wind-down can use a stale answer. The adapter reverts only for an answer
/// that means nothing; the OracleAggregator counts a reverting source as excluded (`Exclusion.Reverted`).
/// @dev Reverts when the round was never answered (`updatedAt` 0), the answer is not positive, or it scales to 0.
/// `answeredInRound` is passed through unchecked (OCR feeds set it to the round id).
interface IChainlinkAdapter is AggregatorV3Interface {
    /// @notice The feed reports more than 36 decimals (given at deployment).
    error UnsupportedDecimals(uint8 decimals);
    /// @notice The feed is the zero address.
    error ZeroFeed();
    /// @notice Round `roundId` was never answered (`updatedAt` 0).
    error UnansweredRound(uint80 roundId);
    /// @notice The feed's answer is zero or negative.
    error NonPositiveAnswer(uint80 roundId, int256 answer);
    /// @notice The answer scaled to 18 decimals is zero (a feed with more than 18 decimals and a tiny answer).
    error AnswerRoundsToZero(int256 answer, uint8 feedDecimals);

    /// @notice The Chainlink aggregator read.
    function feed() external view returns (AggregatorV3Interface);

    /// @notice The feed's own decimals (read once at deployment).
    function feedDecimals() external view returns (uint8);
}
