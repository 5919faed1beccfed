// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {MarginEngine} from "../../../contracts/MarginEngine.sol";
import {MarginEngineGovernance} from "../../../contracts/MarginEngineGovernance.sol";
import {MarginEngineStorage} from "../../../contracts/base/MarginEngineStorage.sol";
import {EngineGovernanceBase} from "../utils/EngineGovernanceBase.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";

/// @title MarginEngineListMarketTest
/// @notice `MarginEngine.listMarket` (fixture: EngineGovernanceBase).
contract MarginEngineListMarketTest is EngineGovernanceBase {
    /// @notice Sixteen markets at most: the seventeenth reverts.
    function test_listMarket__seventeenth__reverts() public {
        for (uint256 i = 2; i < 16; ++i) {
            _listMarket(address(weth), 1e16);
        }
        assertEq(engine.marketCount(), 16, "sixteen");
        vm.expectRevert(_bounds("marketCount", 17, 0, 16));
        _listMarket(address(weth), 1e16);
    }

    /// @notice A maintenance fraction at or below the liquidation penalty (100 bps) is refused; just above is fine.
    function test_listMarket__mmfAtPenalty__reverts() public {
        IMarginEngineTypes.MarketParams memory p = _marketWith(1_000, 100);
        vm.expectRevert(_bounds("maintenanceMarginBps", 100, 101, 5_000));
        engine.listMarket(p);
        assertEq(engine.listMarket(_marketWith(1_000, 101)), 2, "listed above the penalty");
    }
}
