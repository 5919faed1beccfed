// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../../interfaces/AggregatorV3Interface.sol";

/// @title MockFeed
/// @notice Chainlink-compatible feed for tests: answer, updatedAt, roundId and decimals can be set, and it can be
/// told to revert. Open setters: test networks only.
contract MockFeed is AggregatorV3Interface {
    /// @notice The feed was told to revert.
    error MockFeedReverted();

    // Packed so that latestRoundData reads two slots, like a lean production feed.
    uint8 public decimals;
    bool public reverting;
    uint80 public roundId;
    uint64 public updatedAt;
    int256 public answer;
    string public description;

    event AnswerSet(uint80 roundId, int256 answer, uint256 updatedAt);

    constructor(uint8 decimals_, int256 initialAnswer, string memory description_) {
        decimals = decimals_;
        description = description_;
        _set(1, initialAnswer, block.timestamp);
    }

    /// @notice New round with `answer_` stamped now.
    function setAnswer(int256 answer_) external {
        _set(roundId + 1, answer_, block.timestamp);
    }

    /// @notice Set every field of the latest round.
    function setRoundData(uint80 roundId_, int256 answer_, uint64 updatedAt_) external {
        _set(roundId_, answer_, updatedAt_);
    }

    /// @notice Change only the timestamp of the latest round.
    function setUpdatedAt(uint64 updatedAt_) external {
        _set(roundId, answer, updatedAt_);
    }

    function setDecimals(uint8 decimals_) external {
        decimals = decimals_;
    }

    function setReverting(bool reverting_) external {
        reverting = reverting_;
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return 1;
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80 roundId_) external view returns (uint80, int256, uint256, uint256, uint80) {
        if (reverting) revert MockFeedReverted();
        return (roundId_, answer, updatedAt, updatedAt, roundId_);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        if (reverting) revert MockFeedReverted();
        return (roundId, answer, updatedAt, updatedAt, roundId);
    }

    function _set(uint80 roundId_, int256 answer_, uint256 updatedAt_) private {
        (roundId, answer, updatedAt) = (roundId_, answer_, uint64(updatedAt_));
        emit AnswerSet(roundId_, answer_, updatedAt_);
    }
}
