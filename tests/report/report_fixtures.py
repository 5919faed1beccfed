"""A scenario report written from a synthetic crash (no chain): 40 blocks of 30 s, WETH -40 % and WBTC -35 % over blocks
2..12, two perp markets and the OptionsBook, liquidations, bad debt partly socialized to LPs, a keeper at its gas
budget. And headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: no port, no
websocket), to open the report's page as a person would."""

from __future__ import annotations

import fcntl
import json
import math
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

from ballast.scenarios.model import (
    BUCKET_NAMES,
    ENGINE_TOTAL,
    PERPS,
    AssetBlock,
    BlockMetrics,
    Exposure,
    MarketBlock,
    Outcome,
    ProductBlock,
    PropertyResult,
    ScenarioResult,
    Verdict,
)

BLOCKS = 40
START = 1_796_641_200  # 2026-12-07T11:00:00Z
CHROMIUM = Path("/usr/bin/chromium")
#: The flags that keep Chromium off the network (this machine refuses its connections) and out of the user's profile.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)


def _path(start: float, drop: float, i: int) -> float:
    """A linear crash of `drop` over blocks 2..12, held after."""
    return start * (1 + drop * min(max(i - 2, 0), 10) / 10)


def crash_block(i: int) -> BlockMetrics:
    weth, wbtc = _path(2_000.0, -0.40, i), _path(60_000.0, -0.35, i)
    liquidations = [0, 0, 0, 1, 3, 6, 9, 7, 4, 2, 1] + [0] * (BLOCKS - 11)
    deficits = {6: 8_000.0, 7: 12_500.5, 8: 3_000.0}
    liq = liquidations[i]
    status = "Deviated" if i in (5, 6) else "Ok"
    bad_debt = deficits.get(i, 0.0)
    return BlockMetrics(
        block=i,
        timestamp=START + 30 * (i + 1),
        assets={
            "WETH": AssetBlock(weth * 1.002, weth * (1.03 if 2 < i < 14 else 1.0), status, weth),
            "WBTC": AssetBlock(wbtc * 0.999, wbtc * (1.02 if 2 < i < 14 else 1.0), "Ok", wbtc),
            "USDC": AssetBlock(1.0, 1.0, "Ok", 1.0),
        },
        health_buckets=dict(zip(BUCKET_NAMES, (min(liq, 5), 10, 20, 60 - min(liq, 5), 2), strict=True)),
        liquidatable=min(liq, 5),
        liquidations=liq,
        liquidated_notional=25_000.0 * liq,
        keeper_rewards=80.0 * liq,
        keeper_gas=min(450_000 * liq, 3_000_000),
        deficits=bad_debt,
        insurance_balance=125_000.0 - sum(v for b, v in deficits.items() if b <= i),
        lp_share_price=1.0 - (0.002 if i >= 8 else 0.0),
        utilization=0.35 + 0.4 * math.sin(min(i, 12) / 12 * math.pi / 2),
        worst_health=1.8 - 0.12 * min(i, 10),
        open_deficit=1_500.0 * liq,
        exposure={
            PERPS: Exposure(-50_000.0 + 1_000 * i, 80_000.0, 400_000.0),
            "options": Exposure(-5_000.0, 12_000.0 + 100 * i, 90_000.0),
            ENGINE_TOTAL: Exposure(-55_000.0 + 1_000 * i, 92_000.0 + 100 * i, 490_000.0),
        },
        lp_loss=3_000.0 if i == 8 else 0.0,
        keeper_gas_budget=3_000_000,
        markets={
            "WETH-PERP": MarketBlock(1_500_000.0 - 20_000.0 * min(i, 12), 30_000.0 * liq, liq, 15_000.0 * liq, 0.6 * bad_debt),
            "WBTC-PERP": MarketBlock(900_000.0 - 12_000.0 * min(i, 12), 20_000.0 * liq, liq // 2, 10_000.0 * liq, 0.4 * bad_debt),
        },
        products={
            PERPS: ProductBlock(liq, 25_000.0 * liq, bad_debt),
            "options": ProductBlock(liq // 3, 2_000.0 * (liq // 3), 3_000.0 if i == 7 else 0.0),
        },
    )  # fmt: skip


def crash_result() -> ScenarioResult:
    rows = [crash_block(i) for i in range(BLOCKS)]
    outcome = Outcome(
        liquidations=sum(r.liquidations for r in rows),
        liquidated_notional=sum(r.liquidated_notional for r in rows),
        keeper_rewards=sum(r.keeper_rewards for r in rows),
        deficits=sum(r.deficits for r in rows),
        insurance_used=sum(r.deficits for r in rows) - 3_000.0,
        lp_loss=3_000.0,
        max_utilization=max(r.utilization for r in rows),
        worst_health=min(r.worst_health for r in rows),
        blocks=len(rows),
        transactions=4_321,
        wall_seconds=61.2,
        blocks_to_clear=9,
    )
    return ScenarioResult(
        scenario="crash",
        seed=1,
        description="Parametric crash: WETH -40 % and WBTC -35 % in a straight line over 10 blocks.",
        parameters={
            "accounts": 200,
            "blocks": BLOCKS,
            "block time (s)": 30,
            "keeper gas per block": 3_000_000,
        },
        blocks=rows,
        properties=[
            PropertyResult("no liquidation at a Stale price", Verdict.PASS, "0 of 33 liquidations"),
            PropertyResult(
                "LP loss only after the InsuranceFund is empty", Verdict.FAIL, "LP lost $3,000.00"
            ),
        ],
        outcome=outcome,
        events=[(5, "WETH status Ok -> Deviated"), (7, "WETH status Deviated -> Ok")],
    )


class Chromium:
    """Headless Chromium with the DevTools protocol on a pipe: `send` one command (of the page's session once
    `open` attached one) and wait for its answer, keeping every event received on the way."""

    def __init__(self, profile: Path) -> None:
        to_chrome, self._write = os.pipe()
        self._read, from_chrome = os.pipe()

        def pipe_fds() -> None:
            """In the child: Chromium reads commands from fd 3 and writes replies to fd 4 (moved out of the way
            first, so that neither pipe end is overwritten by the other's dup2)."""
            high_in, high_out = (
                fcntl.fcntl(to_chrome, fcntl.F_DUPFD_CLOEXEC, 10),
                fcntl.fcntl(from_chrome, fcntl.F_DUPFD_CLOEXEC, 10),
            )
            os.dup2(
                high_in, 3
            )  # inheritable: kept across exec, unlike every other descriptor of this process
            os.dup2(high_out, 4)

        self.process = subprocess.Popen(
            [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=pipe_fds,
        )
        os.close(to_chrome)
        os.close(from_chrome)
        self._buffer = b""
        self._next_id = 0
        self.session: str | None = None
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, timeout: float = 30.0, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if self.session is not None:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply["result"]
                return result
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        """The first event `method` received (now or already)."""
        deadline = time.monotonic() + timeout
        while True:
            found = next((e for e in self.events if e.get("method") == method), None)
            if found is not None:
                return found
            self.events.append(self._receive(deadline))

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError(f"Chromium closed the pipe (exit code {self.process.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def open(self, url: str, width: int = 1280, height: int = 900) -> None:
        """A new page of `width` x `height` CSS pixels, its network and page events on, at `url` once loaded."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Network.enable")
        self.send("Page.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The JSON value of `expression` in the page (awaited when it is a promise)."""
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"page script failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def close(self) -> None:
        try:
            self.session = None
            self.send("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        finally:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            os.close(self._read)
            os.close(self._write)
