"""Which packs apply: the command line's, else the config's, else every shipped one."""

from __future__ import annotations

from pathlib import Path

import pytest

from camaudit.data.policies import builtin_packs
from camaudit.policy.inputs import load_context


def test_the_command_line_then_the_config_then_every_shipped_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./camaudit.toml here
    config, packs = load_context(None, (), ())
    assert sorted(p.id for p in packs) == sorted(builtin_packs())
    assert config.packs == ()
    _, chosen = load_context(None, ("US-NDAA-889",), ())
    assert [p.id for p in chosen] == ["US-NDAA-889"]
    (tmp_path / "camaudit.toml").write_text('[packs]\nenabled = ["US-LA"]\n', encoding="utf-8")
    config, packs = load_context(None, (), ())  # ./camaudit.toml when it exists
    assert [p.id for p in packs] == ["US-LA"] == list(config.packs)
