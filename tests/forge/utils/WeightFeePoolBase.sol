// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {StandalonePoolBase} from "./StandalonePoolBase.sol";
import {Vm} from "./Vm.sol";

/// @title WeightFeePoolBase
/// @notice StandalonePoolBase with three assets of 6, 8 and 18 decimals and weight fees: USDC (1 USD) at a 50 % target,
/// WETH (3,000 USD) and WBTC (60,000 USD, 8 decimals) at 25 % each, every one with a 30 bps base fee, a 50 bps tax and
/// a 100 % maximum weight. `_seedBalanced` makes it the balanced pool of 2,000,000 USD. Independent statements of the
/// documented rules (the weight fee, the kinked rate model, asset values) let tests check the Pool's figures against
/// them rather than against its own libraries.
abstract contract WeightFeePoolBase is StandalonePoolBase {
    uint16 internal constant BASE_FEE_BPS = 30;
    uint16 internal constant TAX_FEE_BPS = 50;

    function setUp() public virtual override {
        super.setUp();
        wbtc = _newAsset("WBTC", 8, 60_000e18);
        pool.setAssetParams(address(usdc), _params(5_000, 10_000, BASE_FEE_BPS, TAX_FEE_BPS, CAP));
        pool.setAssetParams(address(weth), _params(2_500, 10_000, BASE_FEE_BPS, TAX_FEE_BPS, CAP));
        pool.listAsset(address(wbtc), _params(2_500, 10_000, BASE_FEE_BPS, TAX_FEE_BPS, CAP));
    }

    /// @notice LP deposits 1,000,000 USD of USDC, then 500,000 USD of WBTC and of WETH; the cooldown is then over.
    function _seedBalanced() internal {
        _lp(LP, usdc, _units(usdc, 1_000_000));
        _lp(LP, wbtc, _units(wbtc, 500_000));
        _lp(LP, weth, _units(weth, 500_000));
        vm.warp(vm.getBlockTimestamp() + LP_COOLDOWN + 1);
    }

    /// @notice The three pool assets, in a fixed order (USDC, WBTC, WETH).
    function _token(uint256 i) internal view returns (MockERC20) {
        return i == 0 ? usdc : i == 1 ? wbtc : weth;
    }

    // ---------------------------------------------------------------- independent statements of the rules

    /// @notice The feed price of `token` in whole USD.
    function _priceUsd(MockERC20 token) internal view returns (uint256) {
        return token == usdc ? 1 : token == wbtc ? 60_000 : 3_000;
    }

    /// @notice `usd` whole USD of `token`, in its units (rounded down).
    function _units(MockERC20 token, uint256 usd) internal view returns (uint256) {
        return usd * 10 ** token.decimals() / _priceUsd(token);
    }

    /// @notice The USD value (WAD) of `amount` units of `token` at its feed price.
    function _valueOf(MockERC20 token, uint256 amount) internal view returns (uint256) {
        return amount * _priceUsd(token) * WAD / 10 ** token.decimals();
    }

    /// @notice The USD value (WAD) of every reserve at the feed prices.
    function _reserveValue() internal view returns (uint256 total) {
        for (uint256 i = 0; i < 3; ++i) {
            total += _valueOf(_token(i), pool.reserves(address(_token(i))));
        }
    }

    /// @notice The documented weight fee (bps) of a move from weight `before` to `after` (bps): toward the target the
    /// base fee less the tax times the distance gained over the target; away from it the base fee plus the tax times
    /// the average distance (capped at the target) over the target, rounded up.
    function _modelWeightFeeBps(uint256 before, uint256 after_, uint256 target, uint256 base, uint256 tax)
        internal
        pure
        returns (uint256)
    {
        uint256 d0 = before > target ? before - target : target - before;
        uint256 d1 = after_ > target ? after_ - target : target - after_;
        if (d1 < d0) {
            if (target == 0) return 0;
            uint256 rebate = tax * (d0 - d1) / target;
            return rebate > base ? 0 : base - rebate;
        }
        if (target == 0) return base + tax;
        uint256 avg = (d0 + d1) / 2;
        if (avg > target) avg = target;
        return base + (tax * avg + target - 1) / target;
    }

    /// @notice The fee (bps) the model charges for adding (`adding`) or removing `amount` of `token` now, with weights
    /// of the reserves at the feed prices.
    function _modelFeeBps(MockERC20 token, uint256 amount, bool adding) internal view returns (uint256) {
        uint256 total = _reserveValue();
        uint256 before = _valueOf(token, pool.reserves(address(token)));
        uint256 delta = _valueOf(token, amount);
        uint256 w0 = total == 0 ? 0 : before * 10_000 / total;
        uint256 w1 = adding ? (before + delta) * 10_000 / (total + delta) : (before - delta) * 10_000 / (total - delta);
        uint16 target = pool.assetParams(address(token)).targetWeightBps;
        return _modelWeightFeeBps(w0, w1, target, BASE_FEE_BPS, TAX_FEE_BPS);
    }

    /// @notice `gross` less its fee of `feeBps`, the fee rounded up.
    function _lessFee(uint256 gross, uint256 feeBps) internal pure returns (uint256) {
        return gross - (gross * feeBps + 9_999) / 10_000;
    }

    /// @notice The documented kinked rate model of CoreParams (2 % base, +10 % up to the 80 % kink, +150 % above it),
    /// per second, at utilization `u` (WAD).
    function _modelRatePerSecond(uint256 u) internal pure returns (uint256) {
        uint256 annual;
        if (u <= 8_000e14) {
            annual = 200e14 + 1_000 * u / 8_000;
        } else {
            uint256 excess = (u > WAD ? WAD : u) - 8_000e14;
            annual = 1_200e14 + 15_000 * excess / 2_000;
        }
        return annual / 365 days;
    }

    /// @notice The data of the last log with `topic0` the Pool emitted among `logs`.
    function _poolLog(Vm.Log[] memory logs, bytes32 topic0) internal view returns (bytes memory data) {
        for (uint256 k = logs.length; k > 0; --k) {
            if (logs[k - 1].emitter == address(pool) && logs[k - 1].topics[0] == topic0) return logs[k - 1].data;
        }
        revert("no such Pool log");
    }
}
