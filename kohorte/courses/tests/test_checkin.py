"""The rotating check-in code (pure functions): explicit times, no sleeping."""

from datetime import UTC, datetime, timedelta

from kohorte.courses import checkin
from kohorte.courses.checkin import CodeCheck

START = datetime(2025, 10, 30, 8, 0, tzinfo=UTC)
END = START + timedelta(hours=3, minutes=30)
SECRET = "s3cret-of-the-session"


def _check(code, now, *, session_id=7, secret=SECRET):
    return checkin.check_code(secret=secret, session_id=session_id, code=code,
                              starts_at=START, ends_at=END, now=now)


def _code_at(now, session_id=7):
    return checkin.current_code(secret=SECRET, session_id=session_id, now=now)


def test_the_code_is_sixteen_base32_characters_and_changes_every_thirty_seconds():
    now = START + timedelta(minutes=5)
    step_start = datetime.fromtimestamp(checkin.time_step(now) * 30, tz=UTC)
    code = _code_at(step_start)
    assert len(code) == 16 and code.isalnum() and code.isupper()
    assert _code_at(step_start + timedelta(seconds=29)) == code
    assert _code_at(step_start + timedelta(seconds=30)) != code


def test_the_current_and_the_previous_code_are_accepted():
    now = START + timedelta(minutes=5)
    assert _check(_code_at(now), now) == CodeCheck.VALID
    assert _check(_code_at(now - timedelta(seconds=30)), now) == CodeCheck.VALID


def test_an_older_code_is_refused_as_expired():
    now = START + timedelta(minutes=5)
    assert _check(_code_at(now - timedelta(seconds=60)), now) == CodeCheck.EXPIRED
    assert _check(_code_at(now - timedelta(minutes=30)), now) == CodeCheck.EXPIRED


def test_a_code_of_another_session_is_wrong():
    now = START + timedelta(minutes=5)
    assert _check(_code_at(now, session_id=8), now) == CodeCheck.WRONG
    assert _check(_code_at(now), now, secret="another secret") == CodeCheck.WRONG
    assert _check("not a code", now) == CodeCheck.WRONG
    assert _check("", now) == CodeCheck.WRONG


def test_codes_work_only_from_fifteen_minutes_before_the_start_until_the_end():
    for now in (START - timedelta(minutes=16), END, END + timedelta(hours=1)):
        assert _check(_code_at(now), now) == CodeCheck.CLOSED
    for now in (START - timedelta(minutes=15), END - timedelta(seconds=1)):
        assert _check(_code_at(now), now) == CodeCheck.VALID


def test_a_typed_code_may_have_spaces_and_lower_case():
    now = START + timedelta(minutes=5)
    typed = checkin.grouped(_code_at(now)).lower()
    assert " " in typed
    assert _check(typed, now) == CodeCheck.VALID


def test_seconds_left_counts_down_to_the_next_code():
    step_start = datetime.fromtimestamp(checkin.time_step(START) * 30, tz=UTC)
    assert checkin.seconds_left(step_start) == 30
    assert checkin.seconds_left(step_start + timedelta(seconds=29)) == 1
