"""The SQLite backend queues writers on an operating-system lock (kohorte/core/sqlite_backend)."""

import fcntl
import os
import threading

import pytest
from django.conf import settings
from django.db import connections

from kohorte.core.sqlite_backend.base import DatabaseWrapper


def _database(path):
    settings_dict = {**connections["default"].settings_dict, "NAME": str(path),
                     "ENGINE": "kohorte.core.sqlite_backend", "TEST": {},
                     "OPTIONS": dict(settings.SQLITE_OPTIONS)}
    return DatabaseWrapper(settings_dict, alias="sqlite_backend_test")


def _lock_is_free(path):
    fd = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def _begin(db):
    # What transaction.atomic does on entering the outermost block.
    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    # These tests open databases of their own, outside the test database.
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "writers.sqlite3"
    db = _database(path)
    with db.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE row (id INTEGER PRIMARY KEY, writer TEXT)")
    db.close()
    return path


def test_a_write_transaction_holds_the_lock_until_it_commits(db_file):
    db = _database(db_file)
    _begin(db)
    with db.cursor() as cursor:
        cursor.execute("INSERT INTO row (writer) VALUES ('a')")
    assert not _lock_is_free(db_file)
    db.commit()
    db.set_autocommit(True)
    assert _lock_is_free(db_file)
    db.close()


def test_a_rolled_back_transaction_releases_the_lock(db_file):
    db = _database(db_file)
    _begin(db)
    db.rollback()
    db.set_autocommit(True)
    assert _lock_is_free(db_file)
    db.close()


def test_a_write_outside_a_transaction_waits_for_the_lock_and_returns_it(db_file):
    holder = os.open(f"{db_file}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    started, done = threading.Event(), threading.Event()

    def write():
        db = _database(db_file)
        started.set()
        with db.cursor() as cursor:
            cursor.execute("INSERT INTO row (writer) VALUES ('autocommit')")
        db.close()
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    started.wait(5)
    assert not done.wait(0.2)  # queued behind the holder
    fcntl.flock(holder, fcntl.LOCK_UN)
    os.close(holder)
    thread.join(10)
    assert done.is_set() and _lock_is_free(db_file)


def test_writers_in_several_threads_all_succeed(db_file):
    errors = []

    def writer(name):
        db = _database(db_file)
        try:
            for _ in range(30):
                _begin(db)
                with db.cursor() as cursor:
                    cursor.execute("INSERT INTO row (writer) VALUES (%s)", [name])
                db.commit()
                db.set_autocommit(True)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    db = _database(db_file)
    with db.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM row")
        count = cursor.fetchone()[0]
    db.close()
    assert errors == [] and count == 120


def test_an_in_memory_database_takes_no_lock():
    db = _database(":memory:")
    db.ensure_connection()
    assert db.write_lock is None
    db.close()
