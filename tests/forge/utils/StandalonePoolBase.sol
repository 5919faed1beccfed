// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool, IPoolTypes} from "../../../interfaces/IPool.sol";
import {ITraderBook} from "../../../interfaces/ITraderBook.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {PoolStorage} from "../../../contracts/base/PoolStorage.sol";
import {IProtocolLock} from "../../../interfaces/IProtocolLock.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {EngineFixture} from "./EngineFixture.sol";
import {Vm} from "./Vm.sol";

/// @title StandalonePoolBase
/// @notice A Pool alone, with the test contract as its MarginEngine: `poolExposure` answers the traders' PnL and the
/// reserved liquidity the test sets, so NAV, utilization and the settlement backing are exact to the unit. The
/// oracle, the feeds and USDC (6 decimals, 1 USD, the settlement asset) and WETH (18 decimals, 3,000 USD) are the
/// EngineFixture's; both are listed at a 50 % target, a 100 % maximum weight and no fees. Rate model, maximum
/// utilization (90 %) and LP cooldown (900 s) are CoreParams'. The test contract is admin, risk manager, guardian and
/// MarginEngine; LIQ is its Liquidator.
abstract contract StandalonePoolBase is EngineFixture, ITraderBook {
    address internal constant LIQ = address(0x5151);

    address internal constant FUND = address(0x6161);

    int256 internal stubPnlLow;

    int256 internal stubPnlHigh;

    uint256 internal stubReserved;

    uint256 internal stubProvision;

    /// @dev When set, reading the book for an LP action reverts `MarketsNotOk`, as the MarginEngine's `poolExposure`
    /// reverts when a market price it needs is not usable.
    bool internal stubMarketsNotOk;

    error MarketsNotOk();

    /// @dev The traders' book the Pool reads: whatever the test set.
    function poolExposure(bool enforceRiskStatus) external view returns (int256, int256, uint256, uint256) {
        if (enforceRiskStatus && stubMarketsNotOk) revert MarketsNotOk();
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

    /// @notice A Pool settling in `settlement` (the lock of its own members: this contract as engine, LIQ and FUND);
    /// nothing listed.
    function _newPool(address settlement) internal returns (IPool p) {
        p = IPool(address(new Pool(_wiring(settlement), _model(), MAX_UTILIZATION_BPS, LP_COOLDOWN)));
        lock = IProtocolLock(address(p));
    }

    function _wiring(address settlement) internal view returns (PoolStorage.Wiring memory) {
        address me = address(this);
        return PoolStorage.Wiring(oracle, settlement, me, LIQ, FUND, me, me, me);
    }

    function _model() internal pure returns (IPoolTypes.RateModel memory) {
        return IPoolTypes.RateModel(RATE_BASE_BPS, RATE_SLOPE1_BPS, RATE_KINK_BPS, RATE_SLOPE2_BPS);
    }

    function _params(uint16 target, uint16 maxWeight, uint16 baseFee, uint16 tax, uint128 cap)
        internal
        pure
        returns (IPoolTypes.AssetParams memory)
    {
        return IPoolTypes.AssetParams(target, maxWeight, baseFee, tax, cap);
    }

    /// @notice `who` deposits `amount` of `token` (minted and approved) for itself; returns the shares.
    function _lp(address who, MockERC20 token, uint256 amount) internal returns (uint256 shares) {
        _mintApprove(who, token, amount);
        shares = _depositAs(who, token, amount, 0);
    }

    /// @notice `who` deposits `amount` of `token` it holds for itself, asking at least `minShares`; returns the shares.
    function _depositAs(address who, MockERC20 token, uint256 amount, uint256 minShares) internal returns (uint256) {
        vm.prank(who);
        return pool.deposit(address(token), amount, minShares, who);
    }

    /// @notice `who` redeems `shares` for `token` to itself, asking at least `minAmount`; returns the amount paid.
    function _withdrawAs(address who, uint256 shares, MockERC20 token, uint256 minAmount) internal returns (uint256) {
        vm.prank(who);
        return pool.withdraw(shares, address(token), minAmount, who);
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

    /// @dev Base rate of CoreParams per second: 2 % a year.
    uint256 internal constant BASE_RATE = 200e14 / uint256(365 days);

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
}
