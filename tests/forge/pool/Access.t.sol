// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {ProductsPoolBase} from "../utils/ProductsPoolBase.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolAccessTest
/// @notice the Pool's engine-only and liquidator-only entry points refuse anyone else (fixture: StandalonePoolBase).
contract PoolAccessTest is ProductsPoolBase {
    /// @notice Engine-only and liquidator-only entry points refuse anyone else with Unauthorized(caller).
    function test_protocolEntryPoints__stranger__revertUnauthorized() public {
        vm.startPrank(OTHER);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.payProfit(1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.lend(1, OTHER);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.receiveLoss(0, 1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.repay(0);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.absorb(address(weth), 0, 0);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.payProfitInKind(address(weth), 1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.socializeDeficit(0);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.receiveInsuranceExcess(1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.checkUtilization();
        vm.stopPrank();
        assertEq(pool.totalScaledDebt(), 0, "nothing booked");
    }

    /// @notice A product not added is nobody: BOOK's calls into the Pool revert Unauthorized(book) (its own lock calls
    /// would fail first: it is not a member of the shared lock either).
    function test_protocolEntryPoints__productNotAdded__revertUnauthorized() public {
        vm.startPrank(address(book));
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", address(book)));
        pool.payProfit(1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", address(book)));
        pool.lend(1, OTHER);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", address(book)));
        pool.receiveLoss(0, 1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", address(book)));
        pool.checkUtilization();
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSignature("NotMember(address)", address(book)));
        book.checkUtilization();
    }

    /// @notice The Liquidator acts for the MarginEngine only where liquidations need it (losses, repayments,
    /// absorptions, write-offs): it is no product, so profits, loans and the utilization check refuse it.
    function test_protocolEntryPoints__liquidator__notAProduct() public {
        vm.startPrank(LIQ);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", LIQ));
        pool.payProfit(1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", LIQ));
        pool.payProfitInKind(address(weth), 1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", LIQ));
        pool.lend(1, OTHER);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", LIQ));
        pool.checkUtilization();
        vm.stopPrank();
        assertTrue(!pool.isProduct(LIQ), "not a product");
    }
}
