// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../interfaces/IMarginEngine.sol";
import {MarginEngine} from "../../contracts/MarginEngine.sol";
import {MarginEngineExtension} from "../../contracts/MarginEngineExtension.sol";
import {MarginEngineStorage} from "../../contracts/base/MarginEngineStorage.sol";
import {MarginEngineUnitBase} from "./MarginEngineUnit.t.sol";

/// @title MarginEngineUnitAdminTest
/// @notice Unit tests of the MarginEngineExtension's governance (mutation campaign; line numbers of
/// contracts/MarginEngineExtension.sol): initialization, listing limits, parameter bounds and the risk manager's
/// bounded, spaced steps. The test contract is admin, risk manager and guardian; RM is a risk manager only.
contract MarginEngineUnitAdminTest is MarginEngineUnitBase {
    address internal constant RM = address(0x7777);
    uint256 internal constant DAY = 1 days;
    bytes32 internal constant MARKET_0 = bytes32(uint256(1) << 255);

    function setUp() public override {
        super.setUp();
        MarginEngineExtension admin = MarginEngineExtension(address(engine));
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

    // ---------------------------------------------------------------- initialize

    /// @notice `initialize` runs only in the engine's constructor: called on the extension itself, or on the
    /// deployed engine (through its fallback), it reverts (line 43).
    function test_initialize__afterDeployment__reverts() public {
        MarginEngineStorage.Wiring memory w = MarginEngineStorage.Wiring(
            lock, oracle, pool, address(liquidator), address(insurance), OTHER, OTHER, OTHER
        );
        address extension = MarginEngine(payable(address(engine))).extension();
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", address(this)));
        MarginEngineExtension(extension).initialize(w, 0, 9_000, 0);
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", address(this)));
        MarginEngineExtension(address(engine)).initialize(w, 0, 9_000, 0);
        assertEq(engine.insuranceFeeShareBps(), INSURANCE_FEE_SHARE_BPS, "settings kept");
    }

    // ---------------------------------------------------------------- listing

    /// @notice The settlement asset and an asset already listed cannot be listed as collateral (line 55).
    function test_listCollateral__settlementOrListed__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("CollateralAlreadyListed(address)", address(usdc)));
        _listCollateral(address(usdc));
        vm.expectRevert(abi.encodeWithSignature("CollateralAlreadyListed(address)", address(weth)));
        _listCollateral(address(weth));
        assertEq(engine.collateralAssets().length, 2, "two collateral assets");
    }

    /// @notice Sixteen markets at most: the seventeenth reverts (line 91).
    function test_listMarket__seventeenth__reverts() public {
        for (uint256 i = 2; i < 16; ++i) {
            _listMarket(address(weth), 1e16);
        }
        assertEq(engine.marketCount(), 16, "sixteen");
        vm.expectRevert(_bounds("marketCount", 17, 0, 16));
        _listMarket(address(weth), 1e16);
    }

    /// @notice A maintenance fraction at or below the liquidation penalty (100 bps) is refused; just above is fine
    /// (line 164).
    function test_listMarket__mmfAtPenalty__reverts() public {
        IMarginEngineTypes.MarketParams memory p = _marketWith(1_000, 100);
        vm.expectRevert(_bounds("maintenanceMarginBps", 100, 101, 5_000));
        engine.listMarket(p);
        assertEq(engine.listMarket(_marketWith(1_000, 101)), 2, "listed above the penalty");
    }

    // ---------------------------------------------------------------- bounds

    /// @notice Values outside their bounds revert with the bounds, above and below (line 186).
    function test_bounded__outside__reverts() public {
        vm.expectRevert(_bounds("insuranceFeeShareBps", 10_001, 0, 10_000));
        engine.setInsuranceFeeShare(10_001);
        vm.expectRevert(_bounds("adlThresholdBps", 999, 1_000, 10_000));
        engine.setAdlParams(999, 0);
        engine.setAdlParams(1_000, 999);
        (uint256 threshold, uint256 target) = engine.adlParams();
        assertEq(threshold * 10_000 + target, 1_000 * 10_000 + 999, "at the bounds");
    }

    /// @notice A market's asset cannot change; its other parameters can (line 105).
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

    // ---------------------------------------------------------------- risk steps: collateral

    /// @notice The admin changes haircuts by any amount; the risk manager by at most 500 bps either way; anyone else
    /// not at all (lines 77, 170).
    function test_setCollateralParams__roles__bounded() public {
        engine.setCollateralParams(address(wbtc), _collateral(2_500, 2_000));
        assertEq(uint256(engine.collateralParams(address(wbtc)).maintHaircutBps), 2_000, "admin: any step");
        vm.expectRevert(_bounds("maintHaircutBps", 2_600, 1_500, 2_500));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(3_000, 2_600));
        vm.expectRevert(_bounds("maintHaircutBps", 1_400, 1_500, 2_500));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(2_500, 1_400));
        vm.expectRevert(
            abi.encodeWithSignature(
                "AccessControlUnauthorizedAccount(address,bytes32)", OTHER, keccak256("RISK_MANAGER_ROLE")
            )
        );
        vm.prank(OTHER);
        engine.setCollateralParams(address(wbtc), _collateral(2_500, 2_000));
    }

    /// @notice From a zero haircut the risk manager's lower bound is zero (line 170).
    function test_setCollateralParams__fromZero__lowerBoundZero() public {
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 0));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 100));
        assertEq(uint256(engine.collateralParams(address(wbtc)).maintHaircutBps), 100, "stepped from zero");
    }

    /// @notice Tightening only the maintenance haircut is a tightening step: the next one on the same asset waits
    /// a day (lines 80, 81, 179).
    function test_setCollateralParams__tightenTwice__spaced() public {
        uint256 t0 = vm.getBlockTimestamp();
        bytes32 subject = bytes32(uint256(uint160(address(wbtc))));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 1_200));
        vm.expectRevert(abi.encodeWithSignature("RiskStepTooSoon(bytes32,uint256)", subject, t0 + DAY));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 1_300));
        vm.warp(t0 + DAY - 1);
        vm.expectRevert(abi.encodeWithSignature("RiskStepTooSoon(bytes32,uint256)", subject, t0 + DAY));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 1_300));
        vm.warp(t0 + DAY);
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 1_300));
        assertEq(uint256(engine.collateralParams(address(wbtc)).maintHaircutBps), 1_300, "a day later");
    }

    /// @notice Loosening steps are not spaced (line 81).
    function test_setCollateralParams__loosenTwice__notSpaced() public {
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_500, 900));
        vm.prank(RM);
        engine.setCollateralParams(address(wbtc), _collateral(1_400, 800));
        IMarginEngineTypes.CollateralParams memory c = engine.collateralParams(address(wbtc));
        assertEq(uint256(c.maintHaircutBps) * 10_000 + c.initialHaircutBps, 800 * 10_000 + 1_400, "loosened twice");
    }

    // ---------------------------------------------------------------- risk steps: markets

    /// @notice The admin changes fractions by any amount; the risk manager by at most 500 bps (line 106).
    function test_setMarketParams__roles__bounded() public {
        IMarginEngineTypes.MarketParams memory p = _marketWith(1_200, 1_100);
        vm.expectRevert(_bounds("maintenanceMarginBps", 1_100, 0, 1_000));
        vm.prank(RM);
        engine.setMarketParams(0, p);
        engine.setMarketParams(0, _marketWith(2_000, 1_500));
        assertEq(uint256(_market(0).maintenanceMarginBps), 1_500, "admin: any step");
    }

    /// @notice Tightening only the maintenance fraction is a tightening step: the next one waits a day; loosening
    /// steps are not spaced (lines 109, 110).
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

    /// @dev The risk manager sets market 0's maintenance fraction to `mmf` (parameters read before the prank).
    function _stepMarket(uint16 mmf) internal {
        IMarginEngineTypes.MarketParams memory p = _marketWith(1_000, mmf);
        vm.prank(RM);
        engine.setMarketParams(0, p);
        assertEq(uint256(_market(0).maintenanceMarginBps), mmf, "stepped");
    }
}
