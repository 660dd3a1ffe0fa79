"""The assessment framework: options that never leak secrets, undetermined findings, owner reads."""

from __future__ import annotations

import ipaddress
from datetime import date

from camaudit.assess.framework import AssessOptions, undetermined
from camaudit.model import Device, Finding, FindingKind, Severity


def test_public_options_never_carry_credentials() -> None:
    secret = object()
    opts = AssessOptions(internet_facing=(ipaddress.ip_network("127.0.0.0/8"),), credentials=secret)
    assert opts.public() == {
        "verify": True,
        "internet_facing": ["127.0.0.0/8"],
        "check_default_credentials": False,
        "credentials": True,
    }
    assert " credentials=" not in repr(opts) and "object at" not in repr(opts)


def test_undetermined_bounds_its_reason() -> None:
    f = undetermined("cve-x", "t", "r" * 1000)
    assert f.status == "undetermined" and len(f.details["reason"]) == 300 and not f.verified


def test_a_verified_finding_supersedes_the_inferred_one_and_keeps_its_evidence() -> None:
    from camaudit.assess.framework import superseded
    from camaudit.model import Evidence

    outside = Evidence(kind="sadp.reply", field="sadp.HCPlatformEnable", value="true")
    inside = Evidence(kind="auth.read", field="auth.cloud", value="enabled")
    inferred = Finding(
        "exposure-hik-connect-enabled", FindingKind.EXPOSURE, Severity.MEDIUM, "cloud", (outside,)
    )
    verified = Finding("auth-cloud-enabled", FindingKind.EXPOSURE, Severity.MEDIUM, "cloud", (inside,),
                       verified=True)  # fmt: skip
    other = Finding("exposure-http-cleartext", FindingKind.EXPOSURE, Severity.MEDIUM, "http", (outside,))
    kept = superseded([inferred, verified, other])
    assert [f.check_id for f in kept] == ["auth-cloud-enabled", "exposure-http-cleartext"]
    assert kept[0].evidence == (inside, outside)
    assert [f.check_id for f in superseded([inferred, other])] == [inferred.check_id, other.check_id]


def test_firmware_read_by_the_owner_replaces_what_strangers_see() -> None:
    from camaudit.assess.framework import from_owner_reads
    from camaudit.model import Evidence

    read = Evidence(kind="auth.read", field="auth.device.firmware", value="V5.4.0build 160530")
    summary = Finding(
        "authenticated-audit", FindingKind.EXPOSURE, Severity.INFO, "read", (read,), verified=True
    )
    device = Device(ips=("127.0.0.1",), manufacturer="hikvision", firmware="build 2016-05-30",
                    firmware_inferred=True, findings=(summary,))  # fmt: skip
    refined = from_owner_reads(device)
    assert (refined.firmware, refined.firmware_inferred) == ("V5.4.0 build 160530", False)
    assert refined.firmware_build == date(2016, 5, 30)
    assert read in refined.evidence
    unverified = Device(
        ips=("127.0.0.1",), findings=(Finding("x", FindingKind.EXPOSURE, Severity.INFO, "t", (read,)),)
    )
    assert from_owner_reads(unverified) == unverified  # only a verified (logged-in) read counts
