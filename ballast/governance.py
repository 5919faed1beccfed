"""Governance through the timelock: every admin action of the protocol is scheduled on the BallastTimelock
(OpenZeppelin's TimelockController), waits out its delay, then is executed. The AssetOnboarding schedules the listings
the risk committee approves on the same timelock (`deploy_onboarding`, `execute_batch`)."""

from __future__ import annotations

from typing import Any

from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager

ZERO_BYTES32 = b"\x00" * 32
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def deploy_timelock(
    project: ProjectManager,
    deployer: AccountAPI,
    min_delay: int,
    proposers: list[Any],
    executors: list[Any],
    admin: Any = ZERO_ADDRESS,
) -> Any:
    """A self-administered timelock: only operations through itself change its own roles. An `admin` (the deployer,
    while it grants the AssetOnboarding its roles) may change them without delay until it renounces."""
    return project.BallastTimelock.deploy(min_delay, proposers, executors, admin, sender=deployer)


def deploy_onboarding(
    project: ProjectManager,
    deployer: AccountAPI,
    timelock: ContractInstance,
    wiring: tuple[Any, Any, Any, Any],
    committee: Any,
    params: tuple[int, ...],
) -> Any:
    """The AssetOnboarding for `wiring` = (bond token, oracle, Pool, MarginEngine), administered by `timelock`, with
    `committee` as its risk committee; `deployer` must be an admin of the timelock: it grants the onboarding the
    timelock's proposer role (approvals schedule listings) and canceller role (the committee cancels them), then
    renounces its own admin role, leaving the timelock self-administered."""
    bond_token, oracle, pool, engine = wiring
    onboarding = project.AssetOnboarding.deploy(
        bond_token, timelock, oracle, pool, engine, timelock, committee, params, sender=deployer
    )
    timelock.grantRole(timelock.PROPOSER_ROLE(), onboarding, sender=deployer)
    timelock.grantRole(timelock.CANCELLER_ROLE(), onboarding, sender=deployer)
    timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), deployer, sender=deployer)
    return onboarding


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


def execute_batch(timelock: ContractInstance, batch: Any, executor: Any) -> Any:
    """Execute a ready batch given as (targets, values, payloads, salt), as `AssetOnboarding.listingBatch` and
    `promotionBatch` return it (predecessor 0); returns the receipt."""
    targets, values, payloads, salt = batch
    return timelock.executeBatch(targets, values, payloads, ZERO_BYTES32, salt, sender=executor)


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
