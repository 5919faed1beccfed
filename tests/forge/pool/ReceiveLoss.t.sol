// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {ProductsPoolBase} from "../utils/ProductsPoolBase.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolReceiveLossTest
/// @notice `Pool.receiveLoss`: a trader's loss paid to the Pool (fixture: StandalonePoolBase).
contract PoolReceiveLossTest is ProductsPoolBase {
    /// @notice The liquidator pays 100 USDC of loss and books 50 USDC of debt: reserve and receivable move by both.
    function test_receiveLoss__fromLiquidator__booksPaymentAndDebt() public {
        _mintApprove(LIQ, usdc, 100e6);
        vm.prank(LIQ);
        assertEq(pool.receiveLoss(100e6, 50e6), 50e6, "scaled debt at index 1");
        assertEq(pool.reserves(address(usdc)), 100e6, "paid into the reserve");
        assertEq(usdc.balanceOf(address(pool)), 100e6, "tokens in");
        assertEq(pool.totalScaledDebt(), 50e6, "receivable");
        assertEq(pool.receiveLoss(0, 0), 0, "the engine may call too");
    }

    /// @notice A loss with nothing paid pulls nothing: the Pool's LossReceived is the only log, no token Transfer.
    function test_receiveLoss__nothingPaid__pullsNothing() public {
        vm.recordLogs();
        assertEq(pool.receiveLoss(0, 50e6), 50e6, "scaled debt");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "one log");
        assertEq(logs[0].emitter, address(pool), "from the Pool");
        assertEq(logs[0].topics[0], keccak256("LossReceived(uint256,uint256,uint256)"), "LossReceived");
    }

    /// @notice After an hour of interest (index above 1) the engine pays 500 USDC of a loss and books 700 USDC of debt:
    /// the reserve takes the 500, the scaled debt is 700 / index rounded up, in the books and the event.
    function test_receiveLoss__afterAccrual__booksTheBorrowedScaledRoundedUp() public {
        _lp(LP, usdc, 1_000e6);
        _mintApprove(address(this), usdc, 500e6);
        vm.warp(T0 + 1 hours);
        uint256 index = pool.borrowIndex();
        assertGt(index, WAD, "interest accrued");
        assertTrue(700e6 * WAD % index != 0, "a quotient to round");
        uint256 scaled = 700e6 * WAD / index + 1;
        vm.expectEmit(false, false, false, true, address(pool));
        emit IPoolTypes.LossReceived(500e6, 700e6, scaled);
        assertEq(pool.receiveLoss(500e6, 700e6), scaled, "scaled debt, rounded up");
        assertEq(pool.totalScaledDebt(), scaled, "booked");
        assertEq(pool.reserves(address(usdc)), 1_500e6, "paid into the reserve");
        assertGe(pool.totalDebt(), 700e6, "at least what was borrowed");
    }

    /// @notice A loss passed on by a product is booked as its own debt (and what it paid into the reserve); the
    /// Liquidator's books the MarginEngine's: the two add up to the total.
    function test_receiveLoss__product__booksItsOwnDebt() public {
        _addBook(NO_CAP, 10_000);
        _fundBook(20e6);
        assertEq(book.receiveLoss(20e6, 30e6), 30e6, "scaled at index 1");
        assertEq(pool.reserves(address(usdc)), 20e6, "paid into the reserve");
        vm.prank(LIQ);
        pool.receiveLoss(0, 10e6);
        assertEq(pool.scaledDebtOf(address(book)), 30e6, "BOOK's debt");
        assertEq(pool.scaledDebtOf(address(this)), 10e6, "the MarginEngine's, booked by the Liquidator");
        assertEq(pool.totalScaledDebt(), 40e6, "the sum");
    }
}
