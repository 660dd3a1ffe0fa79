"""Scope: the explicit, expanded set of addresses a user allowed camaudit to probe.

Targets use nmap's target-specification syntax (https://nmap.org/book/man-target-specification.html):
single addresses, CIDR blocks (``10.0.0.0/24``), IPv4 octet ranges and lists (``10.0.0.1-50``,
``10.0.0-3.1``, ``10.0.0.1,3,5``, ``10.0.0.*``), host names (resolved once, here), target files (nmap
``-iL``: whitespace-separated specs, ``#`` starts a comment) and exclusions (``--exclude`` and
``--excludefile``).

Safety rules (DESIGN.md "Safety of an active scanner"):
- the result is an explicit sorted tuple, capped (`DEFAULT_MAX_TARGETS`) so a typo such as ``10.0.0.0/8``
  cannot turn into 16 million probes; the size is computed before anything is expanded;
- globally routable addresses (`ipaddress` ``is_global``) are refused unless ``allow_public=True``;
- multicast, unspecified and broadcast addresses are never targets: a unicast probe sent there would reach
  devices nobody named;
- for IPv4 blocks larger than /31 the network and broadcast addresses are left out (unlike nmap) for the
  same reason: a datagram to a directed broadcast address may be answered by every host on the segment.
  Octet wildcards and ranges (``10.0.0.*``, ``10.0.0.0-255``) are treated as the CIDR block they spell: a
  last octet of 0 or 255 is kept only when named on its own (``10.0.0.255``, ``10.0.0.0,1``);
- every spec is checked for syntax before any host name is resolved, and a spec that looks like an address
  or range is never resolved (a top-level label is never all digits, RFC 3696 §2): a typo costs no DNS query;
- a target file's specs are reported by file and line, never by content: ``-iL /etc/shadow`` must not echo a
  password hash, nor send its words to a resolver.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from camaudit.errors import ScopeError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Sequence[str]]

DEFAULT_MAX_TARGETS = 65_536
_EXPAND_EXCLUSION = 4096  # exclusion blocks larger than this are matched, not expanded
MAX_TARGET_FILE = 16 * 1024 * 1024  # bytes; a target list larger than this is a mistake, not a scope
_OCTET = re.compile(r"^(\*|\d{1,3}(-\d{1,3})?(,\d{1,3}(-\d{1,3})?)*)$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9-]{1,63})*\.?$")
_ADDRESS_LIKE = re.compile(r"^[\d.,*/-]+$")  # only what addresses and ranges are made of
_ACROSS_OCTETS = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3})-(\d{1,3}(?:\.\d{1,3}){3})$")
_OCTET_ITEM = re.compile(r"^\d{1,3}(-\d{1,3})?$")  # what follows a comma inside an octet list
_EDGES = (0, 255)  # a last octet that is a network or broadcast address in a /24


def _sort_key(addr: IPAddress) -> tuple[int, int]:
    return (addr.version, int(addr))


def resolve_host(name: str) -> tuple[str, ...]:
    """Resolve a host name once with the system resolver (A and AAAA)."""
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise ScopeError(f"target {name!r}: cannot resolve host name ({exc})") from None
    return tuple(dict.fromkeys(str(info[4][0]) for info in infos))


def _refusal(addr: IPAddress, *, allow_public: bool) -> str | None:
    """Why this address may not be a target, or None when it may."""
    if addr.is_multicast:
        return "is a multicast address, not a host"
    if addr.is_unspecified:
        return "is the unspecified address, not a host"
    if addr.version == 4 and int(addr) == 0xFFFFFFFF:
        return "is the limited broadcast address, not a host"
    if addr.is_global and not allow_public:
        return "is a public (globally routable) address; pass allow_public=True (--allow-public) to probe it"
    return None


@dataclass(frozen=True, slots=True)
class _Block:
    """One parsed spec, not yet expanded: a network or an octet pattern or explicit addresses."""

    spec: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    octets: tuple[tuple[int, ...], ...] = ()
    addresses: tuple[IPAddress, ...] = ()
    host_name: str | None = None  # resolved only once every spec has parsed

    def size(self) -> int:
        if self.network is not None:
            net = self.network
            skip = 2 if net.version == 4 and net.prefixlen < 31 else 0
            return int(net.num_addresses) - skip
        if self.octets:
            total = 1
            for values in self.octets:
                total *= len(values)
            return total
        return len(self.addresses)

    def expand(self) -> Iterator[IPAddress]:
        if self.network is not None:
            net = self.network
            yield from (net.hosts() if net.version == 4 and net.prefixlen < 31 else net)
        elif self.octets:
            yield from _expand_octets(self.octets)
        else:
            yield from self.addresses

    def matches(self, addr: IPAddress) -> bool:
        """Membership without expansion (used for large exclusions)."""
        if self.network is not None:
            return addr.version == self.network.version and addr in self.network
        if self.octets:
            parts = str(addr).split(".") if addr.version == 4 else []
            return len(parts) == 4 and all(int(p) in v for p, v in zip(parts, self.octets, strict=True))
        return addr in self.addresses


def _expand_octets(octets: tuple[tuple[int, ...], ...]) -> Iterator[ipaddress.IPv4Address]:
    for a in octets[0]:
        for b in octets[1]:
            for c in octets[2]:
                for d in octets[3]:
                    yield ipaddress.IPv4Address(f"{a}.{b}.{c}.{d}")


def _octet_values(part: str, spec: str, *, last: bool = False) -> tuple[int, ...]:
    """The values one octet names; for a target's last octet, 0 and 255 only when named on their own."""
    if part == "*":
        return tuple(v for v in range(256) if not (last and v in _EDGES))
    values: list[int] = []
    for item in part.split(","):
        low_s, _, high_s = item.partition("-")
        low, high = int(low_s), int(high_s or low_s)
        if not 0 <= low <= high <= 255:
            raise ScopeError(f"target {spec!r}: octet range {item!r} is not within 0-255 (low-high)")
        spans = range(low, high + 1)
        # As a CIDR block would: a range's edges are the block's network and broadcast addresses.
        values.extend(v for v in spans if not (last and high > low and v in _EDGES))
    return tuple(sorted(set(values)))


