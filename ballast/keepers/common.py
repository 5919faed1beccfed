"""What every keeper shares: retrying RPC failures with exponential backoff, JSON-lines logs, a state file that is
replaced atomically (a crash mid-write leaves the previous state), and SIGINT (Ctrl-C) and SIGTERM as a clean stop."""

from __future__ import annotations

import atexit
import gc
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

from ape.exceptions import ProviderError, VirtualMachineError
from eth_utils import to_checksum_address
from requests.exceptions import RequestException
from web3.exceptions import ProviderConnectionError, Web3RPCError

from ballast.errors import KeeperStateError

T = TypeVar("T")

#: Failures of the node or the connection to it, worth retrying; a revert (ape's VirtualMachineError) is not one.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    ProviderError,
    ProviderConnectionError,
    Web3RPCError,
    RequestException,
    OSError,  # ConnectionError, TimeoutError and socket errors
)


def is_transient(error: BaseException) -> bool:
    """Whether `error` is an RPC or connection failure (retry) rather than a revert or a bug (do not)."""
    return isinstance(error, TRANSIENT_ERRORS) and not isinstance(error, VirtualMachineError)


class RetryPolicy:
    """Exponential backoff: waits `base`, 2 * `base`, 4 * `base`... (at most `cap` seconds) between `retries`
    further attempts of a call that failed with a transient error."""

    def __init__(
        self,
        retries: int,
        base: float,
        cap: float,
        logger: logging.Logger,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.retries = retries
        self.base = base
        self.cap = cap
        self.logger = logger
        self.sleep = sleep

    def delay(self, attempt: int) -> float:
        """Seconds to wait after the `attempt`-th failure (0-based)."""
        wait: float = self.base * 2**attempt
        return min(self.cap, wait)

    def call(self, what: str, fn: Callable[[], T]) -> T:
        """`fn()`, retried on transient errors; the last error propagates."""
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except Exception as err:
                if not is_transient(err) or attempt == self.retries:
                    raise
                delay = self.delay(attempt)
                log_event(
                    self.logger,
                    "rpc_retry",
                    level=logging.WARNING,
                    call=what,
                    attempt=attempt + 1,
                    delay=delay,
                    error=f"{type(err).__name__}: {err}",
                )
                self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


# ---------------------------------------------------------------- JSON-lines logs


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log `event` with structured `fields` (rendered as one JSON object per line by `JsonFormatter`)."""
    logger.log(level, event, extra={"fields": fields})


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, event (the message) and the record's structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        payload.update(getattr(record, "fields", {}))
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, sort_keys=False)


def configure_json_logging(
    logger_name: str, level: int = logging.INFO, stream: IO[str] | None = None
) -> None:
    """Send `logger_name`'s records to `stream` (stderr by default) as JSON lines, and only there."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(logger_name)
    logger.handlers = [handler]
    logger.setLevel(level)
    logger.propagate = False


# ---------------------------------------------------------------- state files


def write_json_atomic(path: Path, data: Any) -> None:
    """Write `data` as JSON to `path` through a temporary file in the same directory and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_state_file(
    path: Path | None, what: str, owner_field: str, chain_id: int, owner: str, version: int
) -> dict[str, Any] | None:
    """A keeper's JSON state at `path` (None when there is none), checked to be of `version` and to belong to
    `owner` (its `owner_field`: the contract the keeper serves) on `chain_id`. `KeeperStateError` (one line naming
    `what`, e.g. "expiry keeper state") for a file that cannot be read or is another's."""
    if path is None or not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        found = (int(data["chain_id"]), to_checksum_address(data[owner_field]))
        found_version = int(data.get("version", 0))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise KeeperStateError(f"cannot read {what} {path}: {err}") from None
    if not isinstance(data, dict):
        raise KeeperStateError(f"cannot read {what} {path}: not a JSON object")
    if found_version != version:
        raise KeeperStateError(f"{what} {path} has version {found_version}, not {version}")
    if found != (chain_id, to_checksum_address(owner)):
        raise KeeperStateError(
            f"{what} {path} belongs to {owner_field} {found[1]} on chain {found[0]}, not {owner} on chain {chain_id}"
        )
    return data


# ---------------------------------------------------------------- stopping


class Stoppable:
    """What a keeper's loop stops on: `stop`, set by SIGINT or SIGTERM inside `stop_on_signals` (or by the caller),
    checked between steps. `wait` is the keeper's default sleep: it returns as soon as `stop` is set, so a keeper
    waiting for its next block or step, or backing off from an RPC failure, stops at once."""

    stop: threading.Event

    def wait(self, seconds: float) -> None:
        self.stop.wait(seconds)

    def stop_on(self, stop: threading.Event | None) -> None:
        """Stop on `stop` from now on (the event `stop_on_signals` sets), when one is given."""
        if stop is not None:
            self.stop = stop


def exit_without_collecting() -> None:
    """Skip the interpreter's last garbage collection when this process exits: it walks everything ape, its plugins
    and the project loaded, about 1.5 s after a keeper or bot has already stopped. (Python runs the `atexit`
    handlers before that collection; a frozen object is never collected.)"""
    atexit.register(gc.freeze)


@contextmanager
def stop_on_signals(stop: threading.Event | None = None) -> Iterator[threading.Event]:
    """While inside, SIGINT and SIGTERM set `stop` (a new event when none is given) instead of what importing ape
    installs (`sys.exit(130)` at once, or 143, skipping the keeper's last state write and its stop line): the keeper
    finishes the transaction it is sending, saves its state and exits 0. A second signal raises `KeyboardInterrupt`,
    which the loops also end on cleanly."""
    event = stop if stop is not None else threading.Event()
    previous = {}
    exit_without_collecting()

    def handle(signum: int, frame: Any) -> None:
        if event.is_set():
            raise KeyboardInterrupt
        event.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handle)
    try:
        yield event
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
