// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {IProductRegistryTypes} from "../../../interfaces/IProductRegistry.sol";
import {MockProduct} from "../../../contracts/mocks/MockProduct.sol";
import {StandalonePoolBase} from "./StandalonePoolBase.sol";

/// @title ProductsPoolBase
/// @notice StandalonePoolBase with a second product: BOOK, a MockProduct (a trader book whose exposure the test sets,
/// forwarding the Pool's product entry points under the shared lock), deployed but not yet added. The test contract
/// stays the MarginEngine (product 0) and the admin; `_addBook` registers BOOK with the caps given.
abstract contract ProductsPoolBase is StandalonePoolBase {
    /// @dev No liquidity cap and the whole backing: the caps the MarginEngine starts with.
    uint48 internal constant NO_CAP = type(uint48).max;

    MockProduct internal book;

    function setUp() public virtual override {
        super.setUp();
        book = new MockProduct(lock, pool);
        vm.label(address(book), "book");
    }

    function _caps(uint48 maxLiquidityUsd, uint16 maxBackingShareBps)
        internal
        pure
        returns (IProductRegistryTypes.ProductCaps memory)
    {
        return IProductRegistryTypes.ProductCaps(maxLiquidityUsd, maxBackingShareBps);
    }

    /// @notice Register BOOK as product 1 with `maxLiquidityUsd` (whole USD) and `maxBackingShareBps`.
    function _addBook(uint48 maxLiquidityUsd, uint16 maxBackingShareBps) internal {
        pool.addProduct(address(book), _caps(maxLiquidityUsd, maxBackingShareBps));
    }

    /// @notice A fresh MockProduct on this Pool and lock (not added).
    function _newBook() internal returns (address) {
        return address(new MockProduct(lock, pool));
    }

    /// @notice BOOK borrows `amount` USDC to OTHER (the Pool lends it as BOOK's debt).
    function _bookLends(uint256 amount) internal returns (uint256 scaled) {
        scaled = book.lend(amount, OTHER);
    }

    /// @notice Mint `amount` USDC to BOOK (what its traders paid in), for losses it passes on or debt it repays.
    function _fundBook(uint256 amount) internal {
        usdc.mint(address(book), amount);
    }

    function _expectCapExceeded(address product, uint256 usedUsd, uint256 capUsd) internal {
        vm.expectRevert(
            abi.encodeWithSelector(IProductRegistryTypes.ProductCapExceeded.selector, product, usedUsd, capUsd)
        );
    }

    function _expectDebtUnderflow(uint256 scaled, uint256 owed) internal {
        vm.expectRevert(abi.encodeWithSelector(IPoolTypes.DebtUnderflow.selector, scaled, owed));
    }
}
