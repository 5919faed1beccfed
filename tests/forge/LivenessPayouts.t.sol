// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";
import {IPool} from "../../interfaces/IPool.sol";
import {EngineFixture} from "./utils/EngineFixture.sol";

/// @title LivenessPayoutsTest
/// @notice What is owed can always be paid (docs/design.md#liveness): a loan counts toward utilization and toward the
/// settlement cash reserved for payouts, a short reserves what it can gain, a profit the settlement reserve cannot pay
/// is paid in the Pool's other assets, and the lower NAV provisions a loss already visible on chain. Each test
/// reproduces a state the earlier contracts allowed (a drained settlement reserve, a short's unpayable profit, an LP
/// exiting ahead of a known loss) and shows it can no longer arise.
/// @dev The bench core (EngineFixture): the Pool seeded with 1,000,000 USD of each of USDC, WBTC and WETH.
contract LivenessPayoutsTest is EngineFixture {
    address internal constant TRADER = address(0x2222);
    address internal constant BORROWER = address(0x3333);

    function setUp() public {
        _deployBenchCore();
        _seedPool(1_000_000e18);
        vm.warp(vm.getBlockTimestamp() + LP_COOLDOWN);
        _nextBlock();
    }

    /// @dev `account` posts `usdc` USDC of cash and opens `size` WETH on market 0 at 3,000, one block apart.
    function _openWeth(address account, uint256 usdcAmount, int256 size) internal {
        _deposit(account, usdc, usdcAmount);
        _nextBlock();
        _open(account, 0, size);
        _nextBlock();
    }

    function _close(address account, uint256 market) internal {
        int256 size = engine.position(account, market).size;
        vm.prank(account);
        engine.modifyPosition(market, -size, size > 0 ? 0 : type(uint256).max);
    }

    // ---------------------------------------------------------------- borrowing (finding: loans drain payouts)

    /// @notice A 30 WETH long reserves 90,000 USD of settlement cash. A borrower posting 700 WETH may not withdraw the
    /// Pool's whole USDC: the loan would leave the reserved payouts uncovered (SettlementBackingShort with the values).
    /// It may borrow down to the reserved amount; the loan refreshes the rate; then the long still closes in profit,
    /// an LP still withdraws the free USDC, and after a crash the long is liquidated by a keeper with no tokens.
    function test_borrow__wholeSettlementReserve__revertsAndPayoutsStayCovered() public {
        _openWeth(TRADER, 20_000e6, 30e18);
        _deposit(BORROWER, weth, 700e18);
        _nextBlock();
        uint256 reserve = pool.reserves(address(usdc));
        assertEq(reserve, 1_000_000e6 + 72e6, "the seed and the Pool's share of the opening fee");
        vm.expectRevert(abi.encodeWithSelector(IPool.SettlementBackingShort.selector, 0, 90_000e18));
        vm.prank(BORROWER);
        engine.withdraw(address(usdc), reserve, BORROWER);

        uint256 rateBefore = pool.ratePerSecond();
        uint256 free = reserve - 90_000e6;
        vm.prank(BORROWER);
        engine.withdraw(address(usdc), free, BORROWER);
        assertEq(usdc.balanceOf(BORROWER), free, "borrowed down to the reserved payouts");
        assertTrue(pool.ratePerSecond() > rateBefore, "the loan refreshed the rate");
        vm.expectRevert(abi.encodeWithSelector(IPool.SettlementBackingShort.selector, 89_999_999_999e12, 90_000e18));
        vm.prank(BORROWER);
        engine.withdraw(address(usdc), 1, BORROWER);

        // The long's profit at 3,300 (9,000 USD) is paid in full.
        _settleWethAt(3_300e18);
        (uint256 creditBefore,,) = engine.cash(TRADER);
        _close(TRADER, 0);
        (uint256 creditAfter,,) = engine.cash(TRADER);
        assertGt(creditAfter, creditBefore + 8_800e6, "the profit, less the fee, paid into credit");
        assertEq(engine.collateralBalance(TRADER, address(wbtc)), 0, "all of it in USDC");
    }

    /// @notice After the borrower took all it may, a crash makes a long liquidatable while it is still solvent: a
    /// keeper holding nothing liquidates it and is paid out of the account, with no Pool loan.
    function test_borrow__drainedToTheReserve__liquidationStillRuns() public {
        _deposit(TRADER, weth, 10e18);
        _nextBlock();
        _open(TRADER, 0, 30e18);
        _nextBlock();
        _deposit(BORROWER, weth, 700e18);
        _nextBlock();
        uint256 free = pool.reserves(address(usdc)) - 90_000e6;
        vm.prank(BORROWER);
        engine.withdraw(address(usdc), free, BORROWER);
        _settleWethAt(2_370e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(h.liquidatable && h.maintenanceEquity > 0, "liquidatable and solvent");
        uint256 lentBefore = pool.totalScaledDebt();
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(int256(engine.position(TRADER, 0).size), 15e18, "half closed");
        assertGt(weth.balanceOf(KEEPER), 0, "the keeper was paid out of the account's WETH");
        assertEq(usdc.balanceOf(KEEPER), 0, "nothing came out of the Pool for the keeper");
        assertGe(pool.totalScaledDebt(), lentBefore, "no debt repaid by a loan");
    }

    // ---------------------------------------------------------------- shorts (finding: reserves under-cover shorts)

    /// @notice A 100 WETH short at 3,000 reserves its 300,000 USD entry notional, the most it can gain. With WETH at
    /// 1,000 its profit is about 200,000 USD: an LP may not take the USDC reserve down to 120,000
    /// (SettlementBackingShort), and the short closes with its profit paid in full.
    function test_short__lpDrainsBelowItsProfit__refusedAndTheCloseIsPaid() public {
        _openWeth(TRADER, 100_000e6, -100e18);
        (,, uint256 reserved,) = engine.poolExposure(false);
        assertEq(reserved, 300_000e18, "the entry notional");
        _settleWethAt(1_000e18);
        (,, reserved,) = engine.poolExposure(false);
        assertEq(reserved, 300_000e18, "whatever the price");
        // Shares worth 880,000 USD at the lower share price (no weight fees in this pool).
        uint256 shares = 880_000e18 * 1e18 / pool.sharePrice(false);
        vm.prank(LP);
        try pool.withdraw(shares, address(usdc), 0, LP) {
            revert("an LP took the USDC the short's profit needs");
        } catch (bytes memory reason) {
            assertEq(bytes4(reason), IPool.SettlementBackingShort.selector, "refused for the payout backing");
        }
        (uint256 creditBefore,,) = engine.cash(TRADER);
        _close(TRADER, 0);
        (uint256 creditAfter,,) = engine.cash(TRADER);
        assertGt(creditAfter - creditBefore, 199_000e6, "about 200,000 USD of profit paid in full");
    }

    // ---------------------------------------------------------------- profits beyond the settlement reserve

    /// @notice A 300 WETH long at 3,000 whose WETH goes to 7,000 is owed 1,200,000 USD, more than the Pool's
    /// 1,000,000 USDC: the close pays the whole USDC reserve and the rest in the Pool's WBTC at its upper price, booked
    /// as the trader's collateral. Nothing reverts and nothing is left unpaid.
    function test_close__profitAboveSettlementReserve__restPaidInKind() public {
        _openWeth(TRADER, 400_000e6, 300e18);
        _settleWethAt(7_000e18);
        uint256 usdcReserve = pool.reserves(address(usdc));
        uint256 wbtcReserve = pool.reserves(address(wbtc));
        (uint256 creditBefore,,) = engine.cash(TRADER);
        _close(TRADER, 0);
        (uint256 creditAfter,,) = engine.cash(TRADER);
        assertEq(creditAfter - creditBefore, usdcReserve - 2_100e6, "the whole USDC reserve, less the 2,100 USDC fee");
        assertEq(pool.reserves(address(usdc)), 1_680e6, "only the Pool's share of the close's fee is back");
        uint256 inKind = engine.collateralBalance(TRADER, address(wbtc));
        assertEq(wbtcReserve - pool.reserves(address(wbtc)), inKind, "the rest in WBTC, booked as collateral");
        // 1,200,000 USD owed, about 1,000,000 paid in USDC: about 200,000 USD of WBTC at 60,000.
        assertApproxEqRel(inKind, 3.3333e8, 0.01e18, "about 3.33 WBTC");
    }

    // ---------------------------------------------------------------- NAV (finding: an informed LP exits first)

    /// @notice WETH at 2,000 leaves the bench long insolvent before anyone liquidates it. Once a keeper records the
    /// provision, the lower share price already counts the loss: an LP redeeming before the liquidation gets no more
    /// than one redeeming after it (the provision is the maintenance shortfall, at least the deficit LPs bear).
    function test_provision__underwaterAccount__lpCannotExitAheadOfTheLoss() public {
        _deposit(TRADER, weth, 10e18);
        _nextBlock();
        _open(TRADER, 0, 30e18);
        _nextBlock();
        _settleWethAt(2_000e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(TRADER);
        assertTrue(h.maintenanceEquity < 0, "insolvent");
        uint256 before = pool.sharePrice(false);
        address[] memory accounts = new address[](1);
        accounts[0] = TRADER;
        vm.prank(KEEPER);
        engine.provision(accounts);
        assertEq(engine.provisionOf(TRADER), uint256(-h.maintenanceEquity), "minus its maintenance equity");
        uint256 provisioned = pool.sharePrice(false);
        assertLt(provisioned, before, "the lower share price counts the loss at once");
        vm.prank(KEEPER);
        liquidator.liquidate(TRADER);
        assertEq(engine.totalProvision(), 0, "the liquidation cleared the provision");
        uint256 settled = pool.sharePrice(false);
        assertLe(provisioned, settled, "redeeming before the liquidation pays no more than after it");
        assertLt(settled, before, "the deficit did reach the LPs");
    }

    /// @notice A provision is recomputed, never stale in the Pool's favour: refreshing a recovered account clears it,
    /// and an account whose prices a liquidation could not use cannot be provisioned (ProvisionUnpriced).
    function test_provision__recoveredOrUnpriced__clearedOrRefused() public {
        _deposit(TRADER, weth, 10e18);
        _nextBlock();
        _open(TRADER, 0, 30e18);
        _nextBlock();
        _settleWethAt(2_000e18);
        address[] memory accounts = new address[](1);
        accounts[0] = TRADER;
        engine.provision(accounts);
        assertGt(engine.totalProvision(), 0, "provisioned");
        _settleWethAt(3_000e18);
        engine.provision(accounts);
        assertEq(engine.provisionOf(TRADER), 0, "recovered: nothing provisioned");
        assertEq(engine.totalProvision(), 0, "total cleared");
        vm.warp(vm.getBlockTimestamp() + MAX_PRICE_AGE + 1);
        vm.expectRevert(abi.encodeWithSelector(IMarginEngineTypes.ProvisionUnpriced.selector, TRADER, 0));
        engine.provision(accounts);
    }
}
