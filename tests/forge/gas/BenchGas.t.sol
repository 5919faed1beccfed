// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {EngineGasBase} from "./EngineGas.t.sol";

/// @title BenchGas
/// @notice The rows of `make bench` that `EngineGas.t.sol` and `OracleGas.t.sol` do not measure: LP deposit and
/// withdraw, every `liquidate` path, `liquidateMany` of 10 and 100 accounts, auto-deleveraging, and the scaling grids
/// (health view and liquidation against collateral assets x positions per account). Each measured call is the first
/// thing its transaction does with the core (see `GasMeter`); each test checks the operation did what it should; the
/// figures are guarded by the checked-in snapshot (`make gas-check`), not by ceilings here.
/// Print with `forge test --match-path tests/forge/gas/BenchGas.t.sol -vv`.

/// @notice Helpers of the benchmark rows on the protocol in use (`EngineGasBase._deployInUseCore`).
abstract contract InUseCore is EngineGasBase {
    /// @notice An outside funder pays `amount` USDC into the InsuranceFund.
    function _fundInsurance(uint256 amount) internal {
        _fundInsuranceFrom(_actor("funder"), amount, "bench");
    }

    function _crashWeth(uint256 wad) internal {
        _setFeed(address(weth), wad);
        _settlePrices();
        _nextBlock();
    }
}

/// @notice LP deposit (an LP's first and a repeat) and withdraw, in USDC, on the protocol in use; the 900 s deposit
/// cooldown is on (each deposit writes the receiver's lockup).
contract PoolGasTest is InUseCore {
    address internal newcomer;
    address internal regular;
    address internal leaver;

    function setUp() public {
        _deployInUseCore();
        newcomer = _actor("newcomer");
        regular = _actor("regular");
        leaver = _actor("leaver");
        _fundLp(newcomer, 1_000e6);
        _fundLp(regular, 2_000e6);
        _fundLp(leaver, 10_000e6);
        vm.prank(regular);
        pool.deposit(address(usdc), 1_000e6, 0, regular);
        vm.prank(leaver);
        pool.deposit(address(usdc), 10_000e6, 0, leaver);
        vm.warp(vm.getBlockTimestamp() + LP_COOLDOWN);
        _settlePrices();
        _nextBlock();
    }

    function _fundLp(address lp, uint256 amount) internal {
        usdc.mint(lp, amount);
        vm.prank(lp);
        usdc.approve(address(pool), amount);
    }

    function test_GasLpDepositFirst() public {
        (Gas memory g,) =
            _measure(newcomer, address(pool), abi.encodeCall(pool.deposit, (address(usdc), 1_000e6, 0, newcomer)));
        assertGe(pool.balanceOf(newcomer), 1, "no shares minted");
        assertEq(usdc.balanceOf(newcomer), 0, "USDC not pulled");
        _bench("lp_deposit_first", "LP deposit, first (USDC)", g);
    }

    function test_GasLpDepositRepeat() public {
        uint256 before = pool.balanceOf(regular);
        (Gas memory g,) =
            _measure(regular, address(pool), abi.encodeCall(pool.deposit, (address(usdc), 1_000e6, 0, regular)));
        assertGe(pool.balanceOf(regular), before + 1, "no shares minted");
        _bench("lp_deposit_repeat", "LP deposit, repeat (USDC)", g);
    }

    function test_GasLpWithdraw() public {
        uint256 shares = pool.balanceOf(leaver) / 2;
        (Gas memory g,) =
            _measure(leaver, address(pool), abi.encodeCall(pool.withdraw, (shares, address(usdc), 0, leaver)));
        assertGe(usdc.balanceOf(leaver), 4_900e6, "USDC not paid out");
        _bench("lp_withdraw", "LP withdraw (half, in USDC)", g);
    }
}

