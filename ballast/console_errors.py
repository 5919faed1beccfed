"""Revert data in words: `decode_revert(data)` names the custom error behind a revert (`InsufficientMargin(
initialEquity=-$3.00, initialMargin=$300.00, stressEquity=-$600.00)`), whichever contract raised it.

The selectors come from the ABIs of every contract type of the project: each contract's ABI holds the errors it and
the interfaces it inherits declare (`interfaces/`, OpenZeppelin's), so an error raised deeper in a call (the Pool's
behind the MarginEngine, the MarginEngineGovernance's behind its fallback, a token's behind the Pool) decodes as well
as the called contract's own. `Error(string)` and `Panic(uint256)` decode too.

`revert_data(error)` digs the revert data out of what ape raises (a `ContractLogicError` holding it as its message,
a `CustomError` ape decoded itself, anvil's text for a reverted `eth_call`), and `describe_error(error)` is the one
line `ape console` prints for a failed transaction or call (`ballast.console_hooks`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak, to_checksum_address

WAD = 10**18
#: `Error(string)` and `Panic(uint256)`, the compiler's own reverts.
ERROR_STRING = "08c379a0"
PANIC = "4e487b71"
PANIC_CODES = {
    0x01: "assert failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "invalid enum value",
    0x22: "bad storage byte array",
    0x31: "pop on an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to an uninitialized function",
}
#: Argument names whose values are USD (WAD) in the project's errors: shown as dollars.
_USD_NAME = re.compile(
    r"(Usd|Equity|Margin|Price|Value|Pnl)$|^(equity|margin|price|nav|traderPnl|poolValue)$"
)
#: Argument names whose values are fractions in WAD (the Pool's utilization): shown in percent.
_WAD_FRACTION_NAME = re.compile(r"(?i)utilization$")
_HEX = re.compile(r"0x[0-9a-fA-F]{8,}")
#: How anvil words a reverted `eth_call` (ape keeps the text, not the JSON-RPC error's data).
_ANVIL_CALL = re.compile(r"custom error (0x[0-9a-fA-F]{8}):\s*(?:0x)?([0-9a-fA-F]*)")


@dataclass(frozen=True)
class ErrorSpec:
    """A custom error: its name, its inputs (name, canonical type, internal type) and the contracts declaring it."""

    name: str
    inputs: tuple[tuple[str, str, str], ...]
    declared_by: tuple[str, ...]

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(t for _, t, _ in self.inputs)})"

    @property
    def selector(self) -> str:
        return keccak(text=self.signature)[:4].hex()


@dataclass(frozen=True)
class DecodedError:
    """Revert data decoded: the error's name, its arguments by name (in declaration order) and the one-line text."""

    name: str
    args: dict[str, Any]
    text: str

    def __str__(self) -> str:
        return self.text


