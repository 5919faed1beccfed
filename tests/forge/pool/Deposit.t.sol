// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {ITraderBook} from "../../../interfaces/ITraderBook.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {ProtocolLock} from "../../../contracts/ProtocolLock.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";

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
}
