"""The rotating check-in code shown in the room (pure functions, no database).

The code is an HMAC of the session and a 30-second time step under the session's own
secret, so it cannot be guessed, works for one session only and goes stale quickly: a
photo forwarded to someone at home is useless a minute later. The current and the
previous step are accepted (the scan and the sign-in take a moment); anything older is
refused.
"""

import hashlib
import hmac
from base64 import b32encode
from datetime import datetime, timedelta
from enum import Enum

STEP_SECONDS = 30
CODE_LENGTH = 16
# The code can be shown (and used) from shortly before the start until the end.
OPENS_BEFORE_START = timedelta(minutes=15)
# Base32 without the padding: letters and digits 2-7, easy to read aloud or type.
_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


class CodeCheck(Enum):
    VALID = "valid"
    EXPIRED = "expired"  # well-formed and once right, but older than the grace
    WRONG = "wrong"  # not a code of this session at all
    CLOSED = "closed"  # outside the session's check-in window


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def seconds_left(now: datetime) -> int:
    """Seconds until the code shown at ``now`` is replaced."""
    return STEP_SECONDS - int(now.timestamp()) % STEP_SECONDS


def code_for(*, secret: str, session_id: int, step: int) -> str:
    digest = hmac.new(secret.encode(), f"{session_id}:{step}".encode(), hashlib.sha256).digest()
    return b32encode(digest).decode()[:CODE_LENGTH]


def current_code(*, secret: str, session_id: int, now: datetime) -> str:
    return code_for(secret=secret, session_id=session_id, step=time_step(now))


def normalise(code: str) -> str:
    """What a person typed, as the code is written: upper case, no spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch not in " -\t")


def window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """When codes for a session are shown and accepted: [opens, closes)."""
    return starts_at - OPENS_BEFORE_START, ends_at


def window_open(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    opens, closes = window(starts_at, ends_at)
    return opens <= now < closes


def check_code(*, secret: str, session_id: int, code: str, starts_at: datetime,
               ends_at: datetime, now: datetime, look_back: int = 240) -> CodeCheck:
    """Whether ``code`` checks someone in to the session at ``now``.

    ``look_back`` steps (two hours by default) tell an expired code from a wrong one, so
    that the person reads "scan again" rather than "wrong code".
    """
    if not window_open(starts_at, ends_at, now):
        return CodeCheck.CLOSED
    code = normalise(code)
    if len(code) != CODE_LENGTH or not set(code) <= _ALPHABET:
        return CodeCheck.WRONG
    step = time_step(now)
    for back in range(look_back + 1):
        if hmac.compare_digest(code, code_for(secret=secret, session_id=session_id,
                                              step=step - back)):
            return CodeCheck.VALID if back <= 1 else CodeCheck.EXPIRED
    return CodeCheck.WRONG


def grouped(code: str) -> str:
    """The code in groups of four, for reading it off the screen."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


def qr_svg(url: str, *, title: str) -> str:
    """The QR code of ``url`` as inline SVG markup (no inline style: the CSP allows it).

    Without a fixed size (a viewBox only): it fills the width the page gives it, so that
    phones read it from the back of a room; the quiet zone is the standard four modules.
    """
    import segno

    svg = segno.make(url, error="m").svg_inline(border=4, dark="#000", light="#fff",
                                                title=title, omitsize=True,
                                                svgclass="kohorte-checkin__qr")
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)
