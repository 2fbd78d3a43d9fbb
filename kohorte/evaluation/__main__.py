"""Command line access to the evaluation statistics, without the web application.

Usage::

    python -m kohorte.evaluation paired < pairs.json > result.json

The input is a JSON object ``{"pre": [numbers], "post": [numbers]}``; values
are paired by position and every comparison is post minus pre.  The output
is the JSON object of :func:`kohorte.evaluation.stats.paired_summary`
(``n, mean_pre, mean_post, mean_diff, sd_diff, t, df, p_t,
wilcoxon_statistic, p_wilcoxon, dz, dz_ci_low, dz_ci_high, notes`` and a few
more keys); an undefined value is ``null`` and explained in ``notes``.

Exit codes: 0 success; 2 bad usage or bad input (one line on stderr):
malformed JSON, a key other than ``pre``/``post`` or one of them missing,
lists of unequal length, fewer than 2 pairs, or any element that is not a
finite number (booleans, ``null``, strings, ``NaN``, ``Infinity`` and
numbers too large for a double are all rejected).
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, NoReturn

USAGE = "usage: python -m kohorte.evaluation paired < pairs.json > result.json"


class InputError(Exception):
    """The input cannot be used; the message is shown on one line."""


def _reject_constant(token: str) -> NoReturn:
    raise InputError(f"{token} is not allowed: every value must be a finite number")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError(f"duplicate key {key!r} in the input object")
        out[key] = value
    return out


def _numbers(name: str, values: Any) -> list[float]:
    if not isinstance(values, list):
        raise InputError(f"{name!r} must be a list of numbers")
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            shown = "null" if v is None else type(v).__name__
            raise InputError(f"{name}[{i}] is not a number ({shown})")
        try:
            f = float(v)
        except OverflowError:
            raise InputError(f"{name}[{i}] is too large") from None
        if not math.isfinite(f):
            raise InputError(f"{name}[{i}] is not a finite number")
        out.append(f)
    return out


def parse_pairs(raw: bytes) -> tuple[list[float], list[float]]:
    """Validate the input document and return the pre and post lists."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("input is not valid UTF-8") from None
    try:
        doc = json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise InputError("malformed JSON: nested too deeply") from None
    if not isinstance(doc, dict):
        raise InputError('input must be a JSON object {"pre": [...], "post": [...]}')
    unknown = sorted(set(doc) - {"pre", "post"})
    if unknown:
        raise InputError(
            f"unknown key(s): {', '.join(map(repr, unknown))}; expected 'pre' and 'post'"
        )
    for key in ("pre", "post"):
        if key not in doc:
            raise InputError(f"missing key {key!r}")
    pre = _numbers("pre", doc["pre"])
    post = _numbers("post", doc["post"])
    if len(pre) != len(post):
        raise InputError(f"'pre' has {len(pre)} values but 'post' has {len(post)}")
    if len(pre) < 2:
        raise InputError(f"at least 2 pairs are needed, got {len(pre)}")
    return pre, post


def _fail(message: str) -> NoReturn:
    one_line = " ".join(str(message).split())
    print(f"error: {one_line}", file=sys.stderr)
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args in (["-h"], ["--help"]):
        print(__doc__.strip())
        return 0
    if args != ["paired"]:
        _fail(f"expected the command 'paired'; {USAGE}")
    try:
        pre, post = parse_pairs(sys.stdin.buffer.read())
    except InputError as exc:
        _fail(str(exc))
    # imported late so that usage errors do not pay for numpy/scipy
    from kohorte.evaluation.stats import paired_summary

    result = paired_summary(pre, post)
    sys.stdout.write(json.dumps(result, allow_nan=False, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
