// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../interfaces/IPool.sol";
import {ITraderBook} from "../../interfaces/ITraderBook.sol";
import {Pool} from "../../contracts/Pool.sol";
import {ProtocolLock} from "../../contracts/ProtocolLock.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {EngineFixture} from "./utils/EngineFixture.sol";

/// @title PoolUnitBase
/// @notice A Pool alone, with the test contract as its MarginEngine: `poolExposure` answers the traders' PnL and the
/// reserved liquidity the test sets, so NAV, utilization and the settlement backing are exact to the unit. The
/// oracle, the feeds and USDC (6 decimals, 1 USD, the settlement asset) and WETH (18 decimals, 3,000 USD) are the
/// EngineFixture's; both are listed at a 50 % target, a 100 % maximum weight and no fees. Rate model, maximum
/// utilization (90 %) and LP cooldown (900 s) are CoreParams'. The test contract is admin, risk manager, guardian.
abstract contract PoolUnitBase is EngineFixture, ITraderBook {
    address internal constant LIQ = address(0x5151);
    address internal constant FUND = address(0x6161);
    address internal constant OTHER = address(0x3333);

    int256 internal stubPnlLow;
    int256 internal stubPnlHigh;
    uint256 internal stubReserved;
    uint256 internal stubProvision;

    /// @dev The traders' book the Pool reads: whatever the test set.
    function poolExposure(bool) external view returns (int256, int256, uint256, uint256) {
        return (stubPnlLow, stubPnlHigh, stubReserved, stubProvision);
    }

    function setUp() public virtual {
        _deployOracle();
        usdc = _newAsset("USDC", 6, 1e18);
        weth = _newAsset("WETH", 18, 3_000e18);
        pool = _newPool(address(usdc));
        pool.listAsset(address(usdc), _params(5_000, 10_000, 0, 0, CAP));
        pool.listAsset(address(weth), _params(5_000, 10_000, 0, 0, CAP));
    }

    /// @notice A Pool settling in `settlement`, its own lock, this contract as engine, LIQ and FUND; nothing listed.
    function _newPool(address settlement) internal returns (Pool p) {
        address me = address(this);
        address at = vm.computeCreateAddress(me, vm.getNonce(me) + 1);
        lock = new ProtocolLock([at, me, LIQ, FUND]);
        p = new Pool(_wiring(settlement), _model(), MAX_UTILIZATION_BPS, LP_COOLDOWN);
        assertEq(address(p), at, "Pool at its predicted address");
    }

    function _wiring(address settlement) internal view returns (Pool.Wiring memory) {
        address me = address(this);
        return Pool.Wiring(lock, oracle, settlement, me, LIQ, FUND, me, me, me);
    }

    function _model() internal pure returns (IPool.RateModel memory) {
        return IPool.RateModel(RATE_BASE_BPS, RATE_SLOPE1_BPS, RATE_KINK_BPS, RATE_SLOPE2_BPS);
    }

    function _params(uint16 target, uint16 maxWeight, uint16 baseFee, uint16 tax, uint128 cap)
        internal
        pure
        returns (IPool.AssetParams memory)
    {
        return IPool.AssetParams(target, maxWeight, baseFee, tax, cap);
    }

    /// @notice `who` deposits `amount` of `token` (minted and approved) for itself; returns the shares.
    function _lp(address who, MockERC20 token, uint256 amount) internal returns (uint256 shares) {
        _mintApprove(who, token, amount);
        vm.prank(who);
        shares = pool.deposit(address(token), amount, 0, who);
    }

    function _mintApprove(address who, MockERC20 token, uint256 amount) internal {
        token.mint(who, amount);
        vm.prank(who);
        token.approve(address(pool), type(uint256).max);
    }

    /// @notice 1,000 USDC then 1 WETH from LP at T0 (4,000 USD, 4,000 shares), and the cooldown over.
    function _seedTwoAssets() internal {
        assertEq(_lp(LP, usdc, 1_000e6), 1_000e18, "USDC shares at 1 USD");
        assertEq(_lp(LP, weth, 1e18), 3_000e18, "WETH shares at 1 USD");
        vm.warp(T0 + LP_COOLDOWN);
    }
}

