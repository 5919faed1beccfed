"""The solc-js bridge (tools/solc-bridge.cjs) behaves like the solc executable py-solc-x and forge expect."""

import json
import subprocess
from pathlib import Path

import pytest
from packaging.version import Version
from solcx.wrapper import get_solc_version

REPO = Path(__file__).resolve().parents[1]
BRIDGE = REPO / "tools" / "solc"
SOLC_VERSION = json.loads((REPO / "package.json").read_text())["dependencies"]["solc"]


def run_bridge(*args: str, stdin: dict | str | None = None) -> subprocess.CompletedProcess:
    data = json.dumps(stdin) if isinstance(stdin, dict) else stdin
    return subprocess.run(
        [str(BRIDGE), *args], input=data, capture_output=True, text=True, check=False, timeout=120
    )


def standard_input(sources: dict[str, str], outputs: list[str]) -> dict:
    return {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": {"outputSelection": {"*": {"*": outputs, "": ["ast"]}}},
    }


def test_version__parses_with_py_solc_x():
    assert get_solc_version(BRIDGE) == Version(SOLC_VERSION)


def test_version__installed_launcher_matches_package_json():
    # `make setup` installs the launcher where py-solc-x looks; it must report the pinned version.
    from solcx import get_installed_solc_versions

    assert Version(SOLC_VERSION) in get_installed_solc_versions()


def test_standard_json__output_over_64_kib__arrives_whole():
    # Enough contracts with bytecode + AST that the JSON is far beyond a pipe buffer.
    body = "\n".join(
        f"contract C{i} {{ uint256 public v{i}; function set(uint256 x) external {{ v{i} = x * {i + 1}; }} }}"
        for i in range(40)
    )
    result = run_bridge(
        "--standard-json",
        stdin=standard_input(
            {"Big.sol": "pragma solidity ^0.8.0;\n" + body}, ["abi", "evm.bytecode", "evm.deployedBytecode"]
        ),
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout) > 64 * 1024
    output = json.loads(result.stdout)
    assert len(output["contracts"]["Big.sol"]) == 40
    assert output["contracts"]["Big.sol"]["C39"]["evm"]["bytecode"]["object"]


def test_standard_json__compile_error__returns_json_error():
    result = run_bridge(
        "--standard-json", stdin=standard_input({"Bad.sol": "contract Bad { function f( }"}, ["abi"])
    )
    assert result.returncode == 0
    errors = json.loads(result.stdout)["errors"]
    assert [e["severity"] for e in errors] == ["error"]
    assert errors[0]["type"] == "ParserError"


def test_standard_json__invalid_json__returns_json_error():
    result = run_bridge("--standard-json", stdin="{not json")
    assert result.returncode == 0
    errors = json.loads(result.stdout)["errors"]
    assert errors and errors[0]["severity"] == "error"


def test_standard_json__imports__resolve_from_base_path(tmp_path: Path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "Dep.sol").write_text(
        "pragma solidity ^0.8.0;\nlibrary Dep { uint256 constant X = 7; }\n"
    )
    main = 'pragma solidity ^0.8.0;\nimport {Dep} from "lib/Dep.sol";\ncontract Main { uint256 public x = Dep.X; }\n'
    result = run_bridge(
        "--standard-json", "--base-path", str(tmp_path), stdin=standard_input({"Main.sol": main}, ["abi"])
    )
    output = json.loads(result.stdout)
    assert not [e for e in output.get("errors", []) if e["severity"] == "error"], output.get("errors")
    assert "lib/Dep.sol" in output["sources"]


def test_standard_json__import_outside_allowed_paths__is_refused(tmp_path: Path):
    outside = tmp_path / "outside"
    base = tmp_path / "base"
    outside.mkdir()
    base.mkdir()
    (outside / "Secret.sol").write_text("pragma solidity ^0.8.0;\ncontract Secret {}\n")
    main = f'pragma solidity ^0.8.0;\nimport "{outside / "Secret.sol"}";\ncontract Main {{}}\n'
    result = run_bridge(
        "--standard-json", "--base-path", str(base), stdin=standard_input({"Main.sol": main}, ["abi"])
    )
    errors = json.loads(result.stdout)["errors"]
    assert any("Secret.sol" in e["message"] for e in errors if e["severity"] == "error")


@pytest.mark.parametrize("args", [(), ("--bin", "x.sol"), ("--base-path",)])
def test_cli__unsupported_arguments__exit_non_zero_with_message(args: tuple[str, ...]):
    result = run_bridge(*args, stdin="")
    assert result.returncode == 2
    assert result.stderr.startswith("solc-bridge: ")
    assert result.stdout == ""
