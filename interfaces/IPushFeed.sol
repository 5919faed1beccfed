// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// @title IPushFeed
/// @notice A Chainlink-compatible feed that authorized reporters push answers into (test networks, the oracle
/// keeper, scenario replays).
interface IPushFeed is AggregatorV3Interface {
    /// @notice The caller is not an authorized reporter.
    error NotReporter(address caller);
    /// @notice Round `roundId` was never reported.
    error UnknownRound(uint80 roundId);

    /// @notice A reporter pushed round `roundId`.
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
    /// @notice The owner granted (`allowed`) or revoked a reporter.
    event ReporterSet(address indexed reporter, bool allowed);

    /// @notice Push `answer` as a new round stamped with the current block time. Reporters only.
    /// @dev The answer is stored as given: validating it (sign, bounds, staleness) is the consumer's job.
    function submit(int256 answer) external;

    /// @notice Grant or revoke a reporter. Owner only.
    function setReporter(address reporter, bool allowed) external;

    /// @notice Whether `account` may submit.
    function isReporter(address account) external view returns (bool);
}
