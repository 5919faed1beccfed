// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngineTypes} from "../../../interfaces/IMarginEngine.sol";
import {EngineGovernanceBase} from "../utils/EngineGovernanceBase.sol";

/// @title MarginEngineIsolationTest
/// @notice Isolated collateral: a debt ceiling on what accounts holding the asset borrow or open
/// (`setCollateralIsolation`, `collateralIsolation`, `recordIsolatedDebt`, `refreshIsolatedDebt`, `isolatedDebtOf`;
/// fixture: EngineGovernanceBase, WBTC isolated with a 100,000 USD ceiling, prices 60,000 and 3,000).
contract MarginEngineIsolationTest is EngineGovernanceBase {
    event CollateralIsolationSet(address indexed asset, uint256 debtCeilingUsd);
    event IsolatedDebtRecorded(address indexed account, uint256 debtUsd, uint16 assets);

    uint256 internal constant CEILING = 100_000e18;
    /// @dev WBTC is the first collateral listed: bit 0 of the masks.
    uint16 internal constant WBTC_BIT = 1;

    function setUp() public override {
        super.setUp();
        vm.expectEmit(address(engine));
        emit CollateralIsolationSet(address(wbtc), CEILING);
        engine.setCollateralIsolation(address(wbtc), CEILING);
        _deposit(TRADER, wbtc, 2e8); // 120,000 USD
        _nextBlock();
    }

    function _debt(address asset) internal view returns (uint256 debt) {
        (, debt) = engine.collateralIsolation(asset);
    }

    /// @dev A trade of `notional` USD: its notional plus its trading fee (10 bps), which the account owes as debt when it
    /// holds no cash; within `TOLERANCE` (the debt's rounding and interest between blocks).
    function _withFee(uint256 notional) internal pure returns (uint256) {
        return notional + notional / 1_000;
    }

    uint256 internal constant TOLERANCE = 1e15;

    function _expectCeilingExceeded() internal {
        vm.expectPartialRevert(IMarginEngineTypes.DebtCeilingExceeded.selector);
    }

    /// @notice Only governance isolates an asset, only a listed one; the view reads it back.
    function test_setCollateralIsolation__adminOnly_listedOnly() public {
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", RM, bytes32(0)));
        vm.prank(RM);
        engine.setCollateralIsolation(address(weth), 1e18);
        vm.expectRevert(abi.encodeWithSignature("CollateralNotListed(address)", address(usdc)));
        engine.setCollateralIsolation(address(usdc), 1e18);
        (uint256 ceiling, uint256 debt) = engine.collateralIsolation(address(wbtc));
        assertEq(ceiling, CEILING, "ceiling");
        assertEq(debt, 0, "nothing recorded yet");
    }

    /// @notice Opening a position records its notional at entry (and the fee it owes) against the isolated asset
    /// the account holds; new risk past the ceiling reverts.
    function test_modifyPosition__isolatedCollateral__recordedAndCapped() public {
        _open(TRADER, 0, 10e18); // 10 WETH at 3,000
        assertApproxEqAbs(_debt(address(wbtc)), _withFee(30_000e18), TOLERANCE, "recorded against WBTC");
        (uint256 debt, uint16 assets) = engine.isolatedDebtOf(TRADER);
        assertEq(debt, _debt(address(wbtc)), "the account's record is the asset's debt");
        assertEq(assets, WBTC_BIT, "counted against WBTC");

        _expectCeilingExceeded();
        _open(TRADER, 0, 30e18); // 120,000 in all
        _open(TRADER, 0, 20e18); // 90,000 in all: within the ceiling
        assertApproxEqAbs(_debt(address(wbtc)), _withFee(90_000e18), TOLERANCE, "raised");
    }

    /// @notice Each record is an event with the account's debt and the isolated assets it counts against.
    function test_modifyPosition__record__emitsIsolatedDebtRecorded() public {
        vm.recordLogs();
        _open(TRADER, 0, 10e18);
        assertEq(_count(vm.getRecordedLogs(), address(engine), IsolatedDebtRecorded.selector), 1, "one record");
    }

    /// @notice The ceiling is shared by every account holding the asset; an account without it is not counted.
    function test_modifyPosition__ceilingSharedAcrossAccounts() public {
        _open(TRADER, 0, 25e18); // 75,000
        _deposit(OTHER, wbtc, 1e8);
        _nextBlock();
        _expectCeilingExceeded();
        _open(OTHER, 0, 10e18); // 105,000 in all
        _open(OTHER, 0, 5e18); // 15,000 more: 90,000
        assertApproxEqAbs(_debt(address(wbtc)), _withFee(90_000e18), TOLERANCE, "both accounts");

        address plain = address(0x9999);
        _deposit(plain, weth, 100e18);
        _nextBlock();
        _open(plain, 0, 50e18);
        assertApproxEqAbs(_debt(address(wbtc)), _withFee(90_000e18), TOLERANCE, "a WETH-only account is not counted");
        (uint256 debt, uint16 assets) = engine.isolatedDebtOf(plain);
        assertEq(debt + assets, 0, "no record");
    }

    /// @notice Borrowing (withdrawing cash beyond the credit) is debt too: it is counted at the settlement price.
    function test_withdraw__borrowAgainstIsolatedCollateral__counted() public {
        _open(TRADER, 0, 10e18); // a position, so the borrow is checked
        _withdraw(TRADER, usdc, 20_000e6);
        (uint256 debt,) = engine.isolatedDebtOf(TRADER);
        // 30,000 notional + 20,000 borrowed + the trading fee (30 USD) owed too
        assertApproxEqAbs(debt, 50_030e18, TOLERANCE, "notional and debt");
        _expectCeilingExceeded();
        _withdraw(TRADER, usdc, 55_000e6); // 105,030 in all (within the initial margin: 120,000 x 0.85 - 3,000)
    }

    /// @notice A reduction is never refused by the ceiling, even above it, and frees at once what it no longer uses;
    /// `refreshIsolatedDebt` (permissionless) frees what a repayment freed.
    function test_reduce__aboveALoweredCeiling__goesThrough_andFrees() public {
        _open(TRADER, 0, 30e18); // 90,000
        engine.setCollateralIsolation(address(wbtc), 10_000e18);
        _open(TRADER, 0, -20e18); // a reduction: no check
        // 10 WETH left at 3,000, and the fees of the open (90) and the reduce (60) owed
        assertApproxEqAbs(_debt(address(wbtc)), 30_150e18, TOLERANCE, "freed by the reduction");
        _expectCeilingExceeded();
        _open(TRADER, 0, 1e18);

        _deposit(TRADER, usdc, 150e6); // repays the fees' debt: not recorded by a deposit
        assertApproxEqAbs(_debt(address(wbtc)), 30_150e18, TOLERANCE, "a deposit records nothing");
        address[] memory accounts = new address[](1);
        accounts[0] = TRADER;
        vm.prank(OTHER);
        engine.refreshIsolatedDebt(accounts);
        assertApproxEqAbs(_debt(address(wbtc)), 30_000e18, TOLERANCE, "the refresh frees the repaid debt");
    }

    /// @notice Open, close and leave the asset in one block: nothing stays recorded to crowd others out.
    function test_openCloseLeave__oneBlock__leavesNothingRecorded() public {
        _deposit(TRADER, usdc, 1_000e6);
        _open(TRADER, 0, 33e18); // 99,000
        _open(TRADER, 0, -33e18);
        _withdraw(TRADER, wbtc, 2e8);
        assertEq(_debt(address(wbtc)), 0, "nothing left against WBTC");
        (uint256 debt, uint16 assets) = engine.isolatedDebtOf(TRADER);
        assertEq(debt + assets, 0, "no record");
        _deposit(OTHER, wbtc, 1e8);
        _nextBlock();
        _open(OTHER, 0, 10e18); // the whole ceiling is there for others
        assertApproxEqAbs(_debt(address(wbtc)), _withFee(30_000e18), TOLERANCE, "OTHER's");
    }

    /// @notice Withdrawing collateral or credit takes no new risk: above the ceiling (the asset was isolated after the
    /// account opened, its debt grew since), it still goes through and is recorded.
    function test_withdraw__noBorrow_aboveTheCeiling__goesThrough() public {
        engine.setCollateralIsolation(address(wbtc), 0);
        _deposit(TRADER, usdc, 10_000e6);
        _deposit(TRADER, weth, 10e18);
        _open(TRADER, 0, 10e18); // 30,000, not counted: WBTC is full collateral
        engine.setCollateralIsolation(address(wbtc), 20_000e18);
        _withdraw(TRADER, usdc, 1_000e6); // credit, no borrow: recorded (30,000 > 20,000), not refused
        assertApproxEqAbs(_debt(address(wbtc)), 30_000e18, TOLERANCE, "recorded over the ceiling");
        vm.warp(vm.getBlockTimestamp() + 1 hours);
        _restampAndUpdate();
        _withdraw(TRADER, weth, 1e18); // not an isolated asset, no borrow
        _withdraw(TRADER, wbtc, 1e6); // part of the isolated asset
        _expectCeilingExceeded();
        _open(TRADER, 0, 1e18); // new risk is refused
    }

    /// @notice Withdrawing other collateral so that an account's risk rests on an isolated asset it holds is recorded,
    /// not refused (the initial margin check gates it, with the isolated asset's higher haircuts); the asset's debt is
    /// then over its ceiling and new risk against it is refused, the mover's included.
    function test_withdraw__riskMovesOntoAnIsolatedAsset__recordedNotRefused() public {
        address mover = address(0x9998);
        _deposit(mover, weth, 100e18); // 300,000
        _nextBlock();
        _open(mover, 0, 50e18); // 150,000: not counted (WETH is full collateral)
        _deposit(mover, wbtc, 3e8); // 180,000 of isolated WBTC: a deposit records nothing
        _nextBlock();
        assertEq(_debt(address(wbtc)), 0, "not counted yet");
        _withdraw(mover, weth, 90e18);
        assertApproxEqAbs(_debt(address(wbtc)), _withFee(150_000e18), TOLERANCE, "counted once withdrawn");
        _expectCeilingExceeded();
        _open(mover, 0, 1e18);
        _expectCeilingExceeded();
        _open(TRADER, 0, 1e18);
    }

    /// @notice Promotion (ceiling 0) makes the asset full collateral: new risk is no longer counted, and a refresh
    /// takes the old records off it.
    function test_promotion__fullCollateral__noLongerCounted() public {
        _open(TRADER, 0, 30e18);
        engine.setCollateralIsolation(address(wbtc), 0);
        _open(TRADER, 0, 10e18); // 120,000 in all: no ceiling any more
        address[] memory accounts = new address[](1);
        accounts[0] = TRADER;
        engine.refreshIsolatedDebt(accounts);
        assertEq(_debt(address(wbtc)), 0, "off the asset");
        (uint256 debt, uint16 assets) = engine.isolatedDebtOf(TRADER);
        assertEq(debt + assets, 0, "no record");
    }

    /// @notice Only the engine's own code records against the ceiling.
    function test_recordIsolatedDebt__externalCaller__reverts() public {
        vm.expectRevert(abi.encodeWithSignature("Unauthorized(address)", address(this)));
        engine.recordIsolatedDebt(TRADER, true);
    }
}
