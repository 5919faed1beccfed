// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool, IPoolTypes} from "../../../../interfaces/IPool.sol";
import {MockERC20} from "../../../../contracts/mocks/MockERC20.sol";
import {WeightFeePoolBase} from "../../utils/WeightFeePoolBase.sol";

/// @title PoolBooksPropertyTest
/// @notice The Pool's books under a random sequence of LP and protocol operations (docs/design.md#invariants, items 1
/// and 2) in the balanced pool of three assets with weight fees and no cooldown; the test contract is the engine that
/// pays losses and repays loans (fixture: WeightFeePoolBase).
contract PoolBooksPropertyTest is WeightFeePoolBase {
    /// @dev The scaled debts booked by the sequence's losses and not yet repaid or written off.
    uint256[] internal loans;

    function setUp() public override {
        super.setUp();
        _seedBalanced();
        pool.setCooldown(0);
        usdc.approve(address(pool), type(uint256).max);
    }

    /// @notice Property: after each of 1 to 8 operations (an LP deposit of 1 to 400,000 USD of an asset; a withdrawal
    /// of 1 % to 100 % of its shares in an asset; a loss paying 0 to 50,000 USDC and booking 1 to 50,000 USDC of debt;
    /// a repayment; 1 s to 30 days of interest, then fresh prices and a poke; a write-off of a debt) the lower share
    /// price falls only by a socialized deficit (and then by at most its value per share, plus one wei of rounding),
    /// every token balance of the Pool covers its booked reserve, and the LP balances add up to the supply.
    function testFuzz_books__randomOperations__sharePriceMonotoneAndBalancesCoverBooks(
        uint256 count,
        uint256[8] calldata kinds,
        uint256[8] calldata as_,
        uint256[8] calldata bs
    ) public {
        count = bound(count, 1, 8);
        uint256 price = pool.sharePrice(false);
        for (uint256 k = 0; k < count; ++k) {
            uint256 allowedDrop = _operate(kinds[k] % 6, as_[k], bs[k]);
            uint256 newPrice = pool.sharePrice(false);
            uint256 supply = pool.totalSupply();
            uint256 dropBound = allowedDrop == 0 ? 0 : allowedDrop * WAD / (supply + WAD) + 1;
            assertGe(newPrice + dropBound, price, "share price fell by more than a socialized deficit");
            price = newPrice;
            for (uint256 i = 0; i < 3; ++i) {
                MockERC20 token = _token(i);
                assertGe(token.balanceOf(address(pool)), pool.reserves(address(token)), "a balance below its reserve");
            }
            assertEq(pool.balanceOf(LP) + pool.balanceOf(OTHER), supply, "LP balances != supply");
        }
    }

    /// @dev One operation of kind `op` (0 deposit, 1 withdraw, 2 loss, 3 repay, 4 wait, 5 write-off) with inputs `a`
    /// and `b`; returns the USD value of the deficit it socialized (0 for every other kind).
    function _operate(uint256 op, uint256 a, uint256 b) internal returns (uint256 socializedUsd) {
        if (op == 0) {
            MockERC20 token = _token(a % 3);
            uint256 amount = _units(token, bound(b, 1, 400_000));
            _lp(OTHER, token, amount == 0 ? 1 : amount);
        } else if (op == 1) {
            _withdrawSome(_token(a % 3), bound(b, 1, 100));
        } else if (op == 2) {
            uint256 paid = bound(a, 0, 50_000) * 1e6;
            usdc.mint(address(this), paid);
            loans.push(pool.receiveLoss(paid, bound(b, 1, 50_000) * 1e6));
        } else if (op == 3 && loans.length != 0) {
            uint256 scaled = _popLoan();
            usdc.mint(address(this), (scaled * pool.borrowIndex() + WAD - 1) / WAD + 1);
            pool.repay(scaled);
        } else if (op == 4) {
            vm.warp(vm.getBlockTimestamp() + bound(a, 1, 30 days));
            _restampAndUpdate();
            pool.poke();
        } else if (op == 5 && loans.length != 0) {
            uint256 scaled = _popLoan();
            vm.recordLogs();
            vm.prank(LIQ);
            pool.socializeDeficit(scaled);
            (,, socializedUsd) = abi.decode(
                _poolLog(vm.getRecordedLogs(), IPoolTypes.DeficitSocialized.selector), (uint256, uint256, uint256)
            );
        }
    }

    /// @dev OTHER redeems `percent` % of its shares in `token` when they are worth at least one unit and less than
    /// the liquidity available in it (at the feed price).
    function _withdrawSome(MockERC20 token, uint256 percent) internal {
        uint256 shares = pool.balanceOf(OTHER) * percent / 100;
        uint256 available = pool.availableLiquidity(address(token));
        if (shares == 0 || available == 0) return;
        uint256 value = shares * pool.sharePrice(false) / WAD;
        uint256 amount = value * 10 ** token.decimals() / (_priceUsd(token) * WAD);
        if (amount != 0 && amount < available) _withdrawAs(OTHER, shares, token, 0);
    }

    function _popLoan() internal returns (uint256 scaled) {
        scaled = loans[loans.length - 1];
        loans.pop();
    }
}
