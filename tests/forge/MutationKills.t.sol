// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";
import {IPool} from "../../interfaces/IPool.sol";
import {InsuranceFund} from "../../contracts/InsuranceFund.sol";
import {EngineFixture} from "./utils/EngineFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @title MutationKillsTest
/// @notice Deterministic flows through the whole core that the invariant campaign cannot pin down (it tolerates
/// reverts, so a mutant that makes a path revert survives it): each step must succeed and move the books by the
/// amounts it should. Written for the mutation campaign (`make mutate`, security/mutation/README.md); they run in
/// `make test` like every forge test.
contract MutationKillsTest is EngineFixture {
    address internal constant TRADER = address(0x2222);
    address internal constant OTHER = address(0x3333);

    function setUp() public {
        _deployBenchCore();
        _seedPool(1_000_000e18);
        _nextBlock();
    }

    /// @dev OTHER funds the InsuranceFund with `amount` USDC.
    function _fundInsurance(uint256 amount) internal {
        usdc.mint(OTHER, amount);
        vm.startPrank(OTHER);
        usdc.approve(address(insurance), amount);
        insurance.fund(amount, "seed");
        vm.stopPrank();
    }

    /// @dev WETH wei worth `usd` at 2,400 (the upper liquidation price of these tests), rounded up.
    function _wethFor(uint256 usd) internal pure returns (uint256) {
        return (usd * 1e18 + 2_400e18 - 1) / 2_400e18;
    }

    /// @notice Opening charges the trading fee (10 bps of 90,000 USD = 90 USDC). An account with no credit owes all
    /// of it to the Pool as a receivable: no token moves, the InsuranceFund's share is not lent out of the Pool (a fee
    /// never needs a Pool loan); the position is booked at the entry price.
    function test_open__feeWithoutCredit__allOfItIsDebtToThePool() public {
        uint256 reserve = pool.reserves(address(usdc));
        _openBenchLong(TRADER);
        IMarginEngineTypes.Position memory p = engine.position(TRADER, 0);
        assertEq(int256(p.size), 30e18, "size");
        assertEq(uint256(p.entryPrice), 3_000e18, "entry price");
        (,, uint256 debt) = engine.cash(TRADER);
        // 90 USDC booked at the open, plus one block of interest (a few units).
        assertApproxEqAbs(debt, 90e6, 10, "the fee is the account's debt");
        assertEq(insurance.bookedBalance(), 0, "no insurance share without credit");
        assertEq(pool.reserves(address(usdc)), reserve, "nothing left the Pool");
        assertEq(pool.totalScaledDebt() != 0, true, "the Pool's receivable");
    }

    /// @notice With credit, the InsuranceFund books its 20 % share of the fee (18 USDC) out of it and the Pool the
    /// rest (72 USDC).
    function test_open__feeFromCredit__insuranceBooksItsShare() public {
        _deposit(TRADER, usdc, 1_000e6);
        uint256 reserve = pool.reserves(address(usdc));
        _openBenchLong(TRADER);
        assertEq(insurance.bookedBalance(), 18e6, "insurance share of the fee");
        assertEq(usdc.balanceOf(address(insurance)), 18e6, "insurance holds its share");
        assertEq(pool.reserves(address(usdc)), reserve + 72e6, "the Pool's share");
        (uint256 credit,,) = engine.cash(TRADER);
        assertEq(credit, 910e6, "paid from credit");
    }

    /// @notice WETH at 2,400: maintenance equity 21,600 - 18,000 - 90 = 3,510 USD under a margin of 3,600 USD, above
    /// half of it: liquidatable but not critical. `liquidate` closes half (the close factor), charges the 1 % penalty
    /// on the closed notional, pays the keeper its share (at least 1 USDC) and the rest to the InsuranceFund, and
    /// leaves the account healthier.
    function test_liquidate__unhealthyNotCritical__closesHalfAndSplitsThePenalty() public {
        _openBenchLong(TRADER);
        _settleWethAt(2_400e18);
        IMarginEngineTypes.Health memory before = engine.liquidationHealth(TRADER);
        assertTrue(before.liquidatable, "liquidatable at 2,400");
        assertTrue(before.maintenanceEquity > int256(before.maintenanceMargin / 2), "not critical");
        uint256 insuranceBefore = insurance.bookedBalance();
        uint256 wethReserve = pool.reserves(address(weth));
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 15e18, "half closed");
        // Closed: 15 WETH at 2,400 = 36,000 USD; penalty 1 % = 360 USDC; keeper 1 USDC + 30 % = 109 USDC. The account
        // has no credit (its loss is debt), so the keeper's part is paid in its WETH at 2,400 (rounded up to a wei) and
        // the fund's 251 USDC are owed to the Pool as more debt: no collateral moves to the Pool.
        assertEq(weth.balanceOf(KEEPER), _wethFor(109e18), "keeper reward in WETH");
        assertEq(pool.reserves(address(weth)), wethReserve, "no collateral to the Pool");
        assertEq(insurance.bookedBalance(), insuranceBefore, "no insurance share without credit");
        assertEq(usdc.balanceOf(KEEPER), 0, "no Pool loan paid the keeper");
        IMarginEngineTypes.Health memory after_ = engine.liquidationHealth(TRADER);
        assertTrue(
            after_.maintenanceEquity - int256(after_.maintenanceMargin)
                > before.maintenanceEquity - int256(before.maintenanceMargin),
            "healthier"
        );
        vm.expectPartialRevert(bytes4(keccak256("NotLiquidatable(address,int256,uint256)")));
        liquidator.liquidate(OTHER);
    }

    /// @notice WETH at 2,000: equity 18,000 - 30,000 - 90 < 0. `liquidate` closes everything, the account's WETH is
    /// absorbed into the Pool's reserves, the InsuranceFund pays what it has toward the deficit and the rest is
    /// socialized: no debt, no collateral, no position is left, and LPs' share price falls.
    function test_liquidate__insolvent__absorbsCoversAndSocializes() public {
        _openBenchLong(TRADER);
        _fundInsurance(18e6);
        _settleWethAt(2_000e18);
        uint256 wethReserve = pool.reserves(address(weth));
        uint256 price = pool.sharePrice(false);
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 0, "closed");
        assertEq(engine.collateralBalance(TRADER, address(weth)), 0, "collateral seized");
        assertEq(pool.reserves(address(weth)), wethReserve + 10e18, "absorbed into the reserves");
        (, uint256 scaled,) = engine.cash(TRADER);
        assertEq(scaled, 0, "debt written off");
        assertEq(pool.totalScaledDebt(), 0, "no receivable left");
        assertEq(insurance.bookedBalance(), 0, "the InsuranceFund paid everything it had");
        assertTrue(pool.sharePrice(false) < price, "the rest was socialized");
        assertEq(usdc.balanceOf(KEEPER), 0, "an insolvent account pays no keeper reward");
    }

    /// @notice Collateral in and out: the balance, the engine's total and the token balances move by the amount; a
    /// withdrawal beyond the balance reverts with the amounts.
    function test_collateral__depositWithdraw__booksMoveByTheAmount() public {
        _deposit(TRADER, wbtc, 2e8);
        assertEq(engine.collateralBalance(TRADER, address(wbtc)), 2e8, "balance");
        assertEq(engine.totalCollateral(address(wbtc)), 2e8, "total");
        (uint16 mask,) = engine.accountMasks(TRADER);
        assertEq(mask, 1, "WBTC is the first collateral asset");
        vm.prank(TRADER);
        engine.withdraw(address(wbtc), 5e7, TRADER);
        assertEq(engine.collateralBalance(TRADER, address(wbtc)), 15e7, "balance after");
        assertEq(wbtc.balanceOf(TRADER), 5e7, "tokens back");
        vm.expectRevert(
            abi.encodeWithSignature("InsufficientCollateral(address,uint256,uint256)", address(wbtc), 2e8, 15e7)
        );
        vm.prank(TRADER);
        engine.withdraw(address(wbtc), 2e8, TRADER);
        vm.prank(TRADER);
        engine.withdraw(address(wbtc), 15e7, TRADER);
        (mask,) = engine.accountMasks(TRADER);
        assertEq(mask, 0, "an empty balance leaves the mask");
    }

    /// @notice The InsuranceFund above its target sweeps the excess to the Pool; at or below it the sweep reverts.
    function test_sweep__aboveTarget__excessToThePool() public {
        _fundInsurance(18e6);
        insurance.setTarget(10e6);
        uint256 reserve = pool.reserves(address(usdc));
        vm.prank(KEEPER);
        uint256 swept = insurance.sweep();
        assertEq(swept, 8e6, "the excess");
        assertEq(insurance.bookedBalance(), 10e6, "the target stays");
        assertEq(pool.reserves(address(usdc)), reserve + 8e6, "into the Pool's reserve");
        vm.expectRevert(abi.encodeWithSignature("NothingToSweep(uint256,uint256)", 10e6, 10e6));
        insurance.sweep();
    }

    /// @notice Funding the InsuranceFund with nothing reverts (survivor InsuranceFund.sol:62 MIA false).
    function test_insuranceFund__fundZero__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        insurance.fund(0, "test");
    }

    /// @notice The InsuranceFund refuses a zero asset, pool or liquidator at construction (survivor
    /// InsuranceFund.sol:45 MIA false).
    function test_insuranceFund__zeroWiring__reverts() public {
        address me = address(this);
        address liq = address(liquidator);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        new InsuranceFund(lock, address(0), pool, liq, me, me, 1);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        new InsuranceFund(lock, address(usdc), IPool(address(0)), liq, me, me, 1);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        new InsuranceFund(lock, address(usdc), pool, address(0), me, me, 1);
    }

    /// @notice Only the Liquidator may draw a deficit cover from the InsuranceFund (survivor InsuranceFund.sol:85 MIA
    /// false: without the check anyone could drain it).
    function test_insuranceFund__coverByStranger__reverts() public {
        _fundInsurance(18e6);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        vm.prank(OTHER);
        insurance.cover(1e6);
        assertEq(insurance.bookedBalance(), 18e6, "nothing left the fund");
    }

    /// @notice An outsider's `fund` takes the shared lock and releases it: the core keeps working after it (survivor
    /// InsuranceFund.sol:70 MIA false: a lock left taken would block every guarded entry point).
    function test_insuranceFund__externalFund__releasesTheLock() public {
        usdc.mint(OTHER, 5e6);
        vm.startPrank(OTHER);
        usdc.approve(address(insurance), 5e6);
        insurance.fund(5e6, "gift");
        vm.stopPrank();
        assertEq(insurance.bookedBalance(), 5e6, "booked");
        _deposit(TRADER, weth, 1e18); // a guarded engine entry point
        assertEq(engine.collateralBalance(TRADER, address(weth)), 1e18, "the core still works");
    }

    /// @notice A deficit smaller than the fund is covered in full and the rest stays booked (survivor
    /// InsuranceFund.sol:87 MIA false).
    function test_insuranceFund__coverSmallDeficit__coversItAll() public {
        _fundInsurance(18e6);
        vm.prank(address(liquidator));
        uint256 uncovered = insurance.cover(5e6);
        assertEq(uncovered, 0, "all covered");
        assertEq(insurance.bookedBalance(), 13e6, "the rest stays");
        assertEq(usdc.balanceOf(address(liquidator)), 5e6, "paid to the Liquidator");
    }

    /// @notice An empty InsuranceFund covers nothing and moves no token, not even a zero transfer (survivor
    /// InsuranceFund.sol:89 MIA true: a `Transfer` of 0 to the Liquidator).
    function test_insuranceFund__coverWhenEmpty__transfersNothing() public {
        vm.recordLogs();
        vm.prank(address(liquidator));
        uint256 uncovered = insurance.cover(5e6);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(uncovered, 5e6, "nothing covered");
        for (uint256 i = 0; i < logs.length; ++i) {
            assertTrue(logs[i].emitter != address(usdc), "no token moved");
        }
        assertEq(logs.length, 1, "only Covered(5e6, 0, 5e6)");
    }

    /// @notice Governance withdraws from the fund to an address, within its booked balance (survivor
    /// InsuranceFund.sol:114 MIA true).
    function test_insuranceFund__governanceWithdraw__paysOut() public {
        _fundInsurance(18e6);
        insurance.withdraw(OTHER, 8e6);
        assertEq(usdc.balanceOf(OTHER), 8e6, "paid");
        assertEq(insurance.bookedBalance(), 10e6, "booked");
        vm.expectRevert(abi.encodeWithSignature("InsufficientBalance(uint256,uint256)", 11e6, 10e6));
        insurance.withdraw(OTHER, 11e6);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        insurance.withdraw(address(0), 1);
    }
}
