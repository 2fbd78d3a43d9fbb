"""Django's SQLite backend, with writers queued on an operating-system lock.

SQLite admits one writer at a time. A writer that finds the database locked polls in
SQLite's busy handler, sleeping 1, 2, 5 … up to 100 ms between tries, so under load the
lock often stands free while the waiters sleep, and a waiter can lose every try for
seconds. Here every write transaction (and every write outside one) first takes an
exclusive flock on ``<database>.writelock``: waiters sleep in the kernel and the next
one wakes as soon as the lock is free. The kernel drops the lock of a process that
dies. SQLite's own locking stays in force underneath; in-memory databases (the
tests) are left alone. bench/README.md has the figures.
"""

import fcntl
import os

from django.db.backends.sqlite3 import base

WRITE_STATEMENTS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteLock:
    """One connection's handle on the database's write lock (not re-entrant)."""

    def __init__(self, path):
        self.path = path
        self.fd = None
        self.held = False

    def acquire(self):
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        self.held = True

    def release(self):
        if self.held:
            self.held = False
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self):
        self.release()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class CursorWrapper(base.SQLiteCursorWrapper):
    """Takes the write lock around a write that runs outside a transaction."""

    write_lock = None

    def _unlocked_write(self, query):
        return (self.write_lock is not None and not self.connection.in_transaction
                and query.lstrip()[:7].upper().startswith(WRITE_STATEMENTS))

    def execute(self, query, params=None):
        if not self._unlocked_write(query):
            return super().execute(query, params)
        self.write_lock.acquire()
        try:
            return super().execute(query, params)
        finally:
            self.write_lock.release()

    def executemany(self, query, param_list):
        if not self._unlocked_write(query):
            return super().executemany(query, param_list)
        self.write_lock.acquire()
        try:
            return super().executemany(query, param_list)
        finally:
            self.write_lock.release()


class DatabaseWrapper(base.DatabaseWrapper):
    write_lock = None

    def get_new_connection(self, conn_params):
        # Decided per connection: the test runner renames the database after start-up.
        if self.write_lock is not None:
            self.write_lock.close()
        self.write_lock = (None if self.is_in_memory_db()
                           else WriteLock(f"{self.settings_dict['NAME']}.writelock"))
        return super().get_new_connection(conn_params)

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=CursorWrapper)
        cursor.write_lock = self.write_lock
        return cursor

    def _start_transaction_under_autocommit(self):
        if self.write_lock is None:
            return super()._start_transaction_under_autocommit()
        self.write_lock.acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self.write_lock.release()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            if self.write_lock is not None:
                self.write_lock.close()

    def _release_write_lock(self):
        # A failed COMMIT leaves the transaction open: keep the lock until it ends.
        if self.write_lock is not None and not (self.connection and self.connection.in_transaction):
            self.write_lock.release()
