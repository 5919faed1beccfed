"""The mutation campaign (`make mutate`; never in CI): slither-mutate's mutators, run by parallel forge workers.

slither-mutate itself tests one mutant at a time in the working tree, compiles each twice (crytic-compile's clean
build, then the test command's) and cannot resume. Here its mutators only *generate* the mutants; each worker owns a
scratch copy of the sources and the forge tests under `.build/mutate/`, applies one mutant at a time, compiles it
with an incremental `forge build` and runs the forge suite with `--fail-fast` (FOUNDRY_PROFILE=mutate). Outcomes go
to `security/mutation/results.jsonl` (checked in) as they come, so a campaign resumes where it stopped, and
`--retest-survivors` replays only the mutants that lived (after new tests), `--keys` the named ones. `summary` writes
`summary.md`: caught/total per contract and every survivor, with the triage of `security/mutation/equivalent/`; only
the mutants of the current sources count (an outcome's key is a byte range, so a source change makes new keys).

    python security/mutation/campaign.py run [--contracts Pool,Liquidator] [--mutators MIA,LOR] [--jobs 2]
    python security/mutation/campaign.py run --retest-survivors
    python security/mutation/campaign.py run --keys KEY ...
    python security/mutation/campaign.py summary
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / ".build" / "mutate"
# Checked in: the measurement itself (like bench/results.json), so a campaign resumes from a fresh clone.
RESULTS = REPO / "security" / "mutation" / "results.jsonl"
SUMMARY = REPO / "security" / "mutation" / "summary.md"
EQUIVALENT = REPO / "security" / "mutation" / "equivalent"  # <Contract>.toml: [[mutant]] key, reason
# The five core contracts; the MarginEngine's and the Pool's code is split over two files each (the extensions hold
# governance, ADL, the product registry and views); the library of liquidation decisions the MarginEngine and the
# Liquidator share; the packing of a position into one storage word; and the engine's book-keeping that both its
# halves run (trades, cash, seizures).
CONTRACTS = (
    "InsuranceFund",
    "Liquidator",
    "MarginEngineExtension",
    "Pool",
    "PoolExtension",
    "MarginEngine",
    "OracleAggregator",
    "LiquidationMath",
    "PositionPacking",
    "MarginEngineBooks",
)
# Where a mutated contract's source is when it is not `contracts/<name>.sol`: the liquidation decisions the engine and
# the Liquidator share live in a library.
SOURCES = {
    "LiquidationMath": "contracts/libraries/LiquidationMath.sol",
    "PositionPacking": "contracts/libraries/PositionPacking.sol",
    "MarginEngineBooks": "contracts/base/MarginEngineBooks.sol",
}
MUTATORS = "MIA,LOR"
TEST_CMD = ["forge", "test", "--fail-fast"]
CAUGHT, SURVIVED, NOT_COMPILED = "caught", "survived", "not compiled"


@dataclass(frozen=True)
class Mutant:
    """One source edit: bytes [start, end) of `contract`'s file replaced by `new`."""

    contract: str
    mutator: str
    line: int
    start: int
    end: int
    old: str
    new: str

    @property
    def key(self) -> str:
        raw = f"{self.contract}:{self.start}:{self.end}:{self.new}"
        return hashlib.sha256(raw.encode()).hexdigest()[:12]

    @property
    def path(self) -> str:
        return source_of(self.contract)


def source_of(contract: str) -> str:
    """The source file of a contract the campaign mutates."""
    return SOURCES.get(contract, f"contracts/{contract}.sol")


