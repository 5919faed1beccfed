"""The risk keeper's settings (`RiskKeeperConfig`) and, for the Silverback bot, the same read from the environment
(`RiskBotSettings`)."""

from __future__ import annotations

from pathlib import Path

from ape.api import AccountAPI
from pydantic import BaseModel, ConfigDict, Field, InstanceOf, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ballast.keepers.gas import GasModel
from ballast.keepers.risk.policy import PolicySettings
from ballast.riskdata.proposals import Settings as ProposalSettings

LOGGER_NAME = "ballast.keepers.risk"
WEEK = 7 * 86_400


class RiskKeeperConfig(BaseModel):
    """How the keeper runs: where its histories come from, how the proposals and the steps are made, how it sends."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    sender: InstanceOf[AccountAPI]
    state_path: Path | None = Field(
        None, description="where its steps and tightening times are kept (None: nowhere)"
    )
    dry_run: bool = Field(False, description="plan and log the steps, send nothing")
    interval: float = Field(3_600.0, gt=0, description="seconds between two steps of `run`")
    # Histories.
    history_window: int = Field(
        WEEK, gt=0, description="seconds of the oracle's PriceUpdated events before the latest block to read"
    )
    history_from_block: int | None = Field(
        None, ge=0, description="read the events from this block on instead (the window is then ignored)"
    )
    csv: dict[str, Path] = Field(
        default_factory=dict, description="symbol -> a price CSV to use instead of the oracle's events"
    )
    depth: dict[str, float] = Field(
        default_factory=dict,
        description="symbol -> tokens sellable within the liquidation penalty's price impact (a supply cap is "
        "proposed only with one)",
    )
    # Proposals (`ballast.riskdata.proposals.Settings`).
    horizon: int = Field(3_600, gt=0, description="the liquidation horizon, seconds")
    lam: float = Field(0.94, gt=0, lt=1, description="the EWMA decay")
    safety: float = Field(1.25, gt=0, description="the safety factor on the worst move")
    buffer_k: float = Field(2.0, ge=0, description="the initial buffer, in sigma_h")
    stress_k: float = Field(3.0, ge=0, description="the stress floor, in sigma_h")
    # Steps (`ballast.keepers.risk.policy.PolicySettings`).
    step_fraction: float = Field(
        0.03, gt=0, le=1, description="the largest step, a fraction of today's value"
    )
    dead_band_bps: int = Field(5, ge=0, description="a proposal this close to today's value is not chased")
    # Sending.
    max_retries: int = Field(5, ge=0)
    backoff_base: float = Field(0.5, gt=0)
    backoff_max: float = Field(30.0, gt=0)
    gas: GasModel = Field(default_factory=GasModel, description="the gas model of every transaction it sends")
    step_gas: int = Field(
        120_000, ge=0, description="modelled gas of one setCollateralParams / setMarketParams"
    )

    @field_validator("depth")
    @classmethod
    def _positive_depths(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [f"{k}={v}" for k, v in value.items() if not v > 0]
        if bad:
            raise ValueError(f"depths must be positive numbers of tokens, not {', '.join(bad)}")
        return value

    def proposal_settings(self) -> ProposalSettings:
        return ProposalSettings(self.horizon, self.lam, self.safety, self.buffer_k, self.stress_k)

    def policy(self, max_step_bps: int, step_interval: int) -> PolicySettings:
        """The policy's settings with the engine's own step and spacing (read from the chain)."""
        return PolicySettings(
            step_fraction=self.step_fraction,
            dead_band_bps=self.dead_band_bps,
            max_step_bps=max_step_bps,
            step_interval=step_interval,
        )


class RiskBotSettings(BaseSettings):
    """The Silverback bot's settings, from the environment (`BALLAST_RISK_ENGINE`, `BALLAST_RISK_STATE_PATH`,
    `BALLAST_RISK_CRON`, `BALLAST_RISK_DRY_RUN`, `BALLAST_RISK_HISTORY_WINDOW`, `BALLAST_RISK_STEP_FRACTION`,
    `BALLAST_RISK_DEAD_BAND_BPS`, `BALLAST_RISK_CSV` and `BALLAST_RISK_DEPTH` as JSON objects, `BALLAST_RISK_GAS` as
    JSON). Without an engine address the network's manifest gives it."""

    model_config = SettingsConfigDict(env_prefix="BALLAST_RISK_", extra="ignore")

    engine: str | None = None
    state_path: Path | None = None
    cron: str = Field("0 * * * *", description="when to step (cron, UTC): every hour by default")
    dry_run: bool = False
    history_window: int = Field(WEEK, gt=0)
    step_fraction: float = Field(0.03, gt=0, le=1)
    dead_band_bps: int = Field(5, ge=0)
    csv: dict[str, Path] = Field(default_factory=dict)
    depth: dict[str, float] = Field(default_factory=dict)
    gas: GasModel = Field(default_factory=GasModel)
