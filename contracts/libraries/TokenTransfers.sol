// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20, SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title TokenTransfers
/// @notice Pulling tokens into the calling contract, booked at what arrives.
library TokenTransfers {
    using SafeERC20 for IERC20;

    /// @notice Pull `amount` of `token` from the caller (`msg.sender`) into this contract; returns what arrived (a
    /// fee-on-transfer token delivers less than `amount`, and only what arrived may be booked). Only the caller's own
    /// tokens are ever pulled: no entry point can spend another holder's allowance.
    function pullFromSender(address token, uint256 amount) internal returns (uint256 received) {
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        received = IERC20(token).balanceOf(address(this)) - before;
    }
}
