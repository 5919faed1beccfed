// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPushFeed} from "../../../interfaces/IPushFeed.sol";
import {PushFeedBase} from "../utils/PushFeedBase.sol";

/// @title PushFeedSetReporterTest
/// @notice `PushFeed.setReporter` (owner only) (fixture: PushFeedBase).
contract PushFeedSetReporterTest is PushFeedBase {
    /// @notice A stranger and a reporter are not the owner: OwnableUnauthorizedAccount(caller).
    function test_setReporter__notOwner__reverts() public {
        address[2] memory callers = [STRANGER, REPORTER];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSignature("OwnableUnauthorizedAccount(address)", callers[i]));
            vm.prank(callers[i]);
            feed.setReporter(STRANGER, true);
        }
        assertTrue(!feed.isReporter(STRANGER), "not made a reporter");
    }

    /// @notice The owner revokes a reporter (announced), whose next submission reverts NotReporter.
    function test_setReporter__revoked__cannotSubmit() public {
        vm.expectEmit(true, false, false, true, address(feed));
        emit IPushFeed.ReporterSet(REPORTER, false);
        vm.prank(OWNER);
        feed.setReporter(REPORTER, false);
        assertTrue(!feed.isReporter(REPORTER), "revoked");
        vm.expectRevert(abi.encodeWithSelector(IPushFeed.NotReporter.selector, REPORTER));
        vm.prank(REPORTER);
        feed.submit(2_000e8);
    }
}
