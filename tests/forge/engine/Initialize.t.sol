// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {MarginEngine} from "../../../contracts/MarginEngine.sol";
import {MarginEngineExtension} from "../../../contracts/MarginEngineExtension.sol";
import {MarginEngineGovernance} from "../../../contracts/MarginEngineGovernance.sol";
import {MarginEngineStorage} from "../../../contracts/base/MarginEngineStorage.sol";
import {EngineGovernanceBase} from "../utils/EngineGovernanceBase.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";

/// @title MarginEngineInitializeTest
/// @notice `MarginEngine.initialize`: only once, at deployment (fixture: EngineGovernanceBase).
contract MarginEngineInitializeTest is EngineGovernanceBase {
    /// @notice `initialize` runs only in the engine's constructor: called on the governance contract itself, on the
    /// extension (through its fallback), or on the deployed engine (through both fallbacks), it reverts.
    function test_initialize__afterDeployment__reverts() public {
        MarginEngineStorage.Wiring memory w = MarginEngineStorage.Wiring(
            lock, oracle, pool, address(liquidator), address(insurance), OTHER, OTHER, OTHER
        );
        address extension = MarginEngine(payable(address(engine))).extension();
        address governance = MarginEngineExtension(payable(extension)).governance();
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", address(this)));
        MarginEngineGovernance(governance).initialize(w, 0, 9_000, 0);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", address(this)));
        MarginEngineGovernance(extension).initialize(w, 0, 9_000, 0);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", address(this)));
        MarginEngineGovernance(address(engine)).initialize(w, 0, 9_000, 0);
        assertEq(engine.insuranceFeeShareBps(), INSURANCE_FEE_SHARE_BPS, "settings kept");
    }
}