def generate(contracts: list[str], mutators: list[str]) -> list[Mutant]:
    """Every mutant slither-mutate's named mutators make of the contracts (parsed once, through forge)."""
    from slither import Slither
    from slither.tools.mutator.mutators import all_mutators

    classes = {name: getattr(all_mutators, name) for name in mutators}
    # crytic-compile runs its own (clean) forge build, so it gets a scratch copy apart from the workers'.
    slither = Slither(str(prepare("gen")))
    found: dict[str, Mutant] = {}
    for unit in slither.compilation_units:
        for contract in unit.contracts:
            if contract.name not in contracts or not contract.source_mapping.filename.absolute.endswith(
                source_of(contract.name)
            ):
                continue
            text = Path(contract.source_mapping.filename.absolute).read_bytes()
            for name, cls in classes.items():
                mutator = cls(unit, 0, "", "", contract, None, False, WORK, [])
                for patches in mutator._mutate().get("patches", {}).values():
                    for p in patches:
                        m = Mutant(
                            contract.name,
                            name,
                            p["line_number"],
                            p["start"],
                            p["end"],
                            text[p["start"] : p["end"]].decode(),
                            p["new_string"],
                        )
                        found.setdefault(m.key, m)
    order = {c: i for i, c in enumerate(contracts)}
    return sorted(found.values(), key=lambda m: (order[m.contract], m.start, m.mutator, m.new))


def source_dir(worker: int | str) -> Path:
    return WORK / f"w{worker}"


def prepare(worker: int | str) -> Path:
    """A scratch copy of what forge builds and tests, compiled once."""
    src = source_dir(worker)
    shutil.rmtree(src, ignore_errors=True)
    (src / "tests").mkdir(parents=True)
    for part in ("contracts", "interfaces", "tools", "foundry.toml"):
        (shutil.copytree if (REPO / part).is_dir() else shutil.copy)(REPO / part, src / part)
    shutil.copytree(REPO / "tests" / "forge", src / "tests" / "forge")
    shutil.rmtree(src / "contracts" / ".cache", ignore_errors=True)
    (src / "node_modules").symlink_to((REPO / "node_modules").resolve())
    subprocess.run(["forge", "build"], cwd=src, check=True, capture_output=True, env=forge_env())
    return src


def forge_env() -> dict[str, str]:
    return {
        **os.environ,
        "FOUNDRY_PROFILE": "mutate",
        "PATH": f"{REPO / '.venv' / 'bin'}:{os.environ['PATH']}",
    }


_worker_dir: Path | None = None


def _init_worker(queue: multiprocessing.Queue) -> None:
    global _worker_dir
    _worker_dir = source_dir(queue.get())


def test_mutant(args: tuple[Mutant, int, list[str]]) -> dict:
    """Apply the mutant in this worker's copy, build, run the suite, restore; the outcome as a JSON row."""
    mutant, timeout, forge_args = args
    assert _worker_dir is not None
    return _test_in(_worker_dir, mutant, timeout, forge_args)


def _test_in(src: Path, mutant: Mutant, timeout: int, forge_args: list[str]) -> dict:
    path = src / mutant.path
    original = path.read_bytes()
    if original[mutant.start : mutant.end].decode() != mutant.old:
        raise RuntimeError(f"{mutant.path} changed since the mutants were generated; run with --regenerate")
    started = time.monotonic()
    try:
        path.write_bytes(original[: mutant.start] + mutant.new.encode() + original[mutant.end :])
        build = subprocess.run(["forge", "build"], cwd=src, capture_output=True, env=forge_env(), check=False)
        if build.returncode != 0:
            outcome, detail = NOT_COMPILED, ""
        else:
            try:
                run = subprocess.run(
                    TEST_CMD + forge_args,
                    cwd=src,
                    capture_output=True,
                    text=True,
                    env=forge_env(),
                    timeout=timeout,
                    check=False,
                )
                outcome = SURVIVED if run.returncode == 0 else CAUGHT
                detail = _first_failure(run.stdout) if run.returncode else ""
            except subprocess.TimeoutExpired:
                outcome, detail = CAUGHT, f"timeout ({timeout} s)"
    finally:
        path.write_bytes(original)
    return {
        "key": mutant.key,
        **asdict(mutant),
        "outcome": outcome,
        "killed_by": detail,
        "seconds": round(time.monotonic() - started, 1),
    }


def _first_failure(stdout: str) -> str:
    for line in stdout.splitlines():
        if line.startswith("[FAIL"):
            return line[:160]
    return "suite failed"


def load_results() -> dict[str, dict]:
    if not RESULTS.exists():
        return {}
    rows = [json.loads(line) for line in RESULTS.read_text().splitlines() if line.strip()]
    return {row["key"]: row for row in rows}


