// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPushFeed} from "../../../interfaces/IPushFeed.sol";
import {PushFeedBase} from "../utils/PushFeedBase.sol";

/// @title PushFeedGetRoundDataTest
/// @notice `PushFeed.getRoundData` (fixture: PushFeedBase).
contract PushFeedGetRoundDataTest is PushFeedBase {
    /// @notice After one submission, round 0, round 2 and the largest round id are unknown: UnknownRound(id).
    function test_getRoundData__unknownRound__reverts() public {
        vm.prank(REPORTER);
        feed.submit(2_000e8);
        uint80[3] memory unknown = [uint80(0), 2, type(uint80).max];
        for (uint256 i = 0; i < unknown.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IPushFeed.UnknownRound.selector, unknown[i]));
            feed.getRoundData(unknown[i]);
        }
        _assertRound(1, 2_000e8, T0, "round 1");
    }
}
