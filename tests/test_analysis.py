"""The slither gate (`python -m ballast.analysis`): which findings fail it, which triage entries are stale, and the
messages for a bad triage file. Runs on saved slither JSON; `make test` runs the real analysis."""

import json

import pytest
from click.testing import CliRunner

from ballast import analysis
from ballast.analysis import AnalysisError, TriageEntry, gate, load_triage, parse_findings


def detector(check: str, impact: str, contract: str, function: str, node: str) -> dict:
    return {
        "check": check,
        "impact": impact,
        "description": f"{contract}.{function}() does something\n\t- {node}\n",
        "elements": [
            {
                "type": "function",
                "name": function,
                "type_specific_fields": {"parent": {"type": "contract", "name": contract}},
            },
            {"type": "node", "name": node},
        ],
    }


def local_variable(check: str, contract: str, function: str, variable: str) -> dict:
    return {
        "check": check,
        "impact": "Medium",
        "description": f"{contract}.{function}().{variable} is a local variable never initialized\n",
        "elements": [
            {
                "type": "variable",
                "name": variable,
                "type_specific_fields": {
                    "parent": {
                        "type": "function",
                        "name": function,
                        "type_specific_fields": {"parent": {"type": "contract", "name": contract}},
                    }
                },
            }
        ],
    }


REPORT = {
    "success": True,
    "results": {
        "detectors": [
            detector("incorrect-equality", "Medium", "Pool", "_accrue", "r.lastAccrual == block.timestamp"),
            detector("unused-return", "Medium", "Liquidator", "_absorb", "pool.repay(scaledCovered)"),
            detector(
                "unused-return", "Medium", "Liquidator", "_absorb", "pool.socializeDeficit(scaledSocial)"
            ),
            detector("naming-convention", "Informational", "Pool", "X", "x"),
            local_variable("uninitialized-local", "Liquidator", "_liquidate", "closed"),
        ]
    },
}


def entry(check: str, where: str, match: str = "") -> TriageEntry:
    return TriageEntry(
        check=check, where=where, match=match, reason="accepted for a reason stated in full here"
    )


def test_parse_findings__functions_nodes_and_locals__located_by_contract_and_function():
    findings = parse_findings(REPORT)
    assert [(f.check, f.impact, f.where) for f in findings] == [
        ("incorrect-equality", "Medium", "Pool._accrue"),
        ("unused-return", "Medium", "Liquidator._absorb"),
        ("unused-return", "Medium", "Liquidator._absorb"),
        ("naming-convention", "Informational", "Pool.X"),
        ("uninitialized-local", "Medium", "Liquidator._liquidate"),
    ]
    assert findings[1].text.startswith("pool.repay(scaledCovered)")
    assert findings[4].text.startswith("local `closed`")


def test_gate__match_tells_findings_in_one_function_apart():
    triage = [
        entry("incorrect-equality", "Pool._accrue"),
        entry("unused-return", "Liquidator._absorb", "pool.repay"),
        entry("uninitialized-local", "Liquidator._liquidate", "local `closed`"),
    ]
    untriaged, stale = gate(parse_findings(REPORT), triage)
    # The socializeDeficit finding has no entry; the informational one is not gated.
    assert [f.text.splitlines()[0] for f in untriaged] == ["pool.socializeDeficit(scaledSocial)"]
    assert stale == []


def test_gate__entry_matching_no_finding__is_stale():
    triage = [entry("unused-return", "Liquidator._absorb"), entry("reentrancy-no-eth", "MarginEngine._trade")]
    untriaged, stale = gate(parse_findings(REPORT), triage)
    assert {f.check for f in untriaged} == {"incorrect-equality", "uninitialized-local"}
    assert stale == [triage[1]]


def test_gate__untriaged_finding__command_exits_non_zero_naming_it(tmp_path, monkeypatch):
    report = tmp_path / "slither.json"
    report.write_text(json.dumps(REPORT))
    triage = tmp_path / "triage.yaml"
    triage.write_text("findings: []\n")
    monkeypatch.setattr(analysis, "TRIAGE_FILE", triage)
    monkeypatch.setattr(analysis, "ROOT", tmp_path)
    result = CliRunner().invoke(analysis.main, ["--report", str(report)])
    assert result.exit_code == 1
    assert "4 High/Medium, 0 triaged" in result.output
    assert (
        "untriaged: Medium incorrect-equality in Pool._accrue: r.lastAccrual == block.timestamp"
        in result.output
    )


def test_load_triage__short_reason__one_line_naming_the_field(tmp_path):
    path = tmp_path / "triage.yaml"
    path.write_text("findings:\n  - check: unused-return\n    where: Pool.listAsset\n    reason: why not\n")
    with pytest.raises(
        AnalysisError, match=r"findings\.0\.reason: String should have at least 20 characters"
    ):
        load_triage(path)


def test_checked_in_triage__every_entry_valid_and_unique():
    triage = load_triage()
    keys = [(e.check, e.where, e.match) for e in triage]
    assert triage and len(keys) == len(set(keys))