def _parse_octets(spec: str, *, target: bool) -> _Block | None:
    parts = spec.split(".")
    if len(parts) != 4 or not all(_OCTET.match(p) for p in parts):
        return None
    octets = tuple(_octet_values(p, spec, last=target and i == 3) for i, p in enumerate(parts))
    return _Block(spec=spec, octets=octets)


def _syntax_error(spec: str) -> ScopeError:
    across = _ACROSS_OCTETS.match(spec)
    if across:
        low, high = across.groups()
        hint = ".".join(
            a if a == b else f"{a}-{b}" for a, b in zip(low.split("."), high.split("."), strict=True)
        )
        return ScopeError(f"target {spec!r}: not an address or range; nmap ranges are per octet ({hint})")
    return ScopeError(f"target {spec!r}: not an address, CIDR block, nmap-style range or host name")


def _is_host_name(spec: str) -> bool:
    """A name a resolver may be asked about: never one that looks like an address or a range."""
    if not _HOSTNAME.match(spec) or _ADDRESS_LIKE.match(spec):
        return False
    top = spec.rstrip(".").rsplit(".", 1)[-1]
    return any(c.isalpha() for c in top)  # RFC 3696 §2: a top-level label is never all-numeric


def _parse_spec(spec: str, *, target: bool = True) -> _Block:
    """Parse one target spec into a block without expanding it, and without resolving anything."""
    try:
        return _Block(spec=spec, addresses=(ipaddress.ip_address(spec),))
    except ValueError:
        pass
    if "/" in spec:
        try:
            return _Block(spec=spec, network=ipaddress.ip_network(spec, strict=False))
        except ValueError:
            raise ScopeError(f"target {spec!r}: not a valid CIDR block (address/prefix)") from None
    octets = _parse_octets(spec, target=target)
    if octets is not None:
        return octets
    if _is_host_name(spec):
        return _Block(spec=spec, host_name=spec)
    raise _syntax_error(spec)


