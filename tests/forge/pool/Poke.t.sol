// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {WeightFeePoolBase} from "../utils/WeightFeePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolPokeTest
/// @notice `Pool.poke`: the borrow rate refresh (fixture: StandalonePoolBase).
contract PoolPokeTest is StandalonePoolBase {
    /// @notice A Pool with no asset listed values to zero and pokes at the base rate.
    function test_poke__noAssetListed__baseRate() public {
        IPool p = _newPool(address(usdc));
        p.poke();
        assertEq(p.ratePerSecond(), BASE_RATE, "base rate");
        assertEq(p.nav(false), 0, "no value");
        assertEq(p.utilization(), 0, "no utilization");
    }
}

/// @title PoolPokeWeightFeeTest
/// @notice `Pool.poke` in the balanced pool of three assets, against an independent statement of the kinked rate model
/// and of compounding (fixture: WeightFeePoolBase).
contract PoolPokeWeightFeeTest is WeightFeePoolBase {
    /// @notice With 1,000,000 USD reserved a poke sets the model's rate at the utilization; the borrow index then
    /// compounds at that rate, rounded up, over each period between accruals (one block to a loss, then 30 days),
    /// and the debt is the scaled debt at the index.
    function test_poke__reservedPayouts__setsTheModelRateAndTheIndexCompoundsAtIt() public {
        _seedBalanced();
        stubReserved = 1_000_000e18;
        pool.poke();
        uint256 rate = _modelRatePerSecond(pool.utilization());
        assertGt(rate, BASE_RATE, "above the base rate");
        assertEq(pool.ratePerSecond(), rate, "the model's rate");
        uint256 index0 = pool.borrowIndex();
        vm.warp(vm.getBlockTimestamp() + 12);
        pool.receiveLoss(0, 100_000e6);
        uint256 index1 = index0 + (index0 * rate * 12 + WAD - 1) / WAD;
        assertEq(pool.borrowIndex(), index1, "one block of interest");
        assertEq(pool.ratePerSecond(), rate, "a loss leaves the rate");
        vm.warp(vm.getBlockTimestamp() + 30 days);
        uint256 index2 = index1 + (index1 * rate * 30 days + WAD - 1) / WAD;
        assertEq(pool.borrowIndex(), index2, "30 days more");
        assertEq(pool.totalDebt(), pool.totalScaledDebt() * index2 / WAD, "the debt at the index");
        assertGt(pool.totalDebt(), 100_000e6, "grown");
    }

    /// @notice 1,750,000 USD reserved takes utilization above the 80 % kink: the rate is the model's second slope.
    function test_poke__utilizationAboveTheKink__secondSlope() public {
        _seedBalanced();
        stubReserved = 1_750_000e18;
        pool.poke();
        uint256 u = pool.utilization();
        assertGt(u, 8e17, "above the kink");
        assertEq(pool.ratePerSecond(), _modelRatePerSecond(u), "the model's rate");
    }
}
