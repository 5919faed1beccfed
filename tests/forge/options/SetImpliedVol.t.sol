// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOptionsBookTypes} from "../../../interfaces/IOptionsBook.sol";
import {OptionsBase} from "../utils/OptionsBase.sol";

/// @title OptionsSetImpliedVolTest
/// @notice `OptionsBook.setImpliedVol`: the risk manager sets an asset's implied volatility within [5 %, 500 %]; after
/// the first setting, steps of at most 25 % of the current value, one per hour (fixture: OptionsBase, WETH at 80 %).
contract OptionsSetImpliedVolTest is OptionsBase {
    /// @notice The first setting of an asset is neither step-bounded nor spaced: 5 % then immediately 500 % would not
    /// be allowed, but from unset any value in bounds is, and it is announced with the previous 0.
    function test_setImpliedVol__firstSetting__anyValueInBounds() public {
        vm.expectEmit(true, false, false, true, address(book));
        emit IOptionsBookTypes.ImpliedVolSet(address(wbtc), 0, 5e18);
        book.setImpliedVol(address(wbtc), 5e18);
        assertEq(book.impliedVol(address(wbtc)), 5e18, "set");
        // Nor does the first setting start the interval: the first step comes at once.
        book.setImpliedVol(address(wbtc), 3.75e18);
        assertEq(book.impliedVol(address(wbtc)), 3.75e18, "first step at once");
    }

    /// @notice Outside [MIN_VOL, MAX_VOL] reverts ParamOutOfBounds, on the first setting as on a step.
    function test_setImpliedVol__outOfBounds__reverts() public {
        _expectParamOutOfBounds("impliedVol", 0.05e18 - 1, 0.05e18, 5e18);
        book.setImpliedVol(address(wbtc), 0.05e18 - 1);
        _expectParamOutOfBounds("impliedVol", 5e18 + 1, 0.05e18, 5e18);
        book.setImpliedVol(address(wbtc), 5e18 + 1);
        _expectParamOutOfBounds("impliedVol", 0, 0.05e18, 5e18);
        book.setImpliedVol(address(weth), 0);
    }

    /// @notice From 80 % a step of at most 20 % (25 % of it) goes either way; one wei more reverts
    /// VolStepTooLarge(asset, current, requested, maxStep).
    function test_setImpliedVol__stepSize__boundedBy25PercentOfCurrent() public {
        vm.expectRevert(
            abi.encodeWithSelector(IOptionsBookTypes.VolStepTooLarge.selector, address(weth), VOL, 1e18 + 1, 0.2e18)
        );
        book.setImpliedVol(address(weth), 1e18 + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionsBookTypes.VolStepTooLarge.selector, address(weth), VOL, 0.6e18 - 1, 0.2e18)
        );
        book.setImpliedVol(address(weth), 0.6e18 - 1);
        book.setImpliedVol(address(weth), 0.6e18);
        assertEq(book.impliedVol(address(weth)), 0.6e18, "down by 20 %");
        vm.warp(vm.getBlockTimestamp() + 1 hours);
        book.setImpliedVol(address(weth), 0.75e18);
        assertEq(book.impliedVol(address(weth)), 0.75e18, "up by 25 % of 60 %");
    }

    /// @notice A step within an hour of the previous one reverts VolStepTooSoon(asset, next allowed, now); at the hour
    /// it goes through.
    function test_setImpliedVol__stepSpacing__oneStepPerHour() public {
        uint256 t = vm.getBlockTimestamp();
        book.setImpliedVol(address(weth), 0.9e18);
        vm.warp(t + 1 hours - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptionsBookTypes.VolStepTooSoon.selector, address(weth), t + 1 hours, t + 1 hours - 1
            )
        );
        book.setImpliedVol(address(weth), 0.95e18);
        vm.warp(t + 1 hours);
        vm.expectEmit(true, false, false, true, address(book));
        emit IOptionsBookTypes.ImpliedVolSet(address(weth), 0.9e18, 0.95e18);
        book.setImpliedVol(address(weth), 0.95e18);
        assertEq(book.impliedVol(address(weth)), 0.95e18, "stepped");
    }

    /// @notice Anyone but the risk manager reverts AccessControlUnauthorizedAccount.
    function test_setImpliedVol__notRiskManager__reverts() public {
        _expectRoleRevert(OTHER, book.RISK_MANAGER_ROLE());
        vm.prank(OTHER);
        book.setImpliedVol(address(weth), 0.9e18);
    }
}
