// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title Vm
/// @notice The Foundry cheatcodes ballast's forge tests use, declared by us from the cheatcode ABI (forge-std is not
/// available offline). Forge answers calls to `VM_ADDRESS`; a selector it does not know reverts the test.
/// @dev Only the selectors matter, so parameter names are ours. Add a cheatcode here when a test needs it.
interface Vm {
    /// @notice An Ethereum log, as returned by `getRecordedLogs`.
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    // ---------------------------------------------------------------- block environment

    /// @notice Set `block.timestamp`.
    function warp(uint256 timestamp) external;
    /// @notice Set `block.number`.
    function roll(uint256 blockNumber) external;
    /// @notice The current `block.timestamp` (immune to the compiler caching `block.timestamp` across a warp).
    function getBlockTimestamp() external view returns (uint256 timestamp);
    /// @notice The current `block.number`.
    function getBlockNumber() external view returns (uint256 blockNumber);

    // ---------------------------------------------------------------- callers and accounts

    /// @notice The next call (only) is made with `msg.sender = sender`.
    function prank(address sender) external;
    /// @notice Every following call is made with `msg.sender = sender` until `stopPrank`.
    function startPrank(address sender) external;
    /// @notice End a `startPrank`.
    function stopPrank() external;
    /// @notice Set the ether balance of `account`.
    function deal(address account, uint256 balance) external;
    /// @notice Replace the runtime code of `target`.
    function etch(address target, bytes calldata code) external;
    /// @notice Give `account` a name in traces.
    function label(address account, string calldata name) external;
    /// @notice `value` in decimal.
    function toString(uint256 value) external pure returns (string memory);

    // ---------------------------------------------------------------- expectations

    /// @notice The next call must revert (any data).
    function expectRevert() external;
    /// @notice The next call must revert with exactly the 4-byte data `selector` (a custom error without arguments).
    function expectRevert(bytes4 selector) external;
    /// @notice The next call must revert with exactly `data`.
    function expectRevert(bytes calldata data) external;
    /// @notice The next call must revert with data starting with `selector` (arguments not checked).
    function expectPartialRevert(bytes4 selector) external;
    /// @notice Calls to `callee` with calldata `data` return `returnData` until `clearMockedCalls`.
    function mockCall(address callee, bytes calldata data, bytes calldata returnData) external;
    /// @notice Remove every mock set by `mockCall`.
    function clearMockedCalls() external;
    /// @notice Expect exactly `count` calls to `callee` whose calldata starts with `data` in the rest of the test.
    function expectCall(address callee, bytes calldata data, uint64 count) external;

    /// @notice The next event emitted must match the one emitted right after this (all topics and data).
    function expectEmit() external;
    /// @notice As `expectEmit()`, and the log must come from `emitter`.
    function expectEmit(address emitter) external;
    /// @notice As `expectEmit()`, choosing which topics (after the signature) and whether the data are compared.
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData) external;
    /// @notice As the four-flag form, and the log must come from `emitter`.
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter) external;
    /// @notice Start recording every log emitted.
    function recordLogs() external;
    /// @notice The logs recorded since `recordLogs` (or the previous call of this), and clear them.
    function getRecordedLogs() external returns (Log[] memory logs);

    // ---------------------------------------------------------------- fuzzing

    /// @notice Discard the current fuzz input when `condition` is false.
    function assume(bool condition) external pure;

    // ---------------------------------------------------------------- state

    /// @notice Snapshot the whole EVM state; returns its id.
    function snapshotState() external returns (uint256 snapshotId);
    /// @notice Revert the EVM state to snapshot `snapshotId`.
    function revertToState(uint256 snapshotId) external returns (bool success);
    /// @notice Mark the storage slots of `target` cold again (EIP-2929).
    /// @dev Measured with forge 1.7.1: the slots become cold, the account itself stays warm. Only the warm/cold flags
    /// change: a slot written earlier in the transaction stays "dirty" for SSTORE pricing (EIP-2200).
    function cool(address target) external;
    /// @notice Mark one storage slot of `target` cold again.
    function coolSlot(address target, bytes32 slot) external;
    /// @notice Read a storage slot of `target`.
    function load(address target, bytes32 slot) external view returns (bytes32 value);
    /// @notice Write a storage slot of `target`.
    function store(address target, bytes32 slot, bytes32 value) external;
    /// @notice The nonce of `account`.
    function getNonce(address account) external view returns (uint64 nonce);
    /// @notice The address a CREATE by `deployer` at `nonce` deploys to.
    function computeCreateAddress(address deployer, uint256 nonce) external pure returns (address);
    /// @notice The creation code of the compiled contract `artifactPath` (`File.sol:Contract`): a test deploys it with
    /// CREATE without embedding that code in its own (see OnboardingFixture).
    function getCode(string calldata artifactPath) external view returns (bytes memory creationBytecode);

    // ---------------------------------------------------------------- gas

    /// @notice Gas of a call frame, as `lastCallGas` reports it.
    struct Gas {
        uint64 gasLimit;
        uint64 gasTotalUsed;
        uint64 gasMemoryUsed;
        int64 gasRefunded;
        uint64 gasRemaining;
    }

    /// @notice Gas of the last call the test contract made, from the callee's side: what it spent (its own code and
    /// everything it called, not the caller's CALL cost) and its refund counter.
    function lastCallGas() external view returns (Gas memory gas);
}

/// @notice Gives a contract the cheatcode handle (tests and invariant handlers).
abstract contract WithVm {
    /// @dev The address forge intercepts: the last 20 bytes of keccak256("hevm cheat code").
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
}
