// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {IProductRegistryTypes} from "../../../interfaces/IProductRegistry.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {ProductsPoolBase} from "../utils/ProductsPoolBase.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolPayProfitTest
/// @notice `Pool.payProfit` and `Pool.payProfitInKind`: traders' profits from the settlement reserve, then in kind (fixture: StandalonePoolBase).
contract PoolPayProfitTest is ProductsPoolBase {
    /// @notice The engine draws a profit from the USDC reserve; asking more than the reserve pays the whole reserve
    /// and says how much (the engine pays the rest in kind), never a revert; an empty reserve pays nothing.
    function test_payProfit__fromEngine__paysWhatTheReserveHolds() public {
        _lp(LP, usdc, 1_000e6);
        assertEq(pool.payProfit(100e6), 100e6, "paid in full");
        assertEq(usdc.balanceOf(address(this)), 100e6, "paid to the engine");
        assertEq(pool.reserves(address(usdc)), 900e6, "reserve");
        assertEq(pool.payProfit(901e6), 900e6, "the whole reserve");
        assertEq(usdc.balanceOf(address(this)), 1_000e6, "paid to the engine");
        assertEq(pool.reserves(address(usdc)), 0, "all of it");
        vm.recordLogs();
        assertEq(pool.payProfit(1e6), 0, "nothing left");
        assertEq(vm.getRecordedLogs().length, 0, "no transfer, no event");
    }

    /// @notice In kind: the engine is paid in WETH at its upper price, at most the reserve; nothing for the settlement
    /// asset, an unlisted asset, or a price that is Stale.
    function test_payProfitInKind__fromEngine__paysAtTheUpperPrice() public {
        _seedTwoAssets();
        (uint256 amount, uint256 paidUsd) = pool.payProfitInKind(address(weth), 1_500e18);
        assertEq(amount, 0.5e18, "1,500 USD of WETH at 3,000");
        assertEq(paidUsd, 1_500e18, "its value");
        assertEq(weth.balanceOf(address(this)), 0.5e18, "to the engine");
        (amount, paidUsd) = pool.payProfitInKind(address(weth), 3_000e18);
        assertEq(amount, 0.5e18, "at most the reserve");
        assertEq(paidUsd, 1_500e18, "its value");
        (amount,) = pool.payProfitInKind(address(usdc), 1e18);
        assertEq(amount, 0, "the settlement asset is paid by payProfit");
        (amount,) = pool.payProfitInKind(OTHER, 1e18);
        assertEq(amount, 0, "not a pool asset");
        (amount, paidUsd) = pool.payProfitInKind(address(weth), 1);
        assertEq(amount, 0, "the reserve is empty");
        assertEq(paidUsd, 0, "nothing paid");
    }

    /// @notice A value that is not a whole number of units is rounded up to the next unit: the profit is paid in full.
    function test_payProfitInKind__fractionOfAUnit__roundedUpToPayInFull() public {
        _seedTwoAssets();
        (uint256 amount, uint256 paidUsd) = pool.payProfitInKind(address(weth), 1);
        assertEq(amount, 1, "one wei of WETH for one wei of USD");
        assertEq(paidUsd, 3_000, "worth 3,000 wei of USD");
    }

    /// @notice A profit paid from the settlement reserve goes to the engine, lowers the reserve by it and emits
    /// ProfitPaid(engine, amount).
    function test_payProfit__fromEngine__transfersLowersTheReserveAndEmits() public {
        _lp(LP, usdc, 10_000e6);
        vm.expectEmit(true, false, false, true, address(pool));
        emit IPoolTypes.ProfitPaid(address(this), 1_000e6);
        assertEq(pool.payProfit(1_000e6), 1_000e6, "paid");
        assertEq(pool.reserves(address(usdc)), 9_000e6, "reserve");
        assertEq(usdc.balanceOf(address(this)), 1_000e6, "to the engine");
    }

    /// @notice A product other than the MarginEngine is paid at most what it reports reserved (at the upper price):
    /// with 100 USD reserved BOOK asking 101 USDC reverts ProductPayoutExceeded(book, 101 USD, 100 USD) and 100 USDC is
    /// paid to BOOK; in kind, 100 USD and one wei reverts, 100 USD is paid in WETH rounded up to a whole unit.
    function test_payProfit__product__boundedByWhatItReserved() public {
        _lp(LP, usdc, 1_000e6);
        _lp(LP, weth, 1e18);
        _addBook(NO_CAP, 10_000);
        book.setExposure(0, 0, 100e18, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IProductRegistryTypes.ProductPayoutExceeded.selector, address(book), 101e18, 100e18)
        );
        book.payProfit(101e6);
        assertEq(book.payProfit(100e6), 100e6, "paid");
        assertEq(usdc.balanceOf(address(book)), 100e6, "to BOOK itself");
        vm.expectRevert(
            abi.encodeWithSelector(
                IProductRegistryTypes.ProductPayoutExceeded.selector, address(book), 100e18 + 1, 100e18
            )
        );
        book.payProfitInKind(address(weth), 100e18 + 1);
        (uint256 amount, uint256 paidUsd) = book.payProfitInKind(address(weth), 100e18);
        assertEq(amount, 33_333_333_333_333_334, "100 USD of WETH at 3,000, rounded up");
        assertEq(paidUsd, 100_000_000_000_000_002_000, "its value");
        assertEq(weth.balanceOf(address(book)), amount, "to BOOK itself");
    }

    /// @notice The MarginEngine's payouts are not bounded by what it reports reserved (its markets reserve a fraction
    /// of what positions can be owed): with nothing reserved it is paid in full.
    function test_payProfit__marginEngine__notBoundedByItsReserved() public {
        _lp(LP, usdc, 1_000e6);
        _addBook(NO_CAP, 10_000);
        assertEq(pool.payProfit(500e6), 500e6, "paid in full");
    }
}
