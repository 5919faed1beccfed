// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {ILiquidator} from "../../../interfaces/ILiquidator.sol";
import {IMarginEngine, IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {IProtocolLock} from "../../../interfaces/IProtocolLock.sol";
import {InsuranceFund} from "../../../contracts/InsuranceFund.sol";
import {Liquidator} from "../../../contracts/Liquidator.sol";
import {MarginEngineStorage} from "../../../contracts/base/MarginEngineStorage.sol";
import {OracleAggregator} from "../../../contracts/OracleAggregator.sol";
import {PoolStorage} from "../../../contracts/base/PoolStorage.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeed} from "../../../contracts/mocks/MockFeed.sol";
import {BaseTest} from "./BaseTest.sol";

/// @title EngineFixture
/// @notice The whole core deployed the way `ballast.system.deploy_core` does it: Pool (which holds the shared lock),
/// MarginEngine, Liquidator and InsuranceFund, in that order, at addresses predicted from this contract's nonce (the contracts point
/// at each other through immutables). The oracle, the MockFeeds and the tokens (USDC 6 decimals, settlement; WETH 18;
/// WBTC 8) and every parameter are those of `ballast.bench_receipts.bench_engine` and `ballast.system.CoreParams`, so
/// the figures of a forge measurement and of `ape run bench_receipts --only engine` describe the same state. The test
/// contract is the deployer, admin, risk manager and guardian.
abstract contract EngineFixture is BaseTest {
    // ------------------------------------------------------- parameters (ballast/bench_receipts.py, ballast/system.py)

    uint256 internal constant WAD = 1e18;
    uint8 internal constant FEED_DECIMALS = 8;
    uint32 internal constant MIN_TWAP_WINDOW = 60;
    uint32 internal constant TWAP_WINDOW = 600;
    uint32 internal constant MAX_PRICE_AGE = 3_600;
    uint32 internal constant HEARTBEAT = 86_400;
    uint16 internal constant BUFFER_SIZE = 64;
    /// @dev A realistic start time (forge starts at 1).
    uint256 internal constant T0 = 1_700_000_000;
    /// @dev One block: every measured transaction comes at least one block after the state it reads.
    uint256 internal constant BLOCK_TIME = 12;

    // CoreParams
    uint32 internal constant RATE_BASE_BPS = 200;
    uint32 internal constant RATE_SLOPE1_BPS = 1_000;
    uint32 internal constant RATE_KINK_BPS = 8_000;
    uint32 internal constant RATE_SLOPE2_BPS = 15_000;
    uint256 internal constant MAX_UTILIZATION_BPS = 9_000;
    uint256 internal constant LP_COOLDOWN = 900;
    uint256 internal constant INSURANCE_FEE_SHARE_BPS = 2_000;
    uint256 internal constant ADL_THRESHOLD_BPS = 5_000;
    uint256 internal constant ADL_TARGET_BPS = 4_000;
    uint256 internal constant INSURANCE_TARGET = 100_000e6;

    // bench_engine: markets and collateral
    uint16 internal constant IMF_BPS = 1_000;
    uint16 internal constant MMF_BPS = 500;
    uint16 internal constant MARKET_STRESS_BPS = 2_000;
    uint16 internal constant TRADING_FEE_BPS = 10;
    uint16 internal constant RESERVE_FACTOR_BPS = 10_000;
    uint16 internal constant INITIAL_HAIRCUT_BPS = 1_500;
    uint16 internal constant MAINT_HAIRCUT_BPS = 1_000;
    uint16 internal constant COLLATERAL_STRESS_BPS = 2_000;
    uint128 internal constant CAP = 2 ** 127;
    uint128 internal constant OI_CAP = 1e24;

    address internal constant LP = address(0x1111);
    address internal constant KEEPER = address(0x4444);
    /// @dev The account most tests trade with, and a second one (a counterparty, a stranger, a funder or a borrower).
    address internal constant TRADER = address(0x2222);
    address internal constant OTHER = address(0x3333);

    // ---------------------------------------------------------------- deployed

    OracleAggregator internal oracle;
    /// @dev The shared lock: the Pool (`IProtocolLock` at its address).
    IProtocolLock internal lock;
    IPool internal pool;
    IMarginEngine internal engine;
    Liquidator internal liquidator;
    InsuranceFund internal insurance;

    MockERC20 internal usdc;
    MockERC20 internal weth;
    MockERC20 internal wbtc;
    /// @dev Every oracle asset in listing order, and its feed and WAD price.
    address[] internal assets;
    mapping(address asset => MockFeed) internal feedOf;

    // ---------------------------------------------------------------- oracle

    function _deployOracle() internal {
        vm.warp(T0);
        oracle = OracleAggregator(
            _deploy("OracleAggregator.sol:OracleAggregator", abi.encode(address(this), address(this), MIN_TWAP_WINDOW))
        );
        vm.label(address(oracle), "oracle");
    }

    /// @notice A MockERC20 with `decimals`, its MockFeed at the WAD price `wad`, listed and updated in the oracle.
    function _newAsset(string memory symbol, uint8 decimals, uint256 wad) internal returns (MockERC20 token) {
        token = new MockERC20(symbol, symbol, decimals);
        _listOracleAsset(address(token), wad);
        vm.label(address(token), symbol);
    }

    /// @notice The bench's oracle configuration: `feed` as the only source, quorum 1, 5 % dispersion and deviation.
    function _benchOracleConfig(MockFeed feed) internal pure returns (IOracleAggregator.AssetConfig memory config) {
        config.sources = new IOracleAggregator.SourceConfig[](1);
        config.sources[0] = IOracleAggregator.SourceConfig(address(feed), HEARTBEAT, 1, 1e18);
        config.quorum = 1;
        config.maxDispersionBps = 500;
        config.maxDeviationBps = 500;
        config.twapWindow = TWAP_WINDOW;
        config.maxPriceAge = MAX_PRICE_AGE;
        config.bufferSize = BUFFER_SIZE;
    }

    /// @notice List `asset` in the oracle with one MockFeed (bench configuration) and update it.
    function _listOracleAsset(address asset, uint256 wad) internal {
        MockFeed feed = new MockFeed(FEED_DECIMALS, int256(wad / 10 ** (18 - FEED_DECIMALS)), "feed");
        oracle.setAssetConfig(asset, _benchOracleConfig(feed));
        oracle.update(asset);
        assets.push(asset);
        feedOf[asset] = feed;
    }

    /// @notice Set the feed of `asset` to the WAD price `wad` (the oracle sees it at its next update).
    function _setFeed(address asset, uint256 wad) internal {
        feedOf[asset].setAnswer(int256(wad / 10 ** (18 - FEED_DECIMALS)));
    }

    /// @notice `ballast.prices.settle_prices`: let every TWAP catch up with the feeds, so every status is Ok again.
    function _settlePrices() internal {
        for (uint256 round = 0; round < 2; ++round) {
            _restampAndUpdate();
            vm.warp(vm.getBlockTimestamp() + TWAP_WINDOW + 1);
        }
        _restampAndUpdate();
    }

    function _restampAndUpdate() internal {
        for (uint256 i = 0; i < assets.length; ++i) {
            MockFeed feed = feedOf[assets[i]];
            feed.setAnswer(feed.answer());
            oracle.update(assets[i]);
        }
    }

    /// @notice Move to the next block.
    function _nextBlock() internal {
        vm.warp(vm.getBlockTimestamp() + BLOCK_TIME);
        vm.roll(vm.getBlockNumber() + 1);
    }

    // ---------------------------------------------------------------- core (ballast.system.deploy_core)

    /// @notice Oracle, USDC / WBTC / WETH (in the bench's order), the core, the three pool assets, WBTC and WETH as
    /// collateral, market 0 on WETH and market 1 on WBTC.
    function _deployBenchCore() internal {
        _deployOracle();
        usdc = _newAsset("USDC", 6, 1e18);
        wbtc = _newAsset("WBTC", 8, 60_000e18);
        weth = _newAsset("WETH", 18, 3_000e18);
        _deployCore();
        _listPoolAsset(address(usdc), 3_333);
        _listPoolAsset(address(wbtc), 3_333);
        _listPoolAsset(address(weth), 3_333);
        _listCollateral(address(wbtc));
        _listCollateral(address(weth));
        _listMarket(address(weth), 1e16);
        _listMarket(address(wbtc), 1e14);
    }

    /// @notice `_deployBenchCore` with the Pool seeded as the bench seeds it: 1,000,000 USD of each pool asset.
    function _deploySeededBenchCore() internal {
        _deployBenchCore();
        _seedPool(1_000_000e18);
    }

    /// @notice Deploy Pool (the shared lock), MarginEngine, Liquidator and InsuranceFund wired to `oracle` and `usdc` at
    /// the addresses predicted from this contract's nonce, and check they landed there.
    function _deployCore() internal {
        uint256 nonce = vm.getNonce(address(this));
        address poolAt = vm.computeCreateAddress(address(this), nonce);
        address engineAt = vm.computeCreateAddress(address(this), nonce + 3); // after its governance and extension
        address liquidatorAt = vm.computeCreateAddress(address(this), nonce + 4);
        address fundAt = vm.computeCreateAddress(address(this), nonce + 5);
        address me = address(this);

        lock = IProtocolLock(poolAt);
        pool = IPool(
            _deploy(
                "Pool.sol:Pool",
                abi.encode(
                    PoolStorage.Wiring(oracle, address(usdc), engineAt, liquidatorAt, fundAt, me, me, me),
                    IPoolTypes.RateModel(RATE_BASE_BPS, RATE_SLOPE1_BPS, RATE_KINK_BPS, RATE_SLOPE2_BPS),
                    MAX_UTILIZATION_BPS,
                    LP_COOLDOWN
                )
            )
        );
        MarginEngineStorage.Wiring memory engineWiring =
            MarginEngineStorage.Wiring(lock, oracle, pool, liquidatorAt, fundAt, me, me, me);
        address governance =
            _deploy("MarginEngineGovernance.sol:MarginEngineGovernance", abi.encode(engineWiring, engineAt));
        address extension =
            _deploy("MarginEngineExtension.sol:MarginEngineExtension", abi.encode(engineWiring, engineAt, governance));
        engine = IMarginEngine(
            _deploy(
                "MarginEngine.sol:MarginEngine",
                abi.encode(engineWiring, extension, INSURANCE_FEE_SHARE_BPS, ADL_THRESHOLD_BPS, ADL_TARGET_BPS)
            )
        );
        liquidator = Liquidator(
            _deploy(
                "Liquidator.sol:Liquidator",
                abi.encode(
                    Liquidator.Wiring(lock, engine, pool, IInsuranceFund(fundAt), oracle, address(usdc), me, me),
                    ILiquidator.Params(5_000, 5_000, 100, 100, 3_000, 1_000_000, 50e18)
                )
            )
        );
        insurance = InsuranceFund(
            _deploy(
                "InsuranceFund.sol:InsuranceFund",
                abi.encode(lock, address(usdc), pool, address(liquidator), me, me, INSURANCE_TARGET)
            )
        );

        assertEq(address(pool), poolAt, "Pool not at its predicted address");
        assertEq(address(engine), engineAt, "MarginEngine not at its predicted address");
        assertEq(address(liquidator), liquidatorAt, "Liquidator not at its predicted address");
        assertEq(address(insurance), fundAt, "InsuranceFund not at its predicted address");
        vm.label(address(pool), "pool");
        vm.label(address(engine), "engine");
        vm.label(address(liquidator), "liquidator");
        vm.label(address(insurance), "insurance");
    }

    function _listPoolAsset(address asset, uint16 targetWeightBps) internal {
        pool.listAsset(asset, IPoolTypes.AssetParams(targetWeightBps, 10_000, 0, 0, CAP));
    }

    function _listCollateral(address asset) internal {
        engine.listCollateral(
            asset,
            IMarginEngineTypes.CollateralParams(INITIAL_HAIRCUT_BPS, MAINT_HAIRCUT_BPS, COLLATERAL_STRESS_BPS, CAP)
        );
    }

    function _listMarket(address asset, uint128 minSize) internal returns (uint256) {
        return engine.listMarket(
            IMarginEngineTypes.MarketParams(
                asset, IMF_BPS, MMF_BPS, MARKET_STRESS_BPS, TRADING_FEE_BPS, RESERVE_FACTOR_BPS, minSize, OI_CAP, OI_CAP
            )
        );
    }

    // ---------------------------------------------------------------- actors

    /// @notice The LP deposits `usd` worth of every pool asset (the bench seeds 1,000,000 USD of each).
    function _seedPool(uint256 usd) internal {
        _seedPoolFrom(LP, usd);
    }

    /// @notice `lp` deposits `usd` worth of every pool asset (its shares unlock after the cooldown).
    function _seedPoolFrom(address lp, uint256 usd) internal {
        address[] memory list = pool.assets();
        for (uint256 i = 0; i < list.length; ++i) {
            MockERC20 token = MockERC20(list[i]);
            (uint256 median,,,) = _priceData(list[i]);
            _lpDeposit(lp, token, usd * 10 ** token.decimals() / median);
        }
    }

    /// @notice Mint `amount` of `token` to `lp`, which deposits it into the Pool (no minimum of shares).
    function _lpDeposit(address lp, MockERC20 token, uint256 amount) internal {
        token.mint(lp, amount);
        vm.startPrank(lp);
        token.approve(address(pool), amount);
        pool.deposit(address(token), amount, 0, lp);
        vm.stopPrank();
    }

    /// @notice Mint `amount` USDC to `funder`, which pays it into the InsuranceFund for `reason`.
    function _fundInsuranceFrom(address funder, uint256 amount, bytes32 reason) internal {
        usdc.mint(funder, amount);
        vm.startPrank(funder);
        usdc.approve(address(insurance), amount);
        insurance.fund(amount, reason);
        vm.stopPrank();
    }

    /// @notice `trader` posts 10 WETH (30,000 USD) of collateral and opens a 30 WETH long (90,000 USD, 3x) on
    /// market 0 at 3,000, one block apart.
    function _openBenchLong(address trader) internal {
        _deposit(trader, weth, 10e18);
        _nextBlock();
        _open(trader, 0, 30e18);
        _nextBlock();
    }

    /// @notice WETH's feed to the WAD price `wad`, every price settled there (median = TWAP), then the next block.
    function _settleWethAt(uint256 wad) internal {
        _setFeed(address(weth), wad);
        _settlePrices();
        _nextBlock();
    }

    /// @notice Mint `amount` of `token` to `account` and approve the engine for it.
    function _fund(address account, MockERC20 token, uint256 amount) internal {
        token.mint(account, amount);
        vm.prank(account);
        token.approve(address(engine), amount);
    }

    function _deposit(address account, MockERC20 token, uint256 amount) internal {
        _fund(account, token, amount);
        vm.prank(account);
        engine.deposit(address(token), amount, account);
    }

    function _withdraw(address account, MockERC20 token, uint256 amount) internal {
        vm.prank(account);
        engine.withdraw(address(token), amount, account);
    }

    function _open(address account, uint256 market, int256 size) internal {
        vm.prank(account);
        engine.modifyPosition(market, size, size > 0 ? type(uint256).max : 0);
    }

    function _priceData(address asset) internal view returns (uint256 median, uint256 twap, uint8 status, uint256 at) {
        IOracleAggregator.PriceData memory d = oracle.getPriceData(asset);
        return (d.median, d.twap, uint8(d.status), d.updatedAt);
    }

    /// @dev `account`: 25,000 USDC of credit and a 30 WETH long at 3,000 (no collateral asset), then WETH at 2,250:
    /// liquidatable, not critical; the close's loss comes out of its credit and the credit left pays the penalty.
    function _creditLongLiquidatable(address account) internal {
        _deposit(account, usdc, 25_000e6);
        _nextBlock();
        _open(account, 0, 30e18);
        _nextBlock();
        _settleWethAt(2_250e18);
        IMarginEngineTypes.Health memory h = engine.liquidationHealth(account);
        assertTrue(h.liquidatable, "fixture: liquidatable");
        assertTrue(h.maintenanceEquity >= int256(h.maintenanceMargin / 2), "fixture: not critical");
    }

    /// @dev `account`'s settlement credit in the engine.
    function _credit(address account) internal view returns (uint256 credit) {
        (credit,,) = engine.cash(account);
    }

    /// @dev What the keeper holds of `token`: a keeper's reward stays in the engine, in its account (credit for the
    /// settlement asset, collateral otherwise), and its wallet receives nothing.
    function _keeperHolds(MockERC20 token) internal view returns (uint256) {
        assertEq(token.balanceOf(KEEPER), 0, "a keeper's reward is never a token transfer");
        return address(token) == address(usdc) ? _credit(KEEPER) : engine.collateralBalance(KEEPER, address(token));
    }

    /// @notice An EOA-like address for `name`.
    function _actor(string memory name) internal returns (address a) {
        a = address(uint160(uint256(keccak256(bytes(name)))));
        vm.label(a, name);
    }

    /// @notice Design item 1: every contract holds at least what its books say: the engine its collateral totals and,
    /// in USDC, the sum of `accounts`' credit; the Pool its reserves; the InsuranceFund its booked balance; the
    /// Liquidator and `keepsNothing` (a product, or the zero address) keep no tokens between transactions.
    function _assertBalancesCoverBooks(address[] memory accounts, address keepsNothing) internal view {
        uint256 credits;
        for (uint256 k = 0; k < accounts.length; ++k) {
            (uint256 credit,,) = engine.cash(accounts[k]);
            credits += credit;
        }
        assertGe(usdc.balanceOf(address(engine)), credits, "engine USDC below the accounts' credit");
        assertGe(wbtc.balanceOf(address(engine)), engine.totalCollateral(address(wbtc)), "engine WBTC below its books");
        assertGe(weth.balanceOf(address(engine)), engine.totalCollateral(address(weth)), "engine WETH below its books");
        MockERC20[3] memory tokens = [usdc, wbtc, weth];
        for (uint256 i = 0; i < 3; ++i) {
            assertGe(tokens[i].balanceOf(address(pool)), pool.reserves(address(tokens[i])), "pool below its reserves");
            assertEq(tokens[i].balanceOf(address(liquidator)), 0, "liquidator kept tokens");
            if (keepsNothing != address(0)) assertEq(tokens[i].balanceOf(keepsNothing), 0, "a product holds tokens");
        }
        assertGe(usdc.balanceOf(address(insurance)), insurance.bookedBalance(), "insurance below its booked balance");
    }
}
