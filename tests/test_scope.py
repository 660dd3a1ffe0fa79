from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from camaudit.errors import ScopeError
from camaudit.scope import Scope, read_target_file


def _no_dns(name: str) -> Sequence[str]:
    raise AssertionError(f"unexpected resolution of {name}")


def parse(*targets: str, **kwargs: object) -> Scope:
    kwargs.setdefault("resolver", _no_dns)
    return Scope.parse(targets, **kwargs)  # type: ignore[arg-type]


def test_single_addresses_are_sorted_numerically_and_deduplicated() -> None:
    scope = parse("10.0.0.10", "10.0.0.9", "10.0.0.10", "fd00::1", "192.168.1.2")
    assert scope.addresses == ("10.0.0.9", "10.0.0.10", "192.168.1.2", "fd00::1")


def test_cidr_leaves_out_network_and_broadcast() -> None:
    scope = parse("192.168.5.0/29")
    assert scope.addresses == tuple(f"192.168.5.{n}" for n in range(1, 7))
    assert parse("10.1.1.0/31").addresses == ("10.1.1.0", "10.1.1.1")
    assert parse("10.1.1.7/32").addresses == ("10.1.1.7",)


def test_cidr_with_host_bits_is_accepted_like_nmap() -> None:
    assert len(parse("10.2.3.77/30")) == 2


def test_nmap_octet_ranges_lists_and_wildcards() -> None:
    assert parse("10.0.0.1-5").addresses == tuple(f"10.0.0.{n}" for n in range(1, 6))
    assert parse("10.0.0-3.1").addresses == tuple(f"10.0.{n}.1" for n in range(4))
    assert parse("10.0.0.1,3,7-8").addresses == ("10.0.0.1", "10.0.0.3", "10.0.0.7", "10.0.0.8")
    assert len(parse("10.0.1.*")) == 256


@pytest.mark.parametrize(
    "spec",
    ["10.0.0.300", "10.0.0.5-2", "10.0.0", "10.0.0.1/33", "not a host!", "1.2.3", "fd00::/200", ""],
)
def test_unparseable_targets_raise_one_line_scope_error(spec: str) -> None:
    if not spec:
        assert len(parse(spec)) == 0  # blank entries are ignored, not errors
        return
    with pytest.raises(ScopeError) as info:
        parse(spec)
    assert "\n" not in str(info.value)
    assert repr(spec) in str(info.value)


def test_public_addresses_are_refused_with_the_address_and_reason() -> None:
    with pytest.raises(ScopeError, match=r"8\.8\.8\.8.*public"):
        parse("10.0.0.1", "8.8.8.8")
    with pytest.raises(ScopeError, match=r"2001:4860::8888"):
        parse("2001:4860::8888")


def test_public_refusal_names_the_first_public_address_of_a_block() -> None:
    with pytest.raises(ScopeError, match=r"refusing target 1\.1\.1\.1 \(from '1\.1\.1\.0/30'\)"):
        parse("1.1.1.0/30")


def test_public_allowed_only_explicitly() -> None:
    assert parse("8.8.8.8", allow_public=True).addresses == ("8.8.8.8",)


def test_direct_construction_cannot_bypass_the_public_rule() -> None:
    with pytest.raises(ScopeError, match="public"):
        Scope(addresses=("9.9.9.9",))
    with pytest.raises(ScopeError, match="not an IP address"):
        Scope(addresses=("nonsense",))


@pytest.mark.parametrize("spec", ["239.255.255.250", "0.0.0.0", "255.255.255.255", "ff02::1"])
def test_non_unicast_addresses_are_never_targets(spec: str) -> None:
    with pytest.raises(ScopeError, match="not a host"):
        parse(spec, allow_public=True)


def test_special_purpose_ranges_are_not_public() -> None:
    # RFC 2544 benchmarking (used by our netns tests) and RFC 6598 shared space are not global.
    assert len(parse("198.18.0.1", "100.64.0.1", "127.0.0.1", "fe80::1")) == 4


def test_size_cap_is_checked_before_expansion() -> None:
    with pytest.raises(ScopeError, match=r"16777214 addresses.*limit of 65536"):
        parse("10.0.0.0/8")
    with pytest.raises(ScopeError, match="limit of 100"):
        parse("10.0.0.0/24", max_targets=100)
    assert len(parse("10.0.0.0/16", max_targets=70_000)) == 65_534


def test_exclusions_by_address_range_cidr_and_large_block() -> None:
    scope = parse("10.0.0.0/28", exclude=["10.0.0.1", "10.0.0.2-4", "10.0.0.8/30"])
    assert scope.addresses == ("10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.12", "10.0.0.13", "10.0.0.14")
    assert len(parse("10.0.0.0/24", exclude=["10.0.0.0/8"])) == 0
    assert len(parse("10.0.0.0/24", exclude=["10.*.*.*"])) == 0
    assert len(parse("10.0.0.0/24", exclude=["fd00::/8"])) == 254


def test_excluded_public_addresses_are_not_refused() -> None:
    assert parse("8.8.8.0/30", exclude=["8.8.8.0/24"]).addresses == ()


def test_host_names_resolve_once_through_the_resolver() -> None:
    calls: list[str] = []

    def resolver(name: str) -> Sequence[str]:
        calls.append(name)
        return ["192.168.7.7", "fd00::7"]

    scope = Scope.parse(["cam-1.example.lan"], resolver=resolver)
    assert scope.addresses == ("192.168.7.7", "fd00::7")
    assert calls == ["cam-1.example.lan"]


def test_host_name_resolving_to_public_is_refused() -> None:
    with pytest.raises(ScopeError, match=r"93\.184\.216\.34 \(from 'www\.example\.com'\)"):
        Scope.parse(["www.example.com"], resolver=lambda _: ["93.184.216.34"])


def test_localhost_resolves_with_the_system_resolver() -> None:
    assert Scope.parse(["localhost"]).contains("127.0.0.1")


def test_target_and_exclude_files(tmp_path: Path) -> None:
    targets = tmp_path / "targets.txt"
    targets.write_text("# cameras\n10.9.0.1 10.9.0.2\n10.9.0.3-4  # lobby\n\n")
    excludes = tmp_path / "exclude.txt"
    excludes.write_text("10.9.0.2\n")
    scope = Scope.parse(target_files=[targets], exclude_files=[excludes], resolver=_no_dns)
    assert scope.addresses == ("10.9.0.1", "10.9.0.3", "10.9.0.4")
    assert scope.specs == ("10.9.0.1", "10.9.0.2", "10.9.0.3-4")


def test_unreadable_or_binary_target_files(tmp_path: Path) -> None:
    with pytest.raises(ScopeError, match="cannot read"):
        read_target_file(tmp_path / "missing.txt")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(ScopeError, match="not UTF-8"):
        read_target_file(binary)


def test_contains_accepts_any_spelling_and_rejects_junk() -> None:
    scope = parse("10.0.0.1", "fd00::1")
    assert scope.contains("10.0.0.1")
    assert scope.contains("fd00:0:0::1")
    assert not scope.contains("10.0.0.2")
    assert not scope.contains("junk")
    assert list(scope) == ["10.0.0.1", "fd00::1"]
