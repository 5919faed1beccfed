// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolPayProfitTest
/// @notice `Pool.payProfit` and `Pool.payProfitInKind`: traders' profits from the settlement reserve, then in kind (fixture: StandalonePoolBase).
contract PoolPayProfitTest is StandalonePoolBase {
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
        emit IPool.ProfitPaid(address(this), 1_000e6);
        assertEq(pool.payProfit(1_000e6), 1_000e6, "paid");
        assertEq(pool.reserves(address(usdc)), 9_000e6, "reserve");
        assertEq(usdc.balanceOf(address(this)), 1_000e6, "to the engine");
    }
}
