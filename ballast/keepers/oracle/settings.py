"""The oracle keeper's settings: what it pushes (a CSV or a random walk per asset), how often, how it retries, its
gas model; from a YAML file or the command's `--csv`/`--walk` options."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from ballast.errors import KeeperError
from ballast.keepers.gas import GasModel
from ballast.yaml_errors import yaml_problem


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)


class WalkParams(_Model):
    """A geometric random walk: each step multiplies the price by exp(N(drift, volatility))."""

    volatility_bps: int = Field(default=50, ge=0, le=5_000)  # per step
    drift_bps: int = Field(default=0, ge=-1_000, le=1_000)  # per step
    seed: int = 0
    start: Decimal | None = Field(default=None, gt=0)  # USD; default: the oracle's current median


class PriceSourceConfig(_Model):
    """Exactly one of `csv` (a price file read by `ballast.series`: a close series or OHLC bars, unix or ISO times,
    an optional asset column; replayed one row per step, or one price per `fileStep` seconds of the file) and
    `walk`. `column` picks the file's column (default: its price column, or the OHLC column `resample` reads: low
    for worst, high for best, close otherwise); `asset` the rows of a file with an asset column (default: the rows
    matching the symbol, `ETH` rows for WETH); `prices`: `absolute` (the file's prices) or `rescaled` (the series
    starts at the oracle's current median); `resample`: each step's price from the rows of its `fileStep` seconds
    (worst: the lowest, best: the highest, last, mean)."""

    csv: Path | None = None
    walk: WalkParams | None = None
    loop: bool = False  # start the CSV over at its end instead of stopping
    column: str | None = None
    asset: str | None = None
    prices: Literal["absolute", "rescaled"] = "absolute"
    resample: Literal["worst", "best", "last", "mean"] = "worst"
    file_step: float | None = Field(
        default=None, gt=0
    )  # seconds of the file per step; None: one row per step

    @model_validator(mode="after")
    def _one_source(self) -> PriceSourceConfig:
        if (self.csv is None) == (self.walk is None):
            raise ValueError("give exactly one of `csv` and `walk`")
        return self


class OracleKeeperConfig(_Model):
    """What the keeper pushes, how often, and how it retries."""

    assets: dict[str, PriceSourceConfig] = Field(min_length=1)
    interval: float = Field(default=60.0, ge=0)  # seconds between steps
    steps: int | None = Field(default=None, ge=1)  # None: until stopped (or a CSV ends)
    advance: int = Field(
        default=0, ge=0
    )  # local chains only: move the chain clock this many seconds per step
    retries: int = Field(default=5, ge=0)
    backoff: float = Field(default=1.0, ge=0)  # first retry delay, doubled each time
    backoff_max: float = Field(default=30.0, ge=0)
    gas: GasModel = Field(default_factory=GasModel)  # headroom, retry factor, modelled figures

    @classmethod
    def from_yaml(cls, path: Path | str) -> OracleKeeperConfig:
        import yaml

        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
            raise KeeperError(f"{path}: cannot read the keeper config ({reason})") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise KeeperError(f"{path}: {yaml_problem(err)}") from None
        return cls.parse(data, str(path))

    @classmethod
    def parse(cls, data: Any, source: str = "keeper config") -> OracleKeeperConfig:
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top level)"
            raise KeeperError(f"{source}: {where}: {first['msg']} (got {first.get('input')!r})") from None


def config_from_options(
    csv_specs: tuple[str, ...],
    walk_specs: tuple[str, ...],
    seed: int,
    interval: float,
    steps: int | None,
    advance: int,
    prices: str = "absolute",
    resample: str = "worst",
    file_step: float | None = None,
) -> OracleKeeperConfig:
    """The keeper config of `--csv SYMBOL=PATH[:COLUMN]` (with `--prices`, `--resample`, `--file-step` for every
    file) and `--walk SYMBOL[:VOLATILITY_BPS]` options."""
    from ballast.series import parse_source

    assets: dict[str, Any] = {}
    for spec in csv_specs:
        symbol, sep, source = spec.partition("=")
        if not sep or not symbol or not source:
            raise KeeperError(
                f"--csv {spec}: expected SYMBOL=PATH[:COLUMN], e.g. WETH=data/crashes/eth_2022-11-09.csv"
            )
        path, column = parse_source(source)
        assets[symbol] = {
            "csv": str(path),
            "column": column,
            "prices": prices,
            "resample": resample,
            "fileStep": file_step,
        }
    for i, spec in enumerate(walk_specs):
        symbol, _, vol = spec.partition(":")
        if not symbol:
            raise KeeperError(f"--walk {spec}: expected SYMBOL or SYMBOL:VOLATILITY_BPS")
        walk: dict[str, Any] = {"seed": seed + i}
        if vol:
            if not vol.isdigit():
                raise KeeperError(f"--walk {spec}: the volatility is a whole number of bps")
            walk["volatilityBps"] = int(vol)
        assets[symbol] = {"walk": walk}
    if not assets:
        raise KeeperError("nothing to push: give --csv SYMBOL=PATH or --walk SYMBOL (or --config)")
    return OracleKeeperConfig.parse(
        {"assets": assets, "interval": interval, "steps": steps, "advance": advance}, "options"
    )
