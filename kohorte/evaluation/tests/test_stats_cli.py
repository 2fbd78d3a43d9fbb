"""The command line: ``python -m kohorte.evaluation paired < pairs.json``."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run(stdin: bytes, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed argv: this interpreter and our module
        [sys.executable, "-m", "kohorte.evaluation", *(args or ("paired",))],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_paired_reference_example():
    # R ?wilcox.test depression data (Hollander & Wolfe): V = 40, p = 0.03906
    doc = {
        "pre": [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29],
        "post": [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30],
    }
    proc = run(json.dumps(doc).encode())
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    for key in (
        "n mean_pre mean_post mean_diff sd_diff t df p_t wilcoxon_statistic "
        "p_wilcoxon dz dz_ci_low dz_ci_high notes"
    ).split():
        assert key in out
    assert out["n"] == 9 and out["wilcoxon_statistic"] == 40
    assert round(out["p_wilcoxon"], 5) == 0.03906
    assert out["notes"] == []


def test_undefined_values_are_null_with_notes():
    proc = run(b'{"pre": [1, 2, 3], "post": [2, 3, 4]}')
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()
    assert "NaN" not in text and "Infinity" not in text
    out = json.loads(text)
    assert out["t"] is None and out["dz"] is None and out["p_t"] is None
    assert out["notes"]


def test_integers_and_floats_and_bom_accepted():
    proc = run(b'\xef\xbb\xbf{"post": [1, 2.5, 3e0], "pre": [0, 2, 1]}')
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["n"] == 3


@pytest.mark.parametrize(
    "stdin",
    [
        b'{"pre": [1, 2, 3], "post": [1, 2]}',  # unequal lengths
        b'{"pre": [1], "post": [2]}',  # fewer than 2 pairs
        b'{"pre": [], "post": []}',
        b'{"pre": [1, true], "post": [1, 2]}',  # boolean
        b'{"pre": [1, false], "post": [1, 2]}',
        b'{"pre": [1, NaN], "post": [1, 2]}',
        b'{"pre": [1, Infinity], "post": [1, 2]}',
        b'{"pre": [1, -Infinity], "post": [1, 2]}',
        b'{"pre": [1, 1e999], "post": [1, 2]}',  # overflows to infinity
        b'{"pre": [1, "2"], "post": [1, 2]}',  # string
        b'{"pre": [1, null], "post": [1, 2]}',
        b'{"pre": [1, [2]], "post": [1, 2]}',
        b'{"pre": "1,2", "post": [1, 2]}',
        b'{"pre": [1, 2]}',  # missing key
        b'{"pre": [1, 2], "post": [1, 2], "extra": 1}',
        b'{"pre": [1, 2], "pre": [3, 4], "post": [1, 2]}',  # duplicate key
        b"[1, 2]",
        b'{"pre": [1, 2], "post": [1, 2]',  # malformed
        b"",
        b"\xff\xfe\x00",  # not UTF-8
    ],
)
def test_bad_input_exits_2_with_one_line(stdin):
    proc = run(stdin)
    assert proc.returncode == 2
    assert proc.stdout == b""
    err = proc.stderr.decode()
    assert err.endswith("\n") and err.count("\n") == 1 and err.startswith("error: ")


def test_bad_command_exits_2():
    proc = run(b"{}", "unpaired")
    assert proc.returncode == 2
    assert proc.stderr.decode().count("\n") == 1


def test_help():
    proc = run(b"", "--help")
    assert proc.returncode == 0 and b"paired" in proc.stdout
