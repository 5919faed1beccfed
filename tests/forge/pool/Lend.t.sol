// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {ProductsPoolBase} from "../utils/ProductsPoolBase.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolLendTest
/// @notice `Pool.lend`: loans to accounts, booked as scaled debt, never out of reserved payouts (fixture: StandalonePoolBase).
contract PoolLendTest is ProductsPoolBase {
    /// @notice The engine lends from the USDC reserve: scaled debt at the index; more than the reserve reverts
    /// InsufficientLiquidity with both; a loan counts toward utilization: 900 of 1,000 reaches the 90 % maximum, one
    /// unit more reverts UtilizationExceeded.
    function test_lend__fromEngine__booksScaledDebt() public {
        _lp(LP, usdc, 1_000e6);
        vm.expectRevert(
            abi.encodeWithSignature("InsufficientLiquidity(address,uint256,uint256)", address(usdc), 1_001e6, 1_000e6)
        );
        pool.lend(1_001e6, OTHER);
        vm.expectRevert(abi.encodeWithSignature("UtilizationExceeded(uint256,uint256)", uint256(900_000_001e9), 9e17));
        pool.lend(900_000_001, OTHER);
        assertEq(pool.lend(900e6, OTHER), 900e6, "scaled at index 1");
        assertEq(usdc.balanceOf(OTHER), 900e6, "lent");
        assertEq(pool.reserves(address(usdc)), 100e6, "reserve");
        assertEq(pool.totalScaledDebt(), 900e6, "receivable");
        assertEq(pool.utilization(), 9e17, "at the maximum");
    }

    /// @notice A loan may not take the settlement reserve below the liquidity reserved for payouts
    /// (docs/design.md#liveness): with 1,000 USD reserved of 4,000 USD of reserves, 1 USDC more than the free 0 reverts
    /// SettlementBackingShort, and a loan refreshes the rate from the utilization it leaves.
    function test_lend__intoReservedPayouts__reverts() public {
        _seedTwoAssets();
        stubReserved = 900e18;
        vm.expectRevert(abi.encodeWithSignature("SettlementBackingShort(uint256,uint256)", 899e18, 900e18));
        pool.lend(101e6, OTHER);
        pool.lend(100e6, OTHER);
        // Utilization (900 reserved + 100 receivable) / (3,900 reserves + 100 receivable) = 25 %.
        assertEq(pool.ratePerSecond(), (200e14 + 1_000 * 25e16 / 8_000) / uint256(365 days), "rate at 25 %");
    }

    /// @notice After 1,000 s at the base rate the index is 1 + rate * 1,000 (rounded up), and a loan is scaled by it.
    function test_lend__afterTime__scaledByTheAccruedIndex() public {
        _lp(LP, usdc, 1_000e6);
        assertEq(pool.ratePerSecond(), BASE_RATE, "base rate at zero utilization");
        vm.warp(T0 + 1_000);
        uint256 index = WAD + BASE_RATE * 1_000;
        assertEq(pool.borrowIndex(), index, "grown index");
        uint256 scaled = (100e6 * WAD + index - 1) / index;
        assertEq(pool.lend(100e6, OTHER), scaled, "scaled at the accrued index");
        assertEq(pool.totalScaledDebt(), scaled, "receivable");
        assertEq(pool.borrowIndex(), index, "stored at the accrual");
        assertEq(pool.totalDebt(), scaled * index / WAD, "debt at the index");
    }

    /// @notice A product borrows as its own debt, within its caps: BOOK capped at 100 USD reverts ProductCapExceeded
    /// for 101 USDC (the receivable counts in its use), lends 100 USDC booked to BOOK alone; the MarginEngine's loan
    /// is booked to it, and the products' debts add up to the total.
    function test_lend__product__booksItsOwnDebtWithinItsCaps() public {
        _lp(LP, usdc, 1_000e6);
        _addBook(100, 10_000);
        _expectCapExceeded(address(book), 101e18, 100e18);
        _bookLends(101e6);
        assertEq(_bookLends(100e6), 100e6, "scaled at index 1");
        assertEq(usdc.balanceOf(OTHER), 100e6, "lent");
        assertEq(pool.scaledDebtOf(address(book)), 100e6, "BOOK's debt");
        assertEq(pool.scaledDebtOf(address(this)), 0, "none of it the MarginEngine's");
        pool.lend(50e6, OTHER);
        assertEq(pool.scaledDebtOf(address(this)), 50e6, "the MarginEngine's debt");
        assertEq(pool.scaledDebtOf(address(book)), 100e6, "BOOK's unchanged");
        assertEq(pool.totalScaledDebt(), 150e6, "the sum");
    }
}
