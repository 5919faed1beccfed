// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {MarginEngine} from "../../../contracts/MarginEngine.sol";
import {MarginEngineGovernance} from "../../../contracts/MarginEngineGovernance.sol";
import {MarginEngineStorage} from "../../../contracts/base/MarginEngineStorage.sol";
import {MarginEngineBase} from "./MarginEngineBase.sol";

/// @title EngineGovernanceBase
/// @notice The bench core for the MarginEngine's governance (MarginEngineGovernance): initialization, listing limits, parameter
/// bounds and the risk manager's bounded, spaced steps. The test contract is admin, risk manager and guardian; RM is a
/// risk manager only.
abstract contract EngineGovernanceBase is MarginEngineBase {
    address internal constant RM = address(0x7777);

    uint256 internal constant DAY = 1 days;

    bytes32 internal constant MARKET_0 = bytes32(uint256(1) << 255);

    function setUp() public virtual override {
        super.setUp();
        MarginEngineGovernance admin = MarginEngineGovernance(address(engine));
        admin.grantRole(admin.RISK_MANAGER_ROLE(), RM);
    }

    function _bounds(bytes32 name, uint256 value, uint256 min, uint256 max) internal pure returns (bytes memory) {
        return abi.encodeWithSignature("ParamOutOfBounds(bytes32,uint256,uint256,uint256)", name, value, min, max);
    }

    function _collateral(uint16 initial, uint16 maint)
        internal
        pure
        returns (IMarginEngineTypes.CollateralParams memory)
    {
        return IMarginEngineTypes.CollateralParams(initial, maint, COLLATERAL_STRESS_BPS, CAP);
    }

    /// @dev Market 0's parameters with other fractions (reads the engine: build it before `vm.expectRevert`).
    function _marketWith(uint16 imf, uint16 mmf) internal view returns (IMarginEngineTypes.MarketParams memory p) {
        p = _market(0);
        (p.initialMarginBps, p.maintenanceMarginBps) = (imf, mmf);
    }

    /// @dev The risk manager sets market 0's maintenance fraction to `mmf` (parameters read before the prank).
    function _stepMarket(uint16 mmf) internal {
        IMarginEngineTypes.MarketParams memory p = _marketWith(1_000, mmf);
        vm.prank(RM);
        engine.setMarketParams(0, p);
        assertEq(uint256(_market(0).maintenanceMarginBps), mmf, "stepped");
    }
}
