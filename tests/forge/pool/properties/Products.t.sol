// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ProductsPoolBase} from "../../utils/ProductsPoolBase.sol";

/// @title PoolProductsPropertyTest
/// @notice NAV and utilization over two products (docs/design.md#products): whatever the reserves, the debt owed
/// through each product and each product's reported exposure, the Pool's books are the reserves' value plus the
/// receivable less every product's exposure (fixture: ProductsPoolBase; USDC at 1 USD and WETH at 3,000 USD, median and
/// TWAP equal, so the lower and upper prices agree).
contract PoolProductsPropertyTest is ProductsPoolBase {
    /// @notice Property: for 1 to 1,000,000 USDC and 0.001 to 100 WETH of reserves, 0 to 1,000,000 USDC of debt owed
    /// through each of the MarginEngine and BOOK, PnLs of either sign up to 1e6 USD, reserved liquidity and provisions
    /// up to 1e6 USD each: lower NAV = reserves + receivable - the products' upper PnLs - their provisions, upper NAV =
    /// reserves + receivable - their lower PnLs, utilization = (the products' reserved + receivable) / (reserves +
    /// receivable) rounded up, and the debts owed through the products add up to the total.
    function testFuzz_nav__twoProducts__reservesPlusReceivableLessEveryProductsExposure(
        uint256[2] calldata deposits,
        uint256[2] calldata debts,
        int256[4] calldata pnls,
        uint256[4] calldata amounts
    ) public {
        uint256 usdcIn = bound(deposits[0], 1e6, 1e12);
        uint256 wethIn = bound(deposits[1], 1e15, 100e18);
        _lp(LP, usdc, usdcIn);
        _lp(LP, weth, wethIn);
        _addBook(NO_CAP, 10_000);
        uint256 engineDebt = bound(debts[0], 0, 1e12);
        uint256 bookDebt = bound(debts[1], 0, 1e12);
        pool.receiveLoss(0, engineDebt);
        book.receiveLoss(0, bookDebt);

        int256[4] memory pnl;
        for (uint256 i = 0; i < 4; ++i) {
            pnl[i] = _boundPnl(pnls[i]);
        }
        (stubPnlLow, stubPnlHigh) = (pnl[0], pnl[1]);
        stubReserved = bound(amounts[0], 0, 1e24);
        stubProvision = bound(amounts[1], 0, 1e24);
        uint256 bookReserved = bound(amounts[2], 0, 1e24);
        uint256 bookProvision = bound(amounts[3], 0, 1e24);
        book.setExposure(pnl[2], pnl[3], bookReserved, bookProvision);

        uint256 backing = usdcIn * 1e12 + wethIn * 3_000 + (engineDebt + bookDebt) * 1e12;
        int256 lower = int256(backing) - (pnl[1] + pnl[3]) - int256(stubProvision + bookProvision);
        int256 upper = int256(backing) - (pnl[0] + pnl[2]);
        assertEq(pool.nav(false), lower, "lower NAV");
        assertEq(pool.nav(true), upper, "upper NAV");
        uint256 used = stubReserved + bookReserved + (engineDebt + bookDebt) * 1e12;
        assertEq(pool.utilization(), (used * WAD + backing - 1) / backing, "utilization");
        assertEq(
            pool.scaledDebtOf(address(this)) + pool.scaledDebtOf(address(book)),
            pool.totalScaledDebt(),
            "the products' debts add up to the total"
        );
        assertEq(pool.scaledDebtOf(address(book)), bookDebt, "BOOK's debt");
    }

    /// @dev Any int256 into [-1e24, 1e24].
    function _boundPnl(int256 x) internal pure returns (int256) {
        return int256(bound(uint256(x), 0, 2e24)) - 1e24;
    }
}
