"""The Docker image installs requirements.lock: it must agree with pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_lockfile_pins_every_dependency_at_the_version_pyproject_names_with_hashes():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lock = (ROOT / "requirements.lock").read_text()
    locked = {
        canonical(name): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", lock, re.MULTILINE)
    }
    for requirement in declared:
        name, version = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", requirement).groups()
        assert locked.get(canonical(name)) == version, f"{requirement}: run `make lock`"
    # Every locked package carries a hash, so pip --require-hashes can check it.
    body = "\n".join(line for line in lock.splitlines() if not line.startswith("#"))
    entries = re.split(r"\n(?=[A-Za-z0-9])", body.strip())
    assert all("--hash=sha256:" in entry for entry in entries)
    # Nothing machine-specific: no index or wheel folder of the machine that made it.
    assert not re.search(r"^--(extra-index-url|index-url|find-links)", lock, re.MULTILINE)