/// @notice Every path of `liquidate`, on the protocol in use with 2,000 USDC in the InsuranceFund. Five accounts, each
/// long 10 WETH at 3,000 (30,000 USD) against WBTC collateral (the collateral does not move with the market), then WETH
/// falls 40 % to 1,800: a 12,000 USD loss, maintenance margin 900 USD, critical below 450. With C the WBTC value and
/// maintenance equity 0.9 C - 12,030 (the 10 % haircut, the loss and the 30 USD trading fee):
/// partial C = 14,100 (equity 660: half closes); full C = 13,600 (210: all closes, the penalty is paid, nothing
/// absorbed); absorb C = 12,800 (-510: all closes, collateral and debt go to the Pool, the collateral covers the debt);
/// insured deficit C = 11,500 (deficit about 530, the InsuranceFund covers it); socialized deficit C = 9,000 (deficit
/// about 3,030: the InsuranceFund pays what it holds, LPs the rest).
contract LiquidationGasTest is InUseCore {
    address internal partialVictim;
    address internal fullVictim;
    address internal absorbVictim;
    address internal insuredVictim;
    address internal socialVictim;

    function setUp() public {
        _deployInUseCore();
        partialVictim = _victim("partial", 14_100);
        fullVictim = _victim("full", 13_600);
        absorbVictim = _victim("absorb", 12_800);
        insuredVictim = _victim("insured", 11_500);
        socialVictim = _victim("social", 9_000);
        _nextBlock();
        _fundInsurance(2_000e6);
        _crashWeth(1_800e18);
        _expect(partialVictim, false);
        _expect(fullVictim, true);
        _expect(absorbVictim, true);
        _expect(insuredVictim, true);
        _expect(socialVictim, true);
    }

    function _victim(string memory name, uint256 usd) internal returns (address v) {
        v = _actor(name);
        _deposit(v, wbtc, usd * 1e8 / 60_000);
        _open(v, 0, int256(10 * WAD));
    }

    function _expect(address v, bool critical) internal view {
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(v);
        assertTrue(h.liquidatable, "fixture: victim not liquidatable");
        assertEq(h.maintenanceEquity < int256(h.maintenanceMargin / 2), critical, "fixture: victim in the wrong band");
    }

    function _liquidate(address v) internal returns (Gas memory g) {
        (g,) = _measure(KEEPER, address(liquidator), abi.encodeCall(liquidator.liquidate, (v)));
    }

    function test_GasLiquidatePartial() public {
        Gas memory g = _liquidate(partialVictim);
        assertEq(int256(engine.position(partialVictim, 0).size), int256(5 * WAD), "half not closed");
        _checkKeeperPaid();
        assertTrue(!engine.liquidationHealth(partialVictim).liquidatable, "still liquidatable");
        _bench("liquidate_partial", "liquidate, partial (1 position, 1 collateral)", g);
    }

    function test_GasLiquidateFull() public {
        uint256 collateral = engine.collateralBalance(fullVictim, address(wbtc));
        Gas memory g = _liquidate(fullVictim);
        assertEq(int256(engine.position(fullVictim, 0).size), 0, "not closed in full");
        // Solvent: no absorb; with no credit the penalty is paid out of its WBTC.
        uint256 left = engine.collateralBalance(fullVictim, address(wbtc));
        assertTrue(left < collateral && left > collateral * 9 / 10, "collateral absorbed, or no penalty charged");
        _checkKeeperPaid();
        _bench("liquidate_full", "liquidate, full close, no absorb", g);
    }

    function test_GasLiquidateAbsorb() public {
        uint256 booked = insurance.bookedBalance();
        Gas memory g = _liquidate(absorbVictim);
        _checkAbsorbed(absorbVictim);
        assertTrue(
            engine.collateralBalance(absorbVictim, address(wbtc)) != 0, "the surplus was not left to the account"
        );
        assertEq(insurance.bookedBalance(), booked, "insurance paid without a deficit");
        _bench("liquidate_absorb", "liquidate, full close + absorb (no deficit; the surplus stays the account's)", g);
    }

    function test_GasLiquidateDeficitInsured() public {
        uint256 booked = insurance.bookedBalance();
        Gas memory g = _liquidate(insuredVictim);
        _checkAbsorbed(insuredVictim);
        assertEq(engine.collateralBalance(insuredVictim, address(wbtc)), 0, "collateral not seized");
        assertLe(insurance.bookedBalance() + 400e6, booked, "insurance did not cover the deficit");
        assertGe(insurance.bookedBalance(), 1e6, "insurance emptied: the deficit was socialized");
        _bench("liquidate_deficit_insured", "liquidate, absorb + deficit covered by insurance", g);
    }

    function test_GasLiquidateDeficitSocialized() public {
        Gas memory g = _liquidate(socialVictim);
        _checkAbsorbed(socialVictim);
        assertEq(engine.collateralBalance(socialVictim, address(wbtc)), 0, "collateral not seized");
        assertEq(insurance.bookedBalance(), 0, "insurance not used up: nothing socialized");
        _bench("liquidate_deficit_socialized", "liquidate, absorb + deficit: insurance then LPs", g);
    }

    function _checkAbsorbed(address v) internal view {
        assertEq(int256(engine.position(v, 0).size), 0, "not closed in full");
        (,, uint256 debt) = engine.cash(v);
        assertEq(debt, 0, "debt not written off");
    }

    /// @dev The keeper was paid: in USDC from the account's credit, or in its collateral.
    function _checkKeeperPaid() internal view {
        uint256 paid = _keeperHolds(usdc) + _keeperHolds(wbtc) + _keeperHolds(weth);
        assertTrue(paid != 0, "keeper not paid");
    }
}