def run(args: argparse.Namespace) -> int:
    contracts = args.contracts.split(",")
    unknown = sorted(set(contracts) - set(CONTRACTS))
    if unknown:
        print(
            f"unknown contract(s) {', '.join(unknown)}; choose from {', '.join(CONTRACTS)}", file=sys.stderr
        )
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"preparing {args.jobs} scratch copies under {WORK}")
    for worker in range(args.jobs):
        prepare(worker)
    mutators = args.mutators.split(",")
    mutants_file = WORK / f"mutants-{'-'.join(sorted(mutators))}.json"
    if args.regenerate or not mutants_file.exists():
        print(f"generating the {args.mutators} mutants of {', '.join(CONTRACTS)}")
        mutants_file.write_text(
            json.dumps([asdict(m) for m in generate(list(CONTRACTS), mutators)], indent=1)
        )
    mutants = [Mutant(**row) for row in json.loads(mutants_file.read_text())]
    wanted = [m for m in mutants if m.contract in contracts]
    # A key names a byte range and its replacement, not the text replaced: an outcome counts for the mutant whose
    # key it has only if it mutated the same text.
    results = load_results()
    done = {m.key: row for m in wanted if (row := results.get(m.key)) and row["old"] == m.old}
    if args.keys:
        todo = [m for m in wanted if m.key in set(args.keys)]
    elif args.retest_survivors:
        todo = [m for m in wanted if done.get(m.key, {}).get("outcome") == SURVIVED]
    else:
        todo = [m for m in wanted if m.key not in done]
        # A seeded shuffle: whenever the campaign stops, what it tested is a uniform random sample of every
        # contract's mutants (the summary says how many of how many were tested).
        random.Random(args.seed).shuffle(todo)
    print(
        f"{len(wanted)} mutants of {', '.join(contracts)} ({args.mutators}); {len(todo)} to test with {args.jobs} workers"
    )
    queue: multiprocessing.Queue = multiprocessing.Queue()
    for worker in range(args.jobs):
        queue.put(worker)
    counts = {CAUGHT: 0, SURVIVED: 0, NOT_COMPILED: 0}
    started = time.monotonic()
    with multiprocessing.Pool(args.jobs, _init_worker, (queue,)) as pool, RESULTS.open("a") as out:
        for i, row in enumerate(pool.imap_unordered(test_mutant, [(m, args.timeout, []) for m in todo]), 1):
            out.write(json.dumps(row) + "\n")
            out.flush()
            counts[row["outcome"]] += 1
            rate = (time.monotonic() - started) / i
            print(
                f"[{i}/{len(todo)} {rate:.1f} s each] {row['contract']}:{row['line']} {row['mutator']} "
                f"{row['old'][:50]!r} -> {row['new'][:50]!r}: {row['outcome']}",
                flush=True,
            )
    print(f"caught {counts[CAUGHT]}, survived {counts[SURVIVED]}, not compiled {counts[NOT_COMPILED]}")
    return 0


def replay(args: argparse.Namespace) -> int:
    """Test the named mutants again in a fresh copy of the sources and tests (the campaign's results untouched)."""
    known = {**{Mutant(**m).key: m for m in _generated()}, **load_results()}
    missing = [key for key in args.keys if key not in known]
    if missing:
        print(f"no mutant with key {', '.join(missing)} in {WORK}", file=sys.stderr)
        return 2
    src = prepare("replay")
    fields = set(Mutant.__dataclass_fields__)
    failed = 0
    for key in args.keys:
        mutant = Mutant(**{k: v for k, v in known[key].items() if k in fields})
        row = _test_in(src, mutant, args.timeout, args.forge_args)
        failed += row["outcome"] == SURVIVED
        print(
            f"{key} {mutant.contract}:{mutant.line} {mutant.old!r} -> {mutant.new!r}: {row['outcome']} "
            f"{row['killed_by']}"
        )
    return 1 if failed else 0


