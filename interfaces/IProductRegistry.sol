// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IErrors} from "./IErrors.sol";

/// @title IProductRegistryTypes
/// @notice The caps, errors and events of the Pool's product registry (`IProductRegistry`).
interface IProductRegistryTypes is IErrors {
    /// @notice Governed limits of a product.
    /// @param maxLiquidityUsd The most used liquidity (reserved + receivable) the product may reach by adding risk, in
    /// whole USD (not WAD: a cap needs no cents, and a product's caps then fit in one slot beside its address).
    /// `type(uint48).max` (about 2.8e14 USD) is no cap.
    /// @param maxBackingShareBps The most share of the Pool's backing its used liquidity may take by adding risk.
    struct ProductCaps {
        uint48 maxLiquidityUsd;
        uint16 maxBackingShareBps;
    }

    /// @notice `book` is already a product.
    error ProductAlreadyAdded(address book);
    /// @notice `book` is not a product.
    error ProductNotAdded(address book);
    /// @notice No more than `max` products.
    error TooManyProducts(uint256 max);
    /// @notice A product starts empty: `book` reports this exposure.
    error ProductNotEmpty(address book, int256 pnlLow, int256 pnlHigh, uint256 reservedUsd, uint256 provisionUsd);
    /// @notice Adding risk would take the used liquidity of `product` to `usedUsd`, above `capUsd` (the lesser of its
    /// liquidity cap and its share of the backing).
    error ProductCapExceeded(address product, uint256 usedUsd, uint256 capUsd);
    /// @notice A payout worth `payoutUsd` to `product` exceeds the `reservedUsd` it has reserved for its positions.
    error ProductPayoutExceeded(address product, uint256 payoutUsd, uint256 reservedUsd);

    /// @notice Governance added `book` as product number `index` (the MarginEngine is product 0, at construction).
    event ProductAdded(address indexed book, uint256 index, ProductCaps caps);
    /// @notice Governance set the caps of `book`.
    event ProductCapsSet(address indexed book, ProductCaps caps);
}

/// @title IProductRegistry
/// @notice The product books the Pool serves. A product is a trader book (`ITraderBook`) that takes the Pool as its
/// counterparty: the Pool pays its traders' profits, receives their losses, lends to them, and sums every product's
/// exposure into NAV and utilization (O(products), never O(accounts)). The MarginEngine (perpetuals) is product 0,
/// registered at construction; governance (the admin role, held by the timelock) adds the others, each with caps on
/// the liquidity it may use, and each joins the shared lock the Pool holds (`IProtocolLock`): no core contract is
/// redeployed.
/// @dev A product's used liquidity is the USD reserved for what its open positions can be owed plus its receivable (its
/// traders' debt to the Pool), both at lower prices as utilization counts them. When the product adds risk
/// (`IPool.checkUtilization`, `IPool.lend`) its used liquidity must stay within `maxLiquidityUsd` and within
/// `maxBackingShareBps` of the Pool's backing (reserve value + receivables, the denominator of utilization); otherwise
/// the call reverts `ProductCapExceeded`. Caps never block a reduction, a close, a repayment, a liquidation or a
/// payout. A product is paid only to itself, repays and cancels only its own debt, and (every product but the
/// MarginEngine) is never paid more at once than it reports reserved for its positions (`ProductPayoutExceeded`).
/// docs/design.md#products.
interface IProductRegistry is IProductRegistryTypes {
    /// @notice Add `book` as a product with `caps` and make it a member of the shared lock. Admin (timelock) only.
    /// @dev Reverts `ProductNotEmpty` unless `book` answers `poolExposure` with no exposure at all: a product joins the
    /// Pool's NAV at zero. At most `MAX_PRODUCTS` products, the MarginEngine included; a product is never removed
    /// (governance stops its new risk with a zero cap).
    function addProduct(address book, ProductCaps calldata caps) external;

    /// @notice Set the caps of product `book` (the MarginEngine's too). Admin (timelock) only. Lowering a cap below
    /// what the product uses stops its new risk and nothing else.
    function setProductCaps(address book, ProductCaps calldata caps) external;

    /// @notice The most products the Pool serves, the MarginEngine included.
    function MAX_PRODUCTS() external view returns (uint256);

    /// @notice The MarginEngine: product 0, registered at construction.
    function marginEngine() external view returns (address);

    /// @notice Every product, in the order added; the MarginEngine first.
    function products() external view returns (address[] memory);

    /// @notice Whether `book` is a product.
    function isProduct(address book) external view returns (bool);

    /// @notice The caps of product `book`.
    function productCaps(address book) external view returns (ProductCaps memory);

    /// @notice Trader debt owed through product `book`, in scaled units; the products' sum is `totalScaledDebt`.
    function scaledDebtOf(address book) external view returns (uint256);
}
