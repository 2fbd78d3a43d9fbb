"""Reference numbers of submitted applications (``GWA-2026-0042``).

A reference is the call's prefix, the year of its deadline and a number counted per
prefix and year, so calls sharing a prefix and a year share the count and a reference
is unique by how it is made (the unique index on ``Application.reference`` still
guards it).

How the number is counted depends on the database:

- SQLite counts in ``ReferenceCounter``'s row, in the submit's transaction: a number
  is used only by a submit that commits, so there are no gaps. SQLite has one writer
  at a time anyway, so the row's lock costs nothing.
- PostgreSQL counts in a sequence per prefix and year. A counter row would stay locked
  from the moment the number is taken until the commit has reached the disk, and the
  submits of one call would commit strictly one after another (at the deadline about a
  third of the server's cores sat idle waiting for it). ``nextval`` never waits, at
  the price that a number taken by a submit that then fails is not given again: a gap,
  never a duplicate. The sequence is made at the first submit of its prefix and year
  and starts where the counter row stood (an installation from before the sequences)
  or past any reference already given.
"""

import hashlib

from django.db import DatabaseError, connection, transaction
from django.db.utils import ProgrammingError
from django.utils import timezone

from ..models import Application, Call, ReferenceCounter

# Counts the counter of a prefix and year up and returns the new value in one
# statement, creating it at the first submit of that year (an upsert; PostgreSQL and
# SQLite 3.35+ return rows from it, Django 5.2's update() cannot).
TAKE_NUMBER_SQL = (
    'INSERT INTO "applications_referencecounter" ("prefix", "year", "next_number") '
    'VALUES (%s, %s, 2) ON CONFLICT ("prefix", "year") DO UPDATE '
    'SET "next_number" = "applications_referencecounter"."next_number" + 1')
TAKE_NUMBER_RETURNING_SQL = TAKE_NUMBER_SQL + ' RETURNING "next_number"'

# The sequences' names begin with this; the rest is made from the prefix and year.
SEQUENCE_NAME_START = "applications_ref_"


def _uses_sequences() -> bool:
    return connection.vendor == "postgresql"


def sequence_name(prefix: str, year: int) -> str:
    """The PostgreSQL sequence of a prefix and year. The prefix is free text: it
    enters the name as a digest, so the name is a plain identifier (54 characters,
    below PostgreSQL's 63) whatever the prefix holds."""
    digest = hashlib.sha256(prefix.encode()).hexdigest()[:32]
    return f"{SEQUENCE_NAME_START}{int(year):04d}_{digest}"


class SequenceMissing(Exception):
    """The prefix and year have no sequence yet; the transaction that asked is
    spoilt and must be undone before the sequence is made (``reference_sequence_make``)."""


def reference_parts(call: Call) -> tuple[str, int]:
    return call.reference_prefix, timezone.localtime(call.closes_at).year


def _missing_relation(error: Exception) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == "42P01"  # undefined_table


def _take_number(prefix: str, year: int) -> int:
    with connection.cursor() as cursor:
        if _uses_sequences():
            try:
                cursor.execute("SELECT nextval(%s)", [sequence_name(prefix, year)])
            except ProgrammingError as error:
                if _missing_relation(error):
                    raise SequenceMissing(prefix, year) from error
                raise
            return cursor.fetchone()[0]
        # The counter's row stays locked until the transaction ends: concurrent
        # submitters with the same prefix queue on it.
        if connection.features.can_return_columns_from_insert:
            cursor.execute(TAKE_NUMBER_RETURNING_SQL, [prefix, year])
            return cursor.fetchone()[0] - 1
        cursor.execute(TAKE_NUMBER_SQL, [prefix, year])  # SQLite before 3.35
    return ReferenceCounter.objects.values_list("next_number", flat=True).get(
        prefix=prefix, year=year) - 1


