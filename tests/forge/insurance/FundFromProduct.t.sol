// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IProductRegistryTypes} from "../../../interfaces/IProductRegistry.sol";
import {IProtocolLock} from "../../../interfaces/IProtocolLock.sol";
import {MockProduct} from "../../../contracts/mocks/MockProduct.sol";
import {CoreFlowBase} from "../utils/CoreFlowBase.sol";

/// @title InsuranceFundFundFromProductTest
/// @notice The InsuranceFund caches the four core lock members at construction
/// (`InsuranceFund._members`, `_isMember`), so a product the Pool later adds to the ProtocolLock (`addMember`) is a
/// lock member everywhere except in `InsuranceFund.fund`: a product that, as docs/design.md#products requires, holds the
/// shared lock during its traders' action and pays a fee or penalty share into the InsuranceFund (as the MarginEngine
/// does mid-operation) reverts `Locked`, while the MarginEngine doing the same succeeds.
contract InsuranceFundFundFromProductTest is CoreFlowBase {
    function test_fund__addedProductHoldingTheLock__revertsLocked() public {
        MockProduct book = new MockProduct(lock, pool);
        pool.addProduct(address(book), IProductRegistryTypes.ProductCaps(type(uint48).max, 10_000));
        assertTrue(lock.isMember(address(book)), "the product is a lock member");

        usdc.mint(address(book), 100e6);
        vm.prank(address(book));
        IERC20(address(usdc)).approve(address(insurance), type(uint256).max);

        // The product's fee path, inside its locked action: lock, fund the InsuranceFund, unlock.
        vm.startPrank(address(book));
        lock.lock();
        vm.expectRevert(IProtocolLock.Locked.selector);
        insurance.fund(10e6, "fee");
        lock.unlock();
        vm.stopPrank();

        // A core member (the MarginEngine) doing exactly the same is recognised and not re-locked.
        usdc.mint(address(engine), 100e6);
        vm.prank(address(engine));
        IERC20(address(usdc)).approve(address(insurance), type(uint256).max);
        uint256 booked = insurance.bookedBalance();
        vm.startPrank(address(engine));
        lock.lock();
        insurance.fund(10e6, "fee");
        lock.unlock();
        vm.stopPrank();
        assertEq(insurance.bookedBalance(), booked + 10e6, "the MarginEngine funds it under the lock");
    }
}