def record(args: argparse.Namespace) -> int:
    """Record the kills of `replay` logs in the results: a mutant a subset of the suite kills, the suite kills.

    Only `caught` and `not compiled` lines count; a mutant that survives a subset may still die to the rest of the
    suite.
    """
    generated = {Mutant(**m).key: m for m in _generated()}
    fields = set(Mutant.__dataclass_fields__)
    rows = []
    for log in args.logs:
        for line in Path(log).read_text().splitlines():
            key, _, rest = line.partition(" ")
            outcome = CAUGHT if ": caught " in rest else NOT_COMPILED if ": not compiled" in rest else None
            if key not in generated or outcome is None:
                continue
            mutant = Mutant(**{k: v for k, v in generated[key].items() if k in fields})
            killed_by = rest.split(": caught ", 1)[1].strip()[:160] if outcome == CAUGHT else ""
            rows.append(
                {"key": key, **asdict(mutant), "outcome": outcome, "killed_by": killed_by, "seconds": None}
            )
    with RESULTS.open("a") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")
    print(f"recorded {len(rows)} outcomes from {len(args.logs)} replay log(s)")
    return 0


def _generated() -> list[dict]:
    """The mutants of every list under .build/mutate that matches the sources as they are now.

    A list generated before a source change is stale: its byte offsets no longer hold the text they mutate. It is
    left out whole (with a note), so that neither its keys nor its counts outlive the code they were made from.
    """
    texts: dict[str, bytes] = {}
    current = []
    for f in sorted(WORK.glob("mutants-*.json")):
        rows = json.loads(f.read_text())
        for row in rows:
            m = Mutant(**row)
            if m.path not in texts:
                texts[m.path] = (REPO / m.path).read_bytes()
            if texts[m.path][m.start : m.end] != m.old.encode():
                print(f"{f.name} is stale ({m.path} changed since); run with --regenerate", file=sys.stderr)
                break
        else:
            current += rows
    return current


def summary(_: argparse.Namespace) -> int:
    """security/mutation/summary.md from the newest outcome of every current mutant (see `_generated`).

    Outcomes are keyed by byte offsets, so results.jsonl keeps the rows of mutants of older sources; only the keys
    of the current mutant lists count. Without a current list the summary cannot tell them apart and refuses.
    """
    generated = {Mutant(**m).key: m for m in _generated()}
    if not generated:
        print(
            f"no mutant list under {WORK} matches the sources: run `campaign.py run --regenerate` first",
            file=sys.stderr,
        )
        return 1
    # Outcomes of older sources' mutants drop out (a key names a byte range, so the text replaced must match too).
    rows = {k: r for k, r in load_results().items() if k in generated and r["old"] == generated[k]["old"]}
    equivalent = [
        m for f in sorted(EQUIVALENT.glob("*.toml")) for m in tomllib.loads(f.read_text()).get("mutant", [])
    ]
    reasons = {e["key"]: e["reason"] for e in equivalent}
    lines = [
        "# Mutation score",
        "",
        "slither-mutate's mutators ("
        + ", ".join(sorted({r["mutator"] for r in rows.values()}))
        + "), each mutant",
        "compiled and run against the forge suite (`forge test --fail-fast`, FOUNDRY_PROFILE=mutate). Generated by",
        "`make mutate` (security/mutation/campaign.py, README.md). Equivalent mutants (no behaviour can tell them",
        "apart) are listed in equivalent/<Contract>.toml with a reason and left out of the score. Mutants are tested",
        "in a seeded random order, so a contract with fewer tested than generated shows a uniform random sample; the",
        "interval is the 95 % Wilson interval of its score. "
        f"{sum(r['seconds'] is None for r in rows.values())} outcomes come from `replay` runs of a subset of the",
        "suite (`campaign.py record`): a mutant a subset kills, the whole suite kills.",
        "",
        "| contract | mutants | tested | caught | survived | equivalent | not compiled | score | 95 % interval (sample) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    totals = [0, 0, 0, 0, 0, 0]
    for contract in CONTRACTS:
        mine = [r for r in rows.values() if r["contract"] == contract]
        made = sum(m["contract"] == contract for m in generated.values())
        if not made:
            continue
        caught = sum(r["outcome"] == CAUGHT for r in mine)
        equiv = sum(r["outcome"] == SURVIVED and r["key"] in reasons for r in mine)
        survived = sum(r["outcome"] == SURVIVED for r in mine) - equiv
        broken = sum(r["outcome"] == NOT_COMPILED for r in mine)
        counts = (made, len(mine), caught, survived, equiv, broken)
        totals = [t + c for t, c in zip(totals, counts, strict=True)]
        lines.append(_row(contract, *counts))
    lines.append(_row("**all**", *totals))
    lines += ["", "## Survivors", ""]
    for r in sorted(rows.values(), key=lambda r: (CONTRACTS.index(r["contract"]), r["start"])):
        if r["outcome"] != SURVIVED:
            continue
        tag = f" (equivalent: {_one_line(reasons[r['key']], 400)})" if r["key"] in reasons else ""
        lines.append(
            f"- `{r['key']}` {r['contract']}.sol:{r['line']} [{r['mutator']}] `{_one_line(r['old'])}` ==> "
            f"`{_one_line(r['new'])}`{tag}"
        )
    SUMMARY.write_text("\n".join(lines) + "\n")
    print("\n".join(line for line in lines if line.startswith("|")))
    return 0


def _row(name: str, made: int, tested: int, caught: int, survived: int, equiv: int, broken: int) -> str:
    scored = caught + survived
    interval = "all tested" if tested == made else "-"
    if scored and tested < made:
        low, high = _wilson(caught, scored)
        interval = f"{100 * low:.1f} to {100 * high:.1f} %"
    return (
        f"| {name} | {made} | {tested} | {caught} | {survived} | {equiv} | {broken} | {_score(caught, survived)} "
        f"| {interval} |"
    )


def _wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % for z = 1.96)."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _score(caught: int, survived: int) -> str:
    return f"{100 * caught / (caught + survived):.1f} %" if caught + survived else "-"


