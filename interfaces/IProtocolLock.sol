// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IProtocolLockTypes
/// @notice The errors and events of the shared lock (`IProtocolLock`).
interface IProtocolLockTypes {
    /// @notice An entry point was called while another (of any member contract) was running.
    error Locked();
    /// @notice The caller is not a member contract.
    error NotMember(address caller);
    /// @notice `unlock` was called while the lock was not held.
    error NotLocked();
    /// @notice Only the Pool adds members; `caller` is not it.
    error NotMemberAdmin(address caller);
    /// @notice `account` is a member already.
    error AlreadyMember(address account);
    /// @notice The zero address cannot be a member.
    error ZeroMember();

    /// @notice `member` may now take and release the lock.
    event MemberAdded(address indexed member);
}

/// @title IProtocolLockCore
/// @notice Taking and releasing the shared lock: the Pool's own code (no delegation on the members' hot path).
interface IProtocolLockCore is IProtocolLockTypes {
    /// @notice Take the lock. Members only; reverts `Locked` if held.
    function lock() external;

    /// @notice Release the lock. Members only.
    function unlock() external;
}

/// @title IProtocolLockAdmin
/// @notice The shared lock's membership and state, served by the Pool's extension.
interface IProtocolLockAdmin is IProtocolLockTypes {
    /// @notice Make `member` a member. The Pool only: it adds a product when governance registers it
    /// (`IProductRegistry.addProduct`); from any other caller this reverts `NotMemberAdmin`.
    function addMember(address member) external;

    /// @notice Whether the lock is held in this transaction.
    function isLocked() external view returns (bool);

    /// @notice Whether `account` may take and release the lock.
    function isMember(address account) external view returns (bool);

    /// @notice The core members, in deployment order: Pool, MarginEngine, Liquidator, InsuranceFund.
    function members() external view returns (address[4] memory);

    /// @notice The members added after deployment (products), in the order added.
    function addedMembers() external view returns (address[] memory);
}

/// @title IProtocolLock
/// @notice One reentrancy lock shared by the Pool, MarginEngine, Liquidator and InsuranceFund, and by every product the
/// Pool serves: while any of their external entry points runs, no entry point of any of them can be entered again
/// (cross-contract reentrancy).
/// @dev The Pool is the lock: it holds it in its own transient storage, so it costs no storage write and clears at the
/// end of a transaction, and the Pool's own entry points take it without a call. Every other member calls the Pool's
/// `lock` and `unlock`; most of their transactions call the Pool anyway, so its account is warm. The four core members
/// are fixed at deployment (immutables, at addresses predicted from the deployer's nonces), so a core member takes the
/// lock without a storage read. Further members are added by the Pool when governance registers a product there
/// (`IProductRegistry.addProduct`): one lock for every cross-contract call, without redeploying the core. A member is
/// never removed.
interface IProtocolLock is IProtocolLockCore, IProtocolLockAdmin {}
