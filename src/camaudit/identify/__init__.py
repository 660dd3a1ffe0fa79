"""Identification: who really made each device (label brand vs true manufacturer).

    from camaudit.identify import identify
    devices = identify(observations)   # list[camaudit.model.Device]

Knowledge lives in `camaudit/data/` (fingerprints, oui.yaml, oem.yaml), loaded once per process.
"""

from camaudit.identify.device import identify

__all__ = ["identify"]