/// @notice `liquidateMany` of 1, 10 and 100 accounts on the protocol in use, each with 5.2 WETH of collateral and a
/// 10 WETH long at 3,000, after WETH fell to 2,100: each is liquidatable, not critical, so half of each position
/// closes (as `EngineGasPartialLiquidationTest`). Every batch is measured from the same cold state.
contract LiquidateManyGasTest is InUseCore {
    uint256 internal constant VICTIMS = 100;
    address[] internal victims;

    function setUp() public {
        _deployInUseCore();
        // 100 longs of 30,000 USD: the Pool's settlement reserves must back them (SettlementBackingShort otherwise).
        _lpDeposit(LP, usdc, 10_000_000e6);
        for (uint256 i = 0; i < VICTIMS; ++i) {
            address v = _actor(string.concat("victim", vm.toString(i)));
            _deposit(v, weth, 52 * WAD / 10);
            _open(v, 0, int256(10 * WAD));
            victims.push(v);
        }
        _nextBlock();
        _crashWeth(2_100e18);
        for (uint256 i = 0; i < VICTIMS; ++i) {
            IMarginEngineTypes.Health memory h = engine.liquidationHealth(victims[i]);
            assertTrue(h.liquidatable, "fixture: victim not liquidatable");
            assertTrue(h.maintenanceEquity >= int256(h.maintenanceMargin / 2), "fixture: victim critical");
        }
    }

    function test_GasLiquidateMany() public {
        uint256 snapshot = vm.snapshotState();
        _batch(1, "liquidate_many_1", snapshot);
        _batch(10, "liquidate_many_10", snapshot);
        _batch(100, "liquidate_many_100", snapshot);
    }

    function _batch(uint256 n, string memory key, uint256 snapshot) internal {
        vm.revertToState(snapshot);
        address[] memory list = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            list[i] = victims[i];
        }
        (Gas memory g, bytes memory ret) =
            _measure(KEEPER, address(liquidator), abi.encodeCall(liquidator.liquidateMany, (list)));
        assertEq(abi.decode(ret, (uint256)), n, "not all liquidated");
        for (uint256 i = 0; i < n; ++i) {
            assertEq(int256(engine.position(list[i], 0).size), int256(5 * WAD), "half not closed");
        }
        _bench(key, string.concat("liquidateMany, ", vm.toString(n), " accounts (partial)"), g);
    }
}

/// @notice One auto-deleveraging: a 200 WETH long (600,000 USD, on USDC cash) after WETH doubled to 6,000 holds a profit
/// above 10 % of pool value (ADL threshold 10 %, target 8 %), so a keeper reduces it.
contract AdlGasTest is EngineGasBase {
    address internal winner;

    function setUp() public {
        _deploySeededBenchCore();
        engine.setAdlParams(1_000, 800);
        winner = _actor("winner");
        _deposit(winner, usdc, 200_000e6);
        _open(winner, 0, int256(200 * WAD));
        _nextBlock();
        _setFeed(address(weth), 6_000e18);
        _settlePrices();
        _nextBlock();
        (,, bool active,) = engine.adlState();
        assertTrue(active, "fixture: ADL not active");
    }

    function test_GasAutoDeleverage() public {
        (Gas memory g,) = _measure(KEEPER, address(engine), abi.encodeCall(engine.autoDeleverage, (winner, 0)));
        int256 size = engine.position(winner, 0).size;
        assertTrue(size < int256(200 * WAD), "position not reduced");
        (,, bool active,) = engine.adlState();
        assertTrue(!active, "ADL still active after the reduction");
        _bench("auto_deleverage", "auto-deleverage (1 position)", g);
    }
}

