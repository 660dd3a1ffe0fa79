"""Load and check the real-world corpus (`tests/corpus/cases/*.jsonl`, format in README.md).

Used by `tests/corpus/test_corpus.py` and `bench/identify_corpus.py`; run directly to check files:

    python tests/corpus/corpus.py check tests/corpus/cases/hikvision.jsonl
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CASES = Path(__file__).with_name("cases")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https://\S+$")
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")
CAMERA_TYPES = frozenset({"ip_camera", "nvr", "dvr", "doorbell", "intercom", "video_encoder", "vms"})
OTHER_TYPES = frozenset(
    {
        "router",
        "switch",
        "access_point",
        "printer",
        "nas",
        "plc",
        "building_controller",
        "video_conference",
        "web_server",
        "honeypot",
        "other",
    }
)
# kind -> (keys that may appear, groups of which at least one key must appear)
EVIDENCE_KEYS: dict[str, tuple[frozenset[str], tuple[frozenset[str], ...]]] = {
    "http": (
        frozenset({"port", "path", "raw", "status", "headers", "title", "body"}),
        (frozenset({"raw", "status", "headers", "title", "body"}),),
    ),
    "rtsp": (frozenset({"port", "raw", "status", "headers", "sdp"}), (frozenset({"raw", "headers", "sdp"}),)),
    "mac": (frozenset({"mac"}), (frozenset({"mac"}),)),
    "dhcp": (
        frozenset({"vendor_class", "hostname", "params"}),
        (frozenset({"vendor_class", "hostname", "params"}),),
    ),
    "sadp_xml": (frozenset({"raw"}), (frozenset({"raw"}),)),
    "dhip_json": (frozenset({"raw", "port"}), (frozenset({"raw"}),)),
    "onvif_device_info": (
        frozenset({"raw", "port", "manufacturer", "model", "firmware", "serial", "hardware_id"}),
        (frozenset({"raw", "manufacturer", "model", "firmware", "hardware_id"}),),
    ),
    "wsd": (frozenset({"raw", "scopes", "types"}), (frozenset({"raw", "scopes"}),)),
    "tls_cert": (frozenset({"pem", "subject", "issuer", "port"}), (frozenset({"pem", "subject", "issuer"}),)),
    "upnp_xml": (frozenset({"raw", "port", "path"}), (frozenset({"raw"}),)),
    "ssdp": (frozenset({"raw", "headers"}), (frozenset({"raw", "headers"}),)),
    "mdns": (frozenset({"services", "txt", "hostname"}), (frozenset({"services", "txt", "hostname"}),)),
    "banner": (frozenset({"port", "text", "hex", "service"}), (frozenset({"text", "hex"}),)),
    "favicon": (frozenset({"md5", "mmh3", "port"}), (frozenset({"md5", "mmh3"}),)),
    "snmp": (frozenset({"sysdescr", "sysobjectid"}), (frozenset({"sysdescr", "sysobjectid"}),)),
    "isapi_xml": (frozenset({"raw", "port", "path"}), (frozenset({"raw"}),)),
    "dahua_cgi": (frozenset({"raw", "port", "path"}), (frozenset({"raw"}),)),
}
_TOP = frozenset({"id", "ip", "source", "commit", "published", "note", "truth", "evidence"})
_TRUTH = frozenset({"maker", "brand", "model", "firmware", "device_type", "camera", "source"})


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    file: str
    line: int
    source: str
    published: str
    truth: Mapping[str, Any]
    evidence: tuple[Mapping[str, Any], ...]
    raw_line: str

    @property
    def camera(self) -> bool:
        return bool(self.truth["camera"])

    @property
    def maker(self) -> str | None:
        return self.truth.get("maker")

    @property
    def brand(self) -> str | None:
        return self.truth.get("brand")

    @property
    def kinds(self) -> str:
        """The evidence kinds this case holds, e.g. ``http`` or ``http+rtsp``."""
        return "+".join(sorted({str(e["kind"]) for e in self.evidence}))


class CorpusError(ValueError):
    pass


def _fail(where: str, reason: str) -> CorpusError:
    return CorpusError(f"{where}: {reason}")


def _check_evidence(where: str, items: Any) -> None:
    if not isinstance(items, list) or not items:
        raise _fail(where, "evidence must be a non-empty list")
    for i, item in enumerate(items):
        here = f"{where}: evidence[{i}]"
        if not isinstance(item, dict) or item.get("kind") not in EVIDENCE_KEYS:
            raise _fail(here, f"kind must be one of {', '.join(EVIDENCE_KEYS)}")
        allowed, needed = EVIDENCE_KEYS[item["kind"]]
        extra = set(item) - allowed - {"kind"}
        if extra:
            raise _fail(here, f"unknown keys {sorted(extra)} for kind {item['kind']}")
        for group in needed:
            if not group & set(item):
                raise _fail(here, f"needs one of {sorted(group)}")
        if "port" in item and not (isinstance(item["port"], int) and 0 < item["port"] < 65536):
            raise _fail(here, "port must be an integer 1-65535")
        for key in ("headers", "txt"):
            if key in item and not isinstance(item[key], dict):
                raise _fail(here, f"{key} must be an object")


def _check_truth(where: str, truth: Any) -> None:
    if not isinstance(truth, dict):
        raise _fail(where, "truth must be an object")
    extra = set(truth) - _TRUTH
    if extra:
        raise _fail(where, f"unknown truth keys {sorted(extra)}")
    if not isinstance(truth.get("camera"), bool):
        raise _fail(where, "truth.camera must be true or false")
    kind = truth.get("device_type")
    allowed = CAMERA_TYPES if truth["camera"] else OTHER_TYPES
    if kind is not None and kind not in allowed:
        raise _fail(where, f"truth.device_type {kind!r} not in {sorted(allowed)}")
    for key in ("maker", "brand"):
        value = truth.get(key)
        if value is not None and not (isinstance(value, str) and _ID.match(value)):
            raise _fail(where, f"truth.{key} must be a lower-case kebab id or null")
    if truth.get("source") is not None and not _URL.match(str(truth["source"])):
        raise _fail(where, "truth.source must be an https URL or null")


def parse_case(text: str, file: str, line: int) -> Case:
    where = f"{file}:{line}"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(where, f"not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise _fail(where, "a case is a JSON object")
    extra = set(data) - _TOP
    if extra:
        raise _fail(where, f"unknown keys {sorted(extra)}")
    if not isinstance(data.get("id"), str) or not _ID.match(data["id"]):
        raise _fail(where, "id must be lower-case kebab")
    if not isinstance(data.get("source"), str) or not _URL.match(data["source"]):
        raise _fail(where, "source must be an https URL")
    if data.get("commit") is not None and not _COMMIT.match(str(data["commit"])):
        raise _fail(where, "commit must be hex")
    if data.get("published") not in ("full", "partial"):
        raise _fail(where, "published must be 'full' or 'partial'")
    _check_truth(where, data.get("truth"))
    _check_evidence(where, data.get("evidence"))
    return Case(
        data["id"],
        file,
        line,
        data["source"],
        data["published"],
        data["truth"],
        tuple(data["evidence"]),
        text,
    )


def _cases_of(text: str, name: str) -> Iterator[Case]:
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield parse_case(line, name, n)


def read_file(path: Path) -> Iterator[Case]:
    yield from _cases_of(path.read_text(encoding="utf-8"), path.name)


def load(folder: Path = CASES) -> list[Case]:
    """Every case in every file, checked; ids unique across files."""
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for case in read_file(path):
            first = seen.setdefault(case.id, f"{case.file}:{case.line}")
            if first != f"{case.file}:{case.line}":
                raise _fail(f"{case.file}:{case.line}", f"duplicate id {case.id} (first at {first})")
            cases.append(case)
    return cases


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "check":
        print("usage: corpus.py check FILE.jsonl …", file=sys.stderr)
        return 2
    status = 0
    for name in argv[1:]:
        try:
            cases = list(read_file(Path(name)))
        except CorpusError as exc:
            print(exc, file=sys.stderr)
            status = 1
            continue
        cameras = sum(c.camera for c in cases)
        print(f"{name}: {len(cases)} cases ({cameras} cameras, {len(cases) - cameras} other)")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


# --------------------------------------------------------------------------- scoring


def held_out(case_id: str) -> bool:
    """A fixed third of the cases, by a hash of the id: rules are written from the others."""
    return hashlib.sha1(case_id.encode(), usedforsecurity=False).digest()[0] % 3 == 0


@dataclass(frozen=True, slots=True)
class Outcome:
    """What camaudit concluded for one case, next to the truth."""

    case: Case
    maker: str | None  # predicted true maker (vocabulary id)
    brand: str | None
    device_type: str | None
    truth_maker: str | None  # the truth, resolved through the vocabulary's aliases
    truth_brand: str | None
    error: str | None
    claimed: frozenset[str]  # makers any piece of evidence voted for
    why: str | None  # why a camera's maker was missed


def _judge_text(text: str) -> Iterator[tuple[Any, Any]]:
    from camaudit.pipeline.evidence import judged
    from camaudit.sources import evidence

    yield from judged(evidence.read(io.StringIO(text)))


def _resolve(name: str | None) -> str | None:
    from camaudit.data.load import load_vocabulary

    if name is None:
        return None
    vocab = load_vocabulary()
    return vocab.resolve_maker(name) or vocab.resolve_maker(name.replace("-", " ")) or name


def _claimed(device: Any) -> frozenset[str]:
    from camaudit.identify.manufacturer import maker_vote

    votes = (maker_vote(ev) for ev in device.evidence) if device else ()
    return frozenset(v[0] for v in votes if v is not None)


def _why(
    case: Case, out_maker: str | None, truth: str | None, claimed: frozenset[str], error: str | None
) -> str:
    from camaudit.data.load import load_vocabulary

    if error is not None:
        return "parse failure"
    if truth not in load_vocabulary().manufacturers:
        return "no vendor"
    if out_maker is not None:
        return "wrong maker"
    if truth in claimed:
        return "too weak or conflicting"
    if claimed:
        return "rule names another maker"
    return "no rule"


def outcomes(folder: Path = CASES) -> list[Outcome]:
    """Run every case through the same engine as `camaudit identify` and pair it with its truth."""
    load(folder)  # ids unique across files
    results: list[Outcome] = []
    for path in sorted(folder.glob("*.jsonl")):
        text = path.read_text(encoding="utf-8")  # read once: the same lines are checked and judged
        by_line = {c.line: c for c in _cases_of(text, path.name)}
        for line, device in _judge_text(text):
            case = by_line[line.number]
            maker = device.manufacturer if device else None
            truth = _resolve(case.maker)
            claimed = _claimed(device)
            missed = case.camera and truth is not None and maker != truth
            why = _why(case, maker, truth, claimed, line.error) if missed else None
            results.append(
                Outcome(
                    case=case,
                    maker=maker,
                    brand=device.brand if device else None,
                    device_type=device.device_type if device else None,
                    truth_maker=truth,
                    truth_brand=_resolve(case.brand),
                    error=line.error,
                    claimed=claimed,
                    why=why,
                )
            )
    return results


@dataclass(frozen=True, slots=True)
class Figures:
    cases: int
    cameras: int  # camera cases whose maker the source states
    negatives: int
    claims: int  # cases where camaudit named a maker (and the truth is known)
    right_claims: int
    cameras_named: int  # cameras whose true maker was named
    negatives_as_camera: int  # non-cameras named as a camera maker or typed as a camera
    rebrands: int
    rebrands_named: int
    brands: int
    brands_right: int

    @property
    def precision(self) -> float:
        return self.right_claims / self.claims if self.claims else 1.0

    @property
    def recall(self) -> float:
        return self.cameras_named / self.cameras if self.cameras else 0.0

    @property
    def rebrand_rate(self) -> float:
        return self.rebrands_named / self.rebrands if self.rebrands else 0.0

    @property
    def brand_rate(self) -> float:
        return self.brands_right / self.brands if self.brands else 0.0


CAMERA_TYPES_PREDICTED = CAMERA_TYPES


def camera_makers(results: list[Outcome]) -> frozenset[str]:
    """Makers whose every case in the corpus is a camera or recorder (Hikvision, Axis …)."""
    makers: dict[str, bool] = {}
    for o in results:
        if o.truth_maker:
            makers[o.truth_maker] = makers.get(o.truth_maker, True) and o.case.camera
    return frozenset(m for m, only in makers.items() if only)


def _as_camera(o: Outcome, camera_only: frozenset[str]) -> bool:
    wrong_maker = o.maker is not None and o.maker != o.truth_maker and o.maker in camera_only
    return wrong_maker or o.device_type in CAMERA_TYPES_PREDICTED


def figures(results: list[Outcome], camera_only: frozenset[str] | None = None) -> Figures:
    camera_only = camera_makers(results) if camera_only is None else camera_only
    cams = [o for o in results if o.case.camera and o.truth_maker]
    negs = [o for o in results if not o.case.camera]
    judged = [o for o in results if o.maker and (o.truth_maker or not o.case.camera)]
    rebrands = [o for o in cams if o.truth_brand and o.truth_brand != o.truth_maker]
    brands = [o for o in results if o.case.camera and o.truth_brand]
    return Figures(
        cases=len(results),
        cameras=len(cams),
        negatives=len(negs),
        claims=len(judged),
        right_claims=sum(o.maker == o.truth_maker for o in judged),
        cameras_named=sum(o.maker == o.truth_maker for o in cams),
        negatives_as_camera=sum(_as_camera(o, camera_only) for o in negs),
        rebrands=len(rebrands),
        rebrands_named=sum(o.maker == o.truth_maker for o in rebrands),
        brands=len(brands),
        brands_right=sum((o.brand or o.maker) == o.truth_brand for o in brands),
    )
