"""One line for a YAML file that does not parse, shared by every config reader."""

from __future__ import annotations

import yaml


def yaml_problem(err: yaml.YAMLError) -> str:
    """`line N: not valid YAML (problem)`, or without the line when PyYAML gives none."""
    mark = getattr(err, "problem_mark", None)
    where = f"line {mark.line + 1}: " if mark is not None else ""
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    return f"{where}not valid YAML ({problem})"
