// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngine} from "../../../interfaces/IMarginEngine.sol";
import {Liquidator} from "../../../contracts/Liquidator.sol";
import {IPool} from "../../../interfaces/IPool.sol";
import {Vm, WithVm} from "../utils/Vm.sol";

/// @title LivenessProbe
/// @notice Tries one action on the current state and undoes it: every entry point performs the action as the given
/// actor, then reverts with `Outcome`, so the caller learns whether it would succeed (and what it moved) while the
/// state stays as it was. The core handler probes the liveness rules of docs/design.md#liveness with it after every
/// step: a healthy account can close, a liquidatable account can be liquidated by a keeper holding nothing and without
/// a Pool loan, an LP can withdraw what is not reserved.
contract LivenessProbe is WithVm {
    /// @notice The result of a probe: whether the action succeeded, the first four bytes of its revert data, and a
    /// figure the action reports (see each probe).
    error Outcome(bool ok, bytes4 reason, uint256 figure);

    bytes32 internal constant LENT = keccak256("Lent(address,uint256,uint256)");
    bytes32 internal constant PAID_IN_KIND = keccak256("ProfitPaidInKind(address,address,uint256,uint256)");

    IPool public immutable pool;
    IMarginEngine public immutable engine;
    Liquidator public immutable liquidator;

    constructor(IPool pool_, IMarginEngine engine_, Liquidator liquidator_) {
        (pool, engine, liquidator) = (pool_, engine_, liquidator_);
    }

    /// @notice `who` closes its whole position in `market` at any price; figure: 1 when part of its profit was paid
    /// in kind.
    function close(address who, uint256 market) external {
        int256 size = engine.position(who, market).size;
        vm.recordLogs();
        vm.prank(who);
        try engine.modifyPosition(market, -size, size > 0 ? 0 : type(uint256).max) {
            revert Outcome(true, 0, _count(vm.getRecordedLogs(), address(pool), PAID_IN_KIND));
        } catch (bytes memory reason) {
            vm.getRecordedLogs();
            revert Outcome(false, bytes4(reason), 0);
        }
    }

    /// @notice `keeper` liquidates `account`; figure: the Pool loans (`Lent` events) the liquidation made.
    function liquidate(address keeper, address account) external {
        vm.recordLogs();
        vm.prank(keeper);
        try liquidator.liquidate(account) {
            revert Outcome(true, 0, _count(vm.getRecordedLogs(), address(pool), LENT));
        } catch (bytes memory reason) {
            vm.getRecordedLogs();
            revert Outcome(false, bytes4(reason), 0);
        }
    }

    /// @notice `lp` burns `shares` for `asset`; figure: the amount paid.
    function lpWithdraw(address lp, uint256 shares, address asset) external {
        vm.prank(lp);
        try pool.withdraw(shares, asset, 0, lp) returns (uint256 amount) {
            revert Outcome(true, 0, amount);
        } catch (bytes memory reason) {
            revert Outcome(false, bytes4(reason), 0);
        }
    }

    function _count(Vm.Log[] memory logs, address emitter, bytes32 topic) internal pure returns (uint256 n) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == emitter && logs[i].topics[0] == topic) ++n;
        }
    }
}

/// @title Probing
/// @notice Calling a `LivenessProbe` and reading its `Outcome`.
abstract contract Probing {
    /// @dev Call `probe` with `data`; a revert that is not an `Outcome` (out of gas, a bug in the probe) counts as a
    /// failure with its selector.
    function _probe(LivenessProbe probe, bytes memory data) internal returns (bool ok, bytes4 reason, uint256 figure) {
        (bool success, bytes memory ret) = address(probe).call(data);
        if (success || ret.length < 4) return (false, bytes4(0), 0);
        if (bytes4(ret) != LivenessProbe.Outcome.selector) return (false, bytes4(ret), 0);
        bytes memory body = new bytes(ret.length - 4);
        for (uint256 i = 0; i < body.length; ++i) {
            body[i] = ret[i + 4];
        }
        (ok, reason, figure) = abi.decode(body, (bool, bytes4, uint256));
    }
}
