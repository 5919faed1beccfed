// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {GasMeter} from "../utils/GasMeter.sol";

/// @title EngineGasBase
/// @notice Measures one call the way a transaction would pay for it. Print with
/// `forge test --match-path tests/forge/gas/EngineGas.t.sol -vv`.
/// @dev Cold storage: forge runs every test function as its own transaction after `setUp` is committed, so each
/// measured call below is the first thing its transaction does with the core: every account and slot is cold
/// (EIP-2929) and clean (EIP-2200), as in a user's own transaction (`vm.cool` would not do: it leaves accounts warm and
/// written slots dirty). Nothing in a test reads the core before the measured call; the expected state afterwards was
/// computed in `setUp`.
///
/// Figures: see `GasMeter` (tx gas = 21,000 + calldata + execution - capped refund).
/// Each test asserts the operation did what it should and that its tx gas stays under a ceiling (the figure measured
/// when the ceiling was set, +10 %), so a regression fails the suite.
abstract contract EngineGasBase is EngineFixture, GasMeter {
    /// @notice Log `g` under `name` and fail when its tx gas is above `ceiling`.
    function _report(string memory name, Gas memory g, uint256 ceiling) internal {
        _reportAs("", name, g, ceiling);
    }

    /// @notice `_report`, and record `g` for `make bench` under `key` (none when empty).
    function _reportAs(string memory key, string memory name, Gas memory g, uint256 ceiling) internal {
        if (bytes(key).length != 0) _record(key, g);
        _log(name, g);
        assertLe(g.txGas, ceiling, string.concat(name, ": tx gas above its ceiling"));
    }

    /// @notice Log and record `g` without a ceiling of its own: the checked-in snapshot guards it (`make gas-check`).
    function _bench(string memory key, string memory name, Gas memory g) internal {
        _record(key, g);
        _log(name, g);
    }

    function _log(string memory name, Gas memory g) internal {
        emit log_named_uint(string.concat(name, ": tx gas"), g.txGas);
        emit log_named_uint(string.concat(name, ": execution (tx gas - 21000 - calldata)"), g.txGas - g.intrinsic);
        emit log_named_uint(string.concat(name, ": refund"), g.refund);
    }

    /// @notice A protocol in use: the bench core seeded with 1,000,000 USD of each pool asset, a whale holding WETH,
    /// WBTC and USDC with positions in both markets, a borrower long WETH, so no protocol-wide slot goes from zero to
    /// non-zero in a measured transaction.
    function _deployInUseCore() internal {
        _deploySeededBenchCore();
        address whale = _actor("whale");
        _deposit(whale, weth, 100 * WAD);
        _deposit(whale, wbtc, 2e8);
        _deposit(whale, usdc, 10_000e6);
        _open(whale, 0, int256(20 * WAD));
        _open(whale, 1, -int256(WAD));
        address borrower = _actor("borrower");
        _deposit(borrower, weth, 10 * WAD);
        _open(borrower, 0, int256(10 * WAD));
    }
}

/// @notice The state of `ballast.bench.bench_engine` up to one of its measured transactions.
abstract contract BenchScenario is EngineGasBase {
    /// @notice The bench's stages, in order: each measured transaction starts from one.
    enum Stage {
        Funded,
        FirstDeposit,
        Deposited,
        Opened,
        Crashed
    }

    address internal trader;

    /// @notice Core, LP seed of 1,000,000 USD per pool asset, a trader with 10 WETH approved; then, stage by stage,
    /// 2 WETH deposited, 2 more, a 10 WETH long in market 0, WETH down 30 % (3,000 -> 2,100) and the TWAP caught up.
    function _benchUpTo(Stage stage) internal {
        _deploySeededBenchCore();
        trader = _actor("trader");
        weth.mint(trader, 10 * WAD);
        vm.prank(trader);
        weth.approve(address(engine), 10 * WAD);
        for (uint256 i = 1; i <= uint256(stage); ++i) {
            Stage s = Stage(i);
            _nextBlock();
            vm.prank(trader);
            if (s == Stage.FirstDeposit || s == Stage.Deposited) {
                engine.deposit(address(weth), 2 * WAD, trader);
            } else if (s == Stage.Opened) {
                engine.modifyPosition(0, int256(10 * WAD), type(uint256).max);
            } else if (s == Stage.Crashed) {
                _setFeed(address(weth), 2_100e18);
                _settlePrices();
            }
        }
        _nextBlock();
    }

    /// @dev The trader deposits 2 WETH (measured); its balance and the engine's total are then `expected`.
    function _measureDeposit(uint256 expected) internal returns (Gas memory g) {
        (g,) = _measure(trader, address(engine), abi.encodeCall(engine.deposit, (address(weth), 2 * WAD, trader)));
        assertEq(engine.collateralBalance(trader, address(weth)), expected, "deposit not booked");
        assertEq(engine.totalCollateral(address(weth)), expected, "total not booked");
    }
}

