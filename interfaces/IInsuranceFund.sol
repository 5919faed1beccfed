// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IErrors} from "./IErrors.sol";
/// @title IInsuranceFund
/// @notice First-loss buffer of ballast, in the settlement asset. Fed by a share of liquidation penalties and
/// trading fees (and by anyone who wants to); covers liquidation deficits before LPs bear them; above its target
/// the excess flows to the Pool (to LPs).
/// @dev The fund books what it receives through `fund`; tokens sent to it directly are not booked.
interface IInsuranceFund is IErrors {
    /// @notice The booked balance `balance` is not above the `target`: nothing to sweep.
    error NothingToSweep(uint256 balance, uint256 target);
    /// @notice A governance withdrawal of `amount` exceeds the booked `balance`.
    error InsufficientBalance(uint256 amount, uint256 balance);

    /// @notice `amount` arrived from `from`; `reason` tags the source (e.g. "penalty", "fee", "donation").
    event Funded(address indexed from, uint256 amount, bytes32 indexed reason);
    /// @notice A deficit of `deficit` was covered by `covered`; `uncovered` is left for LPs.
    event Covered(uint256 deficit, uint256 covered, uint256 uncovered);
    /// @notice `amount` above the target went to the Pool.
    event Swept(uint256 amount, address indexed caller);
    /// @notice The target balance changed.
    event TargetSet(uint256 target);
    /// @notice Governance (the timelock) withdrew `amount` to `to`.
    event GovernanceWithdrawal(address indexed to, uint256 amount);

    /// @notice Pull `amount` of the settlement asset from the caller into the fund, tagged `reason`.
    function fund(uint256 amount, bytes32 reason) external;

    /// @notice Pay up to `deficit` to the Liquidator (which repays the Pool with it). Liquidator only.
    /// @return uncovered What the fund could not cover.
    function cover(uint256 deficit) external returns (uint256 uncovered);

    /// @notice Move the booked balance above the target to the Pool. Permissionless.
    /// @return amount What was swept.
    function sweep() external returns (uint256 amount);

    /// @notice Set the target balance. Governance (the timelock) only: lowering it lets anyone sweep the fund to LPs.
    function setTarget(uint256 target) external;

    /// @notice Withdraw `amount` to `to`. Governance (the timelock) only.
    function withdraw(address to, uint256 amount) external;

    /// @notice The settlement asset held.
    function asset() external view returns (address);

    /// @notice Booked balance.
    function bookedBalance() external view returns (uint256);

    /// @notice Target balance; the excess above it can be swept to the Pool.
    function target() external view returns (uint256);
}