/// @notice The scaling grid: accounts holding 1, 4 or 7 collateral tokens plus USDC cash (2, 5 or 8 assets) and 1, 4 or
/// 8 positions. The Pool lists at most 8 assets (settlement first), so 7 tokens plus cash is the widest account. Each
/// market is on its own oracle-only asset (the markets move, the collateral does not). Every account has the same
/// totals, 1,000 USD of cash and 8,000 USD of token value after the 10 % maintenance haircut, split evenly, and 20,000
/// USD of longs split evenly over its positions, so every cell takes the same path (the same borrowing from the Pool
/// when a loss exceeds the cash; a first version with cash-only accounts did not borrow and was 39,000 gas cheaper)
/// and the differences come from the number of tokens and positions alone.
abstract contract ScalingGasBase is EngineGasBase {
    uint256 internal constant MARKETS = 8;
    uint256[3] internal TOKENS = [uint256(1), 4, 7];
    uint256[3] internal POSITIONS = [uint256(1), 4, 8];

    MockERC20[7] internal tokens;
    address[MARKETS] internal marketAssets;
    mapping(uint256 tokenCount => mapping(uint256 positions => address)) internal accountOf;
    mapping(address account => int256) internal firstSize;

    function _deployScaling() internal {
        _deployOracle();
        usdc = _newAsset("USDC", 6, 1e18);
        uint8[7] memory decimals = [uint8(8), 18, 18, 8, 6, 18, 12];
        uint256[7] memory prices = [uint256(60_000e18), 3_000e18, 150e18, 20e18, 1e18, 7e18, 500e18];
        for (uint256 i = 0; i < 7; ++i) {
            tokens[i] = _newAsset(string.concat("C", vm.toString(i)), decimals[i], prices[i]);
        }
        for (uint256 m = 0; m < MARKETS; ++m) {
            marketAssets[m] = address(uint160(0x5000 + m));
            _listOracleAsset(marketAssets[m], (m + 1) * 100e18);
        }
        _deployCore();
        _listPoolAsset(address(usdc), 1_250);
        for (uint256 i = 0; i < 7; ++i) {
            _listPoolAsset(address(tokens[i]), 1_250);
            _listCollateral(address(tokens[i]));
        }
        for (uint256 m = 0; m < MARKETS; ++m) {
            _listMarket(marketAssets[m], 1);
        }
        _seedPool(1_000_000e18);
        for (uint256 a = 0; a < 3; ++a) {
            for (uint256 p = 0; p < 3; ++p) {
                _build(TOKENS[a], POSITIONS[p]);
            }
        }
        _nextBlock();
    }

    function _build(uint256 tokenCount, uint256 positions) internal {
        address account = _actor(_cell(tokenCount, positions));
        accountOf[tokenCount][positions] = account;
        _deposit(account, usdc, 1_000e6);
        for (uint256 i = 0; i < tokenCount; ++i) {
            (uint256 price,,,) = _priceData(address(tokens[i]));
            _deposit(account, tokens[i], 80_000e18 / (9 * tokenCount) * 10 ** tokens[i].decimals() / price);
        }
        for (uint256 m = 0; m < positions; ++m) {
            (uint256 price,,,) = _priceData(marketAssets[m]);
            int256 size = int256(20_000e18 / positions * WAD / price);
            if (m == 0) firstSize[account] = size;
            _open(account, m, size);
        }
    }

    function _cell(uint256 tokenCount, uint256 positions) internal pure returns (string memory) {
        return string.concat("c", vm.toString(tokenCount), "_p", vm.toString(positions));
    }

    /// @dev The nine accounts of the grid and their cells, by token count, then by positions.
    function _grid() internal view returns (address[9] memory accounts, string[9] memory cells) {
        for (uint256 a = 0; a < 3; ++a) {
            for (uint256 p = 0; p < 3; ++p) {
                accounts[3 * a + p] = accountOf[TOKENS[a]][POSITIONS[p]];
                cells[3 * a + p] = _cell(TOKENS[a], POSITIONS[p]);
            }
        }
    }

    /// @dev The grid deployed and built, then every market asset down by `bps`: the grid's accounts.
    function _crashedGrid(uint256 bps) internal returns (address[9] memory accounts) {
        _deployScaling();
        _crashMarkets(bps);
        (accounts,) = _grid();
    }

    /// @dev Liquidate each account of the grid from the same cold state, `check` the account after it, and record the
    /// row `key` + its cell as `name`.
    function _liquidateGrid(string memory key, string memory name, function(address) internal view check) internal {
        uint256 snapshot = vm.snapshotState();
        (address[9] memory accounts, string[9] memory cells) = _grid();
        for (uint256 i = 0; i < 9; ++i) {
            vm.revertToState(snapshot);
            (Gas memory g,) = _measure(KEEPER, address(liquidator), abi.encodeCall(liquidator.liquidate, (accounts[i])));
            check(accounts[i]);
            _bench(string.concat(key, cells[i]), name, g);
        }
    }

    /// @notice Every market asset falls by `bps`; the TWAPs catch up.
    function _crashMarkets(uint256 bps) internal {
        for (uint256 m = 0; m < MARKETS; ++m) {
            _setFeed(marketAssets[m], (m + 1) * 100e18 * (10_000 - bps) / 10_000);
        }
        _settlePrices();
        _nextBlock();
    }
}

