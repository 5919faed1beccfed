"""The expiry keeper's settings (`ExpiryKeeperConfig`) and, for the Silverback bot, the same read from the environment
(`ExpiryBotSettings`)."""

from __future__ import annotations

from pathlib import Path

from ape.api import AccountAPI
from pydantic import BaseModel, ConfigDict, Field, InstanceOf
from pydantic_settings import BaseSettings, SettingsConfigDict

from ballast.keepers.gas import GasModel

LOGGER_NAME = "ballast.keepers.expiry"


class ExpiryKeeperConfig(BaseModel):
    """How the keeper runs."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    sender: InstanceOf[AccountAPI]
    state_path: Path | None = Field(
        None, description="where the series it settled are recorded (None: nowhere)"
    )
    grace: int | None = Field(
        None,
        ge=0,
        description="seconds after expiry to wait for the oracle to close the settlement window before settling "
        "with the book's fallback rule (default: the book's settlement window)",
    )
    refresh_oracle: bool = Field(
        True,
        description="call oracle.update (permissionless) when the window ending at expiry is not closed yet",
    )
    poll_interval: float = Field(2.0, gt=0, description="seconds between polls for a new block")
    max_retries: int = Field(5, ge=0)
    backoff_base: float = Field(0.5, gt=0)
    backoff_max: float = Field(30.0, gt=0)
    gas: GasModel = Field(default_factory=GasModel, description="the gas model of every transaction it sends")
    settle_gas: int = Field(120_000, ge=0, description="modelled gas of one OptionsBook.settle")


class ExpiryBotSettings(BaseSettings):
    """The Silverback bot's settings, from the environment (`BALLAST_EXPIRY_BOOK`, `BALLAST_EXPIRY_STATE_PATH`,
    `BALLAST_EXPIRY_GRACE`, `BALLAST_EXPIRY_GAS` as JSON). Without a book address the network's manifest gives it."""

    model_config = SettingsConfigDict(env_prefix="BALLAST_EXPIRY_", extra="ignore")

    book: str | None = None
    state_path: Path | None = None
    grace: int | None = None
    refresh_oracle: bool = True
    gas: GasModel = Field(default_factory=GasModel)
