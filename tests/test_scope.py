from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from camaudit.errors import ScopeError
from camaudit.scope import Scope, read_target_file, split_specs


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
    assert len(parse("10.0.1.*")) == 254  # as 10.0.1.0/24: no network or broadcast address


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


# --- issue 13: target syntax never reaches the resolver; octet wildcards behave like CIDR ---------------


def _resolver_must_not_run(name: str) -> list[str]:
    raise AssertionError(f"the resolver was asked about {name!r}")


@pytest.mark.parametrize(
    "spec", ["1.2.3.4-1.2.3.5", "10.0.0.1-10.0.0.9", "10.0.0.256-3", "1.2.3.4.5", "10.0.0.1,3-"]
)
def test_a_malformed_range_is_a_syntax_error_not_a_dns_lookup(spec: str) -> None:
    with pytest.raises(ScopeError, match=r"not an address|not within|per octet"):
        Scope.parse([spec], resolver=_resolver_must_not_run)


def test_a_syntax_error_anywhere_stops_before_any_name_is_resolved() -> None:
    with pytest.raises(ScopeError, match=r"1\.2\.3\.4-1\.2\.3\.5"):
        Scope.parse(["cam-1.example.lan", "1.2.3.4-1.2.3.5"], resolver=_resolver_must_not_run)


def test_a_range_across_octets_says_how_nmap_spells_it() -> None:
    with pytest.raises(ScopeError, match=r"per octet.*1\.2\.3\.4-5"):
        parse("1.2.3.4-1.2.3.5")


def test_octet_wildcards_and_full_ranges_leave_out_network_and_broadcast_like_cidr() -> None:
    cidr = parse("10.0.0.0/24").addresses
    assert parse("10.0.0.*").addresses == cidr
    assert parse("10.0.0.0-255").addresses == cidr
    assert parse("10.0.0.250-255").addresses == tuple(f"10.0.0.{n}" for n in range(250, 255))
    assert len(parse("10.0.0-1.*")) == 2 * 254
    assert len(parse("10.0.0.*", max_targets=254)) == 254  # the size check counts the same addresses


def test_network_and_broadcast_addresses_named_explicitly_are_kept() -> None:
    assert parse("10.0.0.0").addresses == ("10.0.0.0",)
    assert parse("10.0.0.255").addresses == ("10.0.0.255",)
    assert parse("10.0.0.0,1,255").addresses == ("10.0.0.0", "10.0.0.1", "10.0.0.255")


def test_octet_wildcard_exclusions_still_cover_every_address() -> None:
    assert parse("10.0.0.0", "10.0.0.255", exclude=["10.0.0.*"]).addresses == ()


@pytest.mark.parametrize(
    ("given", "specs"),
    [
        (["10.0.0.1,3"], ["10.0.0.1,3"]),
        (["10.0.0.1,3,7-8,10.0.1.1"], ["10.0.0.1,3,7-8", "10.0.1.1"]),
        (["10.0.0.1,10.0.0.2"], ["10.0.0.1", "10.0.0.2"]),
        (["10.0.0.1,3", "cam.lan,10.0.0.9"], ["10.0.0.1,3", "cam.lan", "10.0.0.9"]),
        (["10.0.0-2.1,3"], ["10.0.0-2.1,3"]),
        (["fd00::1,fd00::2"], ["fd00::1", "fd00::2"]),
    ],
)
def test_comma_separated_command_line_values_keep_octet_lists(given: list[str], specs: list[str]) -> None:
    assert split_specs(given) == specs


def test_octet_lists_from_the_command_line_expand_as_in_a_target_file() -> None:
    assert parse(*split_specs(["10.0.0.1,3"])).addresses == ("10.0.0.1", "10.0.0.3")


def test_a_target_file_that_is_not_a_target_list_is_named_by_line_never_by_content(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    shadow.write_text("# comment\n\nroot:$6$saltsalt$hashhashhash:19000:0:99999:7:::\ndaemon:*:19000::::::\n")
    with pytest.raises(ScopeError) as raised:
        Scope.parse(target_files=[shadow], resolver=_resolver_must_not_run)
    message = str(raised.value)
    assert message.startswith(f"{shadow}:3:")
    message = message.removeprefix(f"{shadow}:3:")
    assert "root" not in message and "hash" not in message and "$6$" not in message


def test_a_word_in_a_target_file_is_not_resolved_when_another_line_is_malformed(tmp_path: Path) -> None:
    listing = tmp_path / "notes.txt"
    listing.write_text("secretword\nnot/a/target\n")
    with pytest.raises(ScopeError, match=r"notes\.txt:2:"):
        Scope.parse(target_files=[listing], resolver=_resolver_must_not_run)


def test_target_list_from_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"10.9.0.1\n10.9.0.2,4 # two\n")))
    assert read_target_file("-") == ("10.9.0.1", "10.9.0.2,4")


def test_a_target_file_that_never_ends_is_read_only_up_to_its_cap(tmp_path: Path) -> None:
    with pytest.raises(ScopeError, match="larger than"):
        read_target_file("/dev/zero")
