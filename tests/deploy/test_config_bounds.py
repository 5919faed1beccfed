"""The deployment config's bounds are the contracts' bounds: every `ParamBounds.check(name, value, min, max)` in
`contracts/` with constant bounds is found, by its name, on a config field with the same `ge`/`le`, and the limits
`ballast.config` names after a contract constant equal that constant. A bound changed in Solidity fails here until
the config follows (no chain needed: the sources are read as text)."""

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import annotated_types
import pytest
from pydantic import BaseModel

from ballast import config as cfg

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"

CHECK = re.compile(r'ParamBounds\.check\("(\w+)",\s*[^,]+,\s*([^,]+),\s*(.+?)\);')
CONSTANT = re.compile(
    r"\b(?:u?int\d+)\s+(?:public\s+|private\s+|internal\s+)?constant\s+(\w+)\s*=\s*([^;]+);"
)
UNITS = {"minutes": 60, "hours": 3_600, "days": 86_400}

#: Checks whose bounds depend on another field (`initialMarginBps` above `maintenanceMarginBps`, ...) or on the old
#: value (a risk step): `ballast.config` checks those relations across fields, so only their constant side is compared.
RELATIVE = {
    "maxPenaltyBps",
    "adlTargetBps",
    "initialHaircutBps",
    "initialMarginBps",
    "tradingFeeBps",
    "maxWeightBps",
    "maxSpreadBps",  # at least baseSpreadBps
    "settlementWindow",  # at least the oracle's minTwapWindow
    "minInitialHaircutBps",  # at least minMaintHaircutBps
}

#: Bounds the config states in whole units (a volatility of 0.8) and the contract in WAD (0.8e18).
WAD_SCALED = {"impliedVol"}

#: USD amounts the config takes in whole USD and the contract bounds in WAD (the AssetOnboarding's maxima).
USD_IN_WAD = {"maxSupplyCapUsd", "maxDebtCeilingUsd"}

#: Token amounts the config takes in whole tokens (a decimal or `unlimited`) and the deployment converts to units:
#: the contracts refuse zero, so the config does too.
AMOUNTS = {"supplyCap", "depositCap", "minSize", "minBond"}

#: `ballast.config` limits named after a contract constant: (config name, contract file, constant).
NAMED_LIMITS = [
    ("MAX_POOL_ASSETS", "PoolExtension.sol", "MAX_ASSETS"),
    ("MAX_COOLDOWN", "PoolExtension.sol", "MAX_COOLDOWN"),
    ("NO_LIQUIDITY_CAP", "base/PoolStorage.sol", "NO_LIQUIDITY_CAP"),
    ("MAX_SOURCES", "OracleAggregator.sol", "MAX_SOURCES"),
    ("MIN_BUFFER", "OracleAggregator.sol", "MIN_BUFFER_SIZE"),
    ("MAX_BUFFER", "OracleAggregator.sol", "MAX_BUFFER_SIZE"),
    ("MAX_COLLATERAL", "base/MarginEngineStorage.sol", "MAX_COLLATERAL_LISTED"),
    ("MAX_MARKETS", "base/MarginEngineStorage.sol", "MAX_MARKETS_LISTED"),
    ("MAX_MIN_BOND_TOKENS", "governance/AssetOnboarding.sol", "MAX_MIN_BOND_TOKENS"),
]


def _evaluate(expression: str, constants: dict[str, int]) -> int | None:
    """A Solidity constant expression of numbers, time units, other constants and `type(uintN).max`; None for
    anything else (a bound that reads a struct field)."""
    text = expression.strip()
    text = re.sub(r"type\(uint(\d+)\)\.max", lambda m: f"(2**{m.group(1)} - 1)", text)
    text = text.replace("FixedPointMath.BPS", str(cfg.BPS))
    text = re.sub(  # scientific literals: 0.05e18
        r"\b(\d+(?:\.\d+)?)e(\d+)\b", lambda m: str(int(Decimal(m.group(1)) * 10 ** int(m.group(2)))), text
    )
    text = re.sub(
        r"(\d[\d_]*)\s+(minutes|hours|days)\b", lambda m: f"({m.group(1)} * {UNITS[m.group(2)]})", text
    )
    text = re.sub(r"(?<=\d)_(?=\d)", "", text)
    names = set(re.findall(r"[A-Za-z_]\w*", text))
    if not names <= constants.keys():
        return None
    return int(eval(text, {"__builtins__": {}}, dict(constants)))  # only digits, operators and known names


