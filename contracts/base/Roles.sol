// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title Roles
/// @notice The governance roles of ballast, defined once, on OpenZeppelin's AccessControl (it adds no storage to
/// AccessControl's role map). Each contract grants the roles it checks; the timelock holds DEFAULT_ADMIN_ROLE
/// everywhere.
/// - RISK_MANAGER_ROLE: bounded, rate-limited parameter steps.
/// - GUARDIAN_ROLE: pauses new risk and freezes oracle assets; never blocks a repayment, a close or a liquidation, and
///   its freezes expire.
/// - RISK_COMMITTEE_ROLE: proposes the wind-down price of an asset whose sources went dead; approves or rejects the
///   listings proposed to the AssetOnboarding and schedules promotions of isolated collateral.
abstract contract Roles is AccessControl {
    bytes32 public constant RISK_MANAGER_ROLE = keccak256("RISK_MANAGER_ROLE");
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    bytes32 public constant RISK_COMMITTEE_ROLE = keccak256("RISK_COMMITTEE_ROLE");
}
