"""The import rules of DESIGN.md hold: import-linter checks the contracts in setup.cfg
(printers standalone, client uses only the contract, pure domain, contract without DB,
api -> services -> models layering)."""
from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    exe = shutil.which("lint-imports")
    cmd = [exe] if exe else [sys.executable, "-m", "importlinter.cli"]
    p = subprocess.run([*cmd, "--config", "setup.cfg", "--no-cache"], cwd=ROOT, capture_output=True,
                       text=True, timeout=240)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
    assert " 0 broken" in p.stdout


def test_the_design_rules_are_all_written_as_contracts():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    names = {s.split(":", 2)[2] for s in cfg.sections() if s.startswith("importlinter:contract:")}
    assert {"printers-standalone", "client-uses-contract-only", "domain-pure", "contract-no-db", "layers"} <= names