def _resolved(block: _Block, resolver: Resolver) -> _Block:
    if block.host_name is None:
        return block
    resolved = [ipaddress.ip_address(a.split("%")[0]) for a in resolver(block.host_name)]
    if not resolved:
        raise ScopeError(f"target {block.spec!r}: host name resolved to no address")
    return _Block(spec=block.spec, addresses=tuple(resolved))


def split_specs(values: Iterable[str]) -> list[str]:
    """Command-line values split at commas as nmap's ``--exclude`` does, octet lists kept whole.

    ``10.0.0.1,3`` is one spec (an octet list, as in a ``-iL`` file); ``10.0.0.1,10.0.0.2`` is two. A
    comma-separated piece without a dot (``3``, ``7-8``) continues the octet list before it.
    """
    specs: list[str] = []
    for value in values:
        for piece in (p.strip() for p in value.split(",")):
            if not piece:
                continue
            if specs and _OCTET_ITEM.match(piece) and _continues(specs[-1]):
                specs[-1] = f"{specs[-1]},{piece}"
            else:
                specs.append(piece)
    return specs


def _continues(previous: str) -> bool:
    """True when `previous` is a dotted IPv4 spec whose last octet may take another list item."""
    parts = previous.split(".")
    return len(parts) == 4 and all(_OCTET.match(p) for p in parts) and parts[3] != "*"


@dataclass(frozen=True, slots=True)
class _Located:
    """A spec read from a target file: errors name the file and line, never the content."""

    spec: str
    file: str
    line: int


def _read_capped(path: str | Path) -> bytes:
    """At most MAX_TARGET_FILE bytes of the file (or of standard input for ``-``): a pipe or a device file
    has no size to check beforehand, so the read itself is bounded."""
    if str(path) == "-":
        return sys.stdin.buffer.read(MAX_TARGET_FILE + 1)
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_TARGET_FILE + 1)
    except OSError as exc:
        raise ScopeError(f"target file {str(path)!r}: cannot read ({exc.strerror or exc})") from None


