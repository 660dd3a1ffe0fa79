"""The ``--credentials FILE``: the owner's own accounts, for the read-only authenticated audit.

A TOML file (https://toml.io/en/v1.0.0) of ``[[credentials]]`` tables::

    [[credentials]]
    target = "192.0.2.10"          # an address, a CIDR ("192.0.2.0/24") or "brand:hikvision"
    username = "auditor"
    password_env = "CAM_AUDITOR"   # or password = "…" (then keep the file private)

The most specific target wins: an address, then the longest CIDR, then a ``brand:`` matching the
label brand, then one matching the true manufacturer (so ``brand:hikvision`` also covers an Annke
made by Hikvision, and ``brand:annke`` beats it there). The file's contents are never echoed: a
malformed file raises `CredentialsError` naming the file, the line and the key, never a value, and a
`Credential` hides its password from ``repr`` and from everything that serialises it.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from camaudit.errors import CredentialsError
from camaudit.files import TooLarge, loads_toml, read_capped
from camaudit.model import Device

MAX_FILE = 256 * 1024
MAX_ENTRIES = 4096
_KEYS = {"target", "username", "password", "password_env"}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_BRAND = re.compile(r"^brand:([a-z0-9]+(?:-[a-z0-9]+)*)$")
_USERNAME = re.compile(r'^[^\x00-\x1f\x7f"\\]{1,64}$')  # goes into a Digest header (RFC 7616 §3.4)
_TOML_POS = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True, slots=True)
class Target:
    """Where an entry applies: one network (an address is a /32 or /128) or a brand id."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    brand: str | None = None

    def rank(self, device: Device) -> tuple[int, int] | None:
        """How specifically this target names `device` (higher wins), or None when it does not."""
        if self.network is not None:
            hit = any(_in(ip, self.network) for ip in device.ips)
            return (2, self.network.prefixlen) if hit else None
        if self.brand is not None and self.brand == device.brand:
            return (1, 1)
        if self.brand is not None and self.brand == device.manufacturer:
            return (1, 0)
        return None


def _in(ip: str, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    try:
        return ipaddress.ip_address(ip) in network
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Credential:
    """One account for some devices. The password never appears in repr, str or comparisons.

    Attributes:
        target: where it applies.
        username: the account name (reported in findings).
        line: the line of its ``[[credentials]]`` header in the file.
        password: the secret (``repr=False``).
    """

    target: Target
    username: str
    line: int
    password: str = field(repr=False, compare=False)

    def __str__(self) -> str:
        return f"credential for {self.username!r} (line {self.line})"


@dataclass(frozen=True, slots=True)
class CredentialSet:
    """The parsed file: `for_device` picks the most specific entry."""

    entries: tuple[Credential, ...]
    path: str = ""

    def for_device(self, device: Device) -> Credential | None:
        ranked = [(rank, -i, c) for i, c in enumerate(self.entries) if (rank := c.target.rank(device))]
        return max(ranked, key=lambda item: (item[0], item[1]))[2] if ranked else None

    def __len__(self) -> int:
        return len(self.entries)


def _fail(path: str, line: int, message: str) -> CredentialsError:
    return CredentialsError(f"{path}:{line}: {message}")


def _entry_lines(text: str) -> list[int]:
    """The line of each ``[[credentials]]`` header, in order (tomllib keeps no positions)."""
    header = re.compile(r"^\s*\[\[\s*credentials\s*\]\]")
    return [n for n, line in enumerate(text.splitlines(), start=1) if header.match(line)]


def _key_line(text: str, start: int, key: str) -> int:
    lines = text.splitlines()
    for n in range(start, len(lines) + 1):
        if n > start and lines[n - 1].lstrip().startswith("["):
            break
        if re.match(rf"^\s*{re.escape(key)}\s*=", lines[n - 1]):
            return n
    return start


def _target(value: str, where: tuple[str, int]) -> Target:
    brand = _BRAND.match(value)
    if brand:
        return Target(brand=brand.group(1))
    try:
        return Target(network=ipaddress.ip_network(value, strict=False))
    except ValueError:
        raise _fail(*where, "target: not an address, a CIDR or brand:<id>") from None


def _password(entry: Mapping[str, Any], where: tuple[str, int], environ: Mapping[str, str]) -> str:
    if ("password" in entry) == ("password_env" in entry):
        raise _fail(*where, "give exactly one of password or password_env")
    if "password" in entry:
        if not isinstance(entry["password"], str) or not entry["password"]:
            raise _fail(*where, "password: must be a non-empty string")
        return str(entry["password"])
    name = entry["password_env"]
    if not isinstance(name, str) or not _ENV_NAME.match(name):
        raise _fail(*where, "password_env: must be an environment variable name")
    if not environ.get(name):
        raise _fail(*where, f"password_env: environment variable {name} is not set or empty")
    return environ[name]


def _entry(entry: Any, text: str, start: int, path: str, environ: Mapping[str, str]) -> Credential:
    if not isinstance(entry, dict):
        raise _fail(path, start, "[[credentials]] must be a table")
    for key in entry:
        if key not in _KEYS:
            raise _fail(
                path,
                _key_line(text, start, key),
                f"unknown key {key!r} (allowed: {', '.join(sorted(_KEYS))})",
            )
    for key in ("target", "username"):
        if not isinstance(entry.get(key), str):
            raise _fail(path, _key_line(text, start, key), f"{key}: required, a string")
    if not _USERNAME.match(entry["username"]):
        raise _fail(
            path, _key_line(text, start, "username"), "username: 1-64 characters, no quotes or controls"
        )
    target = _target(entry["target"], (path, _key_line(text, start, "target")))
    secret_key = "password" if "password" in entry else "password_env"
    password = _password(entry, (path, _key_line(text, start, secret_key)), environ)
    return Credential(target, entry["username"], start, password)


def parse_credentials(
    text: str, path: str = "<credentials>", environ: Mapping[str, str] | None = None
) -> CredentialSet:
    """Parse the file's text; `CredentialsError` names file and line, never a value."""
    env = os.environ if environ is None else environ
    try:
        data = loads_toml(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POS.search(str(exc))
        raise _fail(path, int(found.group(1)) if found else 1, "not valid TOML") from None
    extra = sorted(set(data) - {"credentials"})
    if extra:
        raise _fail(path, 1, f"unknown top-level key(s) {', '.join(map(repr, extra))} (only [[credentials]])")
    entries = data.get("credentials")
    if not isinstance(entries, list) or not entries:
        raise _fail(path, 1, "no [[credentials]] entries")
    if len(entries) > MAX_ENTRIES:
        raise _fail(path, 1, f"more than {MAX_ENTRIES} entries")
    starts = _entry_lines(text) + [1] * len(entries)  # inline-array forms have no header lines
    return CredentialSet(tuple(_entry(e, text, starts[i], path, env) for i, e in enumerate(entries)), path)


def load_credentials(path: str | Path, environ: Mapping[str, str] | None = None) -> CredentialSet:
    """Read ``--credentials FILE`` (bounded, UTF-8, TOML); CredentialsError on any problem."""
    name = str(path)
    try:
        raw = read_capped(path, MAX_FILE)  # bounded read: a FIFO or device file has no size to check
    except TooLarge:
        raise _fail(name, 1, f"larger than {MAX_FILE} bytes") from None
    except OSError as exc:
        raise CredentialsError(f"{name}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(name, line, "not UTF-8 text") from None
    return parse_credentials(text, name, environ)


def usernames(credentials: Sequence[Credential]) -> tuple[str, ...]:
    """Account names only (for the audit record): never passwords."""
    return tuple(sorted({c.username for c in credentials}))
