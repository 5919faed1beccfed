// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {IProtocolLockTypes} from "../../../interfaces/IProtocolLock.sol";
import {ITraderBook} from "../../../interfaces/ITraderBook.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {
    MockCallbackToken,
    MockFalseToken,
    MockFeeToken,
    MockNoReturnToken
} from "../../../contracts/mocks/MockTokens.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {WeightFeePoolBase} from "../utils/WeightFeePoolBase.sol";

/// @title PoolDepositTest
/// @notice `Pool.deposit`: LP deposits, their pricing, bounds and the share lock-up they take (fixture: StandalonePoolBase).
contract PoolDepositTest is StandalonePoolBase {
    /// @dev LP's deposit of `amount` of `token` (minted and approved first) asking `minShares` reverts with `err`.
    function _expectLpDepositRevert(MockERC20 token, uint256 amount, uint256 minShares, bytes memory err) internal {
        _mintApprove(LP, token, amount);
        vm.expectRevert(err);
        _depositAs(LP, token, amount, minShares);
    }

    /// @notice Paused deposits revert DepositsPaused; unpaused, the same deposit mints.
    function test_deposit__paused__reverts() public {
        pool.setDepositsPaused(true);
        _expectLpDepositRevert(usdc, 1e6, 0, abi.encodeWithSignature("DepositsPaused()"));
        pool.setDepositsPaused(false);
        assertEq(_depositAs(LP, usdc, 1e6, 0), 1e18, "1 USDC, 1 share");
    }

    /// @notice A zero amount reverts ZeroAmount before the receiver and the asset are looked at.
    function test_deposit__zeroAmount__revertsFirst() public {
        vm.expectRevert(abi.encodeWithSignature("ZeroAmount()"));
        pool.deposit(address(0xdead), 0, 0, address(0));
    }

    /// @notice A zero receiver reverts ZeroAddress before the asset is looked at.
    function test_deposit__zeroReceiver__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("ZeroAddress()"));
        pool.deposit(address(0xdead), 1e6, 0, address(0));
    }

    /// @notice An unlisted token reverts AssetNotListed, in deposit and in assetParams.
    function test_deposit__unlistedAsset__reverts() public {
        MockERC20 dai = new MockERC20("DAI", "DAI", 18);
        _expectLpDepositRevert(dai, 1e18, 0, abi.encodeWithSignature("AssetNotListed(address)", address(dai)));
        vm.expectRevert(abi.encodeWithSignature("AssetNotListed(address)", address(dai)));
        pool.assetParams(address(dai));
        assertEq(pool.assetParams(address(weth)).maxWeightBps, 10_000, "a listed asset's params");
    }

    /// @notice The first deposit into an empty pool is 100 % of it whatever the maximum weight (60 % here): 1,000 USDC
    /// mints 1,000 shares at 1 USD, locked for the cooldown.
    function test_deposit__firstIntoEmptyPool__ignoresMaxWeight() public {
        pool.setAssetParams(address(usdc), _params(5_000, 6_000, 0, 0, CAP));
        assertEq(_lp(LP, usdc, 1_000e6), 1_000e18, "shares at 1 USD");
        assertEq(pool.balanceOf(LP), 1_000e18, "LP balance");
        assertEq(pool.totalSupply(), 1_000e18, "supply");
        assertEq(pool.reserves(address(usdc)), 1_000e6, "reserve");
        assertEq(usdc.balanceOf(address(pool)), 1_000e6, "tokens in");
    }

    /// @notice With 1,000 USDC in, 1 WETH (3,000 USD) would take WETH to 75 % > 60 %: MaxWeightExceeded with the
    /// weight; 0.5 WETH takes it to exactly 60 % and mints 1,500 shares.
    function test_deposit__aboveMaxWeight__reverts() public {
        _lp(LP, usdc, 1_000e6);
        pool.setAssetParams(address(weth), _params(5_000, 6_000, 0, 0, CAP));
        _expectLpDepositRevert(
            weth,
            1e18,
            0,
            abi.encodeWithSignature("MaxWeightExceeded(address,uint256,uint256)", address(weth), 7_500, 6_000)
        );
        assertEq(_depositAs(LP, weth, 5e17, 0), 1_500e18, "60 % is allowed");
        assertEq(pool.reserves(address(weth)), 5e17, "WETH reserve");
    }

    /// @notice Under a cap of 1,500 USDC, 1,000 then 501 reverts DepositCapExceeded with the reserve after; 500 fills
    /// the cap exactly.
    function test_deposit__overCap__reverts() public {
        pool.setAssetParams(address(usdc), _params(5_000, 10_000, 0, 0, 1_500e6));
        _lp(LP, usdc, 1_000e6);
        _expectLpDepositRevert(
            usdc,
            501e6,
            0,
            abi.encodeWithSignature("DepositCapExceeded(address,uint256,uint256)", address(usdc), 1_501e6, 1_500e6)
        );
        assertEq(_depositAs(LP, usdc, 500e6, 0), 500e18, "up to the cap");
        assertEq(pool.reserves(address(usdc)), 1_500e6, "reserve at the cap");
    }

    /// @notice 1,000 USDC mints exactly 1,000 shares: asking one more reverts SlippageExceeded(1,000, 1,000 + 1 wei);
    /// asking exactly 1,000 passes.
    function test_deposit__belowMinShares__reverts() public {
        _expectLpDepositRevert(
            usdc,
            1_000e6,
            1_000e18 + 1,
            abi.encodeWithSignature("SlippageExceeded(uint256,uint256)", 1_000e18, 1_000e18 + 1)
        );
        assertEq(_depositAs(LP, usdc, 1_000e6, 1_000e18), 1_000e18, "exactly the minimum");
    }

    /// @notice One wei of an 18-decimal token at 1e-8 USD is worth nothing: ZeroAmount, no share minted.
    function test_deposit__worthNoShare__reverts() public {
        MockERC20 dust = _newAsset("DUST", 18, 1e10);
        pool.listAsset(address(dust), _params(5_000, 10_000, 0, 0, CAP));
        _expectLpDepositRevert(dust, 1, 0, abi.encodeWithSignature("ZeroAmount()"));
        assertEq(pool.totalSupply(), 0, "nothing minted");
    }

    /// @notice Nobody may deposit into another LP's locked account (CooldownActive with its lock); once it expired they
    /// may, and the new lock holds only the new shares.
    function test_deposit__thirdPartyIntoLockedAccount__reverts() public {
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

    /// @notice An LP's own deposit while locked adds to the lock and restarts it.
    function test_deposit__ownWhileLocked__addsToAndRestartsTheLock() public {
        _lp(LP, usdc, 1_000e6);
        vm.warp(T0 + 100);
        _lp(LP, usdc, 500e6);
        (uint256 locked, uint256 unlocksAt) = pool.lockedShares(LP);
        assertEq(locked, 1_500e18, "old and new shares");
        assertEq(unlocksAt, T0 + 100 + LP_COOLDOWN, "restarted");
    }

    /// @notice With the cooldown set to 0 no new lock is taken and a running one is left alone: a third party may
    /// deposit into the locked account, and the LP's own deposit does not shorten its lock.
    function test_deposit__zeroCooldown__leavesLocksAlone() public {
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

    /// @dev List `token` in the oracle at 1 USD and in the Pool at a 0 % target, no fees.
    function _listAtOneUsd(address token) internal {
        _listOracleAsset(token, 1e18);
        pool.listAsset(token, _params(0, 10_000, 0, 0, CAP));
    }

    /// @notice A USDT-style token (transfer, transferFrom and approve return nothing) deposits and withdraws: 1,000
    /// in, all the shares out after the cooldown pay the 1,000 back.
    function test_deposit__noReturnValueToken__depositsAndWithdraws() public {
        MockNoReturnToken usdt = new MockNoReturnToken(6);
        _listAtOneUsd(address(usdt));
        usdt.mint(LP, 1_000e6);
        vm.prank(LP);
        usdt.approve(address(pool), type(uint256).max);
        vm.prank(LP);
        assertEq(pool.deposit(address(usdt), 1_000e6, 0, LP), 1_000e18, "shares at 1 USD");
        assertEq(pool.reserves(address(usdt)), 1_000e6, "reserve");
        vm.warp(T0 + LP_COOLDOWN);
        vm.prank(LP);
        assertEq(pool.withdraw(1_000e18, address(usdt), 0, LP), 1_000e6, "paid back");
        assertEq(usdt.balanceOf(LP), 1_000e6, "LP balance");
        assertEq(pool.reserves(address(usdt)), 0, "reserve emptied");
    }

    /// @notice A token whose transferFrom returns false: the deposit reverts SafeERC20FailedOperation(token), nothing
    /// booked.
    function test_deposit__returnFalseToken__revertsSafeERC20FailedOperation() public {
        MockFalseToken bad = new MockFalseToken();
        _listAtOneUsd(address(bad));
        bad.mint(LP, 1e18);
        vm.prank(LP);
        bad.approve(address(pool), type(uint256).max);
        bad.setFailing(true);
        vm.expectRevert(abi.encodeWithSignature("SafeERC20FailedOperation(address)", address(bad)));
        vm.prank(LP);
        pool.deposit(address(bad), 1e18, 0, LP);
        assertEq(pool.reserves(address(bad)), 0, "nothing booked");
        assertEq(pool.totalSupply(), 0, "nothing minted");
    }

    /// @notice A 1 % fee-on-transfer token is credited what arrived: 100 sent, 99 booked, held and priced (Deposit
    /// event amount, value and shares of 99).
    function test_deposit__feeOnTransferToken__creditsTheBalanceDifference() public {
        MockFeeToken feeToken = new MockFeeToken(18, 100);
        _listAtOneUsd(address(feeToken));
        feeToken.mint(LP, 100e18);
        vm.prank(LP);
        feeToken.approve(address(pool), type(uint256).max);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IPoolTypes.Deposit(LP, LP, address(feeToken), 99e18, 0, 99e18, 99e18);
        vm.prank(LP);
        pool.deposit(address(feeToken), 100e18, 0, LP);
        assertEq(pool.reserves(address(feeToken)), 99e18, "booked what arrived");
        assertEq(feeToken.balanceOf(address(pool)), 99e18, "held");
    }

    /// @notice While the traders' book cannot be read for an LP action (a market price not usable), a deposit reverts
    /// with the book's error.
    function test_deposit__marketPriceNotUsable__reverts() public {
        _lp(LP, usdc, 1_000e6);
        stubMarketsNotOk = true;
        _expectLpDepositRevert(usdc, 100e6, 0, abi.encodeWithSelector(MarketsNotOk.selector));
        stubMarketsNotOk = false;
        assertEq(_depositAs(LP, usdc, 100e6, 0), 100e18, "usable again");
    }
}

/// @title PoolDepositWeightFeeTest
/// @notice `Pool.deposit` in a pool of 6, 8 and 18 decimal assets with weight fees, against independent statements of
/// the fee rule and of the share math (fixture: WeightFeePoolBase).
contract PoolDepositWeightFeeTest is WeightFeePoolBase {
    /// @notice The first deposit of an empty pool takes USDC from 0 % to 100 % against a 50 % target: fee 30 + 50 = 80
    /// bps; the value after the fee is minted at 1 USD per share, and the Deposit event says so.
    function test_deposit__firstDeposit__mintsTheValueAfterTheFeeAtOneUsdPerShare() public {
        uint256 amount = 1_000_000e6;
        uint256 fee = _modelWeightFeeBps(0, 10_000, 5_000, BASE_FEE_BPS, TAX_FEE_BPS);
        assertEq(fee, 80, "base fee and the full tax");
        uint256 value = _lessFee(_valueOf(usdc, amount), fee);
        _mintApprove(LP, usdc, amount);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IPoolTypes.Deposit(LP, LP, address(usdc), amount, fee, value, value);
        assertEq(_depositAs(LP, usdc, amount, 0), value, "shares: the value after the fee");
        assertEq(pool.balanceOf(LP), value, "LP balance");
        assertEq(pool.totalSupply(), value, "supply");
        assertEq(pool.reserves(address(usdc)), amount, "the whole amount booked, fee included");
    }

    /// @notice In the balanced pool, 10,000 USD of USDC (6 decimals), WBTC (8) or WETH (18) mints value after the
    /// model's fee times (supply + 1e18 virtual shares) / (upper NAV + 1e18 virtual value), to the share.
    function test_deposit__sixEightEighteenDecimalAssets__sharesMatchAnIndependentNavModel() public {
        _seedBalanced();
        for (uint256 i = 0; i < 3; ++i) {
            uint256 snapshot = vm.snapshotState();
            MockERC20 token = _token(i);
            uint256 amount = _units(token, 10_000);
            uint256 nav = uint256(pool.nav(true));
            uint256 supply = pool.totalSupply();
            assertEq(nav, _reserveValue(), "NAV: the reserves");
            uint256 value = _lessFee(_valueOf(token, amount), _modelFeeBps(token, amount, true));
            _lp(OTHER, token, amount);
            assertEq(pool.balanceOf(OTHER), value * (supply + WAD) / (nav + WAD), token.symbol());
            vm.revertToState(snapshot);
        }
    }

    /// @notice With WETH pushed above its target, a USDC deposit (toward its target) pays less than the 30 bps base
    /// fee and a further WETH deposit (away from its target) more, each the model's fee.
    function test_deposit__towardTheTarget__paysLessFeeThanAway() public {
        _seedBalanced();
        _lp(OTHER, weth, _units(weth, 300_000));
        uint256 toward = _depositFeeBps(usdc, _units(usdc, 300_000));
        uint256 away = _depositFeeBps(weth, _units(weth, 10_000));
        assertLt(toward, BASE_FEE_BPS, "toward the target");
        assertGt(away, BASE_FEE_BPS, "away from the target");
    }

    /// @dev OTHER deposits `amount` of `token`; the fee of its Deposit event, checked against the model's.
    function _depositFeeBps(MockERC20 token, uint256 amount) internal returns (uint256 feeBps) {
        uint256 modelFee = _modelFeeBps(token, amount, true);
        vm.recordLogs();
        _lp(OTHER, token, amount);
        (, feeBps,,) = abi.decode(
            _poolLog(vm.getRecordedLogs(), IPoolTypes.Deposit.selector), (uint256, uint256, uint256, uint256)
        );
        assertEq(feeBps, modelFee, "the model's fee");
    }

    /// @notice Another pool asset's price Deviated (WETH's median 20 % above its TWAP): a USDC deposit reverts
    /// PriceUnavailable(WETH, Value, Deviated), since the pool cannot be valued for it.
    function test_deposit__anotherPoolAssetDeviated__revertsPriceUnavailable() public {
        _seedBalanced();
        _setFeed(address(weth), 3_600e18);
        oracle.update(address(weth));
        (,, uint8 status,) = _priceData(address(weth));
        assertEq(uint256(status), uint256(IOracleAggregator.Status.Deviated), "WETH Deviated");
        _mintApprove(OTHER, usdc, 100e6);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleAggregator.PriceUnavailable.selector,
                address(weth),
                IOracleAggregator.Action.Value,
                IOracleAggregator.Status.Deviated
            )
        );
        _depositAs(OTHER, usdc, 100e6, 0);
    }

    /// @notice Traders up 3,000,000 USD on a 2,000,000 USD pool: both NAVs are about -1,000,000 USD, so a deposit
    /// (priced at the upper NAV) and a withdrawal (at the lower) revert PoolInsolvent with it.
    function test_deposit__tradersProfitAboveThePoolValue__revertsPoolInsolvent() public {
        _seedBalanced();
        stubPnlLow = 3_000_000e18;
        stubPnlHigh = 3_000_000e18;
        int256 nav = pool.nav(true);
        assertEq(pool.nav(false), nav, "one price");
        assertApproxEqAbs(nav, -1_000_000e18, 1e18, "about -1,000,000 USD");
        bytes memory insolvent = abi.encodeWithSelector(IPoolTypes.PoolInsolvent.selector, nav);
        _mintApprove(OTHER, usdc, 100e6);
        vm.expectRevert(insolvent);
        _depositAs(OTHER, usdc, 100e6, 0);
        vm.expectRevert(insolvent);
        _withdrawAs(LP, WAD, usdc, 0);
    }

    /// @notice Property: a first depositor who mints from a few units of USDC (1 to 1,000,000 units) and then donates
    /// 1 to 10,000,000 USD straight to the Pool cannot take from the next depositor (100 to 1,000,000 USD) as much as
    /// 0.1 % of the deposit: the victim's shares are worth at least 99.9 % of it at the lower share price (no fees).
    function testFuzz_deposit__afterAFirstDepositorDonation__victimLosesUnderATenthOfAPercent(
        uint256 attackerUnits,
        uint256 donationUsd,
        uint256 victimUsd
    ) public {
        pool.setAssetParams(address(usdc), _params(5_000, 10_000, 0, 0, CAP));
        _lp(LP, usdc, bound(attackerUnits, 1, 1e6));
        uint256 donation = bound(donationUsd, 1, 10_000_000) * 1e6;
        usdc.mint(LP, donation);
        vm.prank(LP);
        usdc.transfer(address(pool), donation);
        victimUsd = bound(victimUsd, 100, 1_000_000);
        _lp(OTHER, usdc, victimUsd * 1e6);
        uint256 victimValue = victimUsd * WAD;
        uint256 held = pool.balanceOf(OTHER) * pool.sharePrice(false) / WAD;
        if (held < victimValue) assertLt(victimValue - held, victimValue / 1_000, "victim lost 0.1 % or more");
    }
}

