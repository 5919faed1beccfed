// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PushFeed} from "../../../contracts/oracles/PushFeed.sol";
import {BaseTest} from "./BaseTest.sol";

/// @title PushFeedBase
/// @notice An 8-decimal PushFeed owned by OWNER with REPORTER allowed to submit; STRANGER holds no role.
abstract contract PushFeedBase is BaseTest {
    address internal constant OWNER = address(0x0A11);
    address internal constant REPORTER = address(0x4444);
    address internal constant STRANGER = address(0x5555);

    uint256 internal constant T0 = 1_700_000_000;

    PushFeed internal feed;

    function setUp() public virtual {
        vm.warp(T0);
        feed = new PushFeed(OWNER, 8, "ETH / USD (push)");
        vm.prank(OWNER);
        feed.setReporter(REPORTER, true);
    }

    function _assertRound(uint80 roundId, int256 answer, uint256 updatedAt, string memory what) internal view {
        (uint80 id, int256 got, uint256 startedAt, uint256 at, uint80 answeredIn) = feed.getRoundData(roundId);
        assertEq(uint256(id), roundId, what);
        assertEq(got, answer, what);
        assertEq(startedAt, updatedAt, what);
        assertEq(at, updatedAt, what);
        assertEq(uint256(answeredIn), roundId, what);
    }
}
