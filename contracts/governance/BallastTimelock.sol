// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title BallastTimelock
/// @notice Governance of ballast: OpenZeppelin's TimelockController, unchanged, holding the admin role of the
/// Pool, MarginEngine, Liquidator, InsuranceFund and OracleAggregator. Compiled in the project so deployments and
/// tests get it from the same build.
contract BallastTimelock is TimelockController {
    /// @param minDelay Seconds between scheduling an operation and executing it.
    /// @param proposers May schedule (and cancel) operations.
    /// @param executors May execute ready operations (address(0) in the list: anyone).
    /// @param admin Optional extra admin of the timelock's own roles; address(0) leaves it self-administered.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