def _constants(source: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for name, expression in CONSTANT.findall(source):
        value = _evaluate(expression, found)
        if value is not None:
            found[name] = value
    return found


def _contract_checks() -> list[tuple[str, str, int | None, int | None]]:
    checks = []
    for path in sorted(CONTRACTS.rglob("*.sol")):
        source = path.read_text()
        constants = _constants(source)
        for name, low, high in CHECK.findall(source):
            checks.append((path.name, name, _evaluate(low, constants), _evaluate(high, constants)))
    return checks


def _bounds(info: Any) -> tuple[int | None, int | None]:
    ge = next((m.ge for m in info.metadata if isinstance(m, annotated_types.Ge)), None)
    le = next((m.le for m in info.metadata if isinstance(m, annotated_types.Le)), None)
    if ge is None and le is None:  # a mapping of bounded values (`impliedVol`): the values' bounds
        value_type = (getattr(info.annotation, "__args__", ()) or (None, None))[-1]
        metadata = [
            m for arg in getattr(value_type, "__metadata__", ()) for m in getattr(arg, "metadata", [arg])
        ]
        ge = next((m.ge for m in metadata if isinstance(m, annotated_types.Ge)), None)
        le = next((m.le for m in metadata if isinstance(m, annotated_types.Le)), None)
        if ge is not None or le is not None:
            return (None if ge is None else int(Decimal(str(ge)) * 10**18)), (
                None if le is None else int(Decimal(str(le)) * 10**18)
            )
    return ge, le


def _config_fields(model: type[BaseModel], section: str = "") -> list[tuple[str, str, Any]]:
    """(section, alias, FieldInfo) of every bounded integer field below `model`."""
    fields = []
    for name, info in model.model_fields.items():
        alias = info.alias or name
        nested = [t for t in getattr(info.annotation, "__args__", (info.annotation,)) if isinstance(t, type)]
        for inner in nested:
            if issubclass(inner, BaseModel):
                fields.extend(_config_fields(inner, alias))
        dict_args = getattr(info.annotation, "__args__", ())
        if len(dict_args) == 2 and isinstance(dict_args[1], type) and issubclass(dict_args[1], BaseModel):
            fields.extend(_config_fields(dict_args[1], alias))
        if any(_bounds(info)):
            fields.append((section, alias, info))
    return fields


#: Contracts configured by a section of their own (their checks' names are looked up there only).
SECTIONS: dict[str, type[BaseModel]] = {
    "OptionsBook.sol": cfg.OptionsConfig,
    "AssetOnboarding.sol": cfg.OnboardingConfig,
}


def _matches(name: str, contract: str = "") -> list[Any]:
    """Config fields named `name`, or `<section><Name>` (`adl.thresholdBps` for `adlThresholdBps`), in the config
    section of `contract` when it has one (`options` for the OptionsBook), else outside those sections."""
    out = []
    own = SECTIONS.get(contract)
    fields = _config_fields(own) if own is not None else _config_fields(cfg.DeploymentConfig)
    elsewhere = (
        set() if own is not None else {id(i) for m in SECTIONS.values() for _, _, i in _config_fields(m)}
    )
    for section, alias, info in fields:
        if id(info) in elsewhere:
            continue
        prefixed = section + alias[:1].upper() + alias[1:]
        if name in (alias, prefixed):
            out.append(info)
    return out


CHECKS = [c for c in _contract_checks() if c[1] != "name"]


def test_contract_checks__found_in_the_sources():
    names = {name for _, name, _, _ in CHECKS}
    assert {"maintenanceMarginBps", "closeFactorBps", "kinkBps", "windDownAfter", "cooldown"} <= names
    assert len(CHECKS) >= 30


BOUNDED = [c for c in CHECKS if c[1] not in AMOUNTS]


@pytest.mark.parametrize(
    ("contract", "name", "low", "high"), BOUNDED, ids=[f"{c[0]}:{c[1]}" for c in BOUNDED]
)
def test_config_field__same_bounds_as_the_contract(contract, name, low, high):
    fields = _matches(name, contract)
    assert fields, f"{contract}: no config field is named {name}"
    for info in fields:
        ge, le = _bounds(info)
        if name in USD_IN_WAD:
            ge, le = ge * 10**18, le * 10**18
        if low is not None:
            assert ge == low, f"{name}: config ge={ge}, {contract} min={low}"
        else:
            assert name in RELATIVE, f"{name}: a bound that reads another field must be listed in RELATIVE"
        if high is not None and high < 2**127:
            assert le == high, f"{name}: config le={le}, {contract} max={high}"


@pytest.mark.parametrize(("limit", "contract", "constant"), NAMED_LIMITS)
def test_config_limit__equals_the_contract_constant(limit, contract, constant):
    value = _constants((CONTRACTS / contract).read_text())[constant]
    assert getattr(cfg, limit) == value


@pytest.mark.parametrize("name", sorted(AMOUNTS))
def test_config_amount__zero_refused_like_the_contract(name):
    assert name in {n for _, n, _, _ in CHECKS}
    model = {
        "supplyCap": cfg.CollateralConfig,
        "depositCap": cfg.PoolAssetConfig,
        "minSize": cfg.MarketConfig,
        "minBond": cfg.OnboardingConfig,
    }[name]
    alias = {info.alias or field for field, info in model.model_fields.items()}
    assert name in alias
    with pytest.raises(ValueError, match="greater than 0"):
        model.__pydantic_validator__.validate_assignment(model.model_construct(), _field(model, name), 0)


def _field(model: type[BaseModel], alias: str) -> str:
    return next(field for field, info in model.model_fields.items() if (info.alias or field) == alias)
