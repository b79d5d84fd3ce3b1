"""Prepared statements: a Core statement compiled once per database, run on the driver's cursor.

The hall's every write runs the same few statements (the next number, the ticket, the
waiting count, the event, the savepoint around them). Through ``Session.execute`` each
paid ~60–100 µs of Python in SQLAlchemy's execution layers — execution context, cache key,
parameter processing, result wrapping — several times what SQLite takes to run it; at
saturation that was most of the writer thread (py-spy, docs/server.md "Hot lane"). Here a
statement is compiled once per dialect with SQLAlchemy's own compiler, its parameters and
result columns get the dialect's own type processors (public ``TypeEngine`` API), and each
execution is one ``cursor.execute`` on the session's connection, inside the session's
transaction.

What is not done here, so the caller must not need it: Python-side column defaults (an
INSERT must name every column that has one — checked when it is compiled), IN lists
expanded per execution (write ``a == x OR a == y``), ORM autoflush
(``Session.flush`` first if the session holds pending objects), and RETURNING rows from
``run_many``.
The statements themselves stay SQLAlchemy Core, written once, for SQLite and PostgreSQL.
"""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, Update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

_CURSOR_KEY, _WRITES_KEY, _KEEP_KEY, _LATER_KEY = "sql.cursor", "sql.writes", "sql.keeping", "sql.later"
_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Form:
    """One statement as one dialect runs it."""
    sql: str
    positional: bool
    names: tuple[str, ...]  # bound parameters, in the order a positional driver takes them
    defaults: Mapping[str, Any]  # values fixed in the statement (literals)
    processors: Mapping[str, _Processor]
    row: type | None  # a named tuple of the result columns; None if no rows come back
    results: tuple[_Processor, ...]
    writes: bool  # an INSERT, UPDATE or DELETE (counted: ``writes``)


class Prepared:
    """A Core statement run straight on the DBAPI cursor (see the module's docstring).

    ``dynamic``: an INSERT or UPDATE that sets the columns named by its parameters' keys (as
    ``Session.execute(stmt, params)`` does), compiled once per set of keys."""

    def __init__(self, stmt: Executable, *, dynamic: bool = False) -> None:
        self.stmt, self.dynamic = stmt, dynamic
        self._forms: dict[tuple[str, tuple[str, ...]], _Form] = {}

    def _form(self, dialect: Dialect, params: Mapping[str, Any]) -> _Form:
        keys = tuple(params) if self.dynamic else ()
        form = self._forms.get((dialect.name, keys))
        if form is None:
            form = self._forms[(dialect.name, keys)] = self._compile(dialect, keys)
        return form

    def _compile(self, dialect: Dialect, keys: tuple[str, ...]) -> _Form:
        if self.dynamic and isinstance(self.stmt, (Insert, Update)):
            # what SQLAlchemy would fill in at execution time, this path never does: a bug,
            # loudly (a statement with fixed ``.values()`` names its columns where it is written)
            fills = [c.key for c in self.stmt.table.columns  # type: ignore[attr-defined]
                     if (c.default if isinstance(self.stmt, Insert) else c.onupdate) is not None
                     and c.key not in keys]
            if fills:
                raise ValueError(f"a prepared statement must set the columns with Python defaults: {fills}")
        compiled = self.stmt.compile(dialect=dialect, column_keys=list(keys) or None)
        if "POSTCOMPILE" in compiled.string:  # an IN list expanded per execution: not here
            raise ValueError(f"a prepared statement cannot expand parameters: {compiled.string}")
        positional = bool(compiled.positional)
        names = tuple(compiled.positiontup or ()) if positional else tuple(compiled.params)
        processors: dict[str, _Processor] = {}
        for name in names:
            bind = compiled.binds[name]
            processors[name] = bind.type.dialect_impl(dialect).bind_processor(dialect)
        columns = list(getattr(self.stmt, "exported_columns", ()) or ())
        row = namedtuple("Row", [c.key for c in columns], rename=True) if columns else None  # type: ignore[misc]
        results = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)
        return _Form(sql=compiled.string, positional=positional, names=names, defaults=dict(compiled.params),
                     processors=processors, row=row, results=results,
                     writes=bool(compiled.isinsert or compiled.isupdate or compiled.isdelete))

    def _bound(self, form: _Form, params: Mapping[str, Any]) -> Any:
        values = []
        for name in form.names:
            v = params[name] if name in params else form.defaults[name]
            p = form.processors[name]
            values.append(v if p is None or v is None else p(v))
        return tuple(values) if form.positional else dict(zip(form.names, values))

    def _execute(self, session: Session, params: Mapping[str, Any] | None) -> tuple[Any, _Form]:
        params = params or {}
        dialect = session.get_bind().dialect
        form = self._form(dialect, params)
        cur = cursor(session)
        bound = self._bound(form, params)
        if form.writes:
            wrote(session)
        try:
            cur.execute(form.sql, bound)
        except dialect.loaded_dbapi.Error as e:  # as SQLAlchemy raises it: IntegrityError, OperationalError…
            raise DBAPIError.instance(form.sql, bound, e, dialect.loaded_dbapi.Error) from e
        return cur, form

    def rows(self, session: Session, params: Mapping[str, Any] | None = None) -> list[Any]:
        """Run it in the session's transaction; the rows, as named tuples."""
        cur, form = self._execute(session, params)
        if form.row is None:
            return []
        procs, make = form.results, form.row._make  # type: ignore[attr-defined]
        return [make([v if p is None or v is None else p(v) for p, v in zip(procs, raw)]) for raw in cur.fetchall()]

    def first(self, session: Session, params: Mapping[str, Any] | None = None) -> Any | None:
        got = self.rows(session, params)
        return got[0] if got else None

    def scalar(self, session: Session, params: Mapping[str, Any] | None = None) -> Any:
        got = self.rows(session, params)
        return got[0][0] if got else None

    def run_many(self, session: Session, rows: list[Mapping[str, Any]]) -> None:
        """Run it once per row in one ``executemany`` (psycopg sends them in one pipeline);
        the rows must name the same columns."""
        if not rows:
            return
        dialect = session.get_bind().dialect
        form = self._form(dialect, rows[0])
        bound = [self._bound(form, r) for r in rows]
        if form.writes:
            wrote(session)
        try:
            cursor(session).executemany(form.sql, bound)
        except dialect.loaded_dbapi.Error as e:
            raise DBAPIError.instance(form.sql, bound[0], e, dialect.loaded_dbapi.Error) from e

    def run(self, session: Session, params: Mapping[str, Any] | None = None) -> int:
        """Run it; how many rows it changed."""
        cur, form = self._execute(session, params)
        if form.row is not None:
            cur.fetchall()
        return int(cur.rowcount)


