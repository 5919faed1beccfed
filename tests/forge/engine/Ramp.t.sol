// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILiquidator} from "../../../interfaces/ILiquidator.sol";
import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {EngineGovernanceBase} from "../utils/EngineGovernanceBase.sol";

/// @title MarginEngineRampTest
/// @notice Maintenance ramps: a rise of a market's maintenance margin or of a collateral's maintenance haircut comes
/// into force linearly over the ramp duration, from the value in force when it is set; a fall applies at once
/// (`setMarketParams`, `setCollateralParams`, `setRampDuration`, `marketRamp`, `collateralRamp`; fixture:
/// EngineGovernanceBase with the bench long: 10 WETH of collateral, a 30 WETH long at 3,000 on market 0; OTHER holds
/// 10 WETH and nothing else, so its maintenance equity is the collateral's alone).
contract MarginEngineRampTest is EngineGovernanceBase {
    event MaintenanceRampStarted(bytes32 indexed subject, uint256 fromBps, uint256 toBps, uint256 start, uint256 end);
    event RampDurationSet(uint256 duration);

    function setUp() public override {
        super.setUp();
        _openBenchLong(TRADER);
        _deposit(OTHER, weth, 10e18);
    }

    /// @dev Warp to `at` with fresh prices (nothing else moves).
    function _at(uint256 at) internal {
        vm.warp(at);
        _restampAndUpdate();
    }

    function _wethSubject() internal view returns (bytes32) {
        return bytes32(uint256(uint160(address(weth))));
    }

    /// @notice The admin raises market 0's maintenance margin from 5 % to 40 %: nothing changes in the block of the
    /// call, half the rise is in force half a day later (22.5 %: the account is still healthy), and all of it at the
    /// end of the day, when the account is liquidatable. At once, the same rise would have made it liquidatable.
    function test_setMarketParams__rise__rampsLinearlyOverTheDuration() public {
        IMarginEngineTypes.Health memory before = engine.health(TRADER);
        assertEq(before.maintenanceMargin, 4_500e18, "5 % of 90,000");
        uint256 t0 = vm.getBlockTimestamp();
        IMarginEngineTypes.MarketParams memory p = _marketWith(4_500, 4_000);
        vm.expectEmit(address(engine));
        emit MaintenanceRampStarted(MARKET_0, 500, 4_000, t0, t0 + DAY);
        engine.setMarketParams(0, p);

        IMarginEngineTypes.Health memory h = engine.health(TRADER);
        assertEq(h.maintenanceMargin, before.maintenanceMargin, "the call alone changes nothing");
        assertEq(h.maintenanceEquity, before.maintenanceEquity, "equity unchanged");
        IMarginEngineTypes.RampState memory r = engine.marketRamp(0);
        assertEq(r.fromBps, 500, "from");
        assertEq(r.targetBps, 4_000, "target");
        assertEq(r.start, t0, "start");
        assertEq(r.end, t0 + DAY, "end");
        assertEq(r.currentBps, 500, "in force at the start");
        assertEq(uint256(_market(0).maintenanceMarginBps), 4_000, "the stored parameter is the target");

        _at(t0 + DAY / 2);
        assertEq(engine.marketRamp(0).currentBps, 2_250, "half way");
        h = engine.health(TRADER);
        assertEq(h.maintenanceMargin, 20_250e18, "22.5 % of 90,000");
        assertTrue(!h.liquidatable, "healthy half way");

        _at(t0 + DAY - 1);
        assertEq(engine.marketRamp(0).currentBps, 500 + 3_500 * (DAY - 1) / DAY, "rounded down, never ahead");

        _at(t0 + DAY);
        assertEq(engine.marketRamp(0).currentBps, 4_000, "all of it at the end");
        h = engine.health(TRADER);
        assertEq(h.maintenanceMargin, 36_000e18, "40 % of 90,000");
        assertTrue(h.liquidatable, "liquidatable once the ramp is over");
    }

    /// @notice A rise set while another ramps starts from the value in force, not from the old target.
    function test_setMarketParams__riseDuringARamp__startsFromTheValueInForce() public {
        uint256 t0 = vm.getBlockTimestamp();
        engine.setMarketParams(0, _marketWith(3_500, 3_000));
        _at(t0 + DAY / 2); // 500 + 2,500 / 2 = 1,750 in force
        uint256 t1 = vm.getBlockTimestamp();
        vm.expectEmit(address(engine));
        emit MaintenanceRampStarted(MARKET_0, 1_750, 4_000, t1, t1 + DAY);
        engine.setMarketParams(0, _marketWith(4_500, 4_000));
        IMarginEngineTypes.RampState memory r = engine.marketRamp(0);
        assertEq(r.fromBps, 1_750, "from the value in force");
        assertEq(r.currentBps, 1_750, "no jump");
        _at(t1 + DAY / 4);
        assertEq(engine.marketRamp(0).currentBps, uint256(1_750) + uint256(2_250) / 4, "a quarter of the new ramp");
    }

    /// @notice A fall applies at once and ends the ramp; so does a rise to no more than the value in force.
    function test_setMarketParams__fallDuringARamp__appliesAtOnce() public {
        uint256 t0 = vm.getBlockTimestamp();
        engine.setMarketParams(0, _marketWith(3_500, 3_000));
        _at(t0 + DAY / 2); // 1,750 in force
        engine.setMarketParams(0, _marketWith(1_500, 1_000));
        IMarginEngineTypes.RampState memory r = engine.marketRamp(0);
        assertEq(r.currentBps, 1_000, "in force at once");
        assertEq(r.end, 0, "no ramp left");
        assertEq(engine.health(TRADER).maintenanceMargin, 9_000e18, "10 % of 90,000");
    }

    /// @notice Changing another parameter keeps a running ramp as it is (it cannot be restarted or stretched).
    function test_setMarketParams__unchangedTarget__keepsTheRamp() public {
        uint256 t0 = vm.getBlockTimestamp();
        engine.setMarketParams(0, _marketWith(3_500, 3_000));
        _at(t0 + DAY / 2);
        IMarginEngineTypes.MarketParams memory p = _marketWith(3_500, 3_000);
        p.tradingFeeBps = 20;
        engine.setMarketParams(0, p);
        IMarginEngineTypes.RampState memory r = engine.marketRamp(0);
        assertEq(r.start, t0, "same start");
        assertEq(r.end, t0 + DAY, "same end");
        assertEq(r.currentBps, 1_750, "same line");
    }

    /// @notice The risk manager's bounded step on a collateral's maintenance haircut ramps too: WETH 10 % -> 15 %
    /// (OTHER's 10 WETH at 3,000: 27,000 -> 26,250 half way -> 25,500).
    function test_setCollateralParams__riskManagerRise__ramps() public {
        uint256 t0 = vm.getBlockTimestamp();
        assertEq(engine.health(OTHER).maintenanceEquity, 27_000e18, "10 % haircut");
        vm.expectEmit(address(engine));
        emit MaintenanceRampStarted(_wethSubject(), 1_000, 1_500, t0, t0 + DAY);
        vm.prank(RM);
        engine.setCollateralParams(address(weth), _collateral(2_000, 1_500));
        assertEq(engine.health(OTHER).maintenanceEquity, 27_000e18, "the call alone changes nothing");
        assertEq(uint256(engine.collateralParams(address(weth)).maintHaircutBps), 1_500, "target stored");

        _at(t0 + DAY / 2);
        assertEq(engine.collateralRamp(address(weth)).currentBps, 1_250, "half way");
        assertEq(engine.health(OTHER).maintenanceEquity, 26_250e18, "valued at the haircut in force");
        _at(t0 + DAY);
        assertEq(engine.collateralRamp(address(weth)).currentBps, 1_500, "all of it");
        assertEq(engine.health(OTHER).maintenanceEquity, 25_500e18, "15 % haircut");
    }

    /// @notice A lower collateral haircut applies at once.
    function test_setCollateralParams__fall__appliesAtOnce() public {
        engine.setCollateralParams(address(weth), _collateral(1_000, 500));
        IMarginEngineTypes.RampState memory r = engine.collateralRamp(address(weth));
        assertEq(r.currentBps, 500, "in force at once");
        assertEq(r.end, 0, "no ramp");
        assertEq(engine.health(OTHER).maintenanceEquity, 28_500e18, "5 % haircut");
    }

    /// @notice The ramp duration is governance's (the timelock's), at most 30 days; 0 applies rises at once.
    function test_setRampDuration__adminOnly_bounded_zeroAppliesAtOnce() public {
        assertEq(engine.rampDuration(), DAY, "a day by default");
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", RM, bytes32(0)));
        vm.prank(RM);
        engine.setRampDuration(0);
        vm.expectRevert(_bounds("rampDuration", 30 days + 1, 0, 30 days));
        engine.setRampDuration(30 days + 1);

        vm.expectEmit(address(engine));
        emit RampDurationSet(0);
        engine.setRampDuration(0);
        engine.setMarketParams(0, _marketWith(4_500, 4_000));
        assertEq(engine.marketRamp(0).currentBps, 4_000, "at once");
        assertTrue(engine.health(TRADER).liquidatable, "liquidatable at once without a ramp");
    }

    /// @notice The Liquidator's rule "the largest penalty stays below every market's maintenance margin" reads the
    /// value in force: while both markets ramp from 5 % to 20 %, a 10 % penalty is refused; once they are over, it is
    /// accepted.
    function test_liquidatorPenalty__whileRamping__boundedByTheValueInForce() public {
        uint256 t0 = vm.getBlockTimestamp();
        engine.setMarketParams(0, _marketWith(2_500, 2_000));
        IMarginEngineTypes.MarketParams memory p = _market(1);
        (p.initialMarginBps, p.maintenanceMarginBps) = (2_500, 2_000);
        engine.setMarketParams(1, p);
        ILiquidator.Params memory params = ILiquidator.Params(5_000, 5_000, 1_000, 1_000, 3_000, 1_000_000, 50e18);
        vm.expectRevert(_bounds("maxPenaltyBps", 1_000, 1_000, 499));
        liquidator.setParams(params);
        _at(t0 + DAY);
        liquidator.setParams(params);
        assertEq(liquidator.params().maxPenaltyBps, 1_000, "set once the ramps are over");
    }
}
