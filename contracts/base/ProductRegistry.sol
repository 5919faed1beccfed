// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IProductRegistry} from "../../interfaces/IProductRegistry.sol";
import {IProtocolLock} from "../../interfaces/IProtocolLock.sol";
import {ITraderBook} from "../../interfaces/ITraderBook.sol";
import {FixedPointMath} from "../libraries/FixedPointMath.sol";
import {ParamBounds} from "../libraries/ParamBounds.sol";
import {ProtocolGuarded} from "./ProtocolGuarded.sol";
import {Roles} from "./Roles.sol";

/// @title ProductRegistry
/// @notice The Pool's registry of product books: who they are, in which order, and their caps. The Pool does the
/// accounting (exposure sums, debt per product, cap checks); this base keeps the list and governs it. The MarginEngine's
/// caps and the product count live in a slot of the Pool's (the hooks below), which its risk checks read anyway.
abstract contract ProductRegistry is IProductRegistry, Roles, ProtocolGuarded {
    /// @inheritdoc IProductRegistry
    uint256 public constant MAX_PRODUCTS = 4;

    /// @dev Index in `_productList` plus one (0 = not a product) and the caps of a product other than the MarginEngine.
    struct ProductSlot {
        uint8 position;
        uint16 maxBackingShareBps;
        uint48 maxLiquidityUsd;
    }

    /// @inheritdoc IProductRegistry
    address public immutable marginEngine;

    address[] private _productList;
    mapping(address book => ProductSlot) private _productSlots;

    /// @param marginEngine_ Product 0, with no cap (a single product is bounded by the Pool's maximum utilization).
    constructor(address marginEngine_, IProtocolLock lock_) ProtocolGuarded(lock_) {
        marginEngine = marginEngine_;
        _productList.push(marginEngine_);
        _productCountChanged(1);
        ProductCaps memory none = ProductCaps(type(uint48).max, uint16(FixedPointMath.BPS));
        _setEngineCaps(none);
        emit ProductAdded(marginEngine_, 0, none);
    }

    /// @inheritdoc IProductRegistry
    function addProduct(address book, ProductCaps calldata caps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (book == address(0)) revert ZeroAddress();
        if (isProduct(book)) revert ProductAlreadyAdded(book);
        uint256 index = _productList.length;
        if (index == MAX_PRODUCTS) revert TooManyProducts(MAX_PRODUCTS);
        (int256 pnlLow, int256 pnlHigh, uint256 reserved, uint256 provision) = ITraderBook(book).poolExposure(false);
        if (pnlLow != 0 || pnlHigh != 0 || reserved != 0 || provision != 0) {
            revert ProductNotEmpty(book, pnlLow, pnlHigh, reserved, provision);
        }
        _checkCaps(caps);
        _productList.push(book);
        _productSlots[book] = ProductSlot(uint8(index + 1), caps.maxBackingShareBps, caps.maxLiquidityUsd);
        _productCountChanged(index + 1);
        protocolLock.addMember(book);
        emit ProductAdded(book, index, caps);
    }

    /// @inheritdoc IProductRegistry
    function setProductCaps(address book, ProductCaps calldata caps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!isProduct(book)) revert ProductNotAdded(book);
        _checkCaps(caps);
        if (book == marginEngine) {
            _setEngineCaps(caps);
        } else {
            ProductSlot storage s = _productSlots[book];
            (s.maxBackingShareBps, s.maxLiquidityUsd) = (caps.maxBackingShareBps, caps.maxLiquidityUsd);
        }
        emit ProductCapsSet(book, caps);
    }

    /// @inheritdoc IProductRegistry
    function products() external view returns (address[] memory) {
        return _productList;
    }

    /// @inheritdoc IProductRegistry
    function isProduct(address book) public view returns (bool) {
        return book == marginEngine || _productSlots[book].position != 0;
    }

    /// @inheritdoc IProductRegistry
    function productCaps(address book) external view returns (ProductCaps memory) {
        if (!isProduct(book)) revert ProductNotAdded(book);
        return _capsOf(book);
    }

    /// @dev The caps of `book`, a product.
    function _capsOf(address book) internal view returns (ProductCaps memory) {
        if (book == marginEngine) return _engineCaps();
        ProductSlot memory s = _productSlots[book];
        return ProductCaps(s.maxLiquidityUsd, s.maxBackingShareBps);
    }

    /// @dev Product number `index` (product 0 is the immutable `marginEngine`).
    function _productAt(uint256 index) internal view returns (address) {
        return _productList[index];
    }

    /// @dev Revert `Unauthorized` unless the caller is a product (the MarginEngine is compared first: an immutable).
    function _onlyProduct() internal view {
        if (!isProduct(msg.sender)) revert Unauthorized(msg.sender);
    }

    /// @dev The Pool keeps the product count, which its valuation loops to, where it reads it anyway.
    function _productCountChanged(uint256 count) internal virtual;

    /// @dev The Pool keeps the MarginEngine's caps where its risk checks read them anyway.
    function _engineCaps() internal view virtual returns (ProductCaps memory);

    function _setEngineCaps(ProductCaps memory caps) internal virtual;

    function _checkCaps(ProductCaps memory caps) private pure {
        ParamBounds.check("maxBackingShareBps", caps.maxBackingShareBps, 0, FixedPointMath.BPS);
    }
}