def _one_line(text: str, limit: int = 120) -> str:
    return " ".join(text.split())[:limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    go = sub.add_parser("run", help="test the mutants not tested yet (or the survivors again)")
    go.add_argument("--contracts", default=",".join(CONTRACTS))
    go.add_argument("--mutators", default=MUTATORS, help="slither-mutate mutator names, comma-separated")
    go.add_argument("--jobs", type=int, default=2, help="parallel workers, each with its own scratch copy")
    go.add_argument(
        "--timeout", type=int, default=300, help="seconds per mutant's test run (a timeout counts as caught)"
    )
    go.add_argument("--seed", type=int, default=8, help="the order in which the mutants are tested")
    go.add_argument("--retest-survivors", action="store_true", help="replay only the mutants that survived")
    go.add_argument(
        "--keys",
        nargs="+",
        default=[],
        help="test only these mutants, whatever their earlier outcome (one tested before the tests changed)",
    )
    go.add_argument(
        "--regenerate", action="store_true", help="generate the mutants again (after a source change)"
    )
    go.set_defaults(func=run)
    again = sub.add_parser("replay", help="test named mutants again (exit 1 when one survives)")
    again.add_argument("keys", nargs="+", help="mutant keys (summary.md lists the survivors')")
    again.add_argument("--timeout", type=int, default=300)
    again.add_argument(
        "--forge-args",
        nargs=argparse.REMAINDER,
        default=[],
        help="passed to forge test, e.g. --match-path tests/forge/pool/Deposit.t.sol",
    )
    again.set_defaults(func=replay)
    kills = sub.add_parser("record", help="add the kills of replay logs (`replay ... > log`) to the results")
    kills.add_argument("logs", nargs="+")
    kills.set_defaults(func=record)
    sub.add_parser("summary", help="write security/mutation/summary.md").set_defaults(func=summary)
    args = parser.parse_args()
    os.environ.update(forge_env())  # the venv's forge for the workers and for crytic-compile's build
    try:
        return args.func(args)
    except subprocess.CalledProcessError as error:
        detail = (error.stderr or b"").decode(errors="replace").strip().splitlines()
        print(
            f"`{' '.join(error.cmd)}` failed in a scratch copy: {detail[-1] if detail else error}",
            file=sys.stderr,
        )
        return 1
    except RuntimeError as error:  # a mutant whose source no longer matches (see test_mutant)
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
