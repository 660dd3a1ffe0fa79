"""One TCP exchange: connect (optionally TLS), send one read-only payload, read a bounded reply.

The read timeout bounds the whole reply, so a slowloris device that sends a byte a second is cut off too;
the byte cap bounds memory. TLS is not verified (cameras use self-signed certificates) and the peer
certificate DER is captured for `tls.certificate` observations.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Callable

from camaudit.errors import ProtocolError
from camaudit.model import ProbeStatus
from camaudit.net.limits import Limits
from camaudit.net.outcome import Outcome, classify

Done = Callable[[bytes], bool]


def tls_context() -> ssl.SSLContext:
    # Cameras present self-signed certificates and often old TLS: we only read the certificate, so no
    # verification and the widest protocol range the local OpenSSL allows.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with contextlib.suppress(ValueError, ssl.SSLError):
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    return ctx


async def open_stream(
    ip: str, port: int, tls: ssl.SSLContext | None, timeout: float
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    # server_hostname="" sends no SNI: we connect to addresses, not names. asyncio.timeout, not wait_for:
    # wait_for runs the connect in a new task, a loop turn after the rate token was granted, so a busy
    # loop could bunch SYNs past the rate; here the SYN leaves in the same step as its token.
    async with asyncio.timeout(timeout):
        return await asyncio.open_connection(ip, port, ssl=tls, server_hostname="" if tls else None)


async def session(
    ip: str, port: int, payload: bytes | None, done: Done, tls: ssl.SSLContext | None, limits: Limits
) -> Outcome:
    """Connect, then send `payload` and read until `done`; a None payload stops after the handshake."""
    try:
        reader, writer = await open_stream(ip, port, tls, limits.connect_timeout)
    except Exception as exc:
        status, reason = classify(exc, phase="connect", seconds=limits.connect_timeout)
        return Outcome(status=status, reason=reason)
    out = Outcome(cert=_peer_cert(writer) if tls else None, connected=True)
    try:
        if payload is not None:
            await _send_and_read(reader, writer, payload, done, out, limits)
    except Exception as exc:
        out.fail(*classify(exc, phase="read", seconds=limits.read_timeout))
    finally:
        writer.transport.abort()
    return out


async def _send_and_read(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    payload: bytes,
    done: Done,
    out: Outcome,
    limits: Limits,
) -> None:
    buf = bytearray()
    cap = limits.read_cap
    try:
        async with asyncio.timeout(limits.read_timeout):
            if payload:
                writer.write(payload)
                await writer.drain()
            while not _is_done(done, bytes(buf), out):
                chunk = await reader.read(min(65536, cap + 1 - len(buf)))
                if not chunk:
                    break
                buf += chunk
                if len(buf) > cap:
                    out.fail(ProbeStatus.TOO_LARGE, f"more than {cap} bytes")
                    del buf[cap:]
                    break
    except TimeoutError:
        out.fail(ProbeStatus.TIMEOUT, f"no complete reply within {limits.read_timeout:g}s")
    finally:
        out.data = bytes(buf)


def _is_done(done: Done, data: bytes, out: Outcome) -> bool:
    """Ask the probe whether the reply is complete; a codec that rejects the bytes ends the read."""
    try:
        return done(data)
    except ProtocolError as exc:
        out.fail(ProbeStatus.MALFORMED, str(exc)[:200])
        return True


def _peer_cert(writer: asyncio.StreamWriter) -> bytes | None:
    ssl_object = writer.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    return bytes(der) if der else None
