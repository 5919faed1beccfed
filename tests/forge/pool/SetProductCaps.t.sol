// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IProductRegistryTypes} from "../../../interfaces/IProductRegistry.sol";
import {ProductsPoolBase} from "../utils/ProductsPoolBase.sol";

/// @title PoolSetProductCapsTest
/// @notice `Pool.setProductCaps`: governance bounds a product's new risk, the MarginEngine's included; a lowered cap
/// stops new risk and nothing else (docs/design.md#products) (fixture: ProductsPoolBase).
contract PoolSetProductCapsTest is ProductsPoolBase {
    /// @notice The admin sets BOOK's caps and then the MarginEngine's (which start with none): ProductCapsSet(book,
    /// caps) each time, and `productCaps` reads them back.
    function test_setProductCaps__byAdmin__setsAndEmits() public {
        IProductRegistryTypes.ProductCaps memory none = pool.productCaps(address(this));
        assertEq(none.maxLiquidityUsd, NO_CAP, "the MarginEngine starts with no liquidity cap");
        assertEq(none.maxBackingShareBps, 10_000, "and the whole backing");
        _addBook(NO_CAP, 10_000);

        IProductRegistryTypes.ProductCaps memory caps = _caps(1_000, 3_000);
        vm.expectEmit(true, false, false, true, address(pool));
        emit IProductRegistryTypes.ProductCapsSet(address(book), caps);
        pool.setProductCaps(address(book), caps);
        assertEq(pool.productCaps(address(book)).maxLiquidityUsd, 1_000, "BOOK's liquidity cap");
        assertEq(pool.productCaps(address(book)).maxBackingShareBps, 3_000, "BOOK's backing share cap");

        caps = _caps(2_000, 5_000);
        vm.expectEmit(true, false, false, true, address(pool));
        emit IProductRegistryTypes.ProductCapsSet(address(this), caps);
        pool.setProductCaps(address(this), caps);
        assertEq(pool.productCaps(address(this)).maxLiquidityUsd, 2_000, "the MarginEngine's liquidity cap");
        assertEq(pool.productCaps(address(this)).maxBackingShareBps, 5_000, "the MarginEngine's backing share cap");
        assertEq(pool.productCaps(address(book)).maxLiquidityUsd, 1_000, "BOOK's unchanged");
    }

    /// @notice Anyone but the admin reverts AccessControlUnauthorizedAccount(caller, DEFAULT_ADMIN_ROLE), the risk
    /// manager and the guardian included.
    function test_setProductCaps__notAdmin__reverts() public {
        _addBook(NO_CAP, 10_000);
        IAccessControl(address(pool)).grantRole(keccak256("RISK_MANAGER_ROLE"), OTHER);
        IAccessControl(address(pool)).grantRole(keccak256("GUARDIAN_ROLE"), OTHER);
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", OTHER, bytes32(0)));
        vm.prank(OTHER);
        pool.setProductCaps(address(book), _caps(0, 0));
        assertEq(pool.productCaps(address(book)).maxLiquidityUsd, NO_CAP, "unchanged");
    }

    /// @notice An address that is not a product reverts ProductNotAdded(book), as do its views.
    function test_setProductCaps__notAProduct__reverts() public {
        bytes memory notAdded = abi.encodeWithSelector(IProductRegistryTypes.ProductNotAdded.selector, address(book));
        vm.expectRevert(notAdded);
        pool.setProductCaps(address(book), _caps(0, 0));
        vm.expectRevert(notAdded);
        pool.productCaps(address(book));
        vm.expectRevert(notAdded);
        pool.scaledDebtOf(address(book));
        assertTrue(!pool.isProduct(address(book)), "not a product");
    }

    /// @notice A backing share above 100 % reverts ParamOutOfBounds("maxBackingShareBps", 10,001, 0, 10,000); the
    /// bounds themselves (0 and 100 %) are set.
    function test_setProductCaps__outOfBounds__reverts() public {
        _addBook(NO_CAP, 10_000);
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("maxBackingShareBps"), 10_001, 0, 10_000
            )
        );
        pool.setProductCaps(address(book), _caps(0, 10_001));
        pool.setProductCaps(address(book), _caps(0, 0));
        assertEq(pool.productCaps(address(book)).maxBackingShareBps, 0, "zero");
        pool.setProductCaps(address(this), _caps(NO_CAP, 10_000));
        assertEq(pool.productCaps(address(this)).maxBackingShareBps, 10_000, "the whole backing");
    }

    /// @notice Caps set to zero under open exposure and debt stop only new risk (docs/design.md#liveness): BOOK and the
    /// MarginEngine can no longer pass `checkUtilization` or borrow, but each is still paid its profit (from the
    /// settlement reserve and in kind), passes on a loss, repays and has collateral absorbed against its debt; the
    /// Liquidator still repays, absorbs and socializes for the MarginEngine.
    function test_setProductCaps__zeroCaps__stopOnlyNewRisk() public {
        _lp(LP, usdc, 4_000e6);
        _lp(LP, weth, 1e18);
        _addBook(NO_CAP, 10_000);
        book.setExposure(0, 0, 400e18, 0);
        stubReserved = 400e18;
        uint256 bookDebt = _bookLends(100e6);
        uint256 engineDebt = pool.lend(100e6, OTHER);
        pool.setProductCaps(address(book), _caps(0, 0));
        pool.setProductCaps(address(this), _caps(0, 0));

        // New risk: refused.
        _expectCapExceeded(address(book), 500e18, 0);
        book.checkUtilization();
        _expectCapExceeded(address(book), 501e18, 0);
        book.lend(1e6, OTHER);
        _expectCapExceeded(address(this), 500e18, 0);
        pool.checkUtilization();

        // Owed money and exits: paid.
        assertEq(book.payProfit(100e6), 100e6, "BOOK's profit");
        (uint256 inKind,) = book.payProfitInKind(address(weth), 300e18);
        assertEq(inKind, 0.1e18, "BOOK's profit in kind");
        assertEq(pool.payProfit(100e6), 100e6, "the MarginEngine's profit");
        _fundBook(200e6);
        book.receiveLoss(50e6, 10e6);
        book.repay(bookDebt);
        assertEq(pool.scaledDebtOf(address(book)), 10e6, "BOOK repaid the loan; the loss it passed on is owed");
        weth.mint(address(book), 1e18);
        book.approve(address(weth));
        book.absorb(address(weth), 1e18, 10e6);
        assertEq(pool.scaledDebtOf(address(book)), 0, "cancelled against collateral");

        _mintApprove(LIQ, usdc, 100e6);
        vm.startPrank(LIQ);
        pool.repay(40e6);
        pool.absorb(address(weth), 0, 10e6);
        pool.socializeDeficit(engineDebt - 50e6);
        vm.stopPrank();
        assertEq(pool.scaledDebtOf(address(this)), 0, "the MarginEngine's debt resolved");
        assertEq(pool.totalScaledDebt(), 0, "no receivable left");
    }
}
