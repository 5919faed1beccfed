// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {IProductRegistryTypes} from "../../../interfaces/IProductRegistry.sol";
import {IProtocolLockTypes} from "../../../interfaces/IProtocolLock.sol";
import {MockProduct} from "../../../contracts/mocks/MockProduct.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";

/// @title InsuranceFundFundFlowTest
/// @notice `InsuranceFund.fund` (fixture: CoreFlowBase).
contract InsuranceFundFundFlowTest is CoreFlowBase {
    /// @dev What the InsuranceFund has booked and the USDC it holds.
    function _insuranceBooks() internal view returns (uint256 booked, uint256 held) {
        return (insurance.bookedBalance(), usdc.balanceOf(address(insurance)));
    }

    /// @notice Funding the InsuranceFund with nothing reverts.
    function test_fund__zeroAmount__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        insurance.fund(0, "test");
    }

    /// @notice An outsider's `fund` takes the shared lock and releases it: the core keeps working after it.
    function test_fund__outsider__releasesTheLock() public {
        _fundInsuranceFrom(OTHER, 5e6, "gift");
        assertEq(insurance.bookedBalance(), 5e6, "booked");
        _deposit(TRADER, weth, 1e18); // a guarded engine entry point
        assertEq(engine.collateralBalance(TRADER, address(weth)), 1e18, "the core still works");
    }

    /// @notice An outsider's funds are booked in full and announced with the sender, the amount and the reason.
    function test_fund__outsider__booksTheAmountAndEmitsFunded() public {
        (uint256 booked, uint256 held) = _insuranceBooks();
        usdc.mint(OTHER, 1_000e6);
        vm.startPrank(OTHER);
        usdc.approve(address(insurance), 1_000e6);
        vm.expectEmit(true, true, false, true, address(insurance));
        emit IInsuranceFund.Funded(OTHER, 1_000e6, "donation");
        insurance.fund(1_000e6, "donation");
        vm.stopPrank();
        assertEq(insurance.bookedBalance(), booked + 1_000e6, "booked");
        assertEq(usdc.balanceOf(address(insurance)), held + 1_000e6, "held");
    }

    /// @dev `member` takes the shared lock, funds 10 USDC under it (booked and announced, the lock still its own), and
    /// releases the lock.
    function _fundHoldingTheLock(address member, bytes32 reason) internal {
        uint256 booked = insurance.bookedBalance();
        usdc.mint(member, 10e6);
        vm.startPrank(member);
        lock.lock();
        usdc.approve(address(insurance), 10e6);
        vm.expectEmit(true, true, false, true, address(insurance));
        emit IInsuranceFund.Funded(member, 10e6, reason);
        insurance.fund(10e6, reason);
        assertTrue(lock.isLocked(), "the member still holds the lock");
        lock.unlock();
        vm.stopPrank();
        assertEq(insurance.bookedBalance(), booked + 10e6, "booked");
    }

    /// @dev A product the Pool added (and so a lock member).
    function _addProduct() internal returns (address book) {
        book = address(new MockProduct(lock, pool));
        pool.addProduct(book, IProductRegistryTypes.ProductCaps(type(uint48).max, 10_000));
        assertTrue(lock.isMember(book), "the product is a lock member");
    }

    /// @notice A member that holds the shared lock (the MarginEngine charging a penalty mid-operation) funds without
    /// taking the lock again.
    function test_fund__memberHoldingTheLock__booksWithoutTakingTheLock() public {
        _fundHoldingTheLock(address(engine), "penalty");
    }

    /// @notice A product the Pool added later is a lock member too: holding the lock during its trader's action, it
    /// pays a fee into the fund as the MarginEngine does.
    function test_fund__addedProductHoldingTheLock__booksWithoutTakingTheLock() public {
        _fundHoldingTheLock(_addProduct(), "fee");
    }

    /// @notice A caller that is not a lock member takes the lock: it cannot fund while a member holds it, and funds
    /// (the lock released after) once it is free.
    function test_fund__outsiderWhileAMemberHoldsTheLock__revertsLocked() public {
        address book = _addProduct();
        usdc.mint(OTHER, 10e6);
        vm.prank(OTHER);
        usdc.approve(address(insurance), 10e6);
        vm.prank(book);
        lock.lock();
        vm.prank(OTHER);
        vm.expectRevert(IProtocolLockTypes.Locked.selector);
        insurance.fund(10e6, "donation");

        vm.prank(book);
        lock.unlock();
        uint256 booked = insurance.bookedBalance();
        vm.prank(OTHER);
        insurance.fund(10e6, "donation");
        assertEq(insurance.bookedBalance(), booked + 10e6, "booked once the lock is free");
        assertTrue(!lock.isLocked(), "released");
    }

    /// @notice Tokens sent to the fund directly are held but not booked: only `fund` books.
    function test_fund__directTransfer__isNotBooked() public {
        (uint256 booked, uint256 held) = _insuranceBooks();
        usdc.mint(OTHER, 500);
        vm.prank(OTHER);
        usdc.transfer(address(insurance), 500);
        assertEq(insurance.bookedBalance(), booked, "not booked");
        assertEq(usdc.balanceOf(address(insurance)), held + 500, "held");
    }
}
