// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title ICoreWiring
/// @notice The wiring the Pool and the MarginEngine share, fixed at construction.
interface ICoreWiring {
    /// @notice The OracleAggregator every price is read from.
    function oracle() external view returns (address);
    /// @notice The Liquidator: the only caller of the liquidation entry points.
    function liquidator() external view returns (address);
    /// @notice The InsuranceFund: first to cover a deficit, before LPs.
    function insuranceFund() external view returns (address);
    /// @notice The settlement asset: traders' cash and debt, profits and losses are in it.
    function settlementAsset() external view returns (address);
}
