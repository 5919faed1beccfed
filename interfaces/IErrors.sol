// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IErrors
/// @notice The errors every ballast contract may raise; each contract interface inherits them, so a selector means
/// the same thing whichever contract reverts with it.
interface IErrors {
    /// @notice The caller is not allowed to call this entry point.
    error Unauthorized(address caller);
    /// @notice A zero amount (or zero shares).
    error ZeroAmount();
    /// @notice A zero address where one is required.
    error ZeroAddress();
    /// @notice Parameter `name` = `value` is outside [`min`, `max`].
    error ParamOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
}