/// @notice Collateral deposit, first: the bench's (the engine holds no WETH yet) and the account's first.
contract EngineGasDepositFirstTest is BenchScenario {
    function setUp() public {
        _benchUpTo(Stage.Funded);
    }

    function test_GasDepositFirst() public {
        Gas memory g = _measureDeposit(2 * WAD);
        (uint16 collateralMask,) = engine.accountMasks(trader);
        assertEq(collateralMask, 2, "WETH (collateral 2) not in the account's list");
        assertEq(weth.balanceOf(address(engine)), 2 * WAD, "tokens not pulled");
        _reportAs("fresh_collateral_deposit_first", "collateral deposit, first (bench)", g, 154_300);
    }
}

/// @notice Collateral deposit, repeat: the same account and asset, one block later.
contract EngineGasDepositRepeatTest is BenchScenario {
    function setUp() public {
        _benchUpTo(Stage.FirstDeposit);
    }

    function test_GasDepositRepeat() public {
        Gas memory g = _measureDeposit(4 * WAD);
        _reportAs("fresh_collateral_deposit_repeat", "collateral deposit, repeat (bench)", g, 75_500);
    }
}

/// @notice Opening a 10 WETH long on 4 WETH of collateral: the account's first position, the market's first.
contract EngineGasOpenTest is BenchScenario {
    function setUp() public {
        _benchUpTo(Stage.Deposited);
    }

    function test_GasOpenPosition() public {
        (Gas memory g,) = _measure(
            trader, address(engine), abi.encodeCall(engine.modifyPosition, (0, int256(10 * WAD), type(uint256).max))
        );
        IMarginEngineTypes.Position memory p = engine.position(trader, 0);
        assertEq(int256(p.size), int256(10 * WAD), "position not opened");
        assertEq(p.entryPrice, 3_000e18, "entry not the oracle price");
        (, uint16 markets) = engine.accountMasks(trader);
        assertEq(markets, 1, "market 0 not in the account's list");
        // 10 bps of 30,000 USD: with no credit, all of it is owed to the Pool (no Pool loan, no fund share).
        (uint256 credit,, uint256 debt) = engine.cash(trader);
        assertEq(credit, 0, "fee paid from credit the account does not have");
        assertApproxEqAbs(debt, 30e6, 1, "fee not owed to the Pool");
        assertEq(insurance.bookedBalance(), 0, "insurance share funded without credit");
        _reportAs("fresh_position_open", "open position (bench: 1 position, 1 collateral)", g, 441_400);
    }
}

/// @notice The health view of an account with 1 collateral asset and 1 position.
contract EngineGasHealthTest is BenchScenario {
    function setUp() public {
        _benchUpTo(Stage.Opened);
    }

    function test_GasHealthOneByOne() public {
        (Gas memory g, bytes memory ret) = _measure(trader, address(engine), abi.encodeCall(engine.health, (trader)));
        IMarginEngineTypes.Health memory h = abi.decode(ret, (IMarginEngineTypes.Health));
        assertEq(h.maintenanceMargin, 1_500e18, "maintenance margin: 5 % of 30,000 USD");
        assertEq(h.initialMargin, 3_000e18, "initial margin: 10 % of 30,000 USD");
        assertTrue(!h.liquidatable, "healthy account reported liquidatable");
        _report("health view (1 collateral, 1 position)", g, 76_900);
    }
}

