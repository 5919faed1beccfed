// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPushFeed} from "../../../interfaces/IPushFeed.sol";
import {PushFeedBase} from "../utils/PushFeedBase.sol";

/// @title PushFeedSubmitTest
/// @notice `PushFeed.submit`: reporters only, one new round per submission (fixture: PushFeedBase).
contract PushFeedSubmitTest is PushFeedBase {
    /// @notice A stranger and the owner (owning the feed does not make one a reporter) revert NotReporter(caller).
    function test_submit__notReporter__reverts() public {
        address[2] memory callers = [STRANGER, OWNER];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IPushFeed.NotReporter.selector, callers[i]));
            vm.prank(callers[i]);
            feed.submit(2_000e8);
        }
        (uint80 id,,,,) = feed.latestRoundData();
        assertEq(uint256(id), 0, "no round");
    }

    /// @notice Each submission opens a new round at the block's time, announced with the answer; an answer is stored
    /// as given, a negative one too (judging it is the consumer's job), and earlier rounds stay readable.
    function test_submit__reporter__opensANewRoundEachTime() public {
        vm.warp(T0 + 60);
        vm.expectEmit(true, true, false, true, address(feed));
        emit IPushFeed.AnswerUpdated(2_000e8, 1, T0 + 60);
        vm.prank(REPORTER);
        feed.submit(2_000e8);
        vm.warp(T0 + 90);
        vm.prank(REPORTER);
        feed.submit(-5e8);
        (uint80 id, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredIn) = feed.latestRoundData();
        assertEq(uint256(id), 2, "latest round");
        assertEq(answer, -5e8, "latest answer");
        assertEq(startedAt, T0 + 90, "started");
        assertEq(updatedAt, T0 + 90, "updated");
        assertEq(uint256(answeredIn), 2, "answered in");
        _assertRound(1, 2_000e8, T0 + 60, "round 1");
        _assertRound(2, -5e8, T0 + 90, "round 2");
    }

    /// @notice An answer beyond int192 reverts SafeCastOverflowedIntDowncast(192, answer); the largest int192 is stored.
    function test_submit__answerBeyondInt192__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("SafeCastOverflowedIntDowncast(uint8,int256)", 192, int256(2 ** 191)));
        vm.prank(REPORTER);
        feed.submit(int256(2 ** 191));
        vm.prank(REPORTER);
        feed.submit(int256(2 ** 191) - 1);
        (, int256 answer,,,) = feed.latestRoundData();
        assertEq(answer, int256(2 ** 191) - 1, "the largest int192");
    }
}
