"""Which devices and findings people asked for: `--maker`, `--brand`, `--type`, `--site`, `--severity`,
`--kev`, `--check` (shared by `camaudit devices` and `camaudit findings`).

Makers, brands and types match their id or their name, case-insensitively (``--maker hikvision`` and
``--maker Hikvision`` are the same); a device passes the finding filters when one of its findings does.
"""

from __future__ import annotations

from dataclasses import dataclass

from camaudit.model import Finding
from camaudit.report.views.names import SEVERITY_RANK, is_kev, maker_name, type_name
from camaudit.store.records import DeviceRecord


def _same(wanted: str | None, value: str | None, name: str) -> bool:
    if wanted is None:
        return True
    want = wanted.strip().lower()
    return value is not None and want in (value.lower(), name.lower())


@dataclass(frozen=True, slots=True)
class Filter:
    """The filters given (None: not asked)."""

    maker: str | None = None
    brand: str | None = None
    device_type: str | None = None
    site: str | None = None
    severity: str | None = None
    kev: bool = False
    check: str | None = None

    @property
    def on_findings(self) -> bool:
        return self.severity is not None or self.kev or self.check is not None

    def finding(self, f: Finding) -> bool:
        """A finding that passes the finding filters."""
        if self.severity is not None and SEVERITY_RANK[f.severity.value] > SEVERITY_RANK[self.severity]:
            return False
        if self.kev and not is_kev(f):
            return False
        return self.check is None or f.check_id.lower() == self.check.strip().lower()

    def device(self, record: DeviceRecord) -> bool:
        """A device that passes every filter (with a finding filter: one of its findings passes)."""
        d = record.device
        if not _same(self.maker, d.manufacturer, maker_name(d.manufacturer)):
            return False
        if not _same(self.brand, d.brand, maker_name(d.brand)):
            return False
        if not _same(self.device_type, d.device_type, type_name(d.device_type)):
            return False
        if self.site is not None and (record.user.site or "").lower() != self.site.strip().lower():
            return False
        return not self.on_findings or any(self.finding(f) for f in d.findings)

    def describe(self) -> str:
        """``maker hikvision, severity high or worse`` for titles; "" when nothing is filtered."""
        named = (("maker", self.maker), ("brand", self.brand), ("type", self.device_type),
                 ("site", self.site), ("check", self.check))  # fmt: skip
        parts = [f"{label} {value}" for label, value in named if value]
        if self.severity:
            parts.append(f"severity {self.severity} or worse")
        if self.kev:
            parts.append("on CISA's KEV list")
        return ", ".join(parts)
