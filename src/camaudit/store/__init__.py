"""The asset register: every audit, device, observation and finding, with history.

    Register(db)   the one writer (migrates on open): begin_audit, record_host, finish_audit, annotate
    Reader(db)     read-only, time-limited: audits, devices, findings, history, status_history
    diff(a, b)     new, gone and changed devices and findings between two audits

`db` is a path (SQLite, default `default_path()`) or a SQLAlchemy URL (PostgreSQL for several sites).
"""

from __future__ import annotations

from camaudit.store.diff import AuditDiff, diff
from camaudit.store.engine import RegisterError, default_path, describe, register_url
from camaudit.store.reader import Reader
from camaudit.store.records import (
    IMPORT,
    KINDS,
    SCAN,
    TRAFFIC,
    AuditRecord,
    DeviceRecord,
    DeviceStatus,
    HistoryEntry,
    StatusChange,
    UserFields,
)
from camaudit.store.writer import Register

__all__ = [
    "IMPORT",
    "KINDS",
    "SCAN",
    "TRAFFIC",
    "AuditDiff",
    "AuditRecord",
    "DeviceRecord",
    "DeviceStatus",
    "HistoryEntry",
    "Reader",
    "Register",
    "RegisterError",
    "StatusChange",
    "UserFields",
    "default_path",
    "describe",
    "diff",
    "register_url",
]
