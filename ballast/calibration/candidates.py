"""Candidate parameter sets: variations of a base deployment config (by default `config/local.yaml`) in the
parameters that trade capital efficiency against losses.

A candidate is named in `--candidates` as

- `current`: the base config unchanged;
- `c<x>-m<y>` (e.g. `c0.8-m1.25`): every collateral's initial and maintenance haircut and stress shock times x, and
  every market's initial and maintenance margin and stress shock times y; each product is rounded to the nearest
  whole bps (halves up) and clamped to the schema's bounds (`ballast.config.schema`);
- `proposed`: WETH and WBTC (as collateral and as the perpetuals' assets) set to `ballast.riskdata.proposals.propose`
  on their FTX-collapse closes (`PROPOSAL_DATA`, default settings: a one-hour horizon), the other assets as in the
  base config.

Every candidate is written to a YAML file and read back with `ballast.config.load_config`, so a set the contracts
would refuse (e.g. a maintenance margin at or below the liquidation's maximum penalty) is refused here, with the
config's own one-line message. The file's text travels with each task: a worker on another machine needs no shared
disk.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml

from ballast.config import DeploymentConfig, load_config
from ballast.errors import CalibrationError, ConfigError
from ballast.riskdata.history import load_csv
from ballast.riskdata.proposals import Proposal, Settings, propose

CURRENT = "current"
PROPOSED = "proposed"
SCALED = re.compile(r"^c(\d+(?:\.\d+)?)-m(\d+(?:\.\d+)?)$")

#: The bounds of each scaled key (bps), from `ballast.config.schema`.
COLLATERAL_KEYS: dict[str, tuple[int, int]] = {
    "initialHaircutBps": (0, 9_500),
    "maintHaircutBps": (0, 9_000),
    "stressShockBps": (0, 9_000),
}
MARKET_KEYS: dict[str, tuple[int, int]] = {
    "initialMarginBps": (1, 10_000),
    "maintenanceMarginBps": (50, 5_000),
    "stressShockBps": (0, 9_000),
}
#: symbol -> the closes `proposed` reads.
PROPOSAL_DATA: dict[str, str] = {
    "WETH": "data/crashes/eth_2022-11-09.csv",
    "WBTC": "data/crashes/btc_2022-11-09.csv",
}


@dataclass(frozen=True)
class Candidate:
    """A parameter set: its name, what it changes, its config file and the validated config."""

    name: str
    description: str
    path: Path
    config: DeploymentConfig

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _bps(value: int, factor: Decimal, bounds: tuple[int, int]) -> int:
    """`value` x `factor` rounded to the nearest whole bps (halves up), within `bounds`."""
    product = int((Decimal(value) * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return min(max(product, bounds[0]), bounds[1])


def scaled(base: Mapping[str, Any], collateral: Decimal, markets: Decimal) -> dict[str, Any]:
    """The raw config `base` with the collateral parameters times `collateral` and the market ones times `markets`
    (exactly, then rounded to the nearest whole bps, halves up, within the schema's bounds)."""
    data: dict[str, Any] = copy.deepcopy(dict(base))
    for params in data.get("collateral", {}).values():
        for key, bounds in COLLATERAL_KEYS.items():
            params[key] = _bps(params[key], collateral, bounds)
    for market in data.get("markets", []):
        for key, bounds in MARKET_KEYS.items():
            market[key] = _bps(market[key], markets, bounds)
    return data


def with_proposals(base: Mapping[str, Any], proposals: Sequence[Proposal]) -> dict[str, Any]:
    """The raw config `base` with each proposal's asset set to its figures: the collateral's haircuts and stress
    shock, and the margins and stress shock of every market on the asset."""
    data: dict[str, Any] = copy.deepcopy(dict(base))
    for p in proposals:
        figures = {name: f.value for name, f in p.figures().items()}
        if p.asset in data.get("collateral", {}):
            data["collateral"][p.asset].update(
                initialHaircutBps=figures["initial_haircut_bps"],
                maintHaircutBps=figures["maint_haircut_bps"],
                stressShockBps=figures["stress_shock_bps"],
            )
        for market in data.get("markets", []):
            if market["asset"] == p.asset:
                market.update(
                    initialMarginBps=figures["initial_margin_bps"],
                    maintenanceMarginBps=figures["maintenance_margin_bps"],
                    stressShockBps=figures["stress_shock_bps"],
                )
    return data


def proposals(root: Path = Path("."), data: Mapping[str, str] = PROPOSAL_DATA) -> list[Proposal]:
    """`propose` with the default settings on each symbol's closes."""
    return [propose(load_csv(root / file, symbol), Settings()) for symbol, file in data.items()]


def parse_names(text: str) -> list[str]:
    """The candidate names of a comma-separated `--candidates`; `ConfigError` naming a malformed one."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise CalibrationError("--candidates: give at least one parameter set")
    for name in names:
        if name not in (CURRENT, PROPOSED) and SCALED.match(name) is None:
            raise CalibrationError(
                f"--candidates: {name!r} is not a parameter set (current, proposed or c<x>-m<y>, e.g. c0.8-m1.25)"
            )
    if len(set(names)) != len(names):
        raise CalibrationError(f"--candidates: a parameter set is named twice ({text})")
    return names


def build(names: Sequence[str], base_path: Path, directory: Path, root: Path = Path(".")) -> list[Candidate]:
    """The candidates `names` on the config at `base_path`, each written to `directory/<name>.yaml` and validated."""
    base = yaml.safe_load(base_path.read_text(encoding="utf-8"))
    load_config(base_path)  # the base itself must be valid
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for name in names:
        if name == CURRENT:
            data, description = base, f"{base_path} unchanged"
        elif name == PROPOSED:
            made = proposals(root)
            data = with_proposals(base, made)
            description = "WETH and WBTC from `risk propose` on " + ", ".join(
                f"{p.asset} {Path(p.source).name}" for p in made
            )
        else:
            match = SCALED.match(name)
            assert match is not None
            c, m = Decimal(match.group(1)), Decimal(match.group(2))
            data = scaled(base, c, m)
            description = (
                f"collateral haircuts and stress shocks x{c:g}, market margins and stress shocks x{m:g}"
            )
        path = directory / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        try:
            config = load_config(path)
        except ConfigError as err:
            first = str(err).strip().splitlines()[0]
            raise CalibrationError(f"parameter set {name}: {first}") from None
        out.append(Candidate(name, description, path, config))
    return out
