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
) -> dict[str, Any]:
    """The view every report format renders, of one audit (the latest finished by default).

    For the register's latest audit, `policy` (config file, pack ids, pack files; None leaves it out)
    adds each device's verdicts, the removal plan and privacy capabilities; an older audit has none,
    since today's verdicts would not describe it. Verdicts stored with an audit are listed either way.
    """
    # Imported here: `import camaudit.report.formats` (or a view) stays light for those who need only that.
    from camaudit.policy.inputs import load_context
    from camaudit.policy.judgement import judge
    from camaudit.report.inputs import from_register
    from camaudit.report.views.policy import compliance_view
    from camaudit.report.views.report import build_view
    from camaudit.store import Reader

    with Reader(db) as reader:
        chosen = reader.audit(audit_id).id
    compliance = None
    if policy is not None:
        inputs = from_register(db)
        if inputs.audit_id == chosen:
            compliance = compliance_view(judge(inputs, *load_context(*policy), today=today))
    with Reader(db) as reader:
        return build_view(reader, chosen, compliance=compliance)
