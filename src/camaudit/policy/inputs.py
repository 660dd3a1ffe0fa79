"""What policy is given: the devices to judge with what the register knows of them, and which packs.

Policy never opens the register or a scan file: `camaudit.pipeline.policy` reads those into `Inputs`.
The organisation's config and the packs are chosen here, the same way for `camaudit policy`, `camaudit
plan` and the report, so the three always judge the same devices against the same packs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from camaudit.config import Config, find_config
from camaudit.data.policies import Pack, builtin_packs, select_packs
from camaudit.model import Device, Observation
from camaudit.policy.obligations import Context
from camaudit.policy.plan import AuditSeen, Tracked


@dataclass(frozen=True, slots=True)
class Inputs:
    """Devices to judge plus what the register knows about them."""

    devices: tuple[Device, ...]
    contexts: dict[str, Context]
    tracked: tuple[Tracked, ...] = ()
    history: tuple[AuditSeen, ...] = ()
    observations: tuple[Observation, ...] = ()  # authenticated reads (capabilities) of the latest audit
    audit_id: str | None = None


def load_context(
    config_path: str | None, pack_ids: Sequence[str], pack_files: Sequence[str]
) -> tuple[Config, tuple[Pack, ...]]:
    """The organisation's config and the packs to apply (command line, else config, else all shipped)."""
    config = find_config(config_path) or Config()
    ids = list(pack_ids) or list(config.packs) or sorted(builtin_packs())
    files: list[str | Path] = [*config.pack_files, *pack_files]
    return config, select_packs(ids, files)
