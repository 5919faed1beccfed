// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";
import {PayoutsBase} from "../utils/PayoutsBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title MarginEngineWithdrawPayoutsTest
/// @notice `MarginEngine.withdraw`: settlement credit, collateral and borrowing out of an account (fixture: PayoutsBase).
contract MarginEngineWithdrawPayoutsTest is PayoutsBase {
    /// @notice A 30 WETH long reserves 90,000 USD of settlement cash. A borrower posting 700 WETH may not withdraw the
    /// Pool's whole USDC: the loan would leave the reserved payouts uncovered (SettlementBackingShort with the values).
    /// It may borrow down to the reserved amount; the loan refreshes the rate; then the long still closes in profit,
    /// an LP still withdraws the free USDC, and after a crash the long is liquidated by a keeper with no tokens.
    function test_withdraw__borrowTheWholeSettlementReserve__revertsAndPayoutsStayCovered() public {
        _openWeth(TRADER, 20_000e6, 30e18);
        _deposit(BORROWER, weth, 700e18);
        _nextBlock();
        uint256 reserve = pool.reserves(address(usdc));
        assertEq(reserve, 1_000_000e6 + 72e6, "the seed and the Pool's share of the opening fee");
        vm.expectRevert(abi.encodeWithSelector(IPoolTypes.SettlementBackingShort.selector, 0, 90_000e18));
        _withdraw(BORROWER, usdc, reserve);

        uint256 rateBefore = pool.ratePerSecond();
        uint256 free = reserve - 90_000e6;
        _withdraw(BORROWER, usdc, free);
        assertEq(usdc.balanceOf(BORROWER), free, "borrowed down to the reserved payouts");
        assertTrue(pool.ratePerSecond() > rateBefore, "the loan refreshed the rate");
        vm.expectRevert(
            abi.encodeWithSelector(IPoolTypes.SettlementBackingShort.selector, 89_999_999_999e12, 90_000e18)
        );
        _withdraw(BORROWER, usdc, 1);

        // The long's profit at 3,300 (9,000 USD) is paid in full.
        _settleWethAt(3_300e18);
        (uint256 creditBefore,,) = engine.cash(TRADER);
        _close(TRADER, 0);
        (uint256 creditAfter,,) = engine.cash(TRADER);
        assertGt(creditAfter, creditBefore + 8_800e6, "the profit, less the fee, paid into credit");
        assertEq(engine.collateralBalance(TRADER, address(wbtc)), 0, "all of it in USDC");
    }
}

