// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IErrors} from "../../../interfaces/IErrors.sol";
import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {OptionsBook} from "../../../contracts/products/OptionsBook.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";

/// @title OptionsConstructorTest
/// @notice `OptionsBook`'s constructor: wiring from the engine, roles, the settlement window's bounds and the risk
/// parameters (fixture: OptionsBase).
contract OptionsConstructorTest is OptionsBase {
    /// @notice The book reads its oracle from the engine, keeps the settlement window and the parameters, grants the
    /// admin and risk-manager roles, and announces the parameters.
    function test_constructor__valid__wiredAndParametrized() public {
        vm.expectEmit(false, false, false, true);
        emit IOptionsBookTypes.RiskParamsSet(_params());
        OptionsBook b = new OptionsBook(address(engine), OTHER, TRADER, _params(), SETTLEMENT_WINDOW);
        assertEq(b.engine(), address(engine), "engine");
        assertEq(address(b.oracle()), address(oracle), "the engine's oracle");
        assertEq(uint256(b.settlementWindow()), SETTLEMENT_WINDOW, "settlement window");
        assertTrue(b.hasRole(b.DEFAULT_ADMIN_ROLE(), OTHER), "admin");
        assertTrue(b.hasRole(b.RISK_MANAGER_ROLE(), TRADER), "risk manager");
        assertTrue(!b.hasRole(b.DEFAULT_ADMIN_ROLE(), address(this)), "the deployer holds no role");
        IOptionsBookTypes.RiskParams memory p = b.riskParams();
        assertEq(p.maintenanceRatioBps, MAINTENANCE_RATIO_BPS, "params stored");
        assertEq(p.marginShockBps, MARGIN_SHOCK_BPS, "margin shock");
        assertEq(p.shortFloorBps, SHORT_FLOOR_BPS, "short floor");
        assertEq(b.seriesCount(), 0, "no series");
    }

    /// @notice A zero engine, admin or risk manager reverts ZeroAddress.
    function test_constructor__zeroAddress__reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IErrors.ZeroAddress.selector));
        new OptionsBook(address(0), OTHER, OTHER, _params(), SETTLEMENT_WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IErrors.ZeroAddress.selector));
        new OptionsBook(address(engine), address(0), OTHER, _params(), SETTLEMENT_WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IErrors.ZeroAddress.selector));
        new OptionsBook(address(engine), OTHER, address(0), _params(), SETTLEMENT_WINDOW);
    }

    /// @notice The settlement window lies in [the oracle's minimum TWAP window, 1 day]: each bound is accepted, one
    /// second outside reverts ParamOutOfBounds with the bounds.
    function test_constructor__settlementWindowBounds__enforced() public {
        uint32 max = 1 days;
        _expectParamOutOfBounds("settlementWindow", MIN_TWAP_WINDOW - 1, MIN_TWAP_WINDOW, max);
        new OptionsBook(address(engine), OTHER, OTHER, _params(), MIN_TWAP_WINDOW - 1);
        _expectParamOutOfBounds("settlementWindow", uint256(max) + 1, MIN_TWAP_WINDOW, max);
        new OptionsBook(address(engine), OTHER, OTHER, _params(), max + 1);
        assertEq(
            uint256(new OptionsBook(address(engine), OTHER, OTHER, _params(), MIN_TWAP_WINDOW).settlementWindow()),
            MIN_TWAP_WINDOW,
            "minimum"
        );
        assertEq(
            uint256(new OptionsBook(address(engine), OTHER, OTHER, _params(), max).settlementWindow()), max, "maximum"
        );
    }

    /// @notice Risk parameters out of bounds revert at construction as in `setRiskParams`.
    function test_constructor__riskParamsOutOfBounds__reverts() public {
        IOptionsBookTypes.RiskParams memory p = _params();
        p.maintenanceRatioBps = 2_999;
        _expectParamOutOfBounds("maintenanceRatioBps", 2_999, 3_000, 10_000);
        new OptionsBook(address(engine), OTHER, OTHER, p, SETTLEMENT_WINDOW);
        p = _params();
        p.shortFloorBps = 0;
        _expectParamOutOfBounds("shortFloorBps", 0, 50, 2_000);
        new OptionsBook(address(engine), OTHER, OTHER, p, SETTLEMENT_WINDOW);
    }
}
