// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BaseTest} from "./BaseTest.sol";
import {Vm} from "./Vm.sol";

/// @title GasMeter
/// @notice Measures one call the way a transaction would pay for it, and records it for `make bench` and the gas guard
/// (`ballast/bench.py` reads the `bench` log lines of `forge test --json`).
/// @dev Figures (from `vm.lastCallGas`, the callee's side of the call):
/// - execution: what the call spent, the callee's code and everything it called; the caller's CALL (2,600 for a cold
/// account) is not in it, exactly as `tx.to` is warm in a transaction;
/// - tx gas: 21,000 + calldata (EIP-2028; EIP-7623's floor never binds here) + execution, less the refund (capped at
/// a fifth, EIP-3529): what the receipt of a transaction making this one call shows;
/// - gas limit: 21,000 + calldata + execution, before the refund: what the transaction's gas limit must cover (the
/// figure the 16,777,216 per-transaction cap of EIP-7825 applies to). Forge runs every test function as its own
/// transaction after `setUp` is committed, so a call measured first in a test finds every account and slot cold
/// (EIP-2929) and clean (EIP-2200), as in a user's own transaction.
abstract contract GasMeter is BaseTest {
    struct Gas {
        uint256 execution;
        uint256 refund;
        uint256 intrinsic;
        uint256 txGas;
    }

    /// @notice Call `target` with `data` as `from`, bubble a revert up, and measure it.
    function _measure(address from, address target, bytes memory data)
        internal
        returns (Gas memory g, bytes memory ret)
    {
        vm.prank(from);
        bool ok;
        (ok, ret) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        g = _gasOfLastCall(data);
    }

    function _gasOfLastCall(bytes memory data) internal view returns (Gas memory g) {
        Vm.Gas memory last = vm.lastCallGas();
        g.execution = last.gasTotalUsed;
        g.refund = last.gasRefunded > 0 ? uint256(int256(last.gasRefunded)) : 0;
        uint256 zeros;
        for (uint256 i = 0; i < data.length; ++i) {
            if (data[i] == 0) ++zeros;
        }
        g.intrinsic = 21_000 + zeros * 4 + (data.length - zeros) * 16;
        uint256 used = g.intrinsic + g.execution;
        uint256 refund = g.refund < used / 5 ? g.refund : used / 5;
        g.txGas = used - refund;
        uint256 floor = 21_000 + 10 * (zeros + 4 * (data.length - zeros));
        if (g.txGas < floor) g.txGas = floor;
    }

    /// @notice Record `g` as the operation `key` of the bench: one line `bench: <key> <tx gas> <execution> <refund>
    /// <intrinsic>` that `ballast.bench` parses (keys are lower_snake_case, no spaces).
    function _record(string memory key, Gas memory g) internal {
        emit log_named_string(
            "bench",
            string.concat(
                key,
                " ",
                vm.toString(g.txGas),
                " ",
                vm.toString(g.execution),
                " ",
                vm.toString(g.refund),
                " ",
                vm.toString(g.intrinsic)
            )
        );
    }

    /// @notice Record gas measured inside a transaction (a consumer contract's `gasleft()` delta around one call):
    /// no transaction of its own, so tx gas, refund and intrinsic are 0 and the figure is the execution.
    function _recordInner(string memory key, uint256 gas) internal {
        emit log_named_string("bench", string.concat(key, " 0 ", vm.toString(gas), " 0 0"));
    }
}