# --- statements kept until the commit ------------------------------------------------

def keeping(session: Session, on: bool) -> None:
    """While on, ``later`` keeps its statements in the session; they run just before the
    commit (``flush_later``), each statement's rows in one ``executemany``, instead of one
    round trip each. For the writer's lean commands, which never read back in their
    transaction what they wrote this way (event rows, queue-count bumps: a batch's sixteen
    of each were two of its five statements per write, two round trips on PostgreSQL).
    Turned off (after flushing) before anything that might read those tables."""
    if not on:
        flush_later(session)
    session.info[_KEEP_KEY] = on


def later(session: Session, stmt: Prepared, params: Mapping[str, Any]) -> None:
    """Run ``stmt`` now, or at the commit while ``keeping`` is on. Statements kept must not
    depend on one another: at the flush they run grouped by statement, each group in the
    order it was kept."""
    if session.info.get(_KEEP_KEY):
        session.info.setdefault(_LATER_KEY, []).append((stmt, params))
    else:
        stmt.run(session, params)


def kept(session: Session, stmt: Prepared) -> list[Mapping[str, Any]]:
    """The parameters of ``stmt`` kept so far (a reader adds what is not written yet)."""
    return [p for st, p in session.info.get(_LATER_KEY, ()) if st is stmt]


def kept_count(session: Session) -> int:
    """How many statements are kept: ``truncate_kept`` to it takes back what came after."""
    return len(session.info.get(_LATER_KEY, ()))


def truncate_kept(session: Session, n: int) -> None:
    del session.info.setdefault(_LATER_KEY, [])[n:]


def flush_later(session: Session) -> None:
    """Run the kept statements: one ``executemany`` per statement, in the order kept."""
    items = session.info.pop(_LATER_KEY, None)
    if not items:
        return
    groups: dict[int, tuple[Prepared, list[Mapping[str, Any]]]] = {}
    for stmt, params in items:
        groups.setdefault(id(stmt), (stmt, []))[1].append(params)
    for stmt, rows in groups.values():
        stmt.run_many(session, rows)


def wrote(session: Session) -> None:
    """Count a write in the session's transaction (prepared statements count their own)."""
    session.info[_WRITES_KEY] = session.info.get(_WRITES_KEY, 0) + 1


def writes(session: Session) -> int:
    """Writes counted in the session's transaction so far: a command that raised with this
    unchanged has nothing to take back (``Writer``'s savepoint-free batches)."""
    return int(session.info.get(_WRITES_KEY, 0))


def cursor(session: Session) -> Any:
    """The driver's cursor on the session's connection, kept for the session's transaction
    (``Session.connection`` begins it as SQLAlchemy would: ``BEGIN IMMEDIATE`` on SQLite)."""
    cur = session.info.get(_CURSOR_KEY)
    if cur is None:
        cur = session.info[_CURSOR_KEY] = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    return cur


def forget(session: Session, transaction: Any) -> None:
    """``after_transaction_end`` (registered in ``db.Database``): once the session's own
    transaction ends its connection may go back to the pool and serve someone else, so
    the cursor kept for it must not be used again."""
    if transaction.parent is None:
        cur = session.info.pop(_CURSOR_KEY, None)
        if cur is not None:
            cur.close()


@contextmanager
def savepoint(session: Session, name: str = "lean") -> Iterator[None]:
    """A SAVEPOINT on the cursor around prepared statements: on an error they are taken back
    and the error goes on. The Session does not know of it, so the block must not leave ORM
    objects behind (``Writer.run(lean=True)``); after a rollback the Session forgets every
    object it holds, lest one show a row the rollback took back."""
    cur = cursor(session)
    cur.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        cur.execute(f"ROLLBACK TO SAVEPOINT {name}")
        cur.execute(f"RELEASE SAVEPOINT {name}")
        session.expunge_all()
        raise
    cur.execute(f"RELEASE SAVEPOINT {name}")