def reference_take(call: Call) -> str:
    """The next reference of the call's prefix and year, counted up. Raises
    ``SequenceMissing`` on PostgreSQL before the first of the prefix and year."""
    prefix, year = reference_parts(call)
    return f"{prefix}-{year}-{_take_number(prefix, year):04d}"


def _past_taken(prefix: str, year: int) -> int:
    """The number after the highest one given with the prefix and year (1 if none)."""
    numbers = [int(reference.rpartition("-")[2]) for reference in
               Application.objects.filter(reference__startswith=f"{prefix}-{year}-")
               .values_list("reference", flat=True)
               if reference.rpartition("-")[2].isdigit()]
    return max(numbers, default=0) + 1


def _sequence_next(cursor, name: str) -> int | None:
    """The number the sequence gives next, None if there is no such sequence."""
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    if not cursor.fetchone()[0]:
        return None
    # The name is one sequence_name made: a digest, no text from outside.
    cursor.execute(f'SELECT last_value, is_called FROM "{name}"')  # noqa: S608
    last_value, is_called = cursor.fetchone()
    return last_value + 1 if is_called else last_value


def reference_next_number(call: Call) -> int:
    """The number the next submit of the call's prefix and year gets (1 before the
    first), without taking it."""
    prefix, year = reference_parts(call)
    if _uses_sequences():
        with connection.cursor() as cursor:
            following = _sequence_next(cursor, sequence_name(prefix, year))
        if following is not None:
            return following
    counter = ReferenceCounter.objects.filter(prefix=prefix, year=year).first()
    return counter.next_number if counter else 1


@transaction.atomic
def reference_sequence_make(call: Call) -> None:
    """Make the PostgreSQL sequence of the call's prefix and year if it is missing,
    starting where the counter row stands or past every reference given, whichever is
    higher. Two submitters making it at once: the second one's statement fails on
    PostgreSQL's catalogue (IF NOT EXISTS does not cover the race); it is undone and
    the sequence the first one made is used."""
    prefix, year = reference_parts(call)
    counter = ReferenceCounter.objects.filter(prefix=prefix, year=year).first()
    start = max(counter.next_number if counter else 1, _past_taken(prefix, year))
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # DDL takes no parameters: the name is ours, the start an int.
            cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{sequence_name(prefix, year)}" '
                           f"AS bigint MINVALUE 1 START WITH {int(start)}")
    except DatabaseError:  # the other submitter's sequence is checked for
        with connection.cursor() as cursor:
            if _sequence_next(cursor, sequence_name(prefix, year)) is None:
                raise


@transaction.atomic
def reference_move_past_taken(call: Call) -> None:
    """Move the count of the call's prefix and year past every reference already given.

    Only needed when a reference was written other than by the count (by hand in the
    database, or from before the counters): the submit then met the unique index.
    """
    prefix, year = reference_parts(call)
    following = _past_taken(prefix, year)
    if _uses_sequences():
        reference_sequence_make(call)
        name = sequence_name(prefix, year)
        with connection.cursor() as cursor:
            # setval only forwards: a concurrent nextval may have moved it further.
            cursor.execute(f'SELECT setval(%s, GREATEST(%s, (SELECT CASE WHEN is_called '  # noqa: S608
                           f'THEN last_value + 1 ELSE last_value END FROM "{name}")), false)',
                           [name, following])
        return
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
        prefix=prefix, year=year, defaults={"next_number": following})
    if counter.next_number < following:
        counter.next_number = following
        counter.save(update_fields=["next_number"])


@transaction.atomic
def reference_next_number_set(call: Call, number: int) -> None:
    """Let the next reference of the call's prefix and year have ``number`` (at least
    1), e.g. to continue the numbers of an earlier system. Setting it back below
    references already given makes the next submits meet them and skip past them."""
    prefix, year = reference_parts(call)
    number = max(int(number), 1)
    ReferenceCounter.objects.update_or_create(prefix=prefix, year=year,
                                              defaults={"next_number": number})
    if _uses_sequences():
        reference_sequence_make(call)
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(%s, %s, false)", [sequence_name(prefix, year), number])
