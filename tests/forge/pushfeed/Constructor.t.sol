// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PushFeedBase} from "../utils/PushFeedBase.sol";

/// @title PushFeedConstructorTest
/// @notice the PushFeed's constructor: owner, metadata, and no round yet (fixture: PushFeedBase).
contract PushFeedConstructorTest is PushFeedBase {
    /// @notice The owner, decimals, description and version are set; only the allowed account reports; before any
    /// submission the latest round is all zeros.
    function test_constructor__ownerAndMetadata__setWithNoRound() public view {
        assertEq(feed.owner(), OWNER, "owner");
        assertEq(uint256(feed.decimals()), 8, "decimals");
        assertEq(keccak256(bytes(feed.description())), keccak256("ETH / USD (push)"), "description");
        assertEq(feed.version(), 1, "version");
        assertTrue(feed.isReporter(REPORTER), "the reporter");
        assertTrue(!feed.isReporter(STRANGER), "not a reporter");
        (uint80 id, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredIn) = feed.latestRoundData();
        assertEq(uint256(id) + uint256(answer) + startedAt + updatedAt + uint256(answeredIn), 0, "no round");
    }
}