/// @title MarginEngineWithdrawTest
/// @notice `MarginEngine.withdraw`: settlement credit, collateral and borrowing out of an account (fixture: MarginEngineBase).
contract MarginEngineWithdrawTest is MarginEngineBase {
    /// @notice New risk needs every price it rests on Ok: a frozen market price could hide the position's loss, so
    /// withdrawing collateral against it reverts PriceUnavailable(WBTC, AddRisk, Frozen); adding collateral still
    /// works, and once unfrozen the withdrawal goes through.
    function test_withdraw__heldMarketPriceFrozen__revertsButAddingCollateralWorks() public {
        _wbtcLongFrozenOnWeth(0);
        _deposit(TRADER, weth, 1e18);
        oracle.setFrozen(address(wbtc), false);
        _withdraw(TRADER, weth, 1e18);
        assertEq(engine.collateralBalance(TRADER, address(weth)), 10e18, "one in, one out");
    }

    /// @notice The same when the frozen market's asset is also held as collateral: the health reuses a collateral
    /// asset's price for a market on it only when that price passes the AddRisk policy, so the frozen WBTC still
    /// reverts PriceUnavailable(WBTC, AddRisk, Frozen) rather than valuing the WBTC position at its frozen price.
    function test_withdraw__heldMarketPriceFrozenAndHeldAsCollateral__reverts() public {
        _wbtcLongFrozenOnWeth(1e6);
        oracle.setFrozen(address(wbtc), false);
        _withdraw(TRADER, weth, 1e18);
        assertEq(engine.collateralBalance(TRADER, address(weth)), 9e18, "withdrawn once unfrozen");
    }

    /// @notice A zero withdrawal reverts ZeroAmount.
    function test_withdraw__zeroAmount__reverts() public {
        _deposit(TRADER, weth, 1e18);
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        _withdraw(TRADER, weth, 0);
    }

    /// @notice USDC comes out of the account's credit and is sent to `to`.
    function test_withdraw__settlementCredit__paysOut() public {
        _deposit(TRADER, usdc, 500e6);
        vm.prank(TRADER);
        engine.withdraw(address(usdc), 200e6, OTHER);
        assertEq(usdc.balanceOf(OTHER), 200e6, "sent");
        assertEq(_credit(TRADER), 300e6, "credit left");
        assertEq(insurance.bookedBalance(), 0, "nothing to the InsuranceFund");
    }

    /// @notice Collateral out: a partial withdrawal keeps the mask bit, a full one clears it, beyond the balance
    /// reverts with the amounts.
    function test_withdraw__collateral__booksAndMask() public {
        _deposit(TRADER, weth, 2e18);
        vm.prank(TRADER);
        engine.withdraw(address(weth), 5e17, OTHER);
        assertEq(weth.balanceOf(OTHER), 5e17, "sent");
        assertEq(engine.collateralBalance(TRADER, address(weth)), 15e17, "balance");
        assertEq(engine.totalCollateral(address(weth)), 15e17, "total");
        assertEq(_credit(TRADER), 0, "no cash");
        (uint16 mask,) = engine.accountMasks(TRADER);
        assertEq(uint256(mask), 2, "still held");
        vm.expectRevert(
            abi.encodeWithSignature("InsufficientCollateral(address,uint256,uint256)", address(weth), 2e18, 15e17)
        );
        _withdraw(TRADER, weth, 2e18);
        _withdraw(TRADER, weth, 15e17);
        (mask,) = engine.accountMasks(TRADER);
        assertEq(uint256(mask), 0, "an empty balance leaves the mask");
    }

    /// @notice Unpaused, an account may borrow USDC against collateral; paused, it may still withdraw its own credit
    /// but not borrow.
    function test_withdraw__pausedBorrow__reverts() public {
        _deposit(TRADER, weth, 10e18);
        _deposit(TRADER, usdc, 100e6);
        _withdraw(TRADER, usdc, 1_000e6);
        (uint256 credit, uint256 scaled,) = engine.cash(TRADER);
        assertEq(credit, 0, "credit used first");
        assertTrue(scaled != 0, "the rest borrowed");
        _deposit(OTHER, usdc, 100e6);
        engine.setNewRiskPaused(true);
        _withdraw(OTHER, usdc, 50e6);
        assertEq(_credit(OTHER), 50e6, "own credit out while paused");
        vm.expectRevert(abi.encodeWithSignature("NewRiskPaused()"));
        _withdraw(OTHER, usdc, 50e6 + 1);
    }

    /// @notice An account with debt and no position still needs initial margin to withdraw collateral.
    function test_withdraw__debtOnly__needsMargin() public {
        _deposit(TRADER, weth, 1e18); // initial value 2,550 USD
        _withdraw(TRADER, usdc, 2_000e6);
        (, uint256 scaled,) = engine.cash(TRADER);
        assertTrue(scaled != 0, "debt");
        // 0.5 WETH: initial 1,275 USD against a 2,000.000001 USDC debt (the scaled debt rounds up by one unit);
        // stress loss 20 % of 1,275.
        vm.expectRevert(
            abi.encodeWithSignature(
                "InsufficientMargin(int256,uint256,int256)", int256(-725.000001e18), uint256(0), int256(-980.000001e18)
            )
        );
        _withdraw(TRADER, weth, 5e17);
    }

    /// @notice With no debt and no position a withdrawal reads no price: it goes through while WETH is Stale.
    function test_withdraw__noDebtNoPosition__needsNoPrice() public {
        _deposit(TRADER, weth, 1e18);
        _staleOnly(address(weth));
        _withdraw(TRADER, weth, 1e18);
        assertEq(weth.balanceOf(TRADER), 1e18, "withdrawn");
    }

    /// @notice Unrealized profit cannot be withdrawn (the Mango attack): a 5 WETH long on 2 WETH, WETH from 3,000 to
    /// 4,000. Maintenance equity counts the 5,000 USD of profit, initial equity the collateral only, so withdrawing
    /// 1.5 of the 2 WETH or borrowing 4,000 USDC against the profit reverts InsufficientMargin.
    function test_withdraw__unrealizedProfit__revertsInsufficientMargin() public {
        _deposit(TRADER, weth, 2e18);
        _open(TRADER, 0, 5e18);
        _move(address(weth), 4_000e18);
        assertTrue(engine.health(TRADER).maintenanceEquity > 5_000e18, "the profit counts towards maintenance");
        vm.expectPartialRevert(bytes4(keccak256("InsufficientMargin(int256,uint256,int256)")));
        _withdraw(TRADER, weth, 1.5e18);
        vm.expectPartialRevert(bytes4(keccak256("InsufficientMargin(int256,uint256,int256)")));
        _withdraw(TRADER, usdc, 4_000e6);
        assertEq(engine.collateralBalance(TRADER, address(weth)), 2e18, "nothing withdrawn");
    }

    /// @dev TRADER: 10 WETH (and `wbtc` WBTC) of collateral and a 0.1 WBTC long, then WBTC's price frozen: withdrawing
    /// WETH is new risk and reverts PriceUnavailable(WBTC, AddRisk, Frozen).
    function _wbtcLongFrozenOnWeth(uint256 wbtc_) internal {
        _deposit(TRADER, weth, 10e18);
        if (wbtc_ != 0) _deposit(TRADER, wbtc, wbtc_);
        _nextBlock();
        _open(TRADER, 1, 1e17);
        _nextBlock();
        oracle.setFrozen(address(wbtc), true);
        vm.expectRevert(abi.encodeWithSignature("PriceUnavailable(address,uint8,uint8)", address(wbtc), 0, 3));
        _withdraw(TRADER, weth, 1e18);
    }
}
