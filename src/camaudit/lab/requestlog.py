"""The lab's request log: every message any emulated device receives, so tests can prove that no
probe ever asked a device to change state (DESIGN.md "Safety of an active scanner")."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request seen by one device.

    Attributes:
        device: profile id.
        protocol: lab server protocol (http, https, rtsp, sadp, dhip …).
        port: the real port (before any port offset).
        transport: tcp or udp.
        method: HTTP/RTSP method, SOAP operation, DHIP method, SADP type, or a marker
            (``connect``, ``malformed``, ``unknown``).
        path: request target for HTTP/RTSP, else "".
        operation: the SOAP operation of an ONVIF POST (GetDeviceInformation …), else "".
        body_size: bytes of request body (whole datagram for UDP).
        time: UNIX time it was received.
        peer: client address.
        state_changing: True when the request would change the device (it is never acted on).
        auth: for a request with credentials: ``ok``, ``fail``, ``locked``, ``malformed``, or ``sent``
            (the device has no accounts); "" without credentials.
    """

    device: str
    protocol: str
    port: int
    transport: str
    method: str
    path: str = ""
    operation: str = ""
    body_size: int = 0
    time: float = 0.0
    peer: str = ""
    state_changing: bool = False
    auth: str = ""


class RequestLog:
    """In-memory list of `RequestRecord`, optionally mirrored to a JSON-lines file."""

    def __init__(self, path: Path | None = None) -> None:
        self._records: list[RequestRecord] = []
        self._file: IO[str] | None = path.open("a", encoding="utf-8") if path else None

    def add(
        self, device: str, protocol: str, port: int, transport: str, method: str, **extra: Any
    ) -> RequestRecord:
        record = RequestRecord(device, protocol, port, transport, method[:128], time=time.time(), **extra)
        self._records.append(record)
        if self._file is not None:
            self._file.write(json.dumps(asdict(record), sort_keys=True) + "\n")
            self._file.flush()
        return record

    @property
    def records(self) -> tuple[RequestRecord, ...]:
        return tuple(self._records)

    def state_changing(self) -> tuple[RequestRecord, ...]:
        return tuple(r for r in self._records if r.state_changing)

    def for_device(self, device: str) -> tuple[RequestRecord, ...]:
        return tuple(r for r in self._records if r.device == device)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
