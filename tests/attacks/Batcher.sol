// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// The Pool functions the Batcher calls.
interface IPoolLike {
    function deposit(address asset, uint256 amount, uint256 minShares, address receiver) external returns (uint256);
    function withdraw(uint256 shares, address asset, uint256 minAmount, address receiver) external returns (uint256);
    function balanceOf(address account) external view returns (uint256);
}

/// @title Batcher
/// @notice Test helper of tests/attacks (compiled by the suite, deployed on its test chain only): one account that
/// runs many calls in one transaction, for rounding loops and flash round trips. `reads` are static calls made before
/// and after the loop, so a single call (an eth_call, which keeps no trace) returns everything a test asserts.
contract Batcher {
    struct Call {
        address target;
        bytes data;
        bool allowFailure;
    }

    /// @notice Run `calls` in order, `times` times. A failing call reverts the batch with its own error unless it
    /// may fail; `failures` counts how many times each call failed.
    function run(Call[] calldata calls, uint256 times, Call[] calldata reads)
        external
        returns (uint256[] memory failures, bytes[] memory before, bytes[] memory afterwards)
    {
        before = _read(reads);
        failures = new uint256[](calls.length);
        for (uint256 t = 0; t < times; ++t) {
            for (uint256 i = 0; i < calls.length; ++i) {
                (bool ok, bytes memory ret) = calls[i].target.call(calls[i].data);
                if (!ok) {
                    if (!calls[i].allowFailure) _bubble(ret);
                    ++failures[i];
                }
            }
        }
        afterwards = _read(reads);
    }

    /// @notice `times` LP round trips: deposit `amount` of `asset`, then withdraw every share this contract holds in
    /// `asset`. A withdrawal that reverts (worth less than one unit, cooldown) leaves the shares for the next round.
    /// @return withdrawn Units of `asset` the withdrawals paid.
    /// @return failed How many withdrawals reverted.
    /// @return lastError The revert data of the last failed withdrawal.
    function lpRoundTrips(IPoolLike pool, address asset, uint256 amount, uint256 times, Call[] calldata reads)
        external
        returns (uint256 withdrawn, uint256 failed, bytes memory lastError, bytes[] memory before, bytes[] memory afterwards)
    {
        before = _read(reads);
        for (uint256 t = 0; t < times; ++t) {
            pool.deposit(asset, amount, 0, address(this));
            try pool.withdraw(pool.balanceOf(address(this)), asset, 0, address(this)) returns (uint256 out) {
                withdrawn += out;
            } catch (bytes memory err) {
                ++failed;
                lastError = err;
            }
        }
        afterwards = _read(reads);
    }

    function _read(Call[] calldata reads) private view returns (bytes[] memory results) {
        results = new bytes[](reads.length);
        for (uint256 i = 0; i < reads.length; ++i) {
            (bool ok, bytes memory ret) = reads[i].target.staticcall(reads[i].data);
            if (!ok) _bubble(ret);
            results[i] = ret;
        }
    }

    function _bubble(bytes memory ret) private pure {
        assembly {
            revert(add(ret, 32), mload(ret))
        }
    }
}
