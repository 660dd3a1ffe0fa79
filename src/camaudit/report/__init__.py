"""Reports: every shape camaudit shows people or writes to files, and the report of an audit.

build(db, …)    the report's view of one audit; the CLI, the demo and the web all render this one
views/          the shapes, each written once: devices and scan JSON, the register's listings,
                traffic, policy; and the report's view-model (`views.report`)
formats/        HTML, PDF, CSV and JSON renderings of the report's view
dpia.py         the draft impact assessment per site; spreadsheet.py the register as CSV
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def build(
    db: str | Path | None,
    audit_id: str | None = None,
    *,
    policy: tuple[str | None, Sequence[str], Sequence[str]] | None = (None, (), ()),
    today: dt.date | None = None,
    kind: str = "scan",
) -> dict[str, Any]:
    """The view every report format renders, of one audit (by default the latest finished audit of
    `kind`, else its latest partial one, which the report marks as partial).

    For the register's latest finished audit, `policy` (config file, pack ids, pack files; None leaves
    it out) adds each device's verdicts, the removal plan and privacy capabilities; an older or partial
    audit has none, since today's verdicts would not describe it. Verdicts stored with an audit are
    listed either way.
    """
    # Imported here: `import camaudit.report.formats` (or a view) stays light for those who need only that.
    from camaudit.policy.inputs import load_context
    from camaudit.policy.judgement import judge
    from camaudit.report.inputs import from_register
    from camaudit.report.views.policy import compliance_view
    from camaudit.report.views.report import build_view
    from camaudit.store import Reader

    with Reader(db) as reader:
        audit = reader.audit(audit_id, kind if audit_id is None else None, partial=True)
        finished = [a for a in reader.audits(audit.kind) if a.complete]
    config, packs = load_context(*policy) if policy is not None else (None, ())
    compliance = None
    if config is not None and finished and finished[-1].id == audit.id and audit.kind in ("scan", "estate"):
        compliance = compliance_view(judge(from_register(db), config, packs, today=today))
    with Reader(db) as reader:
        return build_view(reader, audit.id, compliance=compliance, config=config)
