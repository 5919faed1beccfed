// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {IProductRegistryTypes} from "../../../interfaces/IProductRegistry.sol";
import {IProtocolLock} from "../../../interfaces/IProtocolLock.sol";
import {MockProduct} from "../../../contracts/mocks/MockProduct.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";

/// @title InsuranceFundFundFromProductTest
/// @notice `InsuranceFund.fund` from a product the Pool added to the ProtocolLock: the product holds the shared lock
/// during its traders' action and pays a fee or penalty share into the fund, as the MarginEngine does mid-operation;
/// the fund recognises it as a lock member and books the funds. A caller that is not a member still takes the lock.
contract InsuranceFundFundFromProductTest is CoreFlowBase {
    /// @dev A product added to the Pool (and so to the lock); it and OTHER hold 100 USDC approved to the fund.
    function _addProduct() internal returns (MockProduct book) {
        book = new MockProduct(lock, pool);
        pool.addProduct(address(book), IProductRegistryTypes.ProductCaps(type(uint48).max, 10_000));
        _fundAndApprove(address(book));
        _fundAndApprove(OTHER);
    }

    function _fundAndApprove(address payer) internal {
        usdc.mint(payer, 100e6);
        vm.prank(payer);
        IERC20(address(usdc)).approve(address(insurance), type(uint256).max);
    }

    /// @notice The added product, holding the lock, funds 10 USDC: booked and emitted, and the lock stays its own.
    function test_fund__addedProductHoldingTheLock__booksTheFunds() public {
        MockProduct book = _addProduct();
        assertTrue(lock.isMember(address(book)), "the product is a lock member");
        uint256 booked = insurance.bookedBalance();

        vm.startPrank(address(book));
        lock.lock();
        vm.expectEmit(true, true, false, true, address(insurance));
        emit IInsuranceFund.Funded(address(book), 10e6, "fee");
        insurance.fund(10e6, "fee");
        assertTrue(lock.isLocked(), "still held by the product");
        lock.unlock();
        vm.stopPrank();

        assertEq(insurance.bookedBalance(), booked + 10e6, "booked");
        assertEq(usdc.balanceOf(address(book)), 90e6, "paid by the product");
    }

    /// @notice A caller that is not a lock member takes the lock: it cannot fund while a member holds it, and funds
    /// (the lock released after) once free.
    function test_fund__nonMemberWhileLocked__revertsLocked() public {
        MockProduct book = _addProduct();
        vm.prank(address(book));
        lock.lock();
        vm.prank(OTHER);
        vm.expectRevert(IProtocolLock.Locked.selector);
        insurance.fund(10e6, "donation");

        vm.prank(address(book));
        lock.unlock();
        uint256 booked = insurance.bookedBalance();
        vm.prank(OTHER);
        insurance.fund(10e6, "donation");
        assertEq(insurance.bookedBalance(), booked + 10e6, "booked once the lock is free");
        assertTrue(!lock.isLocked(), "released");
    }
}