/// @notice `liquidate` of the bench: WETH down 30 % puts the account below half its maintenance margin, so its one
/// position closes in full; nothing is left to pay a penalty from; the collateral no longer covers the debt, so
/// collateral and debt go to the Pool, the InsuranceFund covers what it holds and LPs the rest.
contract EngineGasLiquidateTest is BenchScenario {
    uint256 internal wethReserve;

    function setUp() public {
        _benchUpTo(Stage.Crashed);
        wethReserve = pool.reserves(address(weth));
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(trader);
        assertTrue(h.liquidatable, "fixture: account not liquidatable");
        assertTrue(h.maintenanceEquity < int256(h.maintenanceMargin / 2), "fixture: account not critical");
    }

    function test_GasLiquidateFullWithAbsorb() public {
        (Gas memory g,) = _measure(KEEPER, address(liquidator), abi.encodeCall(liquidator.liquidate, (trader)));
        assertEq(int256(engine.position(trader, 0).size), 0, "position not closed in full");
        assertEq(engine.collateralBalance(trader, address(weth)), 0, "collateral not seized");
        (,, uint256 debt) = engine.cash(trader);
        assertEq(debt, 0, "debt not written off");
        assertEq(pool.reserves(address(weth)), wethReserve + 4 * WAD, "collateral not absorbed by the Pool");
        // Worth less than nothing after the close: no penalty, so no keeper reward paid by the fund or LPs.
        assertEq(_keeperHolds(usdc), 0, "keeper paid out of an insolvent account");
        _reportAs(
            "fresh_liquidate_full_absorb_deficit",
            "liquidate (bench: 1 position, 1 collateral; full close + absorb)",
            g,
            420_200
        );
    }
}