def _canonical(entry: Mapping[str, Any]) -> str:
    """The canonical ABI type of an input (tuples expanded)."""
    kind = str(entry["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_canonical(c) for c in entry.get("components", []))
        return f"({inner}){kind[5:]}"
    return kind


def error_specs(abis: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, list[ErrorSpec]]:
    """Selector (8 hex digits) -> the errors with that selector, from ABIs as JSON dicts by contract name. One error
    declared by several contracts is one spec; two specs share a selector only when the same types carry other
    argument names (the Pool's and the MarginEngine's `SlippageExceeded`)."""
    found: dict[tuple[str, tuple[tuple[str, str, str], ...]], list[str]] = {}
    for contract, abi in abis.items():
        for entry in abi:
            if entry.get("type") != "error":
                continue
            inputs = tuple(
                (str(i.get("name") or f"arg{n}"), _canonical(i), str(i.get("internalType") or ""))
                for n, i in enumerate(entry.get("inputs", []))
            )
            found.setdefault((str(entry["name"]), inputs), []).append(contract)
    specs: dict[str, list[ErrorSpec]] = {}
    for (name, inputs), contracts in sorted(found.items()):
        spec = ErrorSpec(name, inputs, tuple(sorted(set(contracts))))
        specs.setdefault(spec.selector, []).append(spec)
    return specs


def enum_names(sources: Iterable[Path]) -> dict[str, tuple[str, ...]]:
    """`Contract.Enum` -> member names, from the Solidity sources (an error's enum argument shows as its member)."""
    names: dict[str, tuple[str, ...]] = {}
    container = re.compile(r"\b(?:interface|contract|library)\s+(\w+)")
    for path in sources:
        text = path.read_text()
        owners = [(m.start(), m.group(1)) for m in container.finditer(text)]
        for m in re.finditer(r"\benum\s+(\w+)\s*\{([^}]*)\}", text):
            owner = next((name for start, name in reversed(owners) if start < m.start()), "")
            members = tuple(re.sub(r"//.*", "", line).strip() for line in m.group(2).split(","))
            names[f"{owner}.{m.group(1)}"] = tuple(" ".join(x.split()) for x in members if x)
    return names


def usd_text(wad: int) -> str:
    """USD from a WAD, signed: 4 decimals below $10, else cents."""
    value = Decimal(int(wad)) / WAD
    text = f"${abs(value):,.4f}" if abs(value) < 10 else f"${abs(value):,.2f}"
    return f"-{text}" if value < 0 else text


def role_names(abis: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[bytes, str]:
    """AccessControl role ids -> names: every `X_ROLE()` getter of the ABIs, as `keccak256("X_ROLE")` (the
    convention of the project's and OpenZeppelin's roles; a role defined otherwise stays a hash), and the admin
    role 0x00."""
    names = {bytes(32): "DEFAULT_ADMIN_ROLE"}
    for abi in abis.values():
        for entry in abi:
            name = str(entry.get("name", ""))
            if entry.get("type") == "function" and name.endswith("_ROLE") and not entry.get("inputs"):
                names.setdefault(keccak(text=name), name)
    return names


def _value_text(
    name: str,
    canonical: str,
    internal: str,
    value: Any,
    enums: Mapping[str, tuple[str, ...]],
    roles: Mapping[bytes, str],
) -> str:
    if internal.startswith("enum "):
        members = enums.get(internal[5:], ())
        label = internal[5:].split(".")[-1]
        return f"{label}.{members[value]}" if isinstance(value, int) and value < len(members) else str(value)
    if canonical == "address":
        return to_checksum_address(value)
    if canonical == "bytes32" and isinstance(value, bytes):
        if value in roles:
            return roles[value]
        text = value.rstrip(b"\0")
        if text and all(32 <= b < 127 for b in text):
            return repr(text.decode())
        return "0x" + value.hex()
    if isinstance(value, bytes):
        return "0x" + value.hex()
    # `name` stands for every name the argument goes by (errors sharing a selector): a unit applies when all agree.
    names = name.split("|")
    if canonical == "uint256" and all(_WAD_FRACTION_NAME.search(n) for n in names):
        return f"{Decimal(value) / 10**16:,.2f} %"
    if (
        canonical.startswith(("uint", "int"))
        and all(_USD_NAME.search(n) for n in names)
        and canonical[-3:] == "256"
    ):
        if value == 2**256 - 1 or abs(value) >= 2**255 - 1:
            return "max"
        return usd_text(value)
    return str(value)


class ErrorDecoder:
    """Decodes revert data with the errors of the ABIs given (see `error_specs`)."""

    def __init__(
        self,
        abis: Mapping[str, Iterable[Mapping[str, Any]]],
        enums: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.specs = error_specs(abis)
        self.enums = dict(enums or {})
        self.roles = role_names(abis)

    def decode(self, data: str | bytes) -> DecodedError | None:
        """The error behind `data` (0x-prefixed hex or bytes), or None when no known error has its selector or its
        arguments do not decode."""
        raw = (
            bytes.fromhex(data[2:] if data.startswith("0x") else data)
            if isinstance(data, str)
            else bytes(data)
        )
        if len(raw) < 4:
            return None
        selector, body = raw[:4].hex(), raw[4:]
        if selector == ERROR_STRING:
            (reason,) = decode(["string"], body)
            return DecodedError("Error", {"reason": reason}, f"Error({reason!r})")
        if selector == PANIC:
            (code,) = decode(["uint256"], body)
            what = PANIC_CODES.get(code, "unknown panic")
            return DecodedError("Panic", {"code": code}, f"Panic(0x{code:02x}: {what})")
        specs = self.specs.get(selector, [])
        for spec in specs:
            try:
                values = decode([t for _, t, _ in spec.inputs], body)
            except (DecodingError, ValueError, OverflowError):
                continue
            args = {n: v for (n, _, _), v in zip(spec.inputs, values, strict=True)}
            parts = []
            for k, ((_, t, i), v) in enumerate(zip(spec.inputs, values, strict=True)):
                # Errors sharing a selector differ in argument names only: show every name; a unit if all agree.
                names = list(
                    dict.fromkeys(s.inputs[k][0] for s in specs if len(s.inputs) == len(spec.inputs))
                )
                label = "|".join(names)
                parts.append(f"{label}={_value_text(label, t, i, v, self.enums, self.roles)}")
            return DecodedError(spec.name, args, f"{spec.name}({', '.join(parts)})")
        return None


@cache
def _project_decoder(path: str) -> ErrorDecoder:
    from ape import project as ape_project

    project = ape_project if str(ape_project.path) == path else ape_project.__class__(Path(path))
    abis = {
        name: [entry.model_dump(mode="json", by_alias=True) for entry in container.contract_type.abi]
        for name, container in project.load_contracts().items()
    }
    root = Path(path)
    sources = [*sorted((root / "interfaces").rglob("*.sol")), *sorted((root / "contracts").rglob("*.sol"))]
    sources = [s for s in sources if ".cache" not in s.parts]
    return ErrorDecoder(abis, enum_names(sources))


def project_decoder(project: Any = None) -> ErrorDecoder:
    """The decoder of `project`'s contract types (ape's local project by default), built once per project."""
    if project is None:
        from ape import project as ape_project

        project = ape_project
    return _project_decoder(str(project.path))


def decode_revert(data: str | bytes, project: Any = None) -> str | None:
    """One line naming the error behind revert data, with its argument values (USD amounts in dollars, enums by
    member, addresses checksummed), e.g. `SlippageExceeded(executionPrice=$3,000.00, acceptablePrice=$2,990.00)`;
    None when no contract of the project declares an error with that selector."""
    decoded = project_decoder(project).decode(data)
    return None if decoded is None else decoded.text


def revert_data(error: BaseException) -> str | None:
    """The revert data behind an exception ape raised (0x-prefixed hex), when it holds any."""
    abi = getattr(error, "abi", None)
    inputs = getattr(error, "inputs", None)
    if abi is not None and isinstance(inputs, dict) and getattr(abi, "type", "") == "error":
        # ape decoded it itself (a CustomError): encode it back so that it reads the same as any other.
        from eth_abi import encode

        types = [i.canonical_type for i in abi.inputs]
        values = [inputs[i.name] for i in abi.inputs]
        return "0x" + (keccak(text=abi.selector)[:4] + encode(types, values)).hex()
    for text in (getattr(error, "revert_message", None), getattr(error, "message", None), str(error)):
        if not isinstance(text, str):
            continue
        if (call := _ANVIL_CALL.search(text)) and len(call.group(2)) % 2 == 0:
            return call.group(1) + call.group(2)
        match = _HEX.search(text)
        if match and len(match.group(0)) % 2 == 0:
            return match.group(0)
    return None


def describe_error(error: BaseException, project: Any = None) -> str | None:
    """`<function> reverted: <error>` for an exception ape raised on a failed transaction or call, when its revert
    data decodes; None otherwise."""
    data = revert_data(error)
    if data is None:
        return None
    text = decode_revert(data, project)
    if text is None:
        return None
    what = _called_function(error, project)
    return f"{what} reverted: {text}" if what else f"reverted: {text}"


#: Names of known addresses (`label_addresses`): a failure names the contract called, not the one declaring the
#: function (the MarginEngine, not the MarginEngineGovernance its fallback delegates to).
_LABELS: dict[str, str] = {}


def label_addresses(labels: Mapping[str, str]) -> None:
    """Name addresses ({name: address}, as a manifest's `contracts` and `tokens`) in `describe_error`'s lines."""
    _LABELS.update({str(address).lower(): name for name, address in labels.items()})


def _called_function(error: BaseException, project: Any) -> str | None:
    """`Contract.function` a failed transaction called: the function from its calldata's selector, the contract
    from its address when labelled (only the contract when ape kept no transaction)."""
    txn = getattr(error, "txn", None)
    data = getattr(txn, "data", None)
    address = getattr(txn, "receiver", None) or getattr(error, "contract_address", None)
    label = _LABELS.get(str(address or "").lower())
    if not isinstance(data, bytes | bytearray) or len(data) < 4:
        return label  # an error ape decoded itself keeps the contract's address, not the transaction
    found = project_functions(project).get(bytes(data[:4]).hex())
    if found is None or label is None:
        return found
    return f"{label}.{found.split('.', 1)[1]}"


@cache
def _project_functions(path: str) -> dict[str, str]:
    from ape import project as ape_project

    project = ape_project if str(ape_project.path) == path else ape_project.__class__(Path(path))
    names: dict[str, str] = {}
    for name, container in sorted(
        project.load_contracts().items(), key=lambda i: (i[0].startswith("Mock"), i[0])
    ):
        for abi in [*container.contract_type.mutable_methods, *container.contract_type.view_methods]:
            names.setdefault(keccak(text=abi.selector)[:4].hex(), f"{name}.{abi.name}")
    return names


def project_functions(project: Any = None) -> dict[str, str]:
    """Function selector -> `Contract.function` over the project's contract types (the first contract declaring
    it, by name)."""
    if project is None:
        from ape import project as ape_project

        project = ape_project
    return _project_functions(str(project.path))
