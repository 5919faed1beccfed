// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IRateProvider
/// @notice A wrapped asset's exchange rate: underlying tokens per wrapped token, 18 decimals (the rate-provider
/// interface of liquid-staking and yield tokens that are not ERC-4626 vaults).
interface IRateProvider {
    /// @notice Underlying per wrapped token, 18 decimals.
    function getRate() external view returns (uint256);
}
