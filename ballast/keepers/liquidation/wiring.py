"""Wiring a liquidation keeper to a deployment: the MarginEngine (given, or from the network's manifest), the
Liquidator, oracle and Pool it is wired to, a state file per network and engine, and the keeper built from the
command's options or the bot's environment. Every mistake is a `KeeperError` of one line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.exceptions import ApeException
from ape.managers.project import ProjectManager
from eth_utils import is_address, to_checksum_address
from pydantic import ValidationError

from ballast.errors import KeeperError
from ballast.keepers.liquidation.keeper import LiquidationKeeper
from ballast.keepers.liquidation.settings import LiquidationBotSettings, LiquidationKeeperConfig
from ballast.system import margin_engine_at, pool_at


@dataclass(frozen=True)
class KeeperContracts:
    """The contracts a liquidation keeper drives, and the block to scan from."""

    engine: ContractInstance
    liquidator: ContractInstance
    oracle: ContractInstance
    pool: ContractInstance
    start_block: int


def _manifest_entry(manifest: Any, key: str) -> Any:
    return manifest[key] if isinstance(manifest, Mapping) else getattr(manifest, key)


def _from_manifest(network_name: str) -> tuple[str, int]:
    """The MarginEngine's address and the deploy block from the network's deployment manifest."""
    try:
        from ballast.manifest import load_manifest
    except ImportError:
        raise KeeperError(
            "no --engine given and this checkout cannot read deployment manifests: pass --engine ADDRESS"
        ) from None
    try:
        manifest = load_manifest(network_name)
        address = _manifest_entry(manifest, "contracts")["MarginEngine"]
        block = int(_manifest_entry(manifest, "block"))
    except Exception as err:
        raise KeeperError(
            f"no --engine given and no usable deployment manifest for network {network_name!r} ({err})"
        ) from None
    return address, block


def _address(option: str, value: str) -> str:
    if not is_address(value):
        raise KeeperError(f"{option}: {value!r} is not an address")
    return to_checksum_address(value)


def connect_contracts(
    project: ProjectManager,
    network_name: str,
    *,
    engine: str | None = None,
    liquidator: str | None = None,
    oracle: str | None = None,
    pool: str | None = None,
    start_block: int | None = None,
) -> KeeperContracts:
    """The keeper's contracts on the connected network: the MarginEngine at `engine` (else the network's manifest),
    and the Liquidator, oracle and Pool it is wired to (a given address must be the engine's own). Raises
    `KeeperError` with one line for any mistake."""
    if engine is None:
        engine, manifest_block = _from_manifest(network_name)
        start_block = manifest_block if start_block is None else start_block
    engine = _address("--engine", engine)
    provider = project.provider
    if not provider.get_code(engine):
        raise KeeperError(f"--engine: no contract at {engine} on network {network_name!r}")
    instance = margin_engine_at(project, engine)
    try:
        wiring = {
            "--liquidator": to_checksum_address(instance.liquidator()),
            "--oracle": to_checksum_address(instance.oracle()),
            "--pool": to_checksum_address(instance.pool()),
        }
    except ApeException:
        raise KeeperError(f"--engine: {engine} is not a MarginEngine (its wiring views fail)") from None
    for option, given in (("--liquidator", liquidator), ("--oracle", oracle), ("--pool", pool)):
        if given is not None and _address(option, given) != wiring[option]:
            raise KeeperError(f"{option}: {given} is not the engine's ({wiring[option]})")
    return KeeperContracts(
        engine=instance,
        liquidator=project.Liquidator.at(wiring["--liquidator"]),
        oracle=project.OracleAggregator.at(wiring["--oracle"]),
        pool=pool_at(project, wiring["--pool"]),
        start_block=start_block or 0,
    )


def default_state_path(network_name: str, engine: str) -> Path:
    """Where a keeper keeps its cursor unless told otherwise: one file per network and engine."""
    return Path(".ballast") / f"liquidation-keeper-{network_name}-{engine[2:10].lower()}.json"


def build_keeper(
    contracts: KeeperContracts, sender: AccountAPI, state_path: Path | None = None, **settings: Any
) -> LiquidationKeeper:
    """A keeper on `contracts` sending from `sender`; `settings` are `LiquidationKeeperConfig` fields. A bad
    setting raises `KeeperError`, an unusable state file its `KeeperStateError`."""
    network_name = contracts.engine.provider.network.name
    path = state_path or default_state_path(network_name, str(contracts.engine.address))
    try:
        config = LiquidationKeeperConfig(
            sender=sender, state_path=path, start_block=contracts.start_block, **settings
        )
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise KeeperError(f"{where}: {first['msg']}") from None
    return LiquidationKeeper(contracts.engine, contracts.liquidator, contracts.oracle, contracts.pool, config)


def keeper_for_bot(
    project: ProjectManager, sender: AccountAPI | None, settings: LiquidationBotSettings
) -> LiquidationKeeper:
    """The keeper a bot steps on every block, on the connected network."""
    if sender is None:
        raise KeeperError("the liquidation bot needs a signer: `silverback run --account ALIAS` (or TEST::n)")
    contracts = connect_contracts(
        project,
        project.provider.network.name,
        engine=settings.engine,
        liquidator=settings.liquidator,
        oracle=settings.oracle,
        pool=settings.pool,
        start_block=settings.start_block,
    )
    return build_keeper(
        contracts,
        sender,
        settings.state_path,
        gas_budget_per_block=settings.gas_budget_per_block,
        batch_size=settings.batch_size,
        gas=settings.gas,
    )
