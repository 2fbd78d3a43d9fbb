"""Command line for the selection engine.

    python -m kohorte.selection solve < instance.json > result.json
    python -m kohorte.selection hash  < instance.json   # candidate list hash

Exit codes: 0 success, 2 bad input or refused policy (one line on stderr).
"""

from __future__ import annotations

import sys

from .engine import InstanceError, candidate_list_hash, dumps, loads, solve

USAGE = "usage: python -m kohorte.selection {solve|hash} < instance.json"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] not in ("solve", "hash"):
        sys.stderr.write(USAGE + "\n")
        return 2
    try:
        instance = loads(sys.stdin.buffer.read())
        if argv[0] == "solve":
            output = dumps(solve(instance))
        else:
            if not isinstance(instance, dict) or "applicants" not in instance:
                raise InstanceError("instance must be an object with applicants")
            output = candidate_list_hash(instance["applicants"]) + "\n"
    except InstanceError as exc:
        sys.stderr.write(f"Fehler/error: {_one_line(exc)}\n")
        return 2
    sys.stdout.buffer.write(output.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
