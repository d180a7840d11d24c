"""Where ``factormodel serve`` keeps wijkplannen: an SQLite database in its data folder.

The standard library's :mod:`sqlite3` (no server, one file, atomic commits; SQLAlchemy
would add a dependency and nothing this needs). The database ``wijkplannen.sqlite``
lives in the server's data folder, in WAL mode, and every change is one transaction
(``BEGIN IMMEDIATE``): a process killed during a write leaves the last committed state,
never half a plan. Each plan has an id, its wijk, and every version it had (the full
JSON document of each version, as :meth:`factormodel.Wijkplan.to_dict` writes it); the
progress tables partners filled are kept per plan.

Concurrent edits never lose an update: an update names the version it was made from,
and when the stored plan has moved on it is refused (:class:`VersionConflict`, answered
as 409 with the current version).
"""

from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from factormodel.workflow.progress import Progress, read_progress
from factormodel.workflow.wijkplan import Wijkplan

__all__ = ["DB_NAME", "PlanStore", "UnknownPlan", "VersionConflict"]

DB_NAME = "wijkplannen.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    area TEXT NOT NULL,
    version INTEGER NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    version INTEGER NOT NULL,
    document TEXT NOT NULL,
    saved TEXT NOT NULL,
    PRIMARY KEY (plan_id, version)
);
CREATE TABLE IF NOT EXISTS progress (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    intervention TEXT NOT NULL,
    period TEXT NOT NULL,
    row TEXT NOT NULL,
    saved TEXT NOT NULL,
    UNIQUE (plan_id, intervention, period)
);
"""


class UnknownPlan(LookupError):
    """No plan with this id."""


class VersionConflict(Exception):
    """The plan changed since the version an update was made from."""

    def __init__(self, current: int, plan: Wijkplan) -> None:
        super().__init__(f"the plan is at version {current}")
        self.current = current
        self.plan = plan


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


class PlanStore:
    """The plans of one server (one SQLite file).

    Examples
    --------
    >>> import tempfile
    >>> from factormodel.workflow.wijkplan import example_plan
    >>> store = PlanStore(tempfile.mkdtemp())
    >>> pid = store.create(example_plan())
    >>> store.get(pid) == example_plan(), store.list()[0]["area"]
    (True, 'Oud-Crooswijk')
    """

    def __init__(self, folder: str | Path) -> None:
        self.path = Path(folder) / DB_NAME
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("PRAGMA synchronous=FULL")
        return con

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            yield con
        finally:
            con.close()

    # -- plans
    def create(self, plan: Wijkplan) -> int:
        """Store a new plan (its current version and history as they are); its id."""
        now = _now()
        with self._write() as con:
            cur = con.execute("INSERT INTO plans (area, version, created, updated) "
                              "VALUES (?, ?, ?, ?)", (plan.area, plan.version, now, now))
            pid = int(cur.lastrowid or 0)
            con.execute("INSERT INTO versions VALUES (?, ?, ?, ?)",
                        (pid, plan.version, _doc(plan), now))
        return pid

    def get(self, pid: int, version: int | None = None) -> Wijkplan:
        """The plan (its current version, or ``version``)."""
        with self._read() as con:
            row = con.execute("SELECT version FROM plans WHERE id = ?", (pid,)).fetchone()
            if row is None:
                raise UnknownPlan(pid)
            doc = con.execute("SELECT document FROM versions WHERE plan_id = ? AND "
                              "version = ?", (pid, version or row[0])).fetchone()
        if doc is None:
            raise UnknownPlan(f"{pid} version {version}")
        return Wijkplan.from_dict(json.loads(doc[0]), source=f"plan {pid}")

    def list(self, area: str | None = None) -> list[dict[str, Any]]:
        """Every plan (``id, area, version, created, updated``), newest first."""
        sql = "SELECT id, area, version, created, updated FROM plans"
        args: tuple = ()
        if area is not None:
            sql, args = sql + " WHERE area = ?", (area,)
        with self._read() as con:
            rows = con.execute(sql + " ORDER BY id DESC", args).fetchall()
        return [dict(zip(("id", "area", "version", "created", "updated"), r, strict=True))
                for r in rows]

    def versions(self, pid: int) -> list[int]:
        with self._read() as con:
            return [r[0] for r in con.execute("SELECT version FROM versions WHERE plan_id = ? "
                                              "ORDER BY version", (pid,))]

    def update(self, pid: int, expected_version: int, changes: dict[str, Any]) -> Wijkplan:
        """Edit the plan made from ``expected_version`` (:meth:`Wijkplan.edit`); refused
        with :class:`VersionConflict` when the stored plan is at another version."""
        with self._write() as con:
            row = con.execute("SELECT version FROM plans WHERE id = ?", (pid,)).fetchone()
            if row is None:
                raise UnknownPlan(pid)
            doc = con.execute("SELECT document FROM versions WHERE plan_id = ? AND "
                              "version = ?", (pid, row[0])).fetchone()
            current = Wijkplan.from_dict(json.loads(doc[0]), source=f"plan {pid}")
            if row[0] != expected_version:
                raise VersionConflict(row[0], current)
            new = current.edit(**changes)
            now = _now()
            con.execute("INSERT INTO versions VALUES (?, ?, ?, ?)",
                        (pid, new.version, _doc(new), now))
            con.execute("UPDATE plans SET version = ?, updated = ? WHERE id = ?",
                        (new.version, now, pid))
        return new

    # -- progress
    def record_progress(self, pid: int, progress: Progress) -> int:
        """Store (or replace, per intervention and period) the rows of a progress table;
        the number of rows stored."""
        table = progress.table
        reasons = progress.reasons
        now = _now()
        with self._write() as con:
            if con.execute("SELECT 1 FROM plans WHERE id = ?", (pid,)).fetchone() is None:
                raise UnknownPlan(pid)
            for r in table.itertuples(index=False):
                why = reasons[(reasons["intervention"] == r.intervention)
                              & (reasons["period"] == r.period)]
                row = {"interventie": r.intervention, "periode": r.period,
                       "eenheden": r.units, "bereikt": r.reached, "afgerond": r.completed,
                       "uitgevallen": r.dropped_out,
                       "reden_uitval": "; ".join(f"{k}:{n}" for k, n in
                                                 zip(why["reason"], why["count"], strict=True)),
                       "toelichting": r.note}
                con.execute("INSERT INTO progress (plan_id, intervention, period, row, saved) "
                            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (plan_id, intervention, period)"
                            " DO UPDATE SET row = excluded.row, saved = excluded.saved",
                            (pid, r.intervention, r.period, json.dumps(row), now))
        return len(table)

    def progress(self, pid: int) -> Progress | None:
        """Everything recorded for the plan, read against its current version (None when
        nothing was recorded)."""
        plan = self.get(pid)
        with self._read() as con:
            rows = [json.loads(r[0]) for r in con.execute(
                "SELECT row FROM progress WHERE plan_id = ? ORDER BY id", (pid,))]
        if not rows:
            return None
        return read_progress(pd.DataFrame(rows), plan)


def _doc(plan: Wijkplan) -> str:
    return json.dumps(plan.to_dict(), ensure_ascii=False, allow_nan=False)
