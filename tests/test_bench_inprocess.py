"""bench/inprocess.py, the in-process A/B timing of the hot path (bench/README.md), still runs: every route it times
answers 200 (a cookie-cache hit for `/me`) and it reports each as a ratio of `/`. Its figures are never asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("mode", ["cc-compact", "stateless-off"])
def test_the_in_process_bench_runs(mode: str) -> None:
    command = [sys.executable, "bench/inprocess.py", "--mode", mode, "--rounds", "2", "--batch", "3", "--floors"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    for route in ("/ ", "/bench/deps-floor", "/me ", "/inprocess/provider-alone"):
        assert route in result.stdout
    assert result.stdout.count("/: median") == 6