/// @title PoolUnitTest
/// @notice LP deposits, withdrawals and the share lock-up of a Pool in isolation (PoolUnitBase): each test pins one
/// path with exact amounts or the custom error with its arguments, for the mutation campaign's Pool survivors
/// (security/mutation/README.md). Protocol entry points, governance and views: PoolUnitProtocol.t.sol.
contract PoolUnitTest is PoolUnitBase {
    // ---------------------------------------------------------------- constructor

    /// @notice A zero settlement asset, engine or liquidator each reverts ZeroAddress alone; a full wiring deploys
    /// (kills Pool.sol:124 LOR, MIA false / true / negation).
    function test_constructor__anyZeroWiring__reverts() public {
        Pool.Wiring memory w = _wiring(address(usdc));
        w.settlementAsset = address(0);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        new Pool(w, _model(), MAX_UTILIZATION_BPS, LP_COOLDOWN);
        w.settlementAsset = address(usdc);
        w.marginEngine = address(0);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        new Pool(w, _model(), MAX_UTILIZATION_BPS, LP_COOLDOWN);
        w.marginEngine = address(this);
        w.liquidator = address(0);
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        new Pool(w, _model(), MAX_UTILIZATION_BPS, LP_COOLDOWN);
        w.liquidator = LIQ;
        Pool p = new Pool(w, _model(), MAX_UTILIZATION_BPS, LP_COOLDOWN);
        assertEq(p.settlementAsset(), address(usdc), "settlement asset");
        assertEq(p.marginEngine(), address(this), "engine");
        assertEq(p.liquidator(), LIQ, "liquidator");
    }

    // ---------------------------------------------------------------- deposit

    /// @notice Paused deposits revert DepositsPaused; unpaused, the same deposit mints (kills Pool.sol:159 MIA false,
    /// true, negation).
    function test_deposit__paused__reverts() public {
        pool.setDepositsPaused(true);
        _mintApprove(LP, usdc, 1e6);
        vm.expectRevert(abi.encodeWithSignature("DepositsPaused()"));
        vm.prank(LP);
        pool.deposit(address(usdc), 1e6, 0, LP);
        pool.setDepositsPaused(false);
        vm.prank(LP);
        assertEq(pool.deposit(address(usdc), 1e6, 0, LP), 1e18, "1 USDC, 1 share");
    }

    /// @notice A zero amount reverts ZeroAmount before the receiver and the asset are looked at (kills Pool.sol:160
    /// MIA false: the zero receiver's ZeroAddress would come first).
    function test_deposit__zeroAmount__revertsFirst() public {
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        pool.deposit(address(0xdead), 0, 0, address(0));
    }

    /// @notice A zero receiver reverts ZeroAddress before the asset is looked at (kills Pool.sol:161 MIA false:
    /// AssetNotListed would come instead).
    function test_deposit__zeroReceiver__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        pool.deposit(address(0xdead), 1e6, 0, address(0));
    }

    /// @notice An unlisted token reverts AssetNotListed, in deposit and in assetParams (kills Pool.sol:506 MIA false:
    /// the deposit would pull the tokens and fail the zero cap instead).
    function test_deposit__unlistedAsset__reverts() public {
        MockERC20 dai = new MockERC20("DAI", "DAI", 18);
        _mintApprove(LP, dai, 1e18);
        vm.expectRevert(abi.encodeWithSignature("AssetNotListed(address)", address(dai)));
        vm.prank(LP);
        pool.deposit(address(dai), 1e18, 0, LP);
        vm.expectRevert(abi.encodeWithSignature("AssetNotListed(address)", address(dai)));
        pool.assetParams(address(dai));
        assertEq(pool.assetParams(address(weth)).maxWeightBps, 10_000, "a listed asset's params");
    }

    /// @notice The first deposit into an empty pool is 100 % of it whatever the maximum weight (60 % here): 1,000
    /// USDC mints 1,000 shares at 1 USD, locked for the cooldown (kills Pool.sol:189 LOR).
    function test_deposit__firstIntoEmptyPool__ignoresMaxWeight() public {
        pool.setAssetParams(address(usdc), _params(5_000, 6_000, 0, 0, CAP));
        assertEq(_lp(LP, usdc, 1_000e6), 1_000e18, "shares at 1 USD");
        assertEq(pool.balanceOf(LP), 1_000e18, "LP balance");
        assertEq(pool.totalSupply(), 1_000e18, "supply");
        assertEq(pool.reserves(address(usdc)), 1_000e6, "reserve");
        assertEq(usdc.balanceOf(address(pool)), 1_000e6, "tokens in");
    }

    /// @notice With 1,000 USDC in, 1 WETH (3,000 USD) would take WETH to 75 % > 60 %: MaxWeightExceeded with the
    /// weight; 0.5 WETH takes it to exactly 60 % and mints 1,500 shares (kills Pool.sol:189 MIA false, true,
    /// negation, and 546 MIA false: `before - delta` of an empty reserve underflows).
    function test_deposit__aboveMaxWeight__reverts() public {
        _lp(LP, usdc, 1_000e6);
        pool.setAssetParams(address(weth), _params(5_000, 6_000, 0, 0, CAP));
        _mintApprove(LP, weth, 1e18);
        vm.expectRevert(
            abi.encodeWithSignature("MaxWeightExceeded(address,uint256,uint256)", address(weth), 7_500, 6_000)
        );
        vm.prank(LP);
        pool.deposit(address(weth), 1e18, 0, LP);
        vm.prank(LP);
        assertEq(pool.deposit(address(weth), 5e17, 0, LP), 1_500e18, "60 % is allowed");
        assertEq(pool.reserves(address(weth)), 5e17, "WETH reserve");
    }

    /// @notice Under a cap of 1,500 USDC, 1,000 then 501 reverts DepositCapExceeded with the reserve after; 500
    /// fills the cap exactly (kills Pool.sol:183 MIA false, true, negation).
    function test_deposit__overCap__reverts() public {
        pool.setAssetParams(address(usdc), _params(5_000, 10_000, 0, 0, 1_500e6));
        _lp(LP, usdc, 1_000e6);
        _mintApprove(LP, usdc, 501e6);
        vm.expectRevert(
            abi.encodeWithSignature("DepositCapExceeded(address,uint256,uint256)", address(usdc), 1_501e6, 1_500e6)
        );
        vm.prank(LP);
        pool.deposit(address(usdc), 501e6, 0, LP);
        vm.prank(LP);
        assertEq(pool.deposit(address(usdc), 500e6, 0, LP), 500e18, "up to the cap");
        assertEq(pool.reserves(address(usdc)), 1_500e6, "reserve at the cap");
    }

    /// @notice 1,000 USDC mints exactly 1,000 shares: asking one more reverts SlippageExceeded(1,000, 1,000 + 1
    /// wei); asking exactly 1,000 passes (kills Pool.sol:168 MIA false, true, negation).
    function test_deposit__belowMinShares__reverts() public {
        _mintApprove(LP, usdc, 1_000e6);
        vm.expectRevert(abi.encodeWithSignature("SlippageExceeded(uint256,uint256)", 1_000e18, 1_000e18 + 1));
        vm.prank(LP);
        pool.deposit(address(usdc), 1_000e6, 1_000e18 + 1, LP);
        vm.prank(LP);
        assertEq(pool.deposit(address(usdc), 1_000e6, 1_000e18, LP), 1_000e18, "exactly the minimum");
    }

    /// @notice One wei of an 18-decimal token at 1e-8 USD is worth nothing: ZeroAmount, no share minted (kills
    /// Pool.sol:196 MIA false: a zero-share deposit would go through).
    function test_deposit__worthNoShare__reverts() public {
        MockERC20 dust = _newAsset("DUST", 18, 1e10);
        pool.listAsset(address(dust), _params(5_000, 10_000, 0, 0, CAP));
        _mintApprove(LP, dust, 1);
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        vm.prank(LP);
        pool.deposit(address(dust), 1, 0, LP);
        assertEq(pool.totalSupply(), 0, "nothing minted");
    }

    // ---------------------------------------------------------------- withdraw

    /// @notice Zero shares revert ZeroAmount before the receiver is looked at (kills Pool.sol:207 MIA false: the
    /// zero receiver's ZeroAddress would come first).
    function test_withdraw__zeroShares__revertsFirst() public {
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        pool.withdraw(0, address(usdc), 0, address(0));
    }

    /// @notice A zero receiver reverts ZeroAddress before the asset is looked at (kills Pool.sol:208 MIA false).
    function test_withdraw__zeroReceiver__reverts() public {
        _seedTwoAssets();
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        vm.prank(LP);
        pool.withdraw(1e18, address(0xdead), 0, address(0));
    }

    /// @notice Withdrawing more shares than held reverts ERC20InsufficientBalance before pricing them (kills
    /// Pool.sol:210 MIA false: 1e30 shares would be priced and fail InsufficientLiquidity instead).
    function test_withdraw__moreThanHeld__reverts() public {
        _seedTwoAssets();
        vm.expectRevert(abi.encodeWithSignature("ERC20InsufficientBalance(address,uint256,uint256)", OTHER, 0, 1e30));
        vm.prank(OTHER);
        pool.withdraw(1e30, address(usdc), 0, OTHER);
    }

    /// @notice The only LP takes everything out: 1,000 shares for 1,000 USDC, then 3,000 shares for 1 WETH; books and
    /// supply at zero (kills the `true` / negation mutants of Pool.sol:207, 208, 210, 214, 229, 232, 601, 606, and
    /// 570 MIA false: utilization of an empty pool divides by zero).
    function test_withdraw__fullExit__paysEverything() public {
        _seedTwoAssets();
        vm.startPrank(LP);
        assertEq(pool.withdraw(1_000e18, address(usdc), 1_000e6, LP), 1_000e6, "USDC out");
        assertEq(pool.withdraw(3_000e18, address(weth), 1e18, LP), 1e18, "WETH out");
        vm.stopPrank();
        assertEq(usdc.balanceOf(LP), 1_000e6, "LP USDC");
        assertEq(weth.balanceOf(LP), 1e18, "LP WETH");
        assertEq(pool.reserves(address(usdc)), 0, "USDC reserve");
        assertEq(pool.reserves(address(weth)), 0, "WETH reserve");
        assertEq(pool.totalSupply(), 0, "supply");
    }

    /// @notice 500 shares are worth exactly 500 USDC: asking 1 unit more reverts SlippageExceeded; asking 500 passes
    /// (kills Pool.sol:214 MIA false, true, negation).
    function test_withdraw__belowMinAmount__reverts() public {
        _seedTwoAssets();
        vm.expectRevert(abi.encodeWithSignature("SlippageExceeded(uint256,uint256)", 500e6, 500e6 + 1));
        vm.prank(LP);
        pool.withdraw(500e18, address(usdc), 500e6 + 1, LP);
        vm.prank(LP);
        assertEq(pool.withdraw(500e18, address(usdc), 500e6, LP), 500e6, "exactly the minimum");
    }

    /// @notice All 4,000 shares in USDC would need 4,000 USDC out of a 1,000 reserve: InsufficientLiquidity with both
    /// (kills Pool.sol:229 MIA false, negation: the fee would underflow instead).
    function test_withdraw__beyondTheAssetReserve__reverts() public {
        _seedTwoAssets();
        vm.expectRevert(
            abi.encodeWithSignature("InsufficientLiquidity(address,uint256,uint256)", address(usdc), 4_000e6, 1_000e6)
        );
        vm.prank(LP);
        pool.withdraw(4_000e18, address(usdc), 0, LP);
    }

    /// @notice One share (1e-18 USD) is worth no USDC unit: ZeroAmount, nothing burned (kills Pool.sol:232 MIA
    /// false).
    function test_withdraw__worthNoUnit__reverts() public {
        _seedTwoAssets();
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        vm.prank(LP);
        pool.withdraw(1, address(usdc), 0, LP);
        assertEq(pool.balanceOf(LP), 4_000e18, "nothing burned");
    }

    /// @notice 600 USD reserved for positions: taking 500 of the 1,000 USDC leaves 500 USD of settlement backing,
    /// SettlementBackingShort(500, 600); taking 400 leaves exactly 600 and passes (kills Pool.sol:234 MIA false,
    /// 601 MIA false / true).
    function test_withdraw__settlementBelowReserved__reverts() public {
        _seedTwoAssets();
        stubReserved = 600e18;
        vm.expectRevert(abi.encodeWithSignature("SettlementBackingShort(uint256,uint256)", 500e18, 600e18));
        vm.prank(LP);
        pool.withdraw(500e18, address(usdc), 0, LP);
        vm.prank(LP);
        assertEq(pool.withdraw(400e18, address(usdc), 0, LP), 400e6, "backing exactly the reserved");
        assertEq(pool.reserves(address(usdc)), 600e6, "USDC reserve");
    }

    /// @notice The settlement backing is checked only for the settlement asset: with 600 USD reserved, all the WETH
    /// leaves (utilization 600 / 1,000 = 60 %) (kills Pool.sol:234 MIA true / negation: a WETH reserve of 0 read as
    /// USDC would be short).
    function test_withdraw__otherAssetDrained__noSettlementCheck() public {
        _seedTwoAssets();
        stubReserved = 600e18;
        vm.prank(LP);
        assertEq(pool.withdraw(3_000e18, address(weth), 0, LP), 1e18, "all the WETH");
        assertEq(pool.reserves(address(weth)), 0, "WETH reserve");
        assertEq(pool.utilization(), 6e17, "600 / 1,000");
    }

    /// @notice 950 USD reserved: taking all the WETH would leave utilization at 950 / 1,000 = 95 % > 90 %:
    /// UtilizationExceeded(95 %, 90 %) (kills Pool.sol:606 MIA false).
    function test_withdraw__aboveMaxUtilization__reverts() public {
        _seedTwoAssets();
        stubReserved = 950e18;
        vm.expectRevert(abi.encodeWithSignature("UtilizationExceeded(uint256,uint256)", 95e16, 9e17));
        vm.prank(LP);
        pool.withdraw(3_000e18, address(weth), 0, LP);
    }

    /// @notice USDC at 25 % of the pool against a 50 % target, base fee 10 bps, tax 100 bps: taking 500 USDC moves it
    /// to 14.28 % (further from target), fee 10 + ceil(100 * 3,036 / 5,000) = 71 bps, 496.45 USDC paid (kills
    /// Pool.sol:546 MIA true / negation: pricing the removal as an addition would rebate the whole fee).
    function test_withdraw__awayFromTarget__paysTheTax() public {
        _seedTwoAssets();
        pool.setAssetParams(address(usdc), _params(5_000, 10_000, 10, 100, CAP));
        vm.prank(LP);
        assertEq(pool.withdraw(500e18, address(usdc), 0, LP), 496_450_000, "500 USDC less 71 bps");
        assertEq(pool.reserves(address(usdc)), 503_550_000, "the fee stays in the reserve");
    }

    // ---------------------------------------------------------------- lock-up

    /// @notice A deposit locks its shares until now + 900: a transfer or a withdrawal reverts CooldownActive; at
    /// exactly the unlock time nothing is locked and both work (kills Pool.sol:478 MIA false / true / negation, 638
    /// MIA false / negation, 640 MIA false / negation).
    function test_lock__untilTheCooldownEnds__blocksTransfers() public {
        _lp(LP, usdc, 1_000e6);
        (uint256 locked, uint256 unlocksAt) = pool.lockedShares(LP);
        assertEq(locked, 1_000e18, "locked shares");
        assertEq(unlocksAt, T0 + LP_COOLDOWN, "unlock time");
        vm.expectRevert(abi.encodeWithSignature("CooldownActive(address,uint256,uint256)", LP, 1_000e18, T0 + 900));
        vm.prank(LP);
        pool.transfer(OTHER, 1);
        vm.expectRevert(abi.encodeWithSignature("CooldownActive(address,uint256,uint256)", LP, 1_000e18, T0 + 900));
        vm.prank(LP);
        pool.withdraw(1e18, address(usdc), 0, LP);
        vm.warp(T0 + LP_COOLDOWN);
        (locked, unlocksAt) = pool.lockedShares(LP);
        assertEq(locked + unlocksAt, 0, "nothing locked at the unlock time");
        vm.prank(LP);
        pool.transfer(OTHER, 1_000e18); // the whole balance, with the expired lock-up still stored
        assertEq(pool.balanceOf(OTHER), 1_000e18, "transferred");
    }

    /// @notice Shares received on top of locked ones can move: LP holds 1,000 locked and 500 unlocked from OTHER and
    /// sends those 500 on, but not one more (kills Pool.sol:640 LOR).
    function test_lock__sharesAboveTheLocked__transfer() public {
        _lp(OTHER, usdc, 500e6);
        vm.warp(T0 + LP_COOLDOWN);
        vm.prank(OTHER);
        pool.transfer(LP, 500e18);
        _lp(LP, usdc, 1_000e6);
        vm.prank(LP);
        pool.transfer(OTHER, 500e18);
        assertEq(pool.balanceOf(LP), 1_000e18, "the locked shares stay");
        vm.expectRevert(
            abi.encodeWithSignature("CooldownActive(address,uint256,uint256)", LP, 1_000e18, T0 + 2 * LP_COOLDOWN)
        );
        vm.prank(LP);
        pool.transfer(OTHER, 1);
    }

    /// @notice Nobody may deposit into another LP's locked account (CooldownActive with its lock); once it expired
    /// they may, and the new lock holds only the new shares (kills Pool.sol:629 MIA false, LOR, 632 MIA true).
    function test_lock__thirdPartyIntoLockedAccount__reverts() public {
        _lp(LP, usdc, 1_000e6);
        _mintApprove(OTHER, usdc, 200e6);
        vm.expectRevert(abi.encodeWithSignature("CooldownActive(address,uint256,uint256)", LP, 1_000e18, T0 + 900));
        vm.prank(OTHER);
        pool.deposit(address(usdc), 100e6, 0, LP);
        vm.warp(T0 + LP_COOLDOWN);
        vm.prank(OTHER);
        pool.deposit(address(usdc), 100e6, 0, LP);
        (uint256 locked, uint256 unlocksAt) = pool.lockedShares(LP);
        assertEq(locked, 100e18, "only the new shares");
        assertEq(unlocksAt, T0 + 2 * LP_COOLDOWN, "a new cooldown");
    }

    /// @notice An LP's own deposit while locked adds to the lock and restarts it (kills Pool.sol:629 LOR / true, 632
    /// MIA false).
    function test_lock__ownDepositWhileLocked__accumulates() public {
        _lp(LP, usdc, 1_000e6);
        vm.warp(T0 + 100);
        _lp(LP, usdc, 500e6);
        (uint256 locked, uint256 unlocksAt) = pool.lockedShares(LP);
        assertEq(locked, 1_500e18, "old and new shares");
        assertEq(unlocksAt, T0 + 100 + LP_COOLDOWN, "restarted");
    }

    /// @notice With the cooldown set to 0 no new lock is taken and a running one is left alone: a third party may
    /// deposit into the locked account, and the LP's own deposit does not shorten its lock (kills Pool.sol:627 MIA
    /// false / negation; true by the lock tests above).
    function test_lock__zeroCooldown__leavesLocksAlone() public {
        _lp(LP, usdc, 1_000e6);
        pool.setCooldown(0);
        vm.warp(T0 + 10);
        _mintApprove(OTHER, usdc, 100e6);
        vm.prank(OTHER);
        assertEq(pool.deposit(address(usdc), 100e6, 0, LP), 100e18, "a third party's deposit");
        _lp(LP, usdc, 100e6);
        (uint256 locked, uint256 unlocksAt) = pool.lockedShares(LP);
        assertEq(locked, 1_000e18, "the running lock");
        assertEq(unlocksAt, T0 + LP_COOLDOWN, "unchanged");
        _lp(OTHER, usdc, 100e6);
        vm.prank(OTHER);
        pool.transfer(LP, 100e18); // nothing of OTHER's is locked
        assertEq(pool.balanceOf(LP), 1_300e18, "LP shares");
    }
}
