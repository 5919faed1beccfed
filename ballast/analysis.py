"""Static analysis gate: slither over the contracts (through foundry.toml), every High or Medium finding either
fixed or triaged with a reason in `security/slither-triage.yaml`.

`python -m ballast.analysis` runs slither, matches each finding against the triage file and exits non-zero when a
High or Medium finding is not triaged, or when a triage entry no longer matches any finding (a stale reason would
otherwise hide a future finding of the same kind).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ballast.cli import user_errors
from ballast.errors import AnalysisError

#: Impacts that fail the gate unless triaged.
GATED_IMPACTS = ("High", "Medium")
ROOT = Path(__file__).resolve().parent.parent
TRIAGE_FILE = ROOT / "security" / "slither-triage.yaml"


class TriageEntry(BaseModel):
    """One accepted finding: the detector, where it is (`Contract.function` or `Contract.variable`), an optional
    substring of the flagged expression (to tell apart several findings in one function) and why it is accepted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check: str = Field(min_length=1)
    where: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")
    match: str = ""
    reason: str = Field(min_length=20)


class Triage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    findings: list[TriageEntry]


@dataclass(frozen=True)
class Finding:
    check: str
    impact: str
    where: str
    text: str  # the flagged expressions and the first line of slither's description

    def line(self) -> str:
        return f"{self.impact} {self.check} in {self.where}: {self.text.splitlines()[0]}"


def load_triage(path: Path | None = None) -> list[TriageEntry]:
    path = path or TRIAGE_FILE
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError as err:
        raise AnalysisError(f"{path}: triage file missing") from err
    try:
        return Triage.model_validate(data).findings
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise AnalysisError(f"{path}: {field}: {first['msg']}") from err


def parse_findings(report: dict[str, Any]) -> list[Finding]:
    """Findings from slither's `--json` output, located by contract and function (or state variable)."""
    findings = []
    for result in report.get("results", {}).get("detectors", []):
        element = result["elements"][0]
        parent = element.get("type_specific_fields", {}).get("parent", {})
        if element["type"] == "variable" and parent.get("type") == "function":
            # A local variable: locate it by its function's contract.
            owner = parent.get("type_specific_fields", {}).get("parent", {}).get("name", "?")
            where = f"{owner}.{parent['name']}"
            text = f"local `{element['name']}`"
        else:
            where = f"{parent.get('name', '?')}.{element['name']}"
            text = "; ".join(e["name"] for e in result["elements"][1:] if e["type"] == "node")
        description = result["description"].strip().splitlines()[0]
        findings.append(Finding(result["check"], result["impact"], where, f"{text}\n{description}".strip()))
    return findings


def matches(entry: TriageEntry, finding: Finding) -> bool:
    return entry.check == finding.check and entry.where == finding.where and entry.match in finding.text


def gate(findings: Iterable[Finding], triage: list[TriageEntry]) -> tuple[list[Finding], list[TriageEntry]]:
    """(gated findings no entry accepts, entries that accept no finding)."""
    findings = list(findings)
    untriaged = [f for f in findings if f.impact in GATED_IMPACTS and not any(matches(e, f) for e in triage)]
    stale = [e for e in triage if not any(matches(e, f) for f in findings)]
    return untriaged, stale


def _own_build_dirs(root: Path) -> dict[str, str]:
    """The environment for slither's forge build: its own output and cache folders. crytic-compile builds the
    contracts again with `--force` (and without the tests), which would otherwise wipe the forge suite's build; apart,
    slither can run beside `forge test`."""
    build = root / ".build" / "slither"
    return {**os.environ, "FOUNDRY_OUT": str(build / "out"), "FOUNDRY_CACHE_PATH": str(build / "cache")}


def run_slither(root: Path = ROOT) -> dict[str, Any]:
    """slither over the project through foundry.toml (forge builds with the solc bridge); its JSON report."""
    slither = shutil.which("slither")
    if slither is None:
        raise AnalysisError(
            "slither not found on PATH: run `make setup` (slither-analyzer is in requirements.lock)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "slither.json"
        command = [slither, ".", "--config-file", "slither.config.json", "--json", str(out)]
        proc = subprocess.run(
            command, cwd=root, env=_own_build_dirs(root), capture_output=True, text=True, check=False
        )
        if not out.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise AnalysisError(f"slither failed (exit {proc.returncode}): {tail[0]}")
        report: dict[str, Any] = json.loads(out.read_text())
    if not report.get("success", False):
        raise AnalysisError(f"slither failed: {report.get('error')}")
    return report


@click.command()
@click.option(
    "--report", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Use a saved JSON."
)
def main(report: Path | None) -> None:
    """Run slither and fail on untriaged High/Medium findings or stale triage entries."""
    with user_errors():
        triage = load_triage()
        data = json.loads(report.read_text()) if report else run_slither()
    findings = parse_findings(data)
    untriaged, stale = gate(findings, triage)
    gated = sum(f.impact in GATED_IMPACTS for f in findings)
    click.echo(
        f"slither: {len(findings)} findings, {gated} High/Medium, {gated - len(untriaged)} triaged "
        f"({TRIAGE_FILE.relative_to(ROOT)}), {len(untriaged)} untriaged, {len(stale)} stale triage entries"
    )
    for finding in untriaged:
        click.echo(f"  untriaged: {finding.line()}")
    for entry in stale:
        click.echo(f"  stale: {entry.check} in {entry.where} ({entry.match or 'any'}): matches no finding")
    if untriaged or stale:
        sys.exit(1)


if __name__ == "__main__":
    main()
