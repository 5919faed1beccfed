// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IProtocolLock} from "../../interfaces/IProtocolLock.sol";

/// @title ProtocolGuarded
/// @notice Base of every member of the shared lock but the Pool, which holds it: `guarded` entry points hold the lock
/// (a call to the Pool's `lock` and `unlock`) while they run.
abstract contract ProtocolGuarded {
    /// @notice The shared lock: the Pool.
    IProtocolLock public immutable protocolLock;

    constructor(IProtocolLock lock_) {
        protocolLock = lock_;
    }

    /// @dev Take the shared lock for the duration of the call; any re-entry into any member reverts `Locked`.
    modifier guarded() {
        protocolLock.lock();
        _;
        protocolLock.unlock();
    }
}
