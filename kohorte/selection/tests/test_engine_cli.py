"""Tests of `python -m kohorte.selection` (exit codes, one-line errors, byte-identical output)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from kohorte.selection.engine import candidate_list_hash, dumps, solve

ROOT = Path(__file__).resolve().parents[3]

EXAMPLE = {
    "places": 3,
    "seed": "2026-11-03 Lotto 6aus49: 3 11 19 27 38 45",
    "regions": {"Darmstadt": {"min": 1, "max": 2}, "Kassel": {"min": 1}},
    "max_per_organisation": 2,
    "max_per_site": 1,
    "use_priority": True,
    "applicants": [
        {"id": "GWA-2026-0001", "tier": 1, "priority": False, "score": "4.25",
         "region": "Kassel", "organisation": "T-17", "site": "S-40"},
        {"id": "GWA-2026-0002", "tier": 1, "priority": True, "score": "3.125",
         "region": "Darmstadt", "organisation": "T-17", "site": "S-41"},
        {"id": "GWA-2026-0003", "tier": 1, "priority": True, "score": 3.25,
         "region": "Darmstadt", "organisation": "T-17", "site": "S-42"},
        {"id": "GWA-2026-0004", "tier": 2, "priority": True, "score": "3.25",
         "region": "Darmstadt", "organisation": "T-18", "site": "S-43"},
        {"id": "GWA-2026-0005", "tier": 2, "score": "3.25",
         "region": "Gießen", "organisation": "T-19", "site": "S-44"},
    ],
    "fixed": [],
}


def run(args, stdin: bytes):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "kohorte.selection", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def test_solve_writes_the_result_and_is_byte_identical():
    payload = json.dumps(EXAMPLE, ensure_ascii=False).encode("utf-8")
    first = run(["solve"], payload)
    assert first.returncode == 0, first.stderr
    assert first.stderr == b""
    second = run(["solve"], payload)
    assert second.stdout == first.stdout
    text = first.stdout.decode("utf-8")
    assert text.endswith("\n")
    result = json.loads(text)
    assert result["selected"] == ["GWA-2026-0003", "GWA-2026-0001", "GWA-2026-0004"]
    assert "Mindestzahl Regierungsbezirk Kassel" in result["explanations"]["GWA-2026-0002"]
    # the CLI output equals the API result in its canonical text form
    assert text == dumps(solve(json.loads(payload, parse_float=Decimal)))


def test_hash_subcommand():
    payload = json.dumps(EXAMPLE).encode()
    out = run(["hash"], payload)
    assert out.returncode == 0
    assert out.stdout.decode().strip() == candidate_list_hash(EXAMPLE["applicants"])


def _mutated(fn):
    data = json.loads(json.dumps(EXAMPLE))
    fn(data)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


BAD_INPUT = {
    "not json": b"{places: 3",
    "not utf-8": b"\xff\xfe{}",
    "empty": b"",
    "nan": b'{"places": NaN}',
    "negative places": _mutated(lambda d: d.update(places=-2)),
    "missing places": _mutated(lambda d: d.pop("places")),
    "duplicate id": _mutated(lambda d: d["applicants"][1].update(id="GWA-2026-0001")),
    "score not a number": _mutated(lambda d: d["applicants"][0].update(score="sehr gut")),
    "site under two organisations": _mutated(
        lambda d: d["applicants"][3].update(site="S-40", region="Kassel")),
    "site in two regions": _mutated(lambda d: d["applicants"][1].update(site="S-40", organisation="T-17")),
    "fixed not an applicant": _mutated(lambda d: d.update(fixed=["GWA-2026-9999"])),
    "unknown key": _mutated(lambda d: d.update(plätze=3)),
    "wrong type": _mutated(lambda d: d.update(max_per_site="1")),
    "duplicate key": b'{"places": 1, "places": 2, "seed": "s", "applicants": []}',
    "top level list": b"[]",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUT))
def test_bad_input_exits_2_with_one_line(name):
    out = run(["solve"], BAD_INPUT[name])
    assert out.returncode == 2, (name, out.stdout, out.stderr)
    assert out.stdout == b""
    err = out.stderr.decode("utf-8")
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err


REFUSED = {
    "minima above places": (
        _mutated(lambda d: d.update(regions={"Darmstadt": {"min": 2}, "Kassel": {"min": 2}})),
        ["Darmstadt", "Kassel"],
    ),
    "minimum above maximum": (
        _mutated(lambda d: d.update(regions={"Kassel": {"min": 2, "max": 1}})), ["Kassel"]),
    "minima jointly infeasible": (
        # T-17 (cap 2) is the only Träger in Kassel and has the two best Darmstadt sites;
        # Darmstadt needs 2 and may use T-17 or T-18 (one site), Kassel needs 1 from T-17.
        _mutated(lambda d: d.update(
            places=3, max_per_organisation=1,
            regions={"Darmstadt": {"min": 2}, "Kassel": {"min": 1}})),
        ["Darmstadt", "Kassel"],
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_policy_exits_2_naming_the_regions(name):
    payload, regions = REFUSED[name]
    out = run(["solve"], payload)
    assert out.returncode == 2
    err = out.stderr.decode("utf-8")
    assert err.count("\n") == 1
    assert "abgelehnt" in err and "refused" in err
    for region in regions:
        assert region in err


def test_usage_errors_exit_2():
    assert run([], b"{}").returncode == 2
    assert run(["optimise"], b"{}").returncode == 2
