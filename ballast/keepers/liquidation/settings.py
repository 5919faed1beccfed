"""The liquidation keeper's settings: how it runs (`LiquidationKeeperConfig`) and, for the Silverback bot, the same
settings read from the environment (`LiquidationBotSettings`)."""

from __future__ import annotations

from pathlib import Path

from ape.api import AccountAPI
from pydantic import BaseModel, ConfigDict, Field, InstanceOf
from pydantic_settings import BaseSettings, SettingsConfigDict

from ballast.keepers.gas import GasModel

LOGGER_NAME = "ballast.keepers.liquidation"


class LiquidationKeeperConfig(BaseModel):
    """How the keeper runs."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    sender: InstanceOf[AccountAPI]
    state_path: Path
    start_block: int = Field(
        0, ge=0, description="first block to scan for accounts (the engine's deploy block)"
    )
    gas_budget_per_block: int = Field(10_000_000, gt=0, description="gas the keeper commits per block")
    batch_size: int = Field(25, ge=1, description="accounts per liquidateMany")
    poll_interval: float = Field(2.0, gt=0, description="seconds between polls for a new block")
    log_chunk_blocks: int = Field(2_000, ge=1, description="blocks per eth_getLogs request")
    reorg_depth: int = Field(
        0, ge=0, description="rescan this many already scanned blocks each step (chains that reorganize)"
    )
    oracle_refresh_margin: int = Field(
        30, ge=0, description="refresh a price this many seconds before it would turn stale"
    )
    max_retries: int = Field(5, ge=0)
    backoff_base: float = Field(0.5, gt=0)
    backoff_max: float = Field(30.0, gt=0)
    gas: GasModel = Field(default_factory=GasModel, description="the gas model of every transaction it sends")
    provision_reserve_bps: int = Field(
        1_000,
        ge=0,
        le=5_000,
        description="the most of the budget taken back from liquidations to provision deferred underwater accounts",
    )


class LiquidationBotSettings(BaseSettings):
    """The Silverback bot's settings, from the environment (`BALLAST_KEEPER_ENGINE`, `BALLAST_KEEPER_STATE_PATH`,
    `BALLAST_KEEPER_GAS_BUDGET_PER_BLOCK`, `BALLAST_KEEPER_GAS` as JSON, e.g. `{"headroom_bps": 3000}`...).
    Without an engine address the network's manifest gives it."""

    model_config = SettingsConfigDict(env_prefix="BALLAST_KEEPER_", extra="ignore")

    engine: str | None = None
    liquidator: str | None = None
    oracle: str | None = None
    pool: str | None = None
    start_block: int | None = None
    state_path: Path | None = None
    gas_budget_per_block: int = 10_000_000
    batch_size: int = 25
    gas: GasModel = Field(default_factory=GasModel)
