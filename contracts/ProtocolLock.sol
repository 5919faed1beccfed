// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IProtocolLock} from "../interfaces/IProtocolLock.sol";

/// @title ProtocolLock
/// @notice The single cross-contract reentrancy lock of ballast.
contract ProtocolLock is IProtocolLock {
    /// @notice Who may add members until the set is sealed.
    address public immutable deployer;

    bool private transient _locked;
    bool public isSealed;
    mapping(address account => bool) private _members;

    constructor() {
        deployer = msg.sender;
    }

    /// @inheritdoc IProtocolLock
    function lock() external {
        if (!_members[msg.sender]) revert NotMember(msg.sender);
        if (_locked) revert Locked();
        _locked = true;
    }

    /// @inheritdoc IProtocolLock
    function unlock() external {
        if (!_members[msg.sender]) revert NotMember(msg.sender);
        if (!_locked) revert NotLocked();
        _locked = false;
    }

    /// @inheritdoc IProtocolLock
    function isLocked() external view returns (bool) {
        return _locked;
    }

    /// @inheritdoc IProtocolLock
    function isMember(address account) external view returns (bool) {
        return _members[account];
    }

    /// @inheritdoc IProtocolLock
    function addMember(address member) external {
        if (msg.sender != deployer) revert NotMember(msg.sender);
        if (isSealed) revert MembersSealed();
        _members[member] = true;
        emit MemberAdded(member);
    }

    /// @inheritdoc IProtocolLock
    function seal() external {
        if (msg.sender != deployer) revert NotMember(msg.sender);
        if (isSealed) revert MembersSealed();
        isSealed = true;
        emit Sealed();
    }
}
