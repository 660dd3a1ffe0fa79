"""Banners as scanners write them: masscan's ``--banners`` services and nmap's service fingerprints.

masscan (``src/out-*.c``; its README "Banner checking") writes each banner as a service name and text
with unprintable bytes as ``\\xHH``: ``http`` is the reply head, ``http.server`` the Server header,
``title`` the page title, ``X509`` a base64 DER certificate, ``ssh``/``ftp``/… the greeting. nmap
writes a service it could not name as a fingerprint (nmap book, "Service and Application Version
Detection": ``SF-Port80-TCP:V=7.93%…%r(GetRequest,1F3,"HTTP/1\\.0\\x20200…")``): the replies to its probes
with regex escapes. Both become the Observations of the same replies read by a probe.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from datetime import datetime

from camaudit.model import Observation
from camaudit.sources.imports import _services

_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|.)", re.DOTALL)
_SIMPLE = {"r": "\r", "n": "\n", "t": "\t", "0": "\x00"}
# r(ProbeName,hexlen,"reply") inside a service fingerprint (the reply's quotes are escaped inside it)
_FP_REPLY = re.compile(r'r\((\w+),([0-9A-Fa-f]+),"((?:[^"\\]|\\.)*)"\)', re.DOTALL)
_HTTP_PROBES = ("GetRequest", "HTTPOptions", "FourOhFourRequest")
_RTSP_PROBES = ("RTSPRequest",)
MAX_FINGERPRINT = 64 * 1024


def unescape(text: str) -> str:
    """``\\xHH``, ``\\r``, ``\\n``, ``\\t``, ``\\0`` to the characters (latin-1); ``\\.`` to ``.``."""

    def one(match: re.Match[str]) -> str:
        token = match.group(1)
        if token.startswith("x") and len(token) == 3:
            return chr(int(token[1:], 16))
        return _SIMPLE.get(token, token)

    return _ESCAPE.sub(one, text) if "\\" in text else text


def masscan_service(
    source: str, ip: str, port: int, name: str, text: str, when: datetime | None
) -> list[Observation]:
    """One masscan banner (text still escaped as masscan writes it in -oX and -oL)."""
    return masscan_plain(source, ip, port, name, unescape(text), when)


def masscan_plain(
    source: str, ip: str, port: int, name: str, text: str, when: datetime | None
) -> list[Observation]:
    """One masscan banner with its bytes already decoded (as -oJ's JSON strings are)."""
    kind = name.lower()
    if kind == "x509":
        try:
            der = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            return _services.banner(source, ip, port, text, when)
        return _services.certificate_der(source, ip, port, der, when)
    if kind == "title":
        return _services.http_parts(source, ip, port, title=text, when=when)
    if kind == "http.server":
        return _services.http_parts(source, ip, port, headers=[("Server", text)], when=when)
    if kind in ("http", "rtsp") or text.startswith(("HTTP/", "RTSP/")):
        return _services.reply(source, ip, port, text, when)
    return _services.banner(source, ip, port, text, when)


def fingerprint_replies(fingerprint: str) -> Iterator[tuple[str, str]]:
    """(probe name, reply) for every reply recorded in an nmap service fingerprint."""
    joined = fingerprint[:MAX_FINGERPRINT].replace("\nSF:", "").replace("\n", "")
    for match in _FP_REPLY.finditer(joined):
        yield match.group(1), unescape(match.group(3))


def from_fingerprint(
    source: str, ip: str, port: int, fingerprint: str, when: datetime | None
) -> list[Observation]:
    """The first HTTP and the first RTSP reply of a fingerprint, as responses (one each: one tell)."""
    found: list[Observation] = []
    done: set[str] = set()
    for probe, reply in fingerprint_replies(fingerprint):
        family = "http" if probe in _HTTP_PROBES else "rtsp" if probe in _RTSP_PROBES else None
        if family is None or family in done or not reply.startswith(("HTTP/", "RTSP/")):
            continue
        done.add(family)
        found.extend(_services.reply(source, ip, port, reply, when))
    return found
