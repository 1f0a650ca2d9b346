#!/usr/bin/env python3
"""Quick start with nothing but Python: ``python3 run.py demo`` or ``python3 run.py test``.

Creates ``.venv`` beside this file on first use, installs junheng into it
(again whenever ``pyproject.toml`` changes) and runs the demo or the test
suite (ruff + pytest). Extra arguments are passed on to ``junheng demo`` or
to ``pytest``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_installed(extras: str) -> None:
    """Create the virtual environment and install the project when needed."""
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{extras or 'base'}-{digest}"
    if stamp.exists():
        return
    target = f".[{extras}]" if extras else "."
    print(f"installing junheng{f'[{extras}]' if extras else ''} into {VENV}", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                   check=True, cwd=ROOT)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", target], check=True,
                   cwd=ROOT)
    stamp.touch()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "demo":
        ensure_installed("")
        return subprocess.run([str(BIN / "junheng"), "demo", *rest], cwd=ROOT).returncode
    ensure_installed("test")
    lint = subprocess.run([str(PYTHON), "-m", "ruff", "check", "src", "tests", "run.py"],
                          cwd=ROOT)
    tests = subprocess.run([str(PYTHON), "-m", "pytest", *rest], cwd=ROOT)
    return lint.returncode or tests.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
