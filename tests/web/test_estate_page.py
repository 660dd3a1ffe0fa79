"""The overview of a central register is the estate: every site's latest audit, named on the page."""

from __future__ import annotations

from pathlib import Path

from tests.store.conftest import T0, audit, hik, observation
from tests.web.conftest import signed_in

from camaudit.store import Register


def test_the_overview_shows_every_sites_devices_and_names_the_sites(app: object, db: Path) -> None:
    with Register(db) as register:
        for audit_id, site, days in (("n" * 32, "north", 20), ("s" * 32, "south", 21)):
            device = hik("192.168.1.10", serial=None)  # the same private address at both sites
            register.begin_site_audit(audit(audit_id, days, ("192.168.1.10",)), site)
            register.record_host_once(audit_id, "192.168.1.10", [observation("192.168.1.10")], [], [device])
            register.finish_audit(audit_id, [device], T0)
            register.record_estate()
    client = signed_in(app, "viewer")
    data = client.get("/overview.json").json()
    assert data["audit"]["kind"] == "estate" and data["summary"]["devices"] == 2
    page = client.get("/").text
    assert "The estate" in page and f"north <code>{'n' * 12}</code>" in page and "south" in page
