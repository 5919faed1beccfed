// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {WithVm} from "./Vm.sol";

/// @title BaseTest
/// @notice Our minimal forge test base (forge-std is not available offline): the cheatcode handle, assertions that
/// revert with the values (forge reports a reverting test as failed and decodes the custom error), a `bound` for fuzz
/// inputs, the `log_named_*` events forge prints with `-vv`, and the invariant target lists forge reads.
/// @dev Tests are `test*` / `testFuzz*` / `invariant*` functions; `testFail*` is deprecated and not used.
abstract contract BaseTest is WithVm {
    // ---------------------------------------------------------------- failures

    error AssertEqUint(uint256 left, uint256 right, string message);
    error AssertEqInt(int256 left, int256 right, string message);
    error AssertEqAddress(address left, address right, string message);
    error AssertEqBool(bool left, bool right, string message);
    error AssertEqBytes32(bytes32 left, bytes32 right, string message);
    error AssertLe(uint256 left, uint256 right, string message);
    error AssertGe(uint256 left, uint256 right, string message);
    error AssertApproxEqAbs(uint256 left, uint256 right, uint256 maxDelta, string message);
    error AssertApproxEqAbsInt(int256 left, int256 right, uint256 maxDelta, string message);
    error AssertApproxEqRel(uint256 left, uint256 right, uint256 maxRelWad, string message);
    error AssertLt(uint256 left, uint256 right, string message);
    error AssertGt(uint256 left, uint256 right, string message);
    error AssertTrue(string message);
    error BoundMinAboveMax(uint256 min, uint256 max);
    error DeployFailed(string artifact);

    // ---------------------------------------------------------------- logs (printed by forge with -vv)

    event log(string message);
    event log_named_uint(string key, uint256 val);
    event log_named_int(string key, int256 val);
    event log_named_address(string key, address val);
    event log_named_string(string key, string val);

    // ---------------------------------------------------------------- assertions

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) revert AssertTrue(message);
    }

    function assertEq(uint256 left, uint256 right, string memory message) internal pure {
        if (left != right) revert AssertEqUint(left, right, message);
    }

    function assertEq(int256 left, int256 right, string memory message) internal pure {
        if (left != right) revert AssertEqInt(left, right, message);
    }

    function assertEq(address left, address right, string memory message) internal pure {
        if (left != right) revert AssertEqAddress(left, right, message);
    }

    function assertEq(bool left, bool right, string memory message) internal pure {
        if (left != right) revert AssertEqBool(left, right, message);
    }

    function assertEq(bytes32 left, bytes32 right, string memory message) internal pure {
        if (left != right) revert AssertEqBytes32(left, right, message);
    }

    function assertLe(uint256 left, uint256 right, string memory message) internal pure {
        if (left > right) revert AssertLe(left, right, message);
    }

    function assertGe(uint256 left, uint256 right, string memory message) internal pure {
        if (left < right) revert AssertGe(left, right, message);
    }

    function assertLt(uint256 left, uint256 right, string memory message) internal pure {
        if (left >= right) revert AssertLt(left, right, message);
    }

    function assertGt(uint256 left, uint256 right, string memory message) internal pure {
        if (left <= right) revert AssertGt(left, right, message);
    }

    function assertApproxEqAbs(uint256 left, uint256 right, uint256 maxDelta, string memory message) internal pure {
        uint256 delta = left > right ? left - right : right - left;
        if (delta > maxDelta) revert AssertApproxEqAbs(left, right, maxDelta, message);
    }

    function assertApproxEqAbs(int256 left, int256 right, uint256 maxDelta, string memory message) internal pure {
        uint256 delta = left > right ? uint256(left - right) : uint256(right - left);
        if (delta > maxDelta) revert AssertApproxEqAbsInt(left, right, maxDelta, message);
    }

    /// @notice |left - right| <= right * maxRelWad / 1e18 (`maxRelWad` 0.01e18 is 1 %).
    function assertApproxEqRel(uint256 left, uint256 right, uint256 maxRelWad, string memory message) internal pure {
        uint256 delta = left > right ? left - right : right - left;
        if (delta * 1e18 > right * maxRelWad) revert AssertApproxEqRel(left, right, maxRelWad, message);
    }

    // ---------------------------------------------------------------- deployment from artifacts

    /// @dev CREATE `artifact` (e.g. "Pool.sol:Pool") with the ABI-encoded constructor arguments `args`; reverts
    /// `DeployFailed` if the constructor reverts. A test contract that used `new` for the core would embed the core's
    /// creation code, exceed the code size limits, and cost the build two solc warnings (solc stops at 256).
    function _deploy(string memory artifact, bytes memory args) internal returns (address deployed) {
        deployed = _create(abi.encodePacked(vm.getCode(artifact), args));
        if (deployed == address(0)) revert DeployFailed(artifact);
    }

    /// @dev CREATE with `code` (creation code and arguments); address(0) when the constructor reverts.
    function _create(bytes memory code) internal returns (address deployed) {
        assembly ("memory-safe") {
            deployed := create(0, add(code, 32), mload(code))
        }
    }

    // ---------------------------------------------------------------- fuzz helpers

    /// @notice Map any `x` into [min, max]: values already inside are kept (so the fuzzer's edge values survive),
    /// others wrap modulo the range size.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (min > max) revert BoundMinAboveMax(min, max);
        if (x >= min && x <= max) return x;
        uint256 span = max - min;
        if (span == type(uint256).max) return x;
        return min + x % (span + 1);
    }

    // ---------------------------------------------------------------- invariant targets

    /// @notice A contract and the selectors of it the invariant fuzzer may call (forge's `FuzzSelector`).
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetContracts;
    address[] private _excludeContracts;
    address[] private _targetSenders;
    address[] private _excludeSenders;
    FuzzSelector[] private _targetSelectors;

    /// @notice Let the invariant fuzzer call `target` (when any target is set, only targets are called).
    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    /// @notice Never let the invariant fuzzer call `target`.
    function excludeContract(address target) internal {
        _excludeContracts.push(target);
    }

    /// @notice Restrict the fuzzer to `selectors` of `target` (the target must also be a target contract).
    function targetSelector(address target, bytes4[] memory selectors) internal {
        _targetSelectors.push(FuzzSelector(target, selectors));
    }

    /// @notice Let the fuzzer use `sender` as `msg.sender` (when any sender is set, only those are used).
    function targetSender(address sender) internal {
        _targetSenders.push(sender);
    }

    /// @notice Never use `sender` as `msg.sender`.
    function excludeSender(address sender) internal {
        _excludeSenders.push(sender);
    }

    // Read by forge before an invariant campaign (it calls each one and ABI-decodes the result).

    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    function excludeContracts() public view returns (address[] memory) {
        return _excludeContracts;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }

    function targetSenders() public view returns (address[] memory) {
        return _targetSenders;
    }

    function excludeSenders() public view returns (address[] memory) {
        return _excludeSenders;
    }
}
