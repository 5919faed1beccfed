// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IProtocolLockTypes} from "../../../interfaces/IProtocolLock.sol";
import {LockFixture} from "../utils/LockFixture.sol";

/// @title ProtocolLockTest
/// @notice `Pool.lock` / `unlock`: the shared lock of the four core contracts, held by the Pool, taken and released by
/// members only; the Pool's own guarded entry points take the same lock.
contract ProtocolLockTest is LockFixture {
    /// @notice The members are fixed at construction, in order; nobody else is one.
    function test_members__fixedAtConstruction__inOrder() public view {
        address[4] memory members = lock.members();
        assertEq(members[0], pool, "pool");
        assertEq(members[1], ENGINE, "engine");
        assertEq(members[2], LIQUIDATOR, "liquidator");
        assertEq(members[3], FUND, "fund");
        assertTrue(lock.isMember(pool) && lock.isMember(FUND), "members");
        assertTrue(!lock.isMember(STRANGER), "not a member");
        assertTrue(!lock.isLocked(), "unlocked");
    }

    /// @notice A stranger may neither lock nor unlock: NotMember(caller).
    function test_lock__stranger__revertsNotMember() public {
        vm.expectRevert(abi.encodeWithSelector(IProtocolLockTypes.NotMember.selector, STRANGER));
        vm.prank(STRANGER);
        lock.lock();
        vm.expectRevert(abi.encodeWithSelector(IProtocolLockTypes.NotMember.selector, STRANGER));
        vm.prank(STRANGER);
        lock.unlock();
        assertTrue(!lock.isLocked(), "unlocked");
    }

    /// @notice Unlocking an unlocked lock reverts NotLocked; a second lock reverts Locked, whichever member takes it;
    /// once released it can be taken again.
    function test_lock__heldOrNotHeld__revertsAndReleases() public {
        vm.expectRevert(IProtocolLockTypes.NotLocked.selector);
        vm.prank(ENGINE);
        lock.unlock();
        vm.prank(pool);
        lock.lock();
        assertTrue(lock.isLocked(), "locked");
        vm.expectRevert(IProtocolLockTypes.Locked.selector);
        vm.prank(LIQUIDATOR);
        lock.lock();
        vm.prank(ENGINE);
        lock.unlock();
        assertTrue(!lock.isLocked(), "released");
        vm.prank(FUND);
        lock.lock();
        assertTrue(lock.isLocked(), "taken again");
    }

    /// @notice While a member holds the lock, the Pool's own guarded entry points revert Locked (they take the same
    /// lock, without a call), and the lock stays the member's.
    function test_poolEntryPoint__memberHoldsTheLock__revertsLocked() public {
        vm.prank(ENGINE);
        lock.lock();
        vm.expectRevert(IProtocolLockTypes.Locked.selector);
        lock.poke();
        vm.expectRevert(IProtocolLockTypes.Locked.selector);
        lock.deposit(SETTLEMENT, 1, 0, address(this));
        vm.expectRevert(IProtocolLockTypes.Locked.selector);
        lock.withdraw(1, SETTLEMENT, 0, address(this));
        assertTrue(lock.isLocked(), "still held");
        vm.prank(ENGINE);
        lock.unlock();
        assertTrue(!lock.isLocked(), "released");
    }

    /// @notice The lock lives in transient storage: a lock taken and never released is gone when its transaction
    /// ends, so the next transaction can take it again. Isolated: every call of the test is a transaction of its own.
    /// forge-config: default.isolate = true
    function test_lock__neverReleased__clearedWhenTheTransactionEnds() public {
        vm.prank(pool);
        lock.lock();
        assertTrue(!lock.isLocked(), "cleared after the transaction");
        vm.prank(ENGINE);
        lock.lock();
        assertTrue(!lock.isLocked(), "taken again, then cleared again");
    }
}
