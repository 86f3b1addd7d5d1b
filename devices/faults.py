"""Fault injection for any stream: drops, stalls, NaN bursts, disconnect/reconnect.

Windows are ``[start_s, end_s]`` in seconds since the device started, so tests are
deterministic; ``drop_rate`` draws from a generator seeded by ``seed``.
"""

from __future__ import annotations

from enum import Enum

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

Window = tuple[float, float]


class FaultSpec(BaseModel):
    """Faults injected into a device's samples. Empty by default (a healthy device)."""

    model_config = ConfigDict(extra="forbid")

    drop_rate: float = Field(0.0, ge=0.0, lt=1.0, description="probability a sample is lost")
    stall_s: list[Window] = Field(default_factory=list, description="no samples, still connected")
    nan_s: list[Window] = Field(default_factory=list, description="float fields become NaN")
    disconnect_s: list[Window] = Field(
        default_factory=list, description="device unplugged: no samples, reported disconnected"
    )
    seed: int = 0

    @field_validator("stall_s", "nan_s", "disconnect_s")
    @classmethod
    def _ordered(cls, windows: list[Window]) -> list[Window]:
        for start, end in windows:
            if not 0.0 <= start < end:
                raise ValueError(f"window [{start}, {end}] must satisfy 0 <= start < end (seconds)")
        return windows


class Verdict(Enum):
    """What happens to one sample."""

    DELIVER = "deliver"
    DROP = "drop"
    NAN = "nan"
    STALL = "stall"
    DISCONNECTED = "disconnected"


def _inside(windows: list[Window], t_s: float) -> bool:
    return any(start <= t_s < end for start, end in windows)


class FaultInjector:
    """Decides, per sample, whether it is delivered, lost or corrupted."""

    def __init__(self, spec: FaultSpec | None) -> None:
        self.spec = spec or FaultSpec()
        self._rng = np.random.default_rng(self.spec.seed)

    @property
    def active(self) -> bool:
        s = self.spec
        return bool(s.drop_rate or s.stall_s or s.nan_s or s.disconnect_s)

    def disconnected(self, t_s: float) -> bool:
        """True while an injected unplug is in force, ``t_s`` seconds after start."""
        return _inside(self.spec.disconnect_s, t_s)

    def window_verdict(self, t_s: float) -> Verdict:
        """The fate decided by the fault windows alone, ``t_s`` seconds after start: no random
        drop is drawn, so actuators can apply a stall or disconnect to their own state."""
        s = self.spec
        if _inside(s.disconnect_s, t_s):
            return Verdict.DISCONNECTED
        if _inside(s.stall_s, t_s):
            return Verdict.STALL
        if _inside(s.nan_s, t_s):
            return Verdict.NAN
        return Verdict.DELIVER

    def verdict(self, t_s: float) -> Verdict:
        """The fate of a sample captured ``t_s`` seconds after the device started."""
        verdict = self.window_verdict(t_s)
        if verdict in (Verdict.DISCONNECTED, Verdict.STALL):
            return verdict
        if self.spec.drop_rate and self._rng.random() < self.spec.drop_rate:
            return Verdict.DROP
        return verdict

    @staticmethod
    def corrupt(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """A copy of ``data`` with every floating-point field set to NaN."""
        out = {}
        for key, arr in data.items():
            if np.issubdtype(arr.dtype, np.floating):
                arr = np.full_like(arr, np.nan)
            out[key] = arr
        return out
