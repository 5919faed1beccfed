"""Where a bench row's gas goes, measured: forge's decoded call trace of the harness test that recorded the row.

`forge test -vvvv --decode-internal` prints every call of a test as a tree, external calls (`engine::closeForLiquidation`)
and internal functions (`MarginEngine::_health`) alike, each with the gas it spent. The measured call of a row is the
frame whose gas equals the row's execution (`vm.lastCallGas` is the same figure forge prints for the call), so the
breakdown of a row is that frame's children: what each part cost, what is left to the frame's own code (storage,
memory, dispatch), and how many events it emitted. `make bench` writes it for every row over its target.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ballast.bench.files import ROOT
from ballast.errors import BenchError

_BRANCH = re.compile(r"[├└]─ ")
_FRAME = re.compile(r"^\[(\d+)\] (\S+?::[A-Za-z0-9_$]+)")
_HEADER = re.compile(r"^\[PASS\] (\w+)\(")


@dataclass
class Frame:
    """One call of the trace: its gas, `Contract::function` (or `label::function` for a deployed contract), the
    events it emitted itself and the calls it made."""

    gas: int
    name: str
    events: int = 0
    children: list[Frame] = field(default_factory=list)

    @property
    def own(self) -> int:
        """What the frame spent outside the frames it called: its storage, memory, events and dispatch."""
        return max(self.gas - sum(c.gas for c in self.children), 0)

    def all_events(self) -> int:
        return self.events + sum(c.all_events() for c in self.children)

    def walk(self) -> Iterator[Frame]:
        yield self
        for c in self.children:
            yield from c.walk()


def parse_tree(lines: Iterable[str]) -> list[Frame]:
    """The call trees of one test's `Traces:` block (each top-level line is a root)."""
    roots: list[Frame] = []
    stack: list[tuple[int, Frame]] = []
    for line in lines:
        m = _BRANCH.search(line)
        if m is None:
            depth, content = 0, line.strip()
        else:
            depth, content = m.start() // 4, line[m.end() :].strip()
        if not content:
            continue
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1] if stack else None
        if content.startswith("emit "):
            if parent is not None:
                parent.events += 1
            continue
        frame_match = _FRAME.match(content)
        if frame_match is None:
            continue
        frame = Frame(int(frame_match.group(1)), frame_match.group(2))
        if parent is None:
            roots.append(frame)
        else:
            parent.children.append(frame)
        stack.append((depth, frame))
    return roots


def traces_by_test(output: str) -> dict[str, list[Frame]]:
    """Every test's call trees in the text output of `forge test -vvvv --decode-internal`, by test name."""
    traces: dict[str, list[Frame]] = {}
    name: str | None = None
    block: list[str] = []
    for line in output.splitlines():
        header = _HEADER.match(line)
        if header is not None:
            if name is not None:
                traces[name] = parse_tree(block)
            name, block = header.group(1), []
        elif name is not None and line.startswith("Suite result"):
            traces[name] = parse_tree(block)
            name, block = None, []
        elif name is not None and line.startswith("  "):
            block.append(line)
    if name is not None:
        traces[name] = parse_tree(block)
    return traces


def measured_frame(roots: Iterable[Frame], execution: int) -> Frame | None:
    """The frame of the measured call: the first whose gas is the row's execution (none for a figure measured inside
    another call, such as a consumer's price read)."""
    for root in roots:
        for frame in root.walk():
            if frame is not root and frame.gas == execution:
                return frame
    return None


def describe(frame: Frame, *, min_share: float = 0.03, expand_share: float = 0.2) -> str:
    """One line: the frame's parts over `min_share` of it, biggest first (calls of the same name together, with their
    count and the first and the others' gas), those over `expand_share` with their own biggest parts in brackets; then
    the frame's own code and its events."""
    groups: dict[str, list[Frame]] = {}
    for child in frame.children:
        groups.setdefault(child.name, []).append(child)
    pieces: list[str] = []
    for name, calls in sorted(groups.items(), key=lambda kv: -sum(c.gas for c in kv[1])):
        total = sum(c.gas for c in calls)
        if total < frame.gas * min_share:
            continue
        if len(calls) == 1:
            text = f"{name} {total:,}"
        else:
            rest = sorted({c.gas for c in calls[1:]})
            others = f"{rest[0]:,}" if len(rest) == 1 else f"{rest[0]:,}-{rest[-1]:,}"
            text = f"{name} x{len(calls)} {total:,} (first {calls[0].gas:,}, then {others} each)"
        first = calls[0]
        inner = sorted((c for c in first.children if c.gas >= frame.gas * min_share), key=lambda c: -c.gas)
        if first.gas >= frame.gas * expand_share and inner:
            text += " [" + "; ".join(f"{c.name} {c.gas:,}" for c in inner) + "]"
        pieces.append(text)
    pieces.append(f"own code and storage {frame.own:,}")
    return (
        f"{frame.name} {frame.gas:,} execution: "
        + "; ".join(pieces)
        + f"; {frame.all_events()} events emitted in all"
    )


def locate(forge_json: str) -> dict[str, tuple[str, str]]:
    """Which harness test recorded each bench key, from `forge test --json -vv`: key -> (suite, test)."""
    try:
        suites = json.loads(forge_json)
    except json.JSONDecodeError as exc:
        raise BenchError(f"forge test --json printed no JSON ({exc})") from exc
    where: dict[str, tuple[str, str]] = {}
    for suite, result in suites.items():
        for test, outcome in result.get("test_results", {}).items():
            for line in outcome.get("decoded_logs", []):
                if line.startswith("bench:") and len(line.split()) > 1:
                    where[line.split()[1]] = (suite, test.split("(")[0])
    return where


def _run_traces(suite: str, tests: Iterable[str], root: Path) -> dict[str, list[Frame]]:
    path, _, contract = suite.partition(":")
    pattern = "^(" + "|".join(sorted(set(tests))) + r")\(\)$"
    cmd = [
        "forge",
        "test",
        "--match-path",
        path,
        "--match-contract",
        f"^{contract}$",
        "--match-test",
        pattern,
    ]
    cmd += ["-vvvv", "--decode-internal"]
    try:
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BenchError("forge not found: run `make setup` (it links forge into .venv/bin)") from exc
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-2:] or ["no output"]
        raise BenchError(f"forge could not trace {suite} (exit {proc.returncode}): {' | '.join(tail)}")
    return traces_by_test(proc.stdout)


def breakdowns(
    rows: Mapping[str, int], where: Mapping[str, tuple[str, str]], root: Path = ROOT
) -> dict[str, str]:
    """The measured breakdown of each row in `rows` (key -> execution) that a harness test recorded: one forge run
    per suite. A row whose figure is not a call of its own (measured inside another call) has none."""
    by_suite: dict[str, set[str]] = {}
    for key in rows:
        if key in where:
            suite, test = where[key]
            by_suite.setdefault(suite, set()).add(test)
    traces: dict[tuple[str, str], list[Frame]] = {}
    for suite, tests in sorted(by_suite.items()):
        for test, roots in _run_traces(suite, tests, root).items():
            traces[(suite, test)] = roots
    out: dict[str, str] = {}
    for key, execution in rows.items():
        frame = measured_frame(traces.get(where.get(key, ("", "")), []), execution)
        if frame is not None:
            out[key] = describe(frame)
    return out
