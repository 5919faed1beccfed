// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IPythPriceFeeds
/// @notice The part of the Pyth price-feed contract (pull oracle) that the PythAdapter uses.
interface IPythPriceFeeds {
    /// @notice A Pyth price: `price * 10^expo` with confidence interval `conf * 10^expo`, published at `publishTime`.
    struct Price {
        int64 price;
        uint64 conf;
        int32 expo;
        uint256 publishTime;
    }

    /// @notice The latest stored price of feed `id`, however old (reverts when the feed has no price).
    function getPriceUnsafe(bytes32 id) external view returns (Price memory price);

    /// @notice Store the signed price updates `updateData`; needs `getUpdateFee(updateData)` wei.
    function updatePriceFeeds(bytes[] calldata updateData) external payable;

    /// @notice The fee, in wei, of storing `updateData`.
    function getUpdateFee(bytes[] calldata updateData) external view returns (uint256 feeAmount);
}
