// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IProductRegistryTypes} from "../../../interfaces/IProductRegistry.sol";
import {IProtocolLockTypes} from "../../../interfaces/IProtocolLock.sol";
import {ProductsPoolBase} from "../utils/ProductsPoolBase.sol";

/// @title PoolAddProductTest
/// @notice `Pool.addProduct`: governance registers a second product beside the MarginEngine, which joins the shared
/// lock (fixture: ProductsPoolBase).
contract PoolAddProductTest is ProductsPoolBase {
    /// @notice The admin adds BOOK with caps: ProductAdded(book, 1, caps) and the lock's MemberAdded(book); the registry
    /// lists it after the MarginEngine with its caps and no debt, and BOOK now takes the shared lock for its calls into
    /// the Pool.
    function test_addProduct__byAdmin__registersJoinsTheLockAndEmits() public {
        IProductRegistryTypes.ProductCaps memory caps = _caps(500, 2_500);
        vm.expectEmit(true, false, false, true, address(lock));
        emit IProtocolLockTypes.MemberAdded(address(book));
        vm.expectEmit(true, false, false, true, address(pool));
        emit IProductRegistryTypes.ProductAdded(address(book), 1, caps);
        pool.addProduct(address(book), caps);

        address[] memory list = pool.products();
        assertEq(list.length, 2, "two products");
        assertEq(list[0], address(this), "the MarginEngine first");
        assertEq(list[1], address(book), "then BOOK");
        assertTrue(pool.isProduct(address(book)), "a product");
        assertEq(pool.productCaps(address(book)).maxLiquidityUsd, 500, "liquidity cap");
        assertEq(pool.productCaps(address(book)).maxBackingShareBps, 2_500, "backing share cap");
        assertEq(pool.scaledDebtOf(address(book)), 0, "no debt");
        assertTrue(lock.isMember(address(book)), "a member of the shared lock");
        book.checkUtilization(); // takes the lock and passes the Pool's product check
    }

    /// @notice Anyone but the admin reverts AccessControlUnauthorizedAccount(caller, DEFAULT_ADMIN_ROLE).
    function test_addProduct__notAdmin__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", OTHER, bytes32(0)));
        vm.prank(OTHER);
        pool.addProduct(address(book), _caps(NO_CAP, 10_000));
        assertTrue(!pool.isProduct(address(book)), "not added");
    }

    /// @notice The zero address reverts ZeroAddress.
    function test_addProduct__zeroAddress__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        pool.addProduct(address(0), _caps(NO_CAP, 10_000));
    }

    /// @notice A product is added once: BOOK again, or the MarginEngine, reverts ProductAlreadyAdded(book).
    function test_addProduct__twice__reverts() public {
        _addBook(NO_CAP, 10_000);
        vm.expectRevert(abi.encodeWithSelector(IProductRegistryTypes.ProductAlreadyAdded.selector, address(book)));
        pool.addProduct(address(book), _caps(NO_CAP, 10_000));
        vm.expectRevert(abi.encodeWithSelector(IProductRegistryTypes.ProductAlreadyAdded.selector, address(this)));
        pool.addProduct(address(this), _caps(NO_CAP, 10_000));
        assertEq(pool.products().length, 2, "still two");
    }

    /// @notice Three products beside the MarginEngine fill MAX_PRODUCTS (4); a fifth reverts TooManyProducts(4).
    function test_addProduct__tooMany__reverts() public {
        assertEq(pool.MAX_PRODUCTS(), 4, "four products at most");
        _addBook(NO_CAP, 10_000);
        pool.addProduct(_newBook(), _caps(NO_CAP, 10_000));
        pool.addProduct(_newBook(), _caps(NO_CAP, 10_000));
        address fifth = _newBook();
        vm.expectRevert(abi.encodeWithSelector(IProductRegistryTypes.TooManyProducts.selector, 4));
        pool.addProduct(fifth, _caps(NO_CAP, 10_000));
        assertEq(pool.products().length, 4, "four");
        assertTrue(!lock.isMember(fifth), "the fifth is not a lock member");
    }

    /// @notice A product joins NAV at zero: any exposure reported by `poolExposure` (a PnL at either price, reserved
    /// liquidity or a provision) reverts ProductNotEmpty(book, pnlLow, pnlHigh, reserved, provision).
    function test_addProduct__notEmpty__reverts() public {
        int256[4] memory lows = [int256(-1), 0, 0, 0];
        int256[4] memory highs = [int256(0), 1, 0, 0];
        uint256[4] memory reserved = [uint256(0), 0, 1, 0];
        uint256[4] memory provisions = [uint256(0), 0, 0, 1];
        for (uint256 i = 0; i < 4; ++i) {
            book.setExposure(lows[i], highs[i], reserved[i], provisions[i]);
            vm.expectRevert(
                abi.encodeWithSelector(
                    IProductRegistryTypes.ProductNotEmpty.selector,
                    address(book),
                    lows[i],
                    highs[i],
                    reserved[i],
                    provisions[i]
                )
            );
            pool.addProduct(address(book), _caps(NO_CAP, 10_000));
        }
        assertTrue(!pool.isProduct(address(book)), "not added");
    }

    /// @notice A backing share above 100 % reverts ParamOutOfBounds("maxBackingShareBps", value, 0, 10,000); a zero cap
    /// is allowed (a product that may take no new risk yet).
    function test_addProduct__capsOutOfBounds__reverts() public {
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("maxBackingShareBps"), 10_001, 0, 10_000
            )
        );
        pool.addProduct(address(book), _caps(NO_CAP, 10_001));
        _addBook(0, 0);
        assertEq(pool.productCaps(address(book)).maxLiquidityUsd, 0, "zero liquidity cap");
    }

    /// @notice Something that is not a trader book (no `poolExposure`) cannot be added: the call reverts.
    function test_addProduct__notATraderBook__reverts() public {
        vm.expectRevert();
        pool.addProduct(address(usdc), _caps(NO_CAP, 10_000));
        assertTrue(!pool.isProduct(address(usdc)), "not added");
    }
}