def _read_located(path: str | Path) -> list[_Located]:
    name = "<stdin>" if str(path) == "-" else str(path)
    data = _read_capped(path)
    if len(data) > MAX_TARGET_FILE:
        raise ScopeError(f"target file {name!r}: larger than {MAX_TARGET_FILE} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScopeError(f"target file {name!r}: not UTF-8 text") from None
    return [
        _Located(spec, name, number)
        for number, line in enumerate(text.splitlines(), 1)
        for spec in line.split("#", 1)[0].split()
    ]


def read_target_file(path: str | Path) -> tuple[str, ...]:
    """Read an nmap ``-iL`` style file (``-`` for standard input): specs separated by whitespace, ``#`` to
    end of line is a comment."""
    return tuple(item.spec for item in _read_located(path))


def _parse_all(specs: Iterable[str | _Located], resolver: Resolver | None, *, target: bool) -> list[_Block]:
    """Every spec parsed first, then host names resolved (not at all without a resolver): a syntax error
    anywhere costs no DNS query."""
    blocks: list[_Block] = []
    for item in specs:
        spec = item.spec if isinstance(item, _Located) else item.strip()
        if not spec:
            continue
        try:
            blocks.append(_parse_spec(spec, target=target))
        except ScopeError:
            if isinstance(item, _Located):
                raise ScopeError(
                    f"{item.file}:{item.line}: not a target spec (is this a target list?)"
                ) from None
            raise
    return blocks if resolver is None else [_resolved(b, resolver) for b in blocks]


def _check_size(blocks: Sequence[_Block], max_targets: int) -> None:
    total = sum(b.size() for b in blocks)
    if total > max_targets:
        raise ScopeError(
            f"targets expand to {total} addresses, more than the limit of {max_targets}; "
            f"narrow the targets or raise the limit: --max-targets {total}"
        )


def _excluded(blocks: Sequence[_Block]) -> tuple[set[IPAddress], list[_Block]]:
    """Small exclusions are expanded into a set; networks (whole, including network and broadcast
    addresses) and large patterns are tested by membership instead."""
    small: set[IPAddress] = set()
    large: list[_Block] = []
    for block in blocks:
        if block.network is not None or block.size() > _EXPAND_EXCLUSION:
            large.append(block)
        else:
            small.update(block.expand())
    return small, large


def _is_excluded(addr: IPAddress, small: set[IPAddress], large: Sequence[_Block]) -> bool:
    return addr in small or any(b.matches(addr) for b in large)


@dataclass(frozen=True, slots=True)
class Scope:
    """The explicit set of addresses that may be probed.

    Build it with `Scope.parse`; constructing it directly still validates every address.

    Attributes:
        addresses: every target address as text, sorted (IPv4 before IPv6, numerically).
        allow_public: True when globally routable addresses were explicitly allowed.
        specs: the target specs as the user gave them (for the audit record).
    """

    addresses: tuple[str, ...]
    allow_public: bool = False
    specs: tuple[str, ...] = ()
    _members: frozenset[IPAddress] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        members: set[IPAddress] = set()
        for text in self.addresses:
            try:
                addr = ipaddress.ip_address(text)
            except ValueError:
                raise ScopeError(f"scope address {text!r} is not an IP address") from None
            reason = _refusal(addr, allow_public=self.allow_public)
            if reason:
                raise ScopeError(f"refusing target {addr}: it {reason}")
            members.add(addr)
        ordered = tuple(str(a) for a in sorted(members, key=_sort_key))
        object.__setattr__(self, "addresses", ordered)
        object.__setattr__(self, "_members", frozenset(members))

    @classmethod
    def parse(
        cls,
        targets: Sequence[str] = (),
        *,
        exclude: Sequence[str] = (),
        target_files: Sequence[str | Path] = (),
        exclude_files: Sequence[str | Path] = (),
        allow_public: bool = False,
        max_targets: int = DEFAULT_MAX_TARGETS,
        resolver: Resolver = resolve_host,
    ) -> Scope:
        """Parse nmap-style specs into a Scope; raises ScopeError with one clear line."""
        listed = [item for f in target_files for item in _read_located(f)]
        excluded = [item for f in exclude_files for item in _read_located(f)]
        # Syntax of every target and exclusion first; only then may a host name be resolved.
        for group, target in ((targets, True), (listed, True), (exclude, False), (excluded, False)):
            _parse_all(group, None, target=target)
        blocks = _parse_all([*targets, *listed], resolver, target=True)
        _check_size(blocks, max_targets)
        small, networks = _excluded(_parse_all([*exclude, *excluded], resolver, target=False))
        specs = [*targets, *(item.spec for item in listed)]
        chosen: set[IPAddress] = set()
        for block in blocks:
            for addr in block.expand():
                if _is_excluded(addr, small, networks):
                    continue
                reason = _refusal(addr, allow_public=allow_public)
                if reason:
                    raise ScopeError(f"refusing target {addr} (from {block.spec!r}): it {reason}")
                chosen.add(addr)
        ordered = tuple(str(a) for a in sorted(chosen, key=_sort_key))
        return cls(addresses=ordered, allow_public=allow_public, specs=tuple(specs))

    def contains(self, ip: str) -> bool:
        """True when `ip` (text, any valid spelling) is one of the scope's addresses."""
        try:
            addr = ipaddress.ip_address(ip.split("%")[0])
        except ValueError:
            return False
        return addr in self._members

    def __len__(self) -> int:
        return len(self.addresses)

    def __iter__(self) -> Iterator[str]:
        return iter(self.addresses)