/// @notice The same operations on a protocol in use: other accounts already hold WETH collateral, positions in both
/// markets, USDC credit and debt, and the InsuranceFund holds fees, so no protocol-wide slot goes from zero to non-zero
/// in the measured transaction (the bench's rows above pay for the first WETH deposit and the first trade ever).
contract EngineGasSteadyStateTest is EngineGasBase {
    address internal fresh;
    address internal holder;
    address internal opener;
    address internal adder;
    address internal reducer;
    address internal closer;
    address internal withdrawer;

    function setUp() public {
        _deployInUseCore();

        fresh = _actor("fresh");
        holder = _actor("holder");
        opener = _actor("opener");
        adder = _actor("adder");
        _fund(fresh, weth, 10 * WAD);
        _fund(holder, weth, 10 * WAD);
        vm.prank(holder);
        engine.deposit(address(weth), 2 * WAD, holder);
        _deposit(opener, weth, 4 * WAD);
        _deposit(adder, weth, 4 * WAD);
        _open(adder, 0, int256(5 * WAD));
        reducer = _actor("reducer");
        closer = _actor("closer");
        withdrawer = _actor("withdrawer");
        _deposit(reducer, weth, 4 * WAD);
        _open(reducer, 0, int256(10 * WAD));
        _deposit(closer, weth, 4 * WAD);
        _open(closer, 0, int256(10 * WAD));
        _deposit(withdrawer, weth, 4 * WAD);
        _open(withdrawer, 0, int256(10 * WAD));
        _nextBlock();
    }

    function test_GasDepositFirstSteady() public {
        (Gas memory g,) =
            _measure(fresh, address(engine), abi.encodeCall(engine.deposit, (address(weth), 2 * WAD, fresh)));
        assertEq(engine.collateralBalance(fresh, address(weth)), 2 * WAD, "deposit not booked");
        assertEq(engine.totalCollateral(address(weth)), 134 * WAD, "total not booked");
        _reportAs("collateral_deposit_first", "collateral deposit, first (steady state)", g, DEPOSIT_FIRST_CEILING);
    }

    function test_GasDepositRepeatSteady() public {
        (Gas memory g,) =
            _measure(holder, address(engine), abi.encodeCall(engine.deposit, (address(weth), 2 * WAD, holder)));
        assertEq(engine.collateralBalance(holder, address(weth)), 4 * WAD, "deposit not booked");
        _reportAs("collateral_deposit_repeat", "collateral deposit, repeat (steady state)", g, DEPOSIT_REPEAT_CEILING);
    }

    function test_GasOpenPositionSteady() public {
        (Gas memory g,) = _measure(
            opener, address(engine), abi.encodeCall(engine.modifyPosition, (0, int256(10 * WAD), type(uint256).max))
        );
        assertEq(int256(engine.position(opener, 0).size), int256(10 * WAD), "position not opened");
        (,, uint256 debt) = engine.cash(opener);
        assertApproxEqAbs(debt, 30e6, 1, "fee not borrowed");
        _reportAs("position_open", "open position (steady state: 1 position, 1 collateral)", g, OPEN_CEILING);
    }

    function test_GasIncreasePositionSteady() public {
        (Gas memory g,) = _measure(
            adder, address(engine), abi.encodeCall(engine.modifyPosition, (0, int256(5 * WAD), type(uint256).max))
        );
        assertEq(int256(engine.position(adder, 0).size), int256(10 * WAD), "position not increased");
        _reportAs("position_increase", "increase position (steady state)", g, INCREASE_CEILING);
    }

    /// @notice Halving a 10 WETH long (no price move: nothing realized but the fee).
    function test_GasReducePositionSteady() public {
        (Gas memory g,) =
            _measure(reducer, address(engine), abi.encodeCall(engine.modifyPosition, (0, -int256(5 * WAD), 0)));
        assertEq(int256(engine.position(reducer, 0).size), int256(5 * WAD), "position not reduced");
        _bench("position_reduce", "reduce position (steady state)", g);
    }

    /// @notice Closing a 10 WETH long in full: the market leaves the account's list.
    function test_GasClosePositionSteady() public {
        (Gas memory g,) =
            _measure(closer, address(engine), abi.encodeCall(engine.modifyPosition, (0, -int256(10 * WAD), 0)));
        assertEq(int256(engine.position(closer, 0).size), 0, "position not closed");
        (, uint16 markets) = engine.accountMasks(closer);
        assertEq(markets, 0, "market 0 still in the account's list");
        _bench("position_close", "close position (steady state)", g);
    }

    /// @notice Withdrawing 1 of 4 WETH from an account with a 10 WETH long: the initial-margin check reads its health.
    function test_GasWithdrawWithPositionSteady() public {
        (Gas memory g,) =
            _measure(withdrawer, address(engine), abi.encodeCall(engine.withdraw, (address(weth), WAD, withdrawer)));
        assertEq(engine.collateralBalance(withdrawer, address(weth)), 3 * WAD, "withdrawal not booked");
        assertEq(weth.balanceOf(withdrawer), WAD, "tokens not sent");
        _bench("collateral_withdraw", "collateral withdraw (steady state, 1 position)", g);
    }

    /// @notice Borrowing 1,000 USDC against 2 WETH (a USDC withdrawal beyond the account's credit): the Pool lends after
    /// checking the utilization and the payout backing with every pool price, refreshes the rate, and the engine checks
    /// the account's initial margin.
    function test_GasBorrowSteady() public {
        (Gas memory g,) =
            _measure(holder, address(engine), abi.encodeCall(engine.withdraw, (address(usdc), 1_000e6, holder)));
        assertEq(usdc.balanceOf(holder), 1_000e6, "not lent");
        (,, uint256 debt) = engine.cash(holder);
        assertApproxEqAbs(debt, 1_000e6, 1, "not booked as debt");
        _bench("borrow", "borrow USDC against collateral (steady state, no position)", g);
    }

    /// @notice Withdrawing 1 of 2 WETH from an account without positions.
    function test_GasWithdrawWithoutPositionSteady() public {
        (Gas memory g,) =
            _measure(holder, address(engine), abi.encodeCall(engine.withdraw, (address(weth), WAD, holder)));
        assertEq(engine.collateralBalance(holder, address(weth)), WAD, "withdrawal not booked");
        _bench("collateral_withdraw_no_position", "collateral withdraw (steady state, no position)", g);
    }

    uint256 internal constant DEPOSIT_FIRST_CEILING = 116_700;
    uint256 internal constant DEPOSIT_REPEAT_CEILING = 75_500;
    uint256 internal constant OPEN_CEILING = 337_600;
    uint256 internal constant INCREASE_CEILING = 290_500;
}

