// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IProtocolLock} from "../interfaces/IProtocolLock.sol";

/// @title ProtocolLock
/// @notice The single cross-contract reentrancy lock of ballast.
contract ProtocolLock is IProtocolLock {
    address private immutable _pool;
    address private immutable _marginEngine;
    address private immutable _liquidator;
    address private immutable _insuranceFund;

    address[] private _addedMembers;
    mapping(address account => bool) private _isAdded;

    bool private transient _locked;

    /// @param members_ Pool, MarginEngine, Liquidator and InsuranceFund (a test may repeat an address).
    constructor(address[4] memory members_) {
        (_pool, _marginEngine, _liquidator, _insuranceFund) = (members_[0], members_[1], members_[2], members_[3]);
    }

    modifier onlyMember() {
        if (!isMember(msg.sender)) revert NotMember(msg.sender);
        _;
    }

    /// @inheritdoc IProtocolLock
    function lock() external onlyMember {
        if (_locked) revert Locked();
        _locked = true;
    }

    /// @inheritdoc IProtocolLock
    function unlock() external onlyMember {
        if (!_locked) revert NotLocked();
        _locked = false;
    }

    /// @inheritdoc IProtocolLock
    function addMember(address member) external {
        if (msg.sender != _pool) revert NotMemberAdmin(msg.sender);
        if (member == address(0)) revert ZeroMember();
        if (isMember(member)) revert AlreadyMember(member);
        _isAdded[member] = true;
        _addedMembers.push(member);
        emit MemberAdded(member);
    }

    /// @inheritdoc IProtocolLock
    function isLocked() external view returns (bool) {
        return _locked;
    }

    /// @inheritdoc IProtocolLock
    function isMember(address account) public view returns (bool) {
        return account == _pool || account == _marginEngine || account == _liquidator || account == _insuranceFund
            || _isAdded[account];
    }

    /// @inheritdoc IProtocolLock
    function members() external view returns (address[4] memory) {
        return [_pool, _marginEngine, _liquidator, _insuranceFund];
    }

    /// @inheritdoc IProtocolLock
    function addedMembers() external view returns (address[] memory) {
        return _addedMembers;
    }
}
