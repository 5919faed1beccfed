"""docs/walkthrough.md, run: every `>>>` line of its python blocks in order against a fresh deployment of
config/local.yaml, as `ape console` would (a value is shown by its repr, a failure by the console's one-line
handler), and every output line the page shows (tables and `...` aside) found in what the run printed, in order."""

import re

import ape

from ballast import console_hooks

from support.deploy import ROOT

WALKTHROUGH = ROOT / "docs" / "walkthrough.md"
TABLE = re.compile(r"[│┃┏┡└━]")


def steps(text: str) -> list[tuple[str, list[str]]]:
    """(statement, output lines shown after it) for each `>>>` line of the page's ```python blocks."""
    found: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```python\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            if line.startswith(">>> "):
                found.append((line[4:], []))
            elif found:
                found[-1][1].append(line)
    return found


def checked(line: str) -> bool:
    """An output line the page shows in full (not a table row, an abridgement or an object's address)."""
    return (
        bool(line.strip()) and line.strip() != "..." and not TABLE.search(line) and not line.startswith("<")
    )


def test_walkthrough__runs_and_prints_what_the_page_shows(names, traces_off):
    page = steps(WALKTHROUGH.read_text())
    assert len(page) >= 15
    console = names["console"]
    handler = console_hooks.exception_handler(console)
    namespace = {**names, "accounts": ape.accounts}
    start = len(console.file.getvalue())
    for statement, _ in page:
        try:
            value = eval(compile(statement, "<walkthrough>", "eval"), namespace)
        except SyntaxError:
            exec(compile(statement, "<walkthrough>", "exec"), namespace)
            continue
        except Exception as err:  # the console's handler shows it
            handler(None, type(err), err, None)
            continue
        if value is not None:
            console.file.write(f"{value!r}\n")
    printed = [line.rstrip() for line in console.file.getvalue()[start:].splitlines()]
    cursor = 0
    for statement, lines in page:
        for line in filter(checked, lines):
            at = next((i for i in range(cursor, len(printed)) if line.rstrip() == printed[i]), None)
            assert at is not None, f"after `{statement}` the page shows a line the run did not print:\n{line}"
            cursor = at + 1
    # The run ended where the page does: Alice liquidated, flat, healthy again.
    d = names["deployment"]
    alice = ape.accounts.test_accounts[2]
    assert int(d.engine.position(alice, 0).size) == 0 and not d.engine.health(alice).liquidatable
