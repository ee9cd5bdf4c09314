"""SQLite write transactions for the OpenStack test bed (loaded through PYTHONPATH by
scripts/openstack/up.sh; shadows Debian's sitecustomize, whose only job — the apport
hook — is repeated at the end).

oslo.db opens every SQLite transaction with a plain (deferred) ``BEGIN``, and the services
often read a row and then update it in the same transaction. On one SQLite file shared by
several writers that fails with "database is locked":
- across processes at once, without waiting, whenever another connection committed between
  the read and the write (SQLite refuses to upgrade a stale read snapshot; no busy timeout
  helps). Seen: nova-conductor losing a server build (``UPDATE instance_mappings``) while
  nova-api inserted the next one.
- inside one eventlet process after the busy timeout: a green thread waiting for the write
  lock blocks in SQLite's C busy handler, so the green thread holding the lock never gets
  to commit. Seen: 7 of 8 concurrent security-group-rule creations in neutron-server.

With OPENSTACK_SQLITE_BEGIN=immediate (up.sh sets it for Nova and Neutron) a transaction
starts with ``BEGIN IMMEDIATE`` instead: it takes the write lock first, so at most one
transaction per database runs at a time (readers are never blocked in WAL mode). A taken
lock makes the BEGIN retry from Python with ``time.sleep``, which eventlet monkey-patches,
so the holder — often another green thread of the same process — gets to finish.
A transaction opened while the same thread already holds the lock on that database (an
"independent" transaction nested in another one, as Neutron does when it adds a rule) gets
the plain ``BEGIN`` it would have had anyway: waiting for itself would never end.

Not for Keystone: it leaves read transactions open after a request (federation's
get_enabled_service_providers returns a lazy Query whose session only the garbage collector
closes); with BEGIN IMMEDIATE that idle transaction would hold the write lock. Placement
and Glance have a single writer (one process, one thread) and need nothing.

Nothing else changes: same SQL, same schema, same services.
"""

import os
import random
import sqlite3
import sqlite3.dbapi2
import sys
import time

_LOCK_WAIT = float(os.environ.get("OPENSTACK_SQLITE_LOCK_WAIT", "60"))  # s a BEGIN retries
_C_BUSY_TIMEOUT = 0.1  # s SQLite itself blocks (freezing an eventlet process) per attempt
_DEBUG = os.environ.get("OPENSTACK_SQLITE_DEBUG") == "1"

# (database file, thread id) → number of IMMEDIATE transactions that thread holds on it
_held = {}


def _me():
    # imported late, so that eventlet has monkey-patched it: the id is the green thread's
    import threading

    return threading.get_ident()


class _Cursor(sqlite3.Cursor):
    def execute(self, sql, *args):
        if not (isinstance(sql, str) and sql.strip().upper() == "BEGIN"):
            return super().execute(sql, *args)
        conn = self.connection
        key = (conn._gd_db, _me())
        if _held.get(key):
            if _DEBUG:
                sys.stderr.write("sqlite: nested transaction on %s: plain BEGIN\n" % conn._gd_db)
            return super().execute(sql, *args)
        deadline = time.monotonic() + _LOCK_WAIT
        while True:
            try:
                result = super().execute("BEGIN IMMEDIATE", *args)
                break
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005 + random.random() * 0.02)
        _held[key] = _held.get(key, 0) + 1
        conn._gd_holder = key
        return result


class _Connection(sqlite3.Connection):
    _gd_db = None
    _gd_holder = None

    def cursor(self, factory=_Cursor):
        return super().cursor(factory)

    def _gd_release(self):
        key, self._gd_holder = self._gd_holder, None
        if key is not None:
            n = _held.get(key, 0) - 1
            if n > 0:
                _held[key] = n
            else:
                _held.pop(key, None)

    def commit(self):
        try:
            return super().commit()
        finally:
            if not self.in_transaction:
                self._gd_release()

    def rollback(self):
        try:
            return super().rollback()
        finally:
            self._gd_release()

    def close(self):
        try:
            return super().close()
        finally:
            self._gd_release()


_connect = sqlite3.dbapi2.connect


def _immediate_connect(database, *args, **kwargs):
    kwargs.setdefault("factory", _Connection)
    kwargs["timeout"] = _C_BUSY_TIMEOUT
    conn = _connect(database, *args, **kwargs)
    if isinstance(conn, _Connection):
        conn._gd_db = os.path.realpath(database) if isinstance(database, str) else database
    return conn


if os.environ.get("OPENSTACK_SQLITE_BEGIN") == "immediate":
    sqlite3.dbapi2.connect = _immediate_connect
    sqlite3.connect = _immediate_connect

# what Debian's /etc/python3.11/sitecustomize.py does
try:
    import apport_python_hook
except ImportError:
    pass
else:
    apport_python_hook.install()
