// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {InsuranceFund} from "../../../contracts/InsuranceFund.sol";
import {EngineFixture} from "./EngineFixture.sol";
import {Vm} from "./Vm.sol";

/// @title CoreFlowBase
/// @notice The bench core (EngineFixture) with the Pool seeded at 1,000,000 USD of each asset, for deterministic flows
/// through the whole core: each step must succeed and move the books by exactly the amounts it should (the invariant
/// campaign tolerates reverts, so it cannot pin a path that should not revert). TRADER trades; OTHER funds the
/// InsuranceFund.
abstract contract CoreFlowBase is EngineFixture {
    function setUp() public {
        _deploySeededBenchCore();
        _nextBlock();
    }

    /// @dev OTHER funds the InsuranceFund with `amount` USDC.
    function _fundInsurance(uint256 amount) internal {
        _fundInsuranceFrom(OTHER, amount, "seed");
    }

    /// @dev WETH wei worth `usd` at 2,400 (the upper liquidation price of these tests), rounded up.
    function _wethFor(uint256 usd) internal pure returns (uint256) {
        return (usd * 1e18 + 2_400e18 - 1) / 2_400e18;
    }
}
