"""Deployment configuration: one YAML file describes a whole ballast deployment (tokens, oracle sources and
parameters, pool assets, collateral, markets, risk parameters, roles and, optionally, the options book), validated before any transaction.

Keys are camelCase in the file (`maintHaircutBps`). Amounts of tokens are whole tokens (`depositCap: 1000000` is a
million USDC), USD values are plain numbers (`dustMarginUsd: 50`), and caps may be `unlimited`. Every mistake is
reported as one line naming the field, e.g.
`config/local.yaml: markets[1].maintenanceMarginBps: must be below initialMarginBps (got 800 >= 500)`.

The bounds checked here are the contracts' own (Pool, MarginEngineGovernance, Liquidator, OracleAggregator), so a
config that validates does not revert on a parameter bound half-way through a deployment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ballast.config.checks import consistency_issues
from ballast.config.schema import (
    BPS,
    MAX_BUFFER,
    MAX_COLLATERAL,
    MAX_COOLDOWN,
    MAX_ISOLATION_USD,
    MAX_MARKETS,
    MAX_MIN_BOND_TOKENS,
    MAX_POOL_ASSETS,
    MAX_PRICE_AGE,
    MAX_SOURCES,
    MAX_STORED_PRICE,
    MIN_BUFFER,
    NO_LIQUIDITY_CAP,
    RETIRED_SOURCE_FIELDS,
    ROLE_REF,
    UINT32_MAX,
    UINT64_MAX,
    UINT128_MAX,
    UNLIMITED,
    WAD,
    AdlConfig,
    Cap,
    CollateralConfig,
    DeploymentConfig,
    InsuranceConfig,
    LiquidationConfig,
    LivenessConfig,
    MarketConfig,
    Model,
    Number,
    OnboardingConfig,
    OptionsConfig,
    OptionSeriesConfig,
    OptionsRiskConfig,
    OracleAssetConfig,
    OracleConfig,
    OracleParams,
    PoolAssetConfig,
    PoolConfig,
    Positive,
    ProductCapsConfig,
    RateModelConfig,
    RoleRef,
    RolesConfig,
    SourceConfig,
    TimelockConfig,
    TokenConfig,
    config_hash,
    plain,
)
from ballast.errors import ConfigError
from ballast.yaml_errors import yaml_problem

__all__ = [
    "BPS",
    "MAX_BUFFER",
    "MAX_COLLATERAL",
    "MAX_COOLDOWN",
    "MAX_ISOLATION_USD",
    "MAX_MARKETS",
    "MAX_MIN_BOND_TOKENS",
    "MAX_POOL_ASSETS",
    "MAX_PRICE_AGE",
    "MAX_SOURCES",
    "MAX_STORED_PRICE",
    "MIN_BUFFER",
    "NO_LIQUIDITY_CAP",
    "ROLE_REF",
    "UINT32_MAX",
    "UINT64_MAX",
    "UINT128_MAX",
    "UNLIMITED",
    "WAD",
    "AdlConfig",
    "Cap",
    "CollateralConfig",
    "ConfigError",
    "DeploymentConfig",
    "InsuranceConfig",
    "LiquidationConfig",
    "LivenessConfig",
    "MarketConfig",
    "Model",
    "Number",
    "OnboardingConfig",
    "OptionSeriesConfig",
    "OptionsConfig",
    "OptionsRiskConfig",
    "OracleAssetConfig",
    "OracleConfig",
    "OracleParams",
    "PoolAssetConfig",
    "PoolConfig",
    "Positive",
    "ProductCapsConfig",
    "RateModelConfig",
    "RoleRef",
    "RolesConfig",
    "SourceConfig",
    "TimelockConfig",
    "TokenConfig",
    "config_hash",
    "diff_configs",
    "display_path",
    "load_config",
    "parse_config",
]


def _path(loc: tuple[Any, ...], data: Any) -> str:
    """`markets[1].maintenanceMarginBps` from a pydantic location, walking the input alongside."""
    text = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text


def _describe(error: Mapping[str, Any]) -> str:
    kind, got = error["type"], error.get("input")
    ctx = {k: plain(v) if isinstance(v, Decimal) else v for k, v in (error.get("ctx") or {}).items()}
    shown = repr(got) if isinstance(got, str) else got
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        retired = RETIRED_SOURCE_FIELDS.get(str(error["loc"][-1])) if error["loc"] else None
        return f"no longer used: {retired}" if retired else "unknown field (check the spelling)"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']} (got {shown})"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']} (got {shown})"
    if kind == "greater_than":
        return f"must be above {ctx['gt']} (got {shown})"
    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        word = "at least" if kind == "too_short" else "at most"
        return f"must have {word} {bound} entries (got {ctx.get('actual_length')})"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')} (got {shown})"
    if kind == "string_pattern_mismatch":
        return f"must be `deployer`, `test:N` or a 0x address (got {shown})"
    if kind.startswith("int_") or kind == "int_from_float":
        return f"must be a whole number (got {shown})"
    if kind.startswith("decimal_"):
        return f"must be a number (got {shown})"
    if kind == "value_error":
        return f"{ctx.get('error', error['msg'])} (got {shown})"
    return f"{error['msg'][:1].lower()}{error['msg'][1:]} (got {shown})"


def _pydantic_issues(err: ValidationError, data: Any) -> list[str]:
    issues: list[str] = []
    seen: set[str] = set()
    # An entry whose `kind` is missing or unknown: its other fields' errors follow from that one (an adapter kind
    # brings its own defaults), so the kind's line is the entry's only one.
    kindless = {tuple(e["loc"][:-1]) for e in err.errors() if e["loc"] and e["loc"][-1] == "kind"}
    for error in err.errors():
        loc = tuple(error["loc"])
        if loc and loc[-1] != "kind" and any(loc[: len(k)] == k for k in kindless):
            continue
        # A cap (number | 'unlimited') reports one error per union branch, tagged at the end of the location.
        is_cap = bool(loc) and loc[-1] in ("decimal", "literal['unlimited']")
        path = _path(loc[:-1] if is_cap else loc, data) or "(top level)"
        if path in seen:
            continue
        seen.add(path)
        if is_cap:
            message = f"must be a number of tokens or 'unlimited' (got {error.get('input')!r})"
        else:
            message = _describe(error)
        issues.append(f"{path}: {message}")
    return issues


def parse_config(data: Any, source: str = "config") -> DeploymentConfig:
    """Validate already-loaded YAML data; raises ConfigError with one line per bad field."""
    if not isinstance(data, dict):
        raise ConfigError(source, ["the file must hold a mapping of settings"])
    try:
        config = DeploymentConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(source, _pydantic_issues(err, data)) from None
    issues = consistency_issues(config)
    if issues:
        raise ConfigError(source, issues)
    return config


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_config(path: Path | str) -> DeploymentConfig:
    """Read and validate a deployment config file."""
    path = Path(path)
    source = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, ["no such file"]) from None
    except OSError as err:
        raise ConfigError(source, [f"cannot read it ({err.strerror})"]) from None
    except UnicodeDecodeError:
        raise ConfigError(source, ["cannot read it (not UTF-8 text)"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(source, [yaml_problem(err)]) from None
    return parse_config(data, source)


def diff_configs(old: Any, new: Any, path: str = "") -> list[str]:
    """Readable differences between two normalized configs, one line per changed field."""
    if isinstance(old, dict) and isinstance(new, dict):
        lines: list[str] = []
        for key in [*old, *(k for k in new if k not in old)]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in new:
                lines.append(f"{sub}: removed (was {json.dumps(old[key])})")
            elif key not in old:
                lines.append(f"{sub}: added ({json.dumps(new[key])})")
            else:
                lines.extend(diff_configs(old[key], new[key], sub))
        return lines
    if isinstance(old, list) and isinstance(new, list):
        lines = []
        for i in range(max(len(old), len(new))):
            sub = f"{path}[{i}]"
            if i >= len(new):
                lines.append(f"{sub}: removed (was {json.dumps(old[i])})")
            elif i >= len(old):
                lines.append(f"{sub}: added ({json.dumps(new[i])})")
            else:
                lines.extend(diff_configs(old[i], new[i], sub))
        return lines
    if old != new:
        return [f"{path}: {json.dumps(old)} -> {json.dumps(new)}"]
    return []
