// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../../interfaces/IMarginEngine.sol";
import {MockERC20} from "../../../../contracts/mocks/MockERC20.sol";
import {EnginePropertiesBase} from "../../utils/EnginePropertiesBase.sol";

/// @title EnginePropertiesDepositTest
/// @notice Properties of `MarginEngine.deposit` (docs/design.md#invariants, items 4 and 8): a gift never lowers health,
/// and adding collateral or repaying works whatever the oracle status and the pause (fixture: EnginePropertiesBase).
contract EnginePropertiesDepositTest is EnginePropertiesBase {
    /// @notice Item 4: collateral or settlement tokens deposited into an account, by its owner or by a stranger, at any
    /// WETH price from 40 % to 150 % of its start (one oracle update: the TWAP lags; healthy or not), raise or keep every
    /// equity figure and leave the margins alone; a healthy account stays healthy.
    function testFuzz_deposit__anyAmountFromOwnerOrStranger__neverLowersHealth(
        uint256 pct,
        bool donorIsOwner,
        uint256 symbol,
        uint256 amount
    ) public {
        pct = bound(pct, 40, 150);
        MockERC20 token = [usdc, weth, ltt][bound(symbol, 0, 2)];
        amount = bound(amount, 1, _unitsFor(token, 1_000_000)); // at most 1,000,000 USD
        if (pct != 100) _tick(weth, _pctPrice(weth, pct));
        address donor = donorIsOwner ? TRADER : STRANGER;
        _fund(donor, token, amount);

        IMarginEngineTypes.Health memory before = engine.health(TRADER);
        vm.prank(donor); // same timestamp: no borrow fee accrues between the two reads
        engine.deposit(address(token), amount, TRADER);
        IMarginEngineTypes.Health memory after_ = engine.health(TRADER);

        assertTrue(after_.maintenanceEquity >= before.maintenanceEquity, "maintenance equity kept or raised");
        assertTrue(after_.initialEquity >= before.initialEquity, "initial equity kept or raised");
        assertTrue(after_.stressEquity >= before.stressEquity, "stress equity kept or raised");
        assertEq(after_.maintenanceMargin, before.maintenanceMargin, "maintenance margin unchanged");
        assertEq(after_.initialMargin, before.initialMargin, "initial margin unchanged");
        assertTrue(before.liquidatable || !after_.liquidatable, "a healthy account stays healthy");
    }

    /// @notice Item 8: whatever the oracle status (every price Ok; WETH and LTT Deviated; every price Stale; every asset
    /// Frozen) and the pause, an account with positions and debt can add collateral and repay; the repayment cancels
    /// exactly the scaled debt it buys.
    function testFuzz_deposit__collateralOrRepaymentInAnyOracleStatusOrPause__alwaysSucceeds(
        uint256 state,
        bool paused,
        bool ltt_,
        uint256 amount,
        uint256 repay
    ) public {
        _trouble(bound(state, 0, 3));
        if (paused) engine.setNewRiskPaused(true);
        MockERC20 token = ltt_ ? ltt : weth;
        amount = bound(amount, 1, 1e22);
        repay = bound(repay, 1, 5_000e6);

        uint256 collateral = engine.collateralBalance(TRADER, address(token));
        _deposit(TRADER, token, amount);
        assertEq(engine.collateralBalance(TRADER, address(token)), collateral + amount, "collateral added");

        (uint256 credit, uint256 scaledDebt,) = engine.cash(TRADER);
        uint256 index = pool.borrowIndex();
        _deposit(TRADER, usdc, repay);
        uint256 scaled = repay * WAD / index;
        if (scaled > scaledDebt) scaled = scaledDebt;
        (uint256 creditAfter, uint256 scaledAfter,) = engine.cash(TRADER);
        assertEq(creditAfter, credit + repay - _divUp(scaled * index, WAD), "credit: the repayment's rest");
        assertEq(scaledAfter, scaledDebt - scaled, "scaled debt less what the repayment buys");
    }
}
