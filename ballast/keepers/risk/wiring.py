"""A risk keeper for a command or a bot: the MarginEngine of the network's deployment manifest (or an address given),
its oracle and Liquidator, and the keeper's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ape.managers.project import ProjectManager
from eth_utils import is_address, to_checksum_address
from pydantic import ValidationError

from ballast.errors import KeeperError, ManifestError
from ballast.keepers.risk.keeper import RiskKeeper
from ballast.keepers.risk.settings import RiskBotSettings, RiskKeeperConfig
from ballast.manifest import load_manifest
from ballast.system import margin_engine_at


def engine_address(
    project: ProjectManager, network: str, engine: str | None, deployments: Path | None = None
) -> tuple[str, str | None]:
    """The MarginEngine to step (`engine`, else the manifest's) and the manifest's risk manager, when known;
    KeeperError when there is no engine."""
    if engine is not None:
        if not is_address(engine):
            raise KeeperError(f"--engine: {engine!r} is not an address")
        return to_checksum_address(engine), None
    try:
        manifest = load_manifest(network, deployments)
    except ManifestError as err:
        raise KeeperError(f"{err} (or give --engine)") from None
    risk_manager = manifest.roles.get("riskManager")
    return manifest.contracts["MarginEngine"], risk_manager if isinstance(risk_manager, str) else None


def build_risk_keeper(project: ProjectManager, chain: Any, address: str, **settings: Any) -> RiskKeeper:
    """A keeper of the engine at `address` with `settings` (`RiskKeeperConfig`'s fields, `sender` among them)."""
    if not len(bytes(chain.provider.get_code(address))):
        raise KeeperError(f"--engine: no contract at {address} on this chain")
    try:
        config = RiskKeeperConfig(**settings)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise KeeperError(f"risk keeper setting {where}: {first['msg']}") from None
    engine = margin_engine_at(project, address)
    oracle = project.OracleAggregator.at(engine.oracle())
    liquidator = project.Liquidator.at(engine.liquidator())
    return RiskKeeper(engine, oracle, liquidator, config, int(chain.chain_id))


def risk_keeper_for_bot(
    project: ProjectManager, chain: Any, sender: Any, settings: RiskBotSettings
) -> RiskKeeper:
    address, _ = engine_address(project, chain.provider.network.name, settings.engine)
    return build_risk_keeper(
        project, chain, address, sender=sender, state_path=settings.state_path, dry_run=settings.dry_run,
        history_window=settings.history_window, step_fraction=settings.step_fraction,
        dead_band_bps=settings.dead_band_bps, csv=settings.csv, depth=settings.depth, gas=settings.gas,
    )  # fmt: skip
