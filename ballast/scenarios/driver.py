"""A fast transaction driver for a local anvil: many transactions per block, sent as JSON-RPC batches.

One transaction at a time through ape (sign, send, wait for the receipt, decode) runs at about 20 per second. The
driver instead:

- turns anvil's automine off, so sent transactions wait in the pool;
- sends unsigned `eth_sendTransaction` requests from accounts anvil impersonates (`anvil_autoImpersonateAccount`),
  with nonces tracked locally and an explicit gas limit (no estimate), many per HTTP POST (a JSON-RPC batch);
- mines one block with `evm_mine` at an explicit timestamp (the block gas limit is raised so the whole queue fits);
- fetches the receipts in batches and reports the failed transactions with their decoded custom error (replayed
  with `eth_call` on the state after the block).

Calldata is encoded once per call with eth-abi (`Call`): `driver.queue(sender, Call.of(contract, "name", *args))`.
Block by block: `queue(...)` any number of calls, `mine(timestamp)` returns a `MinedBlock` with the receipts and
logs; `mine(..., strict=True)` raises `DriverError` naming the first failed call and its error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ape.api import AccountAPI, ProviderAPI
from ape.managers.project import ProjectManager
from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address

from ballast.errors import DriverError

MAX_BATCH = 1_000  # requests per JSON-RPC batch
RECEIPT_BATCH = 200  # receipts per batch (anvil answers each in time that grows with the block)
DEFAULT_GAS = 1_500_000  # gas limit of a queued transaction unless the call says otherwise
MAX_TRACED = 5  # failed transactions of one block whose revert is decoded
BLOCK_GAS_LIMIT = 2**40  # the block gas limit while the driver mines: every queued transaction fits


@dataclass(frozen=True)
class Call:
    """One contract call: target, calldata (encoded once) and a label for errors ("WETH.approve")."""

    to: str
    data: str
    label: str
    gas: int = DEFAULT_GAS

    @classmethod
    def of(
        cls, contract: Any, name: str, *args: Any, gas: int = DEFAULT_GAS, label: str | None = None
    ) -> Call:
        """`contract.name(*args)` encoded with the first ABI of that name taking as many inputs."""
        abis = [abi for abi in getattr(contract, name).abis if len(abi.inputs) == len(args)]
        if not abis:
            raise ValueError(f"{name} takes no {len(args)} arguments")
        abi = abis[0]
        types = [i.canonical_type for i in abi.inputs]
        selector = keccak(text=abi.selector)[:4]
        data = "0x" + (selector + encode(types, list(args))).hex()
        return cls(str(contract.address), data, label or name, gas)


@dataclass(frozen=True)
class Receipt:
    """What the driver keeps of a mined transaction."""

    label: str
    sender: str
    tx_hash: str
    status: int
    gas_used: int
    logs: list[dict[str, Any]]
    error: str | None = None  # decoded revert of a failed transaction

    @property
    def failed(self) -> bool:
        return self.status != 1


@dataclass
class MinedBlock:
    number: int
    timestamp: int
    receipts: list[Receipt] = field(default_factory=list)

    @property
    def failed(self) -> list[Receipt]:
        return [r for r in self.receipts if r.failed]

    @property
    def gas_used(self) -> int:
        return sum(r.gas_used for r in self.receipts)


@dataclass
class _Pending:
    label: str
    sender: str
    request: dict[str, Any]
    tx_hash: str | None = None


class ErrorDecoder:
    """Custom errors of a set of ABIs by selector: `decode(revert_data)` -> `Name(arg, ...)`."""

    def __init__(self, contract_types: Iterable[Any]) -> None:
        self.errors: dict[bytes, tuple[str, list[str]]] = {}
        for contract_type in contract_types:
            for entry in contract_type.abi:
                if entry.type != "error":
                    continue
                types = [i.canonical_type for i in entry.inputs]
                self.errors[keccak(text=entry.selector)[:4]] = (entry.name, types)
        self.errors[bytes.fromhex("08c379a0")] = ("Error", ["string"])
        self.errors[bytes.fromhex("4e487b71")] = ("Panic", ["uint256"])

    def decode(self, data: str | bytes | None) -> str:
        if not data:
            return "reverted without data"
        raw = bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)
        known = self.errors.get(raw[:4])
        if known is None:
            return f"unknown error 0x{raw[:4].hex()}"
        name, types = known
        try:
            values = decode(types, raw[4:])
        except Exception:  # malformed payload: say so rather than fail the report
            return f"{name}(<undecodable>)"
        return f"{name}({', '.join(_show(v) for v in values)})"


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        text = value.rstrip(b"\x00")
        return text.decode() if text.isascii() and text else "0x" + value.hex()
    return str(value)


class FastDriver:
    """Batched transactions on a local anvil (see the module docstring). `provider` is ape's connected provider."""

    def __init__(self, provider: ProviderAPI, decoder: ErrorDecoder | None = None) -> None:
        self.provider = provider
        web3_provider = provider.web3.provider
        self._batch = getattr(web3_provider, "make_batch_request", None)
        self.decoder = decoder or ErrorDecoder(())
        self.nonces: dict[str, int] = {}
        self.pending: list[_Pending] = []
        self.sent = 0  # transactions sent through the driver
        self._automine: bool | None = None
        self._impersonating = False
        self._gas_limit: int | None = None

    # ---------------------------------------------------------------- raw RPC

    def request(self, method: str, params: list[Any]) -> Any:
        return self.provider.make_request(method, params)

    def batch(self, requests: Sequence[tuple[str, list[Any]]], size: int = MAX_BATCH) -> list[Any]:
        """Results of `requests`, in order, `size` per HTTP POST. Raises `DriverError` on any error entry."""
        results: list[Any] = []
        for start in range(0, len(requests), size):
            chunk = list(requests[start : start + size])
            if self._batch is None:
                results.extend(self.request(m, p) for m, p in chunk)
                continue
            answer = self._batch(chunk)
            if not isinstance(answer, list):
                raise DriverError(f"batch request refused: {answer.get('error', answer)}")
            for (method, _), response in zip(chunk, answer, strict=True):
                if response.get("error") is not None:
                    error = response["error"]
                    message = error.get("message", error) if isinstance(error, dict) else error
                    raise DriverError(f"{method} failed: {message}")
                results.append(response["result"])
        return results

    # ---------------------------------------------------------------- node set-up

    def set_automine(self, enabled: bool) -> None:
        if self._automine is not enabled:
            self.request("evm_setAutomine", [enabled])
            self._automine = enabled

    def impersonate_all(self) -> None:
        """Let any address send unsigned transactions (anvil's auto-impersonation)."""
        if not self._impersonating:
            self.request("anvil_autoImpersonateAccount", [True])
            self._impersonating = True

    def fund(self, addresses: Iterable[str], wei: int) -> None:
        """Give every address `wei` of ether for gas (anvil_setBalance, batched)."""
        self.batch([("anvil_setBalance", [a, hex(wei)]) for a in addresses])

    def latest(self) -> tuple[int, int]:
        """(number, timestamp) of the latest block."""
        block = self.request("eth_getBlockByNumber", ["latest", False])
        return int(block["number"], 16), int(block["timestamp"], 16)

    def sync_nonces(self, senders: Iterable[str] | None = None) -> None:
        """Re-read the nonces of `senders` (default: every known sender), e.g. after ape sent from one of them."""
        senders = list(self.nonces if senders is None else senders)
        counts = self.batch([("eth_getTransactionCount", [s, "pending"]) for s in senders])
        for sender, count in zip(senders, counts, strict=True):
            self.nonces[to_checksum_address(sender)] = int(count, 16)

    # ---------------------------------------------------------------- transactions

    def queue(self, sender: AccountAPI, call: Call) -> None:
        """Queue `call` from `sender` (an address or an ape account) for the next `send`/`mine`."""
        address = to_checksum_address(str(getattr(sender, "address", sender)))
        if address not in self.nonces:
            self.sync_nonces([address])
        nonce = self.nonces[address]
        self.nonces[address] = nonce + 1
        request = {
            "from": address,
            "to": call.to,
            "data": call.data,
            "gas": hex(call.gas),
            "nonce": hex(nonce),
        }
        self.pending.append(_Pending(call.label, address, request))

    def queue_many(self, items: Iterable[tuple[Any, Call]]) -> None:
        for sender, call in items:
            self.queue(sender, call)

    def send(self) -> int:
        """Send every queued transaction (batched) into the node's pool; returns how many were sent."""
        unsent = [p for p in self.pending if p.tx_hash is None]
        if not unsent:
            return 0
        self.set_automine(False)
        self.impersonate_all()
        hashes = self.batch([("eth_sendTransaction", [p.request]) for p in unsent])
        for pending, tx_hash in zip(unsent, hashes, strict=True):
            pending.tx_hash = tx_hash
        self.sent += len(unsent)
        return len(unsent)

    def mine(
        self, timestamp: int | None = None, *, strict: bool = False, gas_limit: int | None = None
    ) -> MinedBlock:
        """Send what is queued, mine one block (at `timestamp` if given) and return its receipts.

        `gas_limit` sets the block gas limit for this block (default: large enough for everything queued); queued
        transactions that do not fit stay in the pool and are reported by a later `mine`. `strict`: raise
        `DriverError` if any transaction failed."""
        self.send()
        limit = gas_limit or BLOCK_GAS_LIMIT
        if limit != self._gas_limit:
            self.request("evm_setBlockGasLimit", [hex(limit)])
            self._gas_limit = limit
        self.request("evm_mine", [timestamp] if timestamp is not None else [])
        number, mined_at = self.latest()
        hashes = [p.tx_hash for p in self.pending]
        raw = (
            self.batch([("eth_getTransactionReceipt", [h]) for h in hashes], RECEIPT_BATCH) if hashes else []
        )
        block = MinedBlock(number, mined_at)
        traced = 0  # failed transactions traced so far in this block (tracing is slow: the first few only)
        still_pending: list[_Pending] = []
        for pending, receipt in zip(self.pending, raw, strict=True):
            if receipt is None:
                still_pending.append(pending)
                continue
            status = int(receipt["status"], 16)
            block.receipts.append(
                Receipt(
                    label=pending.label,
                    sender=pending.sender,
                    tx_hash=pending.tx_hash or "",
                    status=status,
                    gas_used=int(receipt["gasUsed"], 16),
                    logs=receipt.get("logs") or [],
                    error=None if status == 1 else self._revert_reason(pending, traced := traced + 1, number),
                )
            )
        self.pending = still_pending
        if strict and block.failed:
            first = block.failed[0]
            labels: dict[str, int] = {}
            for r in block.failed:
                labels[r.label] = labels.get(r.label, 0) + 1
            kinds = ", ".join(f"{n} x {label}" for label, n in labels.items())
            raise DriverError(
                f"{len(block.failed)} of {len(block.receipts)} transactions failed in block {number} ({kinds}); "
                f"first: {first.label} from {first.sender}: {first.error}"
            )
        return block

    def _revert_reason(self, pending: _Pending, index: int, block_number: int) -> str:
        """The failed transaction's custom error, replayed with `eth_call` on the state after its block (a trace of
        the transaction itself replays the whole block before it: far too slow in a block of thousands). Only the
        first `MAX_TRACED` failures of a block are replayed."""
        if index > MAX_TRACED:
            return "reverted (not replayed)"
        call = {k: v for k, v in pending.request.items() if k in ("from", "to", "data", "gas")}
        response = self.provider.web3.provider.make_request("eth_call", [call, hex(block_number)])
        error = response.get("error") if isinstance(response, dict) else None
        if not error:
            return "reverted in its block (an eth_call after the block succeeds: it depended on the block's order)"
        data = error.get("data") if isinstance(error, dict) else None
        if isinstance(data, dict):
            data = data.get("data")
        if isinstance(data, str) and data.startswith("0x"):
            return self.decoder.decode(data)
        return str(error.get("message", error) if isinstance(error, dict) else error)


def project_decoder(project: ProjectManager) -> ErrorDecoder:
    """Custom errors of every contract type of the project."""
    types = []
    for name in project.contracts:
        try:
            types.append(getattr(project, name).contract_type)
        except Exception:  # a name ape cannot resolve is no error source
            continue
    return ErrorDecoder(types)
