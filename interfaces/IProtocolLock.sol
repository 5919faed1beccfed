// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IProtocolLock
/// @notice One reentrancy lock shared by the Pool, MarginEngine, Liquidator and InsuranceFund: while any of their
/// external entry points runs, no entry point of any of them can be entered again (cross-contract reentrancy).
/// @dev The lock lives in transient storage, so it costs no storage write and clears at the end of a transaction.
/// The members are fixed at deployment (immutables, at addresses predicted from the deployer's nonces), so taking
/// the lock reads no storage.
interface IProtocolLock {
    /// @notice An entry point was called while another (of any member contract) was running.
    error Locked();
    /// @notice The caller is not a member contract.
    error NotMember(address caller);
    /// @notice `unlock` was called while the lock was not held.
    error NotLocked();

    /// @notice Take the lock. Members only; reverts `Locked` if held.
    function lock() external;

    /// @notice Release the lock. Members only.
    function unlock() external;

    /// @notice Whether the lock is held in this transaction.
    function isLocked() external view returns (bool);

    /// @notice Whether `account` may take and release the lock.
    function isMember(address account) external view returns (bool);

    /// @notice The member contracts, in deployment order: Pool, MarginEngine, Liquidator, InsuranceFund.
    function members() external view returns (address[4] memory);
}