/// @title PoolDepositReentrancyTest
/// @notice `Pool.deposit` of a token that calls back on transfer, in the whole core (fixture: EngineFixture's bench
/// core): no re-entry into a member of the protocol lock.
contract PoolDepositReentrancyTest is EngineFixture {
    MockCallbackToken internal token;

    function setUp() public {
        _deployBenchCore();
        token = new MockCallbackToken();
        _listOracleAsset(address(token), 1e18);
        pool.listAsset(address(token), IPoolTypes.AssetParams(0, 10_000, 0, 0, CAP));
        token.mint(LP, 100e18);
        vm.prank(LP);
        token.approve(address(pool), type(uint256).max);
    }

    /// @notice A token whose transfer into the Pool calls Pool.deposit, Pool.withdraw or InsuranceFund.sweep: each
    /// re-entry reverts Locked, the deposit with it, and nothing is booked.
    function test_deposit__tokenCallbackIntoThePoolOrTheInsuranceFund__revertsLocked() public {
        bytes[3] memory calls = [
            abi.encodeCall(pool.deposit, (address(token), 1e18, 0, LP)),
            abi.encodeCall(pool.withdraw, (1, address(token), 0, LP)),
            abi.encodeCall(insurance.sweep, ())
        ];
        address[3] memory targets = [address(pool), address(pool), address(insurance)];
        for (uint256 k = 0; k < 3; ++k) {
            token.arm(targets[k], calls[k]);
            vm.expectRevert(IProtocolLockTypes.Locked.selector);
            vm.prank(LP);
            pool.deposit(address(token), 1e18, 0, LP);
        }
        assertEq(pool.reserves(address(token)), 0, "nothing booked");
        assertEq(pool.totalSupply(), 0, "nothing minted");
    }
}
