"""Governance through the timelock: every admin action of the protocol is scheduled on the BallastTimelock
(OpenZeppelin's TimelockController), waits out its delay, then is executed."""

from __future__ import annotations

from typing import Any

from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager

ZERO_BYTES32 = b"\x00" * 32


def deploy_timelock(
    project: ProjectManager, deployer: AccountAPI, min_delay: int, proposers: list[Any], executors: list[Any]
) -> Any:
    """A self-administered timelock: only operations through itself change its own roles."""
    zero = "0x0000000000000000000000000000000000000000"
    return project.BallastTimelock.deploy(min_delay, proposers, executors, zero, sender=deployer)


def calldata(method: Any, *args: Any) -> bytes:
    """The calldata of a contract call, e.g. `calldata(engine.listCollateral, token, params)`."""
    return bytes(method.encode_input(*args))


def schedule(
    timelock: ContractInstance, target: Any, data: bytes, proposer: Any, salt: bytes = ZERO_BYTES32
) -> bytes:
    """Schedule one call after the minimum delay; returns the operation id."""
    delay = timelock.getMinDelay()
    timelock.schedule(target, 0, data, ZERO_BYTES32, salt, delay, sender=proposer)
    return bytes(timelock.hashOperation(target, 0, data, ZERO_BYTES32, salt))


def execute(
    timelock: ContractInstance, target: Any, data: bytes, executor: Any, salt: bytes = ZERO_BYTES32
) -> Any:
    """Execute a scheduled call whose delay has passed; returns the receipt."""
    return timelock.execute(target, 0, data, ZERO_BYTES32, salt, sender=executor)


def govern(
    chain: ChainManager,
    timelock: ContractInstance,
    target: Any,
    data: bytes,
    proposer: Any,
    executor: Any,
    salt: bytes = ZERO_BYTES32,
) -> Any:
    """Schedule, let the delay pass (local chains only: it moves the clock), and execute."""
    schedule(timelock, target, data, proposer, salt)
    chain.mine(timestamp=chain.pending_timestamp + timelock.getMinDelay())
    return execute(timelock, target, data, executor, salt)
