// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../interfaces/IPool.sol";
import {Pool} from "../../contracts/Pool.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../contracts/mocks/MockTokens.sol";
import {Vm} from "./utils/Vm.sol";
import {PoolUnitBase} from "./PoolUnit.t.sol";

/// @title PoolUnitProtocolTest
/// @notice The Pool's protocol entry points (the test contract is its MarginEngine; LIQ its Liquidator), governance,
/// views and the borrow index, in isolation (PoolUnitBase): exact books, return values and custom errors, for the
/// mutation campaign's Pool survivors. LP actions and the lock-up: PoolUnit.t.sol.
contract PoolUnitProtocolTest is PoolUnitBase {
    /// @dev Base rate of CoreParams per second: 2 % a year.
    uint256 internal constant BASE_RATE = 200e14 / uint256(365 days);

    // ---------------------------------------------------------------- access

    /// @notice Engine-only and liquidator-only entry points refuse anyone else with Unauthorized(caller) (kills
    /// Pool.sol:142 MIA false, 147 MIA false).
    function test_access__stranger__reverts() public {
        vm.startPrank(OTHER);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.payProfit(1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.lend(1, OTHER);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.receiveLoss(0, 1);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.repay(0);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.absorb(address(weth), 0, 0);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", OTHER));
        pool.payProfitInKind(address(weth), 1);
        vm.stopPrank();
        assertEq(pool.totalScaledDebt(), 0, "nothing booked");
    }

    /// @notice The engine moves a liquidated account's collateral straight into the Pool: `absorb` from the engine
    /// pulls it into the reserve and returns what arrived.
    function test_absorb__fromEngine__pullsIntoTheReserve() public {
        _mintApprove(address(this), weth, 2e18);
        assertEq(pool.absorb(address(weth), 2e18, 0), 2e18, "received");
        assertEq(pool.reserves(address(weth)), 2e18, "booked");
    }

    // ---------------------------------------------------------------- engine entry points

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

    /// @notice The engine lends from the USDC reserve: scaled debt at the index; more than the reserve reverts
    /// InsufficientLiquidity with both; a loan counts toward utilization: 900 of 1,000 reaches the 90 % maximum, one
    /// unit more reverts UtilizationExceeded.
    function test_lend__fromEngine__booksScaledDebt() public {
        _lp(LP, usdc, 1_000e6);
        vm.expectRevert(
            abi.encodeWithSignature("InsufficientLiquidity(address,uint256,uint256)", address(usdc), 1_001e6, 1_000e6)
        );
        pool.lend(1_001e6, OTHER);
        vm.expectRevert(abi.encodeWithSignature("UtilizationExceeded(uint256,uint256)", uint256(900_000_001e9), 9e17));
        pool.lend(900_000_001, OTHER);
        assertEq(pool.lend(900e6, OTHER), 900e6, "scaled at index 1");
        assertEq(usdc.balanceOf(OTHER), 900e6, "lent");
        assertEq(pool.reserves(address(usdc)), 100e6, "reserve");
        assertEq(pool.totalScaledDebt(), 900e6, "receivable");
        assertEq(pool.utilization(), 9e17, "at the maximum");
    }

    /// @notice A loan may not take the settlement reserve below the liquidity reserved for payouts
    /// (docs/design.md#liveness): with 1,000 USD reserved of 4,000 USD of reserves, 1 USDC more than the free 0 reverts
    /// SettlementBackingShort, and a loan refreshes the rate from the utilization it leaves.
    function test_lend__intoReservedPayouts__reverts() public {
        _seedTwoAssets();
        stubReserved = 900e18;
        vm.expectRevert(abi.encodeWithSignature("SettlementBackingShort(uint256,uint256)", 899e18, 900e18));
        pool.lend(101e6, OTHER);
        pool.lend(100e6, OTHER);
        // Utilization (900 reserved + 100 receivable) / (3,900 reserves + 100 receivable) = 25 %.
        assertEq(pool.ratePerSecond(), (200e14 + 1_000 * 25e16 / 8_000) / uint256(365 days), "rate at 25 %");
    }

    /// @notice After 1,000 s at the base rate the index is 1 + rate * 1,000 (rounded up), and a loan is scaled by it
    /// (kills Pool.sol:576 MIA true / negation: no growth; 583 MIA true / negation: the index never accrues).
    function test_lend__afterTime__scaledByTheAccruedIndex() public {
        _lp(LP, usdc, 1_000e6);
        assertEq(pool.ratePerSecond(), BASE_RATE, "base rate at zero utilization");
        vm.warp(T0 + 1_000);
        uint256 index = WAD + BASE_RATE * 1_000;
        assertEq(pool.borrowIndex(), index, "grown index");
        uint256 scaled = (100e6 * WAD + index - 1) / index;
        assertEq(pool.lend(100e6, OTHER), scaled, "scaled at the accrued index");
        assertEq(pool.totalScaledDebt(), scaled, "receivable");
        assertEq(pool.borrowIndex(), index, "stored at the accrual");
        assertEq(pool.totalDebt(), scaled * index / WAD, "debt at the index");
    }

    /// @notice The liquidator pays 100 USDC of loss and books 50 USDC of debt: reserve and receivable move by both
    /// (kills Pool.sol:147 LOR / MIA true, 262 MIA false / negation, 263 MIA false / negation).
    function test_receiveLoss__fromLiquidator__booksPaymentAndDebt() public {
        _mintApprove(LIQ, usdc, 100e6);
        vm.prank(LIQ);
        assertEq(pool.receiveLoss(100e6, 50e6), 50e6, "scaled debt at index 1");
        assertEq(pool.reserves(address(usdc)), 100e6, "paid into the reserve");
        assertEq(usdc.balanceOf(address(pool)), 100e6, "tokens in");
        assertEq(pool.totalScaledDebt(), 50e6, "receivable");
        assertEq(pool.receiveLoss(0, 0), 0, "the engine may call too");
    }

    /// @notice A loss with nothing paid pulls nothing: the Pool's LossReceived is the only log, no token Transfer
    /// (kills Pool.sol:262 MIA true: a zero transferFrom emits Transfer(engine, pool, 0)).
    function test_receiveLoss__nothingPaid__pullsNothing() public {
        vm.recordLogs();
        assertEq(pool.receiveLoss(0, 50e6), 50e6, "scaled debt");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "one log");
        assertEq(logs[0].emitter, address(pool), "from the Pool");
        assertEq(logs[0].topics[0], keccak256("LossReceived(uint256,uint256,uint256)"), "LossReceived");
    }

    /// @notice The liquidator repays 50 USDC of scaled debt at index 1: pulled into the reserve; repaying more than
    /// the receivable reverts DebtUnderflow with both (kills Pool.sol:288 MIA true / negation, 611 MIA false / true /
    /// negation).
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
    /// owed) (kills Pool.sol:288 MIA false).
    function test_repay__feeOnTransferSettlement__reverts() public {
        MockFeeToken fee = new MockFeeToken(6, 100);
        _listOracleAsset(address(fee), 1e18);
        Pool p = _newPool(address(fee));
        p.listAsset(address(fee), _params(5_000, 10_000, 0, 0, CAP));
        assertEq(p.receiveLoss(0, 50e6), 50e6, "scaled debt");
        fee.mint(address(this), 50e6);
        fee.approve(address(p), 50e6);
        vm.expectRevert(abi.encodeWithSignature("SlippageExceeded(uint256,uint256)", 49_500_000, 50e6));
        p.repay(50e6);
    }

    /// @notice The liquidator absorbs 1 WETH and cancels 20 of 50 scaled debt; absorbing an unlisted token reverts
    /// AssetNotListed (kills Pool.sol:297 MIA false / negation, 506 MIA false).
    function test_absorb__collateral__joinsTheReserve() public {
        pool.receiveLoss(0, 50e6);
        _mintApprove(LIQ, weth, 1e18);
        vm.prank(LIQ);
        pool.absorb(address(weth), 1e18, 20e6);
        assertEq(pool.reserves(address(weth)), 1e18, "absorbed");
        assertEq(weth.balanceOf(address(pool)), 1e18, "tokens in");
        assertEq(pool.totalScaledDebt(), 30e6, "debt cancelled");
        MockERC20 dai = new MockERC20("DAI", "DAI", 18);
        vm.expectRevert(abi.encodeWithSignature("AssetNotListed(address)", address(dai)));
        vm.prank(LIQ);
        pool.absorb(address(dai), 0, 0);
    }

    /// @notice Absorbing nothing pulls nothing: CollateralAbsorbed is the only log (kills Pool.sol:297 MIA true).
    function test_absorb__nothing__pullsNothing() public {
        vm.recordLogs();
        vm.prank(LIQ);
        pool.absorb(address(weth), 0, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "one log");
        assertEq(logs[0].emitter, address(pool), "from the Pool");
        assertEq(logs[0].topics[0], keccak256("CollateralAbsorbed(address,uint256,uint256)"), "CollateralAbsorbed");
    }

    /// @notice A socialized deficit cancels scaled debt and returns its amount; more than the receivable reverts
    /// DebtUnderflow (kills Pool.sol:611 MIA false through the liquidator's path).
    function test_socializeDeficit__fromLiquidator__cancelsDebt() public {
        pool.receiveLoss(0, 50e6);
        vm.prank(LIQ);
        assertEq(pool.socializeDeficit(20e6), 20e6, "amount at index 1");
        assertEq(pool.totalScaledDebt(), 30e6, "receivable");
        vm.expectRevert(abi.encodeWithSignature("DebtUnderflow(uint256,uint256)", 31e6, 30e6));
        vm.prank(LIQ);
        pool.socializeDeficit(31e6);
    }

    /// @notice checkUtilization with 4,000 USD of reserves: 3,700 reserved is 92.5 % > 90 % (UtilizationExceeded);
    /// 1,200 reserved is 30 % but above the 1,000 USDC (SettlementBackingShort); 1,000 reserved passes and sets the
    /// rate at 25 % utilization (kills Pool.sol:601 MIA false / true / negation, 606 MIA false / true / negation).
    function test_checkUtilization__reserved__checksBothLimits() public {
        _seedTwoAssets();
        stubReserved = 3_700e18;
        vm.expectRevert(abi.encodeWithSignature("UtilizationExceeded(uint256,uint256)", 925e15, 9e17));
        pool.checkUtilization();
        stubReserved = 1_200e18;
        vm.expectRevert(abi.encodeWithSignature("SettlementBackingShort(uint256,uint256)", 1_000e18, 1_200e18));
        pool.checkUtilization();
        stubReserved = 1_000e18;
        pool.checkUtilization();
        assertEq(pool.ratePerSecond(), (200e14 + 1_000 * 25e16 / 8_000) / uint256(365 days), "rate at 25 %");
    }

    // ---------------------------------------------------------------- governance

    /// @notice Listing twice reverts AssetAlreadyListed; the ninth asset reverts TooManyAssets(8) (kills Pool.sol:330
    /// MIA false, 331 MIA false; true / negation break the fixture's listing).
    function test_listAsset__duplicateOrNinth__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("AssetAlreadyListed(address)", address(usdc)));
        pool.listAsset(address(usdc), _params(5_000, 10_000, 0, 0, CAP));
        for (uint256 i = 0; i < 6; ++i) {
            MockERC20 t = _newAsset(string.concat("A", vm.toString(i)), 18, 1e18);
            pool.listAsset(address(t), _params(1_000, 10_000, 0, 0, CAP));
        }
        assertEq(pool.assets().length, 8, "eight assets");
        MockERC20 ninth = _newAsset("A9", 18, 1e18);
        vm.expectRevert(abi.encodeWithSignature("TooManyAssets(uint256)", 8));
        pool.listAsset(address(ninth), _params(1_000, 10_000, 0, 0, CAP));
    }

    /// @notice A new Pool's first asset must be the settlement asset: WETH first reverts SettlementAssetFirst(USDC);
    /// USDC then WETH list (kills Pool.sol:332 MIA false; LOR / true / negation break the fixture's listing).
    function test_listAsset__otherAssetFirst__reverts() public {
        Pool p = _newPool(address(usdc));
        vm.expectRevert(abi.encodeWithSignature("SettlementAssetFirst(address)", address(usdc)));
        p.listAsset(address(weth), _params(5_000, 10_000, 0, 0, CAP));
        p.listAsset(address(usdc), _params(5_000, 10_000, 0, 0, CAP));
        p.listAsset(address(weth), _params(5_000, 10_000, 0, 0, CAP));
        assertEq(p.assets()[1], address(weth), "WETH second");
    }

    /// @notice A parameter below its minimum or above its maximum reverts ParamOutOfBounds(name, value, min, max);
    /// values at the bounds are set (kills Pool.sol:401 LOR, MIA false; true / negation break the constructor).
    function test_bounded__outOfBounds__reverts() public {
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("kinkBps"), 499, 500, 9_500
            )
        );
        pool.setRateModel(IPool.RateModel(200, 1_000, 499, 15_000));
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("kinkBps"), 9_501, 500, 9_500
            )
        );
        pool.setRateModel(IPool.RateModel(200, 1_000, 9_501, 15_000));
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("maxUtilizationBps"), 999, 1_000, 10_000
            )
        );
        pool.setMaxUtilization(999);
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("cooldown"), 2 days + 1, 0, 2 days
            )
        );
        pool.setCooldown(2 days + 1);
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("depositCap"), 0, 1, type(uint128).max
            )
        );
        pool.setAssetParams(address(usdc), _params(5_000, 10_000, 0, 0, 0));
        pool.setRateModel(IPool.RateModel(300, 1_000, 9_500, 15_000));
        assertEq(pool.rateModel().kinkBps, 9_500, "kink at its maximum");
        pool.setMaxUtilization(1_000);
        assertEq(pool.maxUtilizationBps(), 1_000, "utilization at its minimum");
    }

    // ---------------------------------------------------------------- views and valuation

    /// @notice A Pool with no asset listed values to zero and pokes at the base rate (kills Pool.sol:527 MIA true: the
    /// receivable would read the missing first asset; 570 MIA false: utilization of nothing divides by zero).
    function test_poke__noAssetListed__baseRate() public {
        Pool p = _newPool(address(usdc));
        p.poke();
        assertEq(p.ratePerSecond(), BASE_RATE, "base rate");
        assertEq(p.nav(false), 0, "no value");
        assertEq(p.utilization(), 0, "no utilization");
    }

    /// @notice With no reserves, utilization is 0 when nothing is reserved and 100 % when something is (kills
    /// Pool.sol:570 `reserved + receivable == 0` MIA true / false / negation).
    function test_utilization__noReserves__zeroOrFull() public {
        assertEq(pool.utilization(), 0, "nothing reserved");
        stubReserved = 100e18;
        assertEq(pool.utilization(), WAD, "reserved against nothing");
    }

    /// @notice 600 reserved over 4,000 USD of reserves is 15 % (kills Pool.sol:570 `backing == 0` MIA true /
    /// negation).
    function test_utilization__reserves__ratio() public {
        _seedTwoAssets();
        stubReserved = 600e18;
        assertEq(pool.utilization(), 15e16, "600 / 4,000");
    }

    /// @notice A receivable of 50 USDC counts in NAV (kills Pool.sol:527 MIA false / negation; 520 MIA true /
    /// negation: the reserves count).
    function test_nav__receivable__counts() public {
        _lp(LP, usdc, 1_000e6);
        pool.receiveLoss(0, 50e6);
        assertEq(pool.nav(false), 1_050e18, "reserve and receivable");
        assertEq(pool.nav(true), 1_050e18, "same at one price");
    }

    /// @notice WETH up to 3,100 (median above TWAP) then down to 2,900 (median below): NAV counts it at the lower of
    /// the two for `nav(false)` and the higher for `nav(true)`, and share prices follow (kills Pool.sol:429 MIA true /
    /// false, 555 MIA true / false, 561 MIA true / false).
    function test_nav__medianAndTwapApart__lowAndHigh() public {
        _seedTwoAssets();
        _moveWeth(3_100e18);
        (uint256 m, uint256 t,,) = _priceData(address(weth));
        assertTrue(m > t, "median above the TWAP");
        _assertNav(t, m);
        _moveWeth(2_900e18);
        (m, t,,) = _priceData(address(weth));
        assertTrue(m < t, "median below the TWAP");
        _assertNav(m, t);
    }

    function _moveWeth(uint256 wad) internal {
        vm.warp(vm.getBlockTimestamp() + 60);
        _setFeed(address(weth), wad);
        oracle.update(address(weth));
        oracle.update(address(usdc));
    }

    /// @dev 1,000 USDC and 1 WETH at `low` / `high`; 4,000 shares.
    function _assertNav(uint256 low, uint256 high) internal view {
        assertEq(pool.nav(false), int256(1_000e18 + low), "lower NAV");
        assertEq(pool.nav(true), int256(1_000e18 + high), "upper NAV");
        assertEq(pool.sharePrice(false), WAD * (1_001e18 + low) / 4_001e18, "lower share price");
        assertEq(pool.sharePrice(true), WAD * (1_001e18 + high) / 4_001e18, "upper share price");
    }

    /// @notice A pool asset of 80 decimals with no reserve is skipped by the valuation (10 ** 80 does not fit in 256
    /// bits, so pricing it would panic) (kills Pool.sol:520 MIA false).
    function test_nav__emptyReserve__skipped() public {
        MockERC20 big = new MockERC20("BIG", "BIG", 80);
        _listOracleAsset(address(big), 1e18);
        pool.listAsset(address(big), _params(1_000, 10_000, 0, 0, CAP));
        _lp(LP, usdc, 1_000e6);
        assertEq(pool.nav(false), 1_000e18, "the USDC only");
    }

    /// @notice Stale prices: LP actions revert PriceUnavailable(asset, AddRisk, Stale) while the views still value the
    /// pool (kills Pool.sol:553 MIA false / true / negation).
    function test_valuation__stalePrices__onlyLpActionsRevert() public {
        _lp(LP, usdc, 1_000e6);
        vm.warp(T0 + MAX_PRICE_AGE + 1);
        assertEq(pool.nav(false), 1_000e18, "the view still values");
        _mintApprove(LP, usdc, 1e6);
        vm.expectRevert(abi.encodeWithSignature("PriceUnavailable(address,uint8,uint8)", address(usdc), 0, 2));
        vm.prank(LP);
        pool.deposit(address(usdc), 1e6, 0, LP);
    }

    /// @notice Traders' worst-case PnL of 5,000 USD against 4,000 of reserves: the lower NAV is -1,000 USD and share
    /// pricing reverts PoolInsolvent(-1,000) (kills Pool.sol:564 MIA false; true / negation by any share pricing).
    function test_sharePrice__insolvent__reverts() public {
        _seedTwoAssets();
        stubPnlHigh = 5_000e18;
        vm.expectRevert(abi.encodeWithSignature("PoolInsolvent(int256)", -1_000e18));
        pool.sharePrice(false);
        vm.expectRevert(abi.encodeWithSignature("PoolInsolvent(int256)", -1_000e18));
        vm.prank(LP);
        pool.withdraw(1e18, address(usdc), 0, LP);
        assertEq(pool.sharePrice(true), WAD, "the upper NAV is untouched");
    }

    /// @notice A lower NAV of -0.5 USD (within the virtual value) prices shares at NAV 0 (kills Pool.sol:565 MIA false
    /// / true / negation).
    function test_sharePrice__slightlyNegativeNav__floorsAtZero() public {
        _seedTwoAssets();
        stubPnlHigh = 4_000e18 + 5e17;
        assertEq(pool.nav(false), -5e17, "NAV below zero");
        assertEq(pool.sharePrice(false), WAD * 1e18 / 4_001e18, "priced at zero NAV");
        assertEq(pool.sharePrice(true), WAD, "priced at the upper NAV");
    }

    /// @notice availableLiquidity with 4,000 USD of reserves: nothing reserved, all 1,000 USDC (the reserve binds);
    /// 3,150 reserved, 500 USDC (utilization binds: 4,000 - 3,150 / 0.9); 3,700 reserved, nothing (kills Pool.sol:453
    /// MIA false / true / negation, 456 MIA true / false / negation).
    function test_availableLiquidity__reserveOrUtilization__binds() public {
        _seedTwoAssets();
        assertEq(pool.availableLiquidity(address(usdc)), 1_000e6, "the reserve");
        stubReserved = 300e18;
        assertEq(pool.availableLiquidity(address(usdc)), 700e6, "the settlement reserve keeps backing 300 reserved");
        assertEq(pool.availableLiquidity(address(weth)), 1e18, "the whole WETH reserve");
        stubReserved = 3_150e18;
        assertEq(pool.availableLiquidity(address(usdc)), 0, "all USDC backs the reserved payouts");
        assertEq(pool.availableLiquidity(address(weth)), 500e18 * WAD / 3_000e18, "by utilization, in WETH");
        stubReserved = 3_700e18;
        assertEq(pool.availableLiquidity(address(weth)), 0, "over the maximum");
    }
}
