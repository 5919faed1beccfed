"""`report.html`: a scenario report in one self-contained page. The summary's sections as HTML tables and lists, the
plots embedded as base64 PNG `data:` images, the style inline: no script, no external URL, nothing to fetch, so the
page reads the same from a laptop without a network or from a CI artifact.

The page is deterministic: the same result and plot files give the same bytes.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from html import escape
from pathlib import Path

from ballast.scenarios.model import ScenarioResult
from ballast.scenarios.report_data import PATH_PRICE_NOTE, Section, TablePart

STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #212529; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #dee2e6; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #dee2e6; padding: 0.25em 0.6em; vertical-align: top; }
th { background: #f1f3f5; text-align: left; }
td.r { text-align: right; white-space: nowrap; } td.c { text-align: center; }
.verdict { font-weight: bold; padding: 0.4em 0.8em; display: inline-block; border-radius: 4px; }
.pass { background: #d3f9d8; color: #2b8a3e; } .fail { background: #ffe3e3; color: #c92a2a; }
.none { background: #fff3bf; color: #8a6d00; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #dee2e6; }
figcaption { font-size: 0.9em; color: #495057; }
p.note { color: #495057; font-size: 0.9em; }
"""


def anchor(title: str) -> str:
    """The id of a section and of its tables: `table-per-market`, `table-outcome`..."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _table(part: TablePart, table_id: str) -> list[str]:
    lines = [f'<table id="{table_id}">', "<thead><tr>"]
    lines += [f"<th>{escape(str(h))}</th>" for h in part.header]
    lines += ["</tr></thead>", "<tbody>"]
    for row in part.rows:
        cells = "".join(
            f'<td class="{a}">{escape(str(c))}</td>' for c, a in zip(row, part.align, strict=False)
        )
        lines.append(f"<tr>{cells}</tr>")
    lines += ["</tbody>", "</table>"]
    return lines


def _section(section: Section) -> list[str]:
    slug = anchor(section.title)
    lines = [f'<section id="{slug}">', f"<h2>{escape(section.title)}</h2>"]
    tables = 0
    for part in section.parts:
        if isinstance(part, TablePart):
            lines += _table(part, f"table-{slug}" + (f"-{tables + 1}" if tables else ""))
            tables += 1
        elif isinstance(part, list):
            lines += ["<ul>", *(f"<li>{escape(item)}</li>" for item in part), "</ul>"]
        else:
            lines.append(f"<p>{escape(part)}</p>")
    lines.append("</section>")
    return lines


def _figure(path: Path, caption: str) -> list[str]:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return [
        f'<figure id="plot-{anchor(path.stem)}">',
        f'<img alt="{escape(caption)}" src="data:image/png;base64,{data}">',
        f"<figcaption>{escape(caption)} ({escape(path.name)})</figcaption>",
        "</figure>",
    ]


def render_html(
    result: ScenarioResult, verdict: str, sections: Sequence[Section], plots: Sequence[tuple[Path, str]]
) -> str:
    """The page of `result`: its verdict, `sections` and the PNG files of `plots` (path, caption) embedded."""
    title = f"Scenario {result.scenario}, seed {result.seed}"
    kind = "none" if not result.properties else ("pass" if result.passed else "fail")
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        # No request may leave the page: images are data: URLs, the style is inline.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        "style-src 'unsafe-inline'\">",
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
    ]
    if result.description.strip():
        lines.append(f"<p>{escape(result.description.strip())}</p>")
    lines.append(f'<p class="verdict {kind}" id="verdict">{escape(verdict)}</p>')
    for section in sections:
        lines += _section(section)
    lines += ['<section id="plots">', "<h2>Plots</h2>"]
    if plots:
        lines.append(f'<p class="note">{escape(PATH_PRICE_NOTE)}</p>')
        for path, caption in plots:
            lines += _figure(path, caption)
    else:
        lines.append("<p>No plots: the run recorded no blocks.</p>")
    lines += [
        f'<p class="note">Per-block metrics: metrics.csv beside this page ({len(result.blocks):,} rows; '
        "docs/scenarios.md describes its columns).</p>",
        "</section>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(lines)
