"""bench/inprocess.py and bench/http_ab.py, the A/B timings of the hot path (bench/README.md), still run: every route
they time answers 200 (a cookie-cache hit for `/me`) and they report each as a ratio of `/`. Figures are never
asserted."""

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


def test_the_http_a_b_runs() -> None:
    """bench/http_ab.py, here against this very checkout: both servers answer 200 on every route it times."""
    command = [sys.executable, "bench/http_ab.py", "--against", str(ROOT), "--rounds", "1", "--batch", "3"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("/: median") == 6
    assert result.stdout.count("/me ") == 2
