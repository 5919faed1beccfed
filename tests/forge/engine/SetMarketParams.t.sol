// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {MarginEngine} from "../../../contracts/MarginEngine.sol";
import {MarginEngineGovernance} from "../../../contracts/MarginEngineGovernance.sol";
import {MarginEngineStorage} from "../../../contracts/base/MarginEngineStorage.sol";
import {EngineGovernanceBase} from "../utils/EngineGovernanceBase.sol";
import {MarginEngineBase} from "../utils/MarginEngineBase.sol";

/// @title MarginEngineSetMarketParamsTest
/// @notice `MarginEngine.setMarketParams`: roles, bounds and spaced tightening steps (fixture: EngineGovernanceBase).
contract MarginEngineSetMarketParamsTest is EngineGovernanceBase {
    /// @notice A market's asset cannot change; its other parameters can.
    function test_setMarketParams__assetChange__reverts() public {
        IMarginEngineTypes.MarketParams memory p = _market(0);
        p.asset = address(wbtc);
        vm.expectRevert(_bounds("asset", 0, 0, 0));
        engine.setMarketParams(0, p);
        p.asset = address(weth);
        p.tradingFeeBps = 20;
        engine.setMarketParams(0, p);
        assertEq(uint256(_market(0).tradingFeeBps), 20, "set");
    }

    /// @notice The admin changes fractions by any amount; the risk manager by at most 500 bps.
    function test_setMarketParams__roles__bounded() public {
        IMarginEngineTypes.MarketParams memory p = _marketWith(1_200, 1_100);
        vm.expectRevert(_bounds("maintenanceMarginBps", 1_100, 0, 1_000));
        vm.prank(RM);
        engine.setMarketParams(0, p);
        engine.setMarketParams(0, _marketWith(2_000, 1_500));
        assertEq(uint256(_market(0).maintenanceMarginBps), 1_500, "admin: any step");
    }

    /// @notice Tightening only the maintenance fraction is a tightening step: the next one waits a day; loosening steps
    /// are not spaced.
    function test_setMarketParams__tightenTwice__spaced() public {
        uint256 t0 = vm.getBlockTimestamp();
        _stepMarket(450);
        _stepMarket(400);
        _stepMarket(600);
        IMarginEngineTypes.MarketParams memory p = _marketWith(1_000, 700);
        vm.expectRevert(abi.encodeWithSignature("RiskStepTooSoon(bytes32,uint256)", MARKET_0, t0 + DAY));
        vm.prank(RM);
        engine.setMarketParams(0, p);
        assertEq(uint256(_market(0).maintenanceMarginBps), 600, "one tightening");
    }
}
