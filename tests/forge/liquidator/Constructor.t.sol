// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsuranceFund} from "../../../interfaces/IInsuranceFund.sol";
import {ILiquidator} from "../../../interfaces/ILiquidator.sol";
import {IMarginEngine, IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IOracleAggregator} from "../../../interfaces/IOracleAggregator.sol";
import {Liquidator} from "../../../contracts/Liquidator.sol";
import {EngineFixture} from "../utils/EngineFixture.sol";
import {LiquidatorBase} from "../utils/LiquidatorBase.sol";
import {Vm} from "../utils/Vm.sol";

/// @title LiquidatorConstructorTest
/// @notice the Liquidator's constructor (fixture: LiquidatorBase).
contract LiquidatorConstructorTest is LiquidatorBase {
    /// @notice The constructor checks the absolute bounds but never calls the engine: the core is deployed at predicted
    /// addresses in any order, so the engine may not exist yet.
    function test_constructor__engineNotDeployedYet__deploys() public {
        address me = address(this);
        IMarginEngine future = IMarginEngine(address(0xdead));
        IInsuranceFund fund = IInsuranceFund(address(insurance));
        Liquidator.Wiring memory w = Liquidator.Wiring(lock, future, pool, fund, oracle, address(usdc), me, me);
        Liquidator fresh = new Liquidator(w, _params(5_000, 5_000, 100, 3_000));
        assertEq(address(fresh.engine()), address(0xdead), "wired to the future engine");
        vm.expectRevert(
            abi.encodeWithSignature(
                "ParamOutOfBounds(bytes32,uint256,uint256,uint256)", bytes32("penaltyBps"), 1_001, 0, 1_000
            )
        );
        new Liquidator(w, _params(5_000, 5_000, 1_001, 3_000));
    }
}
