// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPool} from "../../../interfaces/IPool.sol";
import {Pool} from "../../../contracts/Pool.sol";
import {MockERC20} from "../../../contracts/mocks/MockERC20.sol";
import {MockFeeToken} from "../../../contracts/mocks/MockTokens.sol";
import {StandalonePoolBase} from "../utils/StandalonePoolBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title PoolPokeTest
/// @notice `Pool.poke`: the borrow rate refresh (fixture: StandalonePoolBase).
contract PoolPokeTest is StandalonePoolBase {
    /// @notice A Pool with no asset listed values to zero and pokes at the base rate.
    function test_poke__noAssetListed__baseRate() public {
        Pool p = _newPool(address(usdc));
        p.poke();
        assertEq(p.ratePerSecond(), BASE_RATE, "base rate");
        assertEq(p.nav(false), 0, "no value");
        assertEq(p.utilization(), 0, "no utilization");
    }
}