/// @notice The health view over the grid (9 cells), each measured from the same cold state.
contract ScalingHealthGasTest is ScalingGasBase {
    function setUp() public {
        _deployScaling();
    }

    function test_GasHealthGrid() public {
        uint256 snapshot = vm.snapshotState();
        (address[9] memory accounts, string[9] memory cells) = _grid();
        for (uint256 i = 0; i < 9; ++i) {
            vm.revertToState(snapshot);
            address account = accounts[i];
            (Gas memory g, bytes memory ret) =
                _measure(account, address(engine), abi.encodeCall(engine.health, (account)));
            IMarginEngineTypes.Health memory h = abi.decode(ret, (IMarginEngineTypes.Health));
            assertApproxEqAbs(h.maintenanceMargin, 1_000e18, 1e6, "maintenance margin: 5 % of 20,000 USD");
            assertApproxEqAbs(uint256(h.maintenanceEquity), 8_980e18, 1e16, "maintenance equity: 9,000 less fees");
            assertTrue(!h.liquidatable, "healthy account reported liquidatable");
            _bench(string.concat("health_", cells[i]), "health view", g);
        }
    }
}

/// @notice Partial liquidation over the grid: every market asset falls 43 %, so each account's maintenance equity
/// (about 380 USD) is below its maintenance margin (about 570) and above half of it: half of every position closes,
/// and the realized loss (about 4,300 USD) exceeds the cash, so the Pool lends the rest.
contract ScalingLiquidatePartialGasTest is ScalingGasBase {
    function setUp() public {
        address[9] memory accounts = _crashedGrid(4_300);
        for (uint256 i = 0; i < 9; ++i) {
            IMarginEngineTypes.Health memory h = engine.liquidationHealth(accounts[i]);
            assertTrue(h.liquidatable, "fixture: not liquidatable");
            assertTrue(h.maintenanceEquity >= int256(h.maintenanceMargin / 2), "fixture: critical");
        }
    }

    function test_GasLiquidatePartialGrid() public {
        _liquidateGrid("liquidate_partial_", "liquidate, partial", _assertHalfClosed);
    }

    function _assertHalfClosed(address account) internal view {
        assertApproxEqAbs(
            uint256(int256(engine.position(account, 0).size)), uint256(firstSize[account]) / 2, 1, "half not closed"
        );
    }
}

/// @notice Full liquidation with absorb over the grid: every market asset falls 60 %, so each account is worth less
/// than nothing (about -3,020 USD): every position closes, all collateral and the debt go to the Pool, and the deficit
/// (about 2,100 USD) is covered by the InsuranceFund (fees only) and LPs.
contract ScalingLiquidateAbsorbGasTest is ScalingGasBase {
    function setUp() public {
        address[9] memory accounts = _crashedGrid(6_000);
        for (uint256 i = 0; i < 9; ++i) {
            assertTrue(engine.liquidationHealth(accounts[i]).maintenanceEquity < 0, "fixture: account not insolvent");
        }
    }

    function test_GasLiquidateAbsorbGrid() public {
        _liquidateGrid("liquidate_absorb_", "liquidate, full + absorb", _assertWipedOut);
    }

    /// @dev No position, no collateral and no debt left.
    function _assertWipedOut(address account) internal view {
        (uint16 collateralMask, uint16 marketMask) = engine.accountMasks(account);
        assertEq(uint256(marketMask), 0, "positions left");
        assertEq(uint256(collateralMask), 0, "collateral left");
        (,, uint256 debt) = engine.cash(account);
        assertEq(debt, 0, "debt not written off");
    }
}
