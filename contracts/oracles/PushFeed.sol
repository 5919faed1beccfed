// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {AggregatorV3Interface} from "../../interfaces/AggregatorV3Interface.sol";
import {IPushFeed} from "../../interfaces/IPushFeed.sol";

/// @title PushFeed
/// @notice Chainlink-compatible feed updated by authorized reporters; keeps every round.
contract PushFeed is IPushFeed, Ownable2Step {
    struct Round {
        int192 answer;
        uint64 updatedAt;
    }

    /// @inheritdoc AggregatorV3Interface
    uint8 public immutable decimals;
    /// @inheritdoc AggregatorV3Interface
    string public description;

    uint80 private _latestRound;
    mapping(uint80 roundId => Round) private _rounds;
    mapping(address account => bool) private _reporters;

    constructor(address owner_, uint8 decimals_, string memory description_) Ownable(owner_) {
        decimals = decimals_;
        description = description_;
    }

    /// @inheritdoc IPushFeed
    function submit(int256 answer) external {
        if (!_reporters[msg.sender]) revert NotReporter(msg.sender);
        uint80 roundId = ++_latestRound;
        _rounds[roundId] = Round(SafeCast.toInt192(answer), uint64(block.timestamp));
        emit AnswerUpdated(answer, roundId, block.timestamp);
    }

    /// @inheritdoc IPushFeed
    function setReporter(address reporter, bool allowed) external onlyOwner {
        _reporters[reporter] = allowed;
        emit ReporterSet(reporter, allowed);
    }

    /// @inheritdoc IPushFeed
    function isReporter(address account) external view returns (bool) {
        return _reporters[account];
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return 1;
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _rounds[roundId];
        if (r.updatedAt == 0) revert UnknownRound(roundId);
        return (roundId, r.answer, r.updatedAt, r.updatedAt, roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        uint80 roundId = _latestRound;
        Round memory r = _rounds[roundId];
        return (roundId, r.answer, r.updatedAt, r.updatedAt, roundId);
    }
}