/// @notice Partial liquidations: five accounts, each 5.2 WETH of collateral and a 10 WETH long at 3,000, after WETH
/// fell to 2,100: below maintenance (798 vs 1,050 USD) but above half of it, so half of each position closes; the
/// penalty leaves each account healthy, nothing is absorbed.
contract EngineGasPartialLiquidationTest is EngineGasBase {
    address[5] internal victims;

    function setUp() public {
        _deploySeededBenchCore();
        for (uint256 i = 0; i < victims.length; ++i) {
            victims[i] = _actor(string.concat("victim", vm.toString(i)));
            _deposit(victims[i], weth, 52 * WAD / 10);
            _open(victims[i], 0, int256(10 * WAD));
        }
        _nextBlock();
        _setFeed(address(weth), 2_100e18);
        _settlePrices();
        _nextBlock();
        for (uint256 i = 0; i < victims.length; ++i) {
            IMarginEngineTypes.Health memory h = engine.liquidationHealth(victims[i]);
            assertTrue(h.liquidatable, "fixture: victim not liquidatable");
            assertTrue(h.maintenanceEquity >= int256(h.maintenanceMargin / 2), "fixture: victim critical");
        }
    }

    function _checkHalfClosed(address account) internal view {
        assertEq(int256(engine.position(account, 0).size), int256(5 * WAD), "half the position not closed");
        // No credit: the penalty (about 105 USDC) is paid out of the WETH (about 0.05 WETH at 2,100).
        uint256 left = engine.collateralBalance(account, address(weth));
        assertTrue(left < 52 * WAD / 10 && left > 51 * WAD / 10, "the penalty was not paid out of the collateral");
        assertTrue(!engine.liquidationHealth(account).liquidatable, "still liquidatable after the close");
    }

    function test_GasLiquidatePartial() public {
        (Gas memory g,) = _measure(KEEPER, address(liquidator), abi.encodeCall(liquidator.liquidate, (victims[0])));
        _checkHalfClosed(victims[0]);
        assertGe(_keeperHolds(weth), 1, "keeper not paid");
        _reportAs(
            "fresh_liquidate_partial", "liquidate (partial: 1 position, 1 collateral, no absorb)", g, PARTIAL_CEILING
        );
    }

    /// @notice liquidateMany of 1 and of 5 accounts, each measured from the same cold state (`revertToState` restores
    /// the warm/cold flags too: the figures equal those of separate transactions), and the marginal cost of one more
    /// account in a batch: (five - one) / 4.
    function test_GasLiquidateMany() public {
        uint256 snapshot = vm.snapshotState();
        (Gas memory one, bytes memory ret) = _measure(KEEPER, address(liquidator), _many(1));
        assertEq(abi.decode(ret, (uint256)), 1, "not liquidated");
        _checkHalfClosed(victims[0]);
        vm.revertToState(snapshot);
        Gas memory five;
        (five, ret) = _measure(KEEPER, address(liquidator), _many(5));
        assertEq(abi.decode(ret, (uint256)), 5, "not all liquidated");
        for (uint256 i = 0; i < victims.length; ++i) {
            _checkHalfClosed(victims[i]);
        }
        _report("liquidateMany, 1 account (partial)", one, MANY_ONE_CEILING);
        _report("liquidateMany, 5 accounts (partial)", five, MANY_FIVE_CEILING);
        uint256 marginal = (five.txGas - one.txGas) / 4;
        emit log_named_uint("liquidateMany: marginal tx gas per account", marginal);
        assertLe(marginal, MANY_MARGINAL_CEILING, "liquidateMany: marginal gas above its ceiling");
    }

    function _many(uint256 n) internal view returns (bytes memory) {
        address[] memory list = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            list[i] = victims[i];
        }
        return abi.encodeCall(liquidator.liquidateMany, (list));
    }

    uint256 internal constant PARTIAL_CEILING = 281_000;
    uint256 internal constant MANY_ONE_CEILING = 282_200;
    uint256 internal constant MANY_FIVE_CEILING = 865_700;
    uint256 internal constant MANY_MARGINAL_CEILING = 145_900;
}

