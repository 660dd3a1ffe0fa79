"""`camaudit identify`: a pasted reply, JSON lines, refused lines, hostile strings, nothing sent."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from camaudit.cli import _register, cli

HIK_401 = (
    "HTTP/1.1 401 Unauthorized\nServer: App-webs/\n"
    'WWW-Authenticate: Digest qop="auth", realm="IP Camera(83813)", nonce="4e4445", stale="FALSE"\n\n'
)


def _run(args: list[str], stdin: str | None = None) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(cli, args, input=stdin)
    return result.exit_code, result.stdout


def test_a_pasted_reply_names_its_maker_with_the_evidence() -> None:
    code, out = _run(["identify"], HIK_401)
    assert code == 0
    assert "hikvision" in out and "ip_camera" in out
    assert "hikvision-app-webs" in out and "IP Camera(83813)" in out


def test_json_lines_in_json_lines_out_with_a_refused_line(tmp_path: Path) -> None:
    lines = [
        {"id": "amcrest-1", "evidence": [{"kind": "onvif_device_info", "manufacturer": "Amcrest"}]},
        {"id": "broken", "evidence": [{"kind": "sadp_xml", "raw": "<not xml"}]},
        {
            "ip": "198.51.100.9",
            "evidence": [{"kind": "dhcp", "vendor_class": "AXIS,Network Camera,P3343,5.20.3"}],
        },
    ]
    path = tmp_path / "devices.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    code, out = _run(["identify", str(path), "--json"])
    docs = [json.loads(x) for x in out.splitlines()]
    assert code == 1  # a line was refused; the others were still judged
    assert [d["line"] for d in docs] == [1, 2, 3]
    assert (docs[0]["device"]["manufacturer"], docs[0]["device"]["brand"]) == ("dahua", "amcrest")
    assert "error" in docs[1] and "device" not in docs[1]
    assert docs[2]["device"]["model"] == "P3343" and docs[2]["device"]["firmware"] == "5.20.3"
    assert docs[2]["label"] == "198.51.100.9"


def test_hostile_strings_reach_the_terminal_escaped() -> None:
    title = "\x1b[2J\x1b]0;owned\x07[bold]x[/]\u202e"
    line = json.dumps({"evidence": [{"kind": "http", "headers": {"Server": "App-webs/"}, "title": title}]})
    code, out = _run(["identify"], line)
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "hikvision" in out


def test_an_empty_input_is_one_refused_line() -> None:
    code, out = _run(["identify"], "")
    assert code == 1 and "refused" in out


def test_the_readme_example_prints_what_the_readme_says() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = readme.split("### Identify from evidence alone", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = block.strip().splitlines()
    given, expected = lines[1], lines[3]
    code, out = _run(["identify"], given + "\n")
    assert code == 0 and out.splitlines()[0] == expected


def test_no_color_is_respected(tmp_path: Path) -> None:
    """https://no-color.org: with NO_COLOR set, no colour sequence even where colour is forced."""
    import os
    import subprocess
    import sys

    lines = tmp_path / "two.jsonl"
    lines.write_text(
        '{"ip": "10.0.0.1", "evidence": [{"kind": "http", "headers": {"Server": "Webs"}}]}\n{bad\n'
    )
    command = [sys.executable, "-m", "camaudit", "identify", str(lines)]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"FORCE_COLOR": "1"}
    coloured = subprocess.run(command, capture_output=True, text=True, env=env, check=False).stdout
    plain = subprocess.run(command, capture_output=True, text=True, env=env | {"NO_COLOR": "1"}, check=False)
    assert "\x1b[31mrefused" in coloured  # the check can fail: colour is there without NO_COLOR
    assert "refused" in plain.stdout and not re.search(r"\x1b\[(3\d|9\d|38;)", plain.stdout)
