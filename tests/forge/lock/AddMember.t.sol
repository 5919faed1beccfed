// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IProtocolLockTypes} from "../../../interfaces/IProtocolLock.sol";
import {LockFixture} from "../utils/LockFixture.sol";

/// @title AddMemberTest
/// @notice `Pool.addMember`: the Pool (the first core member, which holds the shared lock) adds a member; nobody else
/// can, and a member is added once. The Pool adds its products this way when governance registers them
/// (tests/forge/pool/AddProduct.t.sol).
contract AddMemberTest is LockFixture {
    address internal constant PRODUCT = address(0x1005);

    event MemberAdded(address indexed member);

    /// @notice The Pool adds a product: it is listed, takes and releases the lock, and shares it with the core (a core
    /// member cannot enter while the product holds it, and the reverse); the core members are unchanged.
    function test_addMember__byPool__productSharesTheLock() public {
        assertTrue(!lock.isMember(PRODUCT), "not yet a member");
        vm.expectEmit(true, false, false, false, address(lock));
        emit MemberAdded(PRODUCT);
        vm.prank(pool);
        lock.addMember(PRODUCT);

        assertTrue(lock.isMember(PRODUCT), "member");
        address[] memory added = lock.addedMembers();
        assertEq(added.length, 1, "one added member");
        assertEq(added[0], PRODUCT, "the product");
        assertEq(lock.members()[0], pool, "core members unchanged");

        vm.prank(PRODUCT);
        lock.lock();
        vm.expectRevert(IProtocolLockTypes.Locked.selector);
        vm.prank(ENGINE);
        lock.lock();
        vm.prank(PRODUCT);
        lock.unlock();
        vm.prank(pool);
        lock.lock();
        vm.expectRevert(IProtocolLockTypes.Locked.selector);
        vm.prank(PRODUCT);
        lock.lock();
    }

    /// @notice Any caller but the Pool, a core member or not, reverts NotMemberAdmin(caller).
    function test_addMember__notThePool__revertsNotMemberAdmin() public {
        address[2] memory callers = [ENGINE, STRANGER];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IProtocolLockTypes.NotMemberAdmin.selector, callers[i]));
            vm.prank(callers[i]);
            lock.addMember(PRODUCT);
        }
        assertTrue(!lock.isMember(PRODUCT), "not a member");
    }

    /// @notice A member (core or added) is not added again: AlreadyMember(account); the zero address: ZeroMember.
    function test_addMember__memberOrZero__reverts() public {
        vm.startPrank(pool);
        lock.addMember(PRODUCT);
        vm.expectRevert(abi.encodeWithSelector(IProtocolLockTypes.AlreadyMember.selector, PRODUCT));
        lock.addMember(PRODUCT);
        vm.expectRevert(abi.encodeWithSelector(IProtocolLockTypes.AlreadyMember.selector, ENGINE));
        lock.addMember(ENGINE);
        vm.expectRevert(IProtocolLockTypes.ZeroMember.selector);
        lock.addMember(address(0));
        vm.stopPrank();
        assertEq(lock.addedMembers().length, 1, "one added member");
    }
}
