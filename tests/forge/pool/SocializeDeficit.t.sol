// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {ProductsPoolBase} from "../utils/ProductsPoolBase.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolSocializeDeficitTest
/// @notice `Pool.socializeDeficit`: a deficit written off against LPs (fixture: StandalonePoolBase).
contract PoolSocializeDeficitTest is ProductsPoolBase {
    /// @notice A socialized deficit cancels scaled debt and returns its amount; more than the receivable reverts
    /// DebtUnderflow.
    function test_socializeDeficit__fromLiquidator__cancelsDebt() public {
        pool.receiveLoss(0, 50e6);
        vm.prank(LIQ);
        assertEq(pool.socializeDeficit(20e6), 20e6, "amount at index 1");
        assertEq(pool.totalScaledDebt(), 30e6, "receivable");
        vm.expectRevert(abi.encodeWithSignature("DebtUnderflow(uint256,uint256)", 31e6, 30e6));
        vm.prank(LIQ);
        pool.socializeDeficit(31e6);
    }

    /// @notice After an hour of interest, writing off 5,000 USDC of booked debt cancels it at the grown amount (scaled
    /// times the index, rounded up), emits that amount and its USD value, and lowers the lower NAV by that value to
    /// one USDC unit; nothing is left to write off (DebtUnderflow(1, 0)).
    function test_socializeDeficit__afterAccrual__navFallsByTheValueItEmits() public {
        _lp(LP, usdc, 10_000e6);
        vm.warp(T0 + 1 hours);
        uint256 scaled = pool.receiveLoss(0, 5_000e6);
        int256 navBefore = pool.nav(false);
        uint256 amount = (scaled * pool.borrowIndex() + WAD - 1) / WAD;
        assertGe(amount, 5_000e6, "at least the debt booked");
        vm.expectEmit(false, false, false, true, address(pool));
        emit IPoolTypes.DeficitSocialized(amount, scaled, amount * 1e12);
        vm.prank(LIQ);
        assertEq(pool.socializeDeficit(scaled), amount, "the grown debt");
        assertApproxEqAbs(navBefore - pool.nav(false), int256(amount * 1e12), 1e12, "NAV fell by the value");
        vm.expectRevert(abi.encodeWithSignature("DebtUnderflow(uint256,uint256)", 1, 0));
        vm.prank(LIQ);
        pool.socializeDeficit(1);
    }

    /// @notice The Liquidator writes off the MarginEngine's debt only: with 100 USDC owed through BOOK and none through
    /// the MarginEngine, writing off one unit reverts DebtUnderflow(1, 0); BOOK cannot call it (Unauthorized).
    function test_socializeDeficit__anotherProductsDebt__reverts() public {
        _addBook(NO_CAP, 10_000);
        book.receiveLoss(0, 100e6);
        _expectDebtUnderflow(1, 0);
        vm.prank(LIQ);
        pool.socializeDeficit(1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", address(book)));
        vm.prank(address(book));
        pool.socializeDeficit(1);
        assertEq(pool.scaledDebtOf(address(book)), 100e6, "BOOK's debt kept");
    }
}
