"""Report fixtures: one register with two real audits of the session lab, and the view built from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.report.registers import two_audits

from camaudit.lab.runner import Lab
from camaudit.report.views.report import build_view
from camaudit.store import Reader


@pytest.fixture(scope="session")
def report_db(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("report") / "register.sqlite"
    two_audits(lab, db)
    return db


@pytest.fixture(scope="session")
def view(report_db: Path) -> dict[str, Any]:
    with Reader(report_db) as reader:
        return build_view(reader)
