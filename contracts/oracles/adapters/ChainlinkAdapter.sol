// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../../../interfaces/AggregatorV3Interface.sol";
import {IChainlinkAdapter} from "../../../interfaces/IChainlinkAdapter.sol";
import {AdapterBase} from "./AdapterBase.sol";

/// @title ChainlinkAdapter
/// @notice One Chainlink aggregator as an OracleAggregator source: the feed's answer in 18 decimals, stamped with the
/// feed's own `updatedAt`; it reverts only for an answer that means nothing (see IChainlinkAdapter). Age and future
/// stamps are the aggregator's to judge.
/// @dev Immutable: a feed migration is a new adapter listed through governance.
contract ChainlinkAdapter is IChainlinkAdapter, AdapterBase {
    uint8 private constant MAX_FEED_DECIMALS = 36;

    /// @inheritdoc IChainlinkAdapter
    AggregatorV3Interface public immutable feed;
    /// @inheritdoc IChainlinkAdapter
    uint8 public immutable feedDecimals;

    constructor(AggregatorV3Interface feed_, string memory description_) AdapterBase(description_) {
        if (address(feed_) == address(0)) revert ZeroFeed();
        uint8 d = feed_.decimals();
        if (d > MAX_FEED_DECIMALS) revert UnsupportedDecimals(d);
        feed = feed_;
        feedDecimals = d;
    }

    /// @inheritdoc AggregatorV3Interface
    /// @dev The feed's own round, after the same checks as the latest.
    function getRoundData(uint80 roundId_)
        external
        view
        override(AdapterBase, AggregatorV3Interface)
        returns (uint80, int256, uint256, uint256, uint80)
    {
        (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) =
            feed.getRoundData(roundId_);
        return (roundId, _checked(roundId, answer, updatedAt), startedAt, updatedAt, answeredInRound);
    }

    function _latest() internal view override returns (uint80, int256, uint256, uint256, uint80) {
        (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) =
            feed.latestRoundData();
        return (roundId, _checked(roundId, answer, updatedAt), startedAt, updatedAt, answeredInRound);
    }

    /// @dev The answer in 18 decimals, after the checks that the round was answered and the answer is positive.
    function _checked(uint80 roundId, int256 answer, uint256 updatedAt) private view returns (int256 scaled) {
        if (updatedAt == 0) revert UnansweredRound(roundId);
        if (answer <= 0) revert NonPositiveAnswer(roundId, answer);
        uint8 d = feedDecimals;
        // answer < 2^255 and d <= 36: scaling up by at most 10^18 overflows only for answers above ~5.7e58, which
        // the checked multiplication turns into a revert (a broken feed, excluded by the aggregator).
        scaled =
            d <= WAD_DECIMALS ? answer * int256(10 ** (WAD_DECIMALS - d)) : answer / int256(10 ** (d - WAD_DECIMALS));
        if (scaled == 0) revert AnswerRoundsToZero(answer, d);
    }
}
