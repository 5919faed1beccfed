// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {ProductsPoolBase} from "../utils/ProductsPoolBase.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolRepayTest
/// @notice `Pool.repay`: debt repaid to the Pool (fixture: StandalonePoolBase).
contract PoolRepayTest is ProductsPoolBase {
    /// @notice The liquidator repays 50 USDC of scaled debt at index 1: pulled into the reserve; repaying more than the
    /// receivable reverts DebtUnderflow with both.
    function test_repay__fromLiquidator__pullsTheDebt() public {
        pool.receiveLoss(0, 50e6);
        _mintApprove(LIQ, usdc, 50e6);
        vm.prank(LIQ);
        assertEq(pool.repay(50e6), 50e6, "amount at index 1");
        assertEq(pool.reserves(address(usdc)), 50e6, "into the reserve");
        assertEq(pool.totalScaledDebt(), 0, "receivable");
        vm.expectRevert(abi.encodeWithSignature("DebtUnderflow(uint256,uint256)", 1, 0));
        pool.repay(1);
    }

    /// @notice With a 1 % fee-on-transfer settlement token a repayment delivers 49.5 of 50: SlippageExceeded(received,
    /// owed).
    function test_repay__feeOnTransferSettlement__reverts() public {
        MockFeeToken fee = new MockFeeToken(6, 100);
        _listOracleAsset(address(fee), 1e18);
        IPool p = _newPool(address(fee));
        p.listAsset(address(fee), _params(5_000, 10_000, 0, 0, CAP));
        assertEq(p.receiveLoss(0, 50e6), 50e6, "scaled debt");
        fee.mint(address(this), 50e6);
        fee.approve(address(p), 50e6);
        vm.expectRevert(abi.encodeWithSignature("SlippageExceeded(uint256,uint256)", 49_500_000, 50e6));
        p.repay(50e6);
    }

    /// @notice The engine borrows 2,000 USDC and repays the same scaled debt a week later: it pays the grown debt,
    /// scaled debt times the index rounded up, which clears the debt and goes back into the reserve.
    function test_repay__afterAccrual__pullsTheGrownDebtRoundedUp() public {
        _lp(LP, usdc, 10_000e6);
        uint256 scaled = pool.lend(2_000e6, address(this));
        assertEq(pool.reserves(address(usdc)), 8_000e6, "lent from the reserve");
        assertGe(pool.totalDebt(), 2_000e6, "owed");
        vm.warp(T0 + 7 days);
        _mintApprove(address(this), usdc, 100e6);
        uint256 owed = (scaled * pool.borrowIndex() + WAD - 1) / WAD;
        assertGt(owed, 2_000e6, "with interest");
        vm.expectEmit(true, false, false, true, address(pool));
        emit IPoolTypes.Repaid(address(this), owed, scaled);
        assertEq(pool.repay(scaled), owed, "the grown debt");
        assertEq(pool.totalScaledDebt(), 0, "cleared");
        assertEq(pool.reserves(address(usdc)), 8_000e6 + owed, "back in the reserve");
    }

    /// @notice A product repays only its own debt: with 100 USDC owed through BOOK and 50 through the MarginEngine,
    /// BOOK repaying 101 reverts DebtUnderflow(101, 100), the MarginEngine (or the Liquidator for it) repaying 51
    /// reverts DebtUnderflow(51, 50); BOOK's full repayment leaves the MarginEngine's debt alone.
    function test_repay__product__onlyItsOwnDebt() public {
        _lp(LP, usdc, 1_000e6);
        _addBook(NO_CAP, 10_000);
        _bookLends(100e6);
        pool.lend(50e6, OTHER);
        _fundBook(200e6);
        _mintApprove(address(this), usdc, 100e6);
        _mintApprove(LIQ, usdc, 100e6);
        _expectDebtUnderflow(101e6, 100e6);
        book.repay(101e6);
        _expectDebtUnderflow(51e6, 50e6);
        pool.repay(51e6);
        _expectDebtUnderflow(51e6, 50e6);
        vm.prank(LIQ);
        pool.repay(51e6);
        assertEq(book.repay(100e6), 100e6, "BOOK repays its own");
        assertEq(pool.scaledDebtOf(address(book)), 0, "BOOK owes nothing");
        assertEq(pool.scaledDebtOf(address(this)), 50e6, "the MarginEngine's debt untouched");
        assertEq(pool.totalScaledDebt(), 50e6, "total");
    }
}
