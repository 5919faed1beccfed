// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";

/// @title OptionsSetRiskParamsTest
/// @notice `OptionsBook.setRiskParams`: governance sets the spread and margin parameters, each within its bound
/// (fixture: OptionsBase).
contract OptionsSetRiskParamsTest is OptionsBase {
    /// @notice Valid parameters (every field at a bound) are stored and announced.
    function test_setRiskParams__atTheBounds__storedAndAnnounced() public {
        IOptionsBookTypes.RiskParams memory p =
            IOptionsBookTypes.RiskParams(1_000, 2_000, 5_000, 500, 9_000, 9_000, 10_000, 2_000);
        vm.expectEmit(false, false, false, true, address(book));
        emit IOptionsBookTypes.RiskParamsSet(p);
        book.setRiskParams(p);
        IOptionsBookTypes.RiskParams memory got = book.riskParams();
        assertEq(got.baseSpreadBps, 1_000, "base");
        assertEq(got.slopeBps, 2_000, "slope");
        assertEq(got.maxSpreadBps, 5_000, "max spread");
        assertEq(got.marginShockBps, 500, "margin shock");
        assertEq(got.stressShockBps, 9_000, "stress shock");
        assertEq(got.volShockBps, 9_000, "vol shock");
        assertEq(got.maintenanceRatioBps, 10_000, "maintenance ratio");
        assertEq(got.shortFloorBps, 2_000, "short floor");
        p = IOptionsBookTypes.RiskParams(0, 0, 0, 9_000, 1_000, 1_000, 3_000, 50);
        book.setRiskParams(p);
        assertEq(book.riskParams().maxSpreadBps, 0, "the lower bounds");
        assertEq(book.riskParams().shortFloorBps, 50, "the least short floor");
    }

    /// @notice Each field one past its bound reverts ParamOutOfBounds(name, value, min, max); the maximum spread's
    /// lower bound is the base spread.
    function test_setRiskParams__eachBound__reverts() public {
        IOptionsBookTypes.RiskParams memory p = _params();
        p.baseSpreadBps = 1_001;
        p.maxSpreadBps = 2_000;
        _expectParamOutOfBounds("baseSpreadBps", 1_001, 0, 1_000);
        book.setRiskParams(p);

        p = _params();
        p.slopeBps = 2_001;
        _expectParamOutOfBounds("slopeBps", 2_001, 0, 2_000);
        book.setRiskParams(p);

        p = _params();
        p.maxSpreadBps = BASE_SPREAD_BPS - 1;
        _expectParamOutOfBounds("maxSpreadBps", BASE_SPREAD_BPS - 1, BASE_SPREAD_BPS, 5_000);
        book.setRiskParams(p);
        p.maxSpreadBps = 5_001;
        _expectParamOutOfBounds("maxSpreadBps", 5_001, BASE_SPREAD_BPS, 5_000);
        book.setRiskParams(p);

        p = _params();
        p.marginShockBps = 499;
        _expectParamOutOfBounds("marginShockBps", 499, 500, 9_000);
        book.setRiskParams(p);
        p.marginShockBps = 9_001;
        _expectParamOutOfBounds("marginShockBps", 9_001, 500, 9_000);
        book.setRiskParams(p);

        p = _params();
        p.stressShockBps = 999;
        _expectParamOutOfBounds("stressShockBps", 999, 1_000, 9_000);
        book.setRiskParams(p);
        p.stressShockBps = 9_001;
        _expectParamOutOfBounds("stressShockBps", 9_001, 1_000, 9_000);
        book.setRiskParams(p);

        p = _params();
        p.volShockBps = 999;
        _expectParamOutOfBounds("volShockBps", 999, 1_000, 9_000);
        book.setRiskParams(p);
        p.volShockBps = 9_001;
        _expectParamOutOfBounds("volShockBps", 9_001, 1_000, 9_000);
        book.setRiskParams(p);

        p = _params();
        p.maintenanceRatioBps = 2_999;
        _expectParamOutOfBounds("maintenanceRatioBps", 2_999, 3_000, 10_000);
        book.setRiskParams(p);
        p.maintenanceRatioBps = 10_001;
        _expectParamOutOfBounds("maintenanceRatioBps", 10_001, 3_000, 10_000);
        book.setRiskParams(p);

        p = _params();
        p.shortFloorBps = 49;
        _expectParamOutOfBounds("shortFloorBps", 49, 50, 2_000);
        book.setRiskParams(p);
        p.shortFloorBps = 2_001;
        _expectParamOutOfBounds("shortFloorBps", 2_001, 50, 2_000);
        book.setRiskParams(p);
        p.shortFloorBps = 0;
        _expectParamOutOfBounds("shortFloorBps", 0, 50, 2_000);
        book.setRiskParams(p);

        assertEq(book.riskParams().maintenanceRatioBps, MAINTENANCE_RATIO_BPS, "unchanged");
        assertEq(book.riskParams().shortFloorBps, SHORT_FLOOR_BPS, "floor unchanged");
    }

    /// @notice Anyone but governance (the risk manager included) reverts AccessControlUnauthorizedAccount.
    function test_setRiskParams__notAdmin__reverts() public {
        book.grantRole(book.RISK_MANAGER_ROLE(), OTHER);
        _expectRoleRevert(OTHER, bytes32(0));
        vm.prank(OTHER);
        book.setRiskParams(_params());
    }
}