/// @notice The largest account the protocol allows: the Pool lists at most 8 assets (the settlement asset first), so 7
/// collateral assets plus settlement cash, and 8 positions (MAX_MARKETS_PER_ACCOUNT), each market on its own oracle
/// asset (the 7 tokens and one oracle-only asset). `full` holds all of it; `seven` the same with 7 positions.
contract EngineGasWideAccountTest is EngineGasBase {
    address internal constant SOL = address(0x5017);
    uint256 internal constant MARKETS = 8;
    address internal full;
    address internal seven;
    MockERC20[7] internal collateral;

    function setUp() public {
        _deployOracle();
        usdc = _newAsset("USDC", 6, 1e18);
        uint8[7] memory decimals = [uint8(8), 18, 18, 8, 6, 18, 12];
        uint256[7] memory prices = [uint256(60_000e18), 3_000e18, 150e18, 20e18, 1e18, 7e18, 500e18];
        for (uint256 i = 0; i < 7; ++i) {
            collateral[i] = _newAsset(string.concat("C", vm.toString(i)), decimals[i], prices[i]);
        }
        _listOracleAsset(SOL, 170e18);
        _deployCore();
        _listPoolAsset(address(usdc), 1_250);
        for (uint256 i = 0; i < 7; ++i) {
            _listPoolAsset(address(collateral[i]), 1_250);
            _listCollateral(address(collateral[i]));
        }
        for (uint256 i = 0; i < 7; ++i) {
            _listMarket(address(collateral[i]), 1);
        }
        _listMarket(SOL, 1);
        _seedPool(1_000_000e18);

        full = _actor("full");
        seven = _actor("seven");
        _build(full, MARKETS);
        _build(seven, MARKETS - 1);
        _nextBlock();
    }

    /// @dev 10,000 USD of each collateral asset, 1,000 USDC of cash, `positions` longs of 2,000 USD each.
    function _build(address account, uint256 positions) internal {
        for (uint256 i = 0; i < 7; ++i) {
            (uint256 price,,,) = _priceData(address(collateral[i]));
            _deposit(account, collateral[i], 10_000e18 * 10 ** collateral[i].decimals() / price);
        }
        _deposit(account, usdc, 1_000e6);
        for (uint256 m = 0; m < positions; ++m) {
            _open(account, m, _size(m));
        }
    }

    function _size(uint256 market) internal view returns (int256) {
        (uint256 price,,,) = _priceData(engine.marketParams(market).asset);
        return int256(2_000e18 * WAD / price);
    }

    /// @notice The health view with 7 collateral assets and cash (8 assets) and 8 positions.
    function test_GasHealthEightByEight() public {
        (Gas memory g, bytes memory ret) = _measure(full, address(engine), abi.encodeCall(engine.health, (full)));
        IMarginEngineTypes.Health memory h = abi.decode(ret, (IMarginEngineTypes.Health));
        // 8 positions of 2,000 USD: maintenance 5 % of 16,000 USD, rounded up per position.
        assertApproxEqAbs(h.maintenanceMargin, 800e18, 1e6, "maintenance margin of 8 positions");
        // 7 x 10,000 USD at a 10 % haircut, 1,000 USD of cash, less 8 trading fees of 2 USD.
        assertApproxEqAbs(uint256(h.maintenanceEquity), 64_000e18, 100e18, "collateral and cash not all counted");
        assertTrue(!h.liquidatable, "healthy account reported liquidatable");
        _report("health view (7 collateral + cash, 8 positions)", g, HEALTH_WIDE_CEILING);
    }

    /// @notice Opening the 8th position of an account with 7 collateral assets, cash and 7 positions.
    function test_GasOpenEighthPosition() public {
        int256 size = _size(MARKETS - 1);
        (Gas memory g,) = _measure(
            seven, address(engine), abi.encodeCall(engine.modifyPosition, (MARKETS - 1, size, type(uint256).max))
        );
        assertEq(int256(engine.position(seven, MARKETS - 1).size), size, "position not opened");
        (, uint16 markets) = engine.accountMasks(seven);
        assertEq(markets, 0xff, "not 8 markets");
        _reportAs("position_open_8th", "open position (7 collateral + cash, 8th position)", g, OPEN_WIDE_CEILING);
    }

    uint256 internal constant HEALTH_WIDE_CEILING = 271_200;
    uint256 internal constant OPEN_WIDE_CEILING = 628_100;
}
