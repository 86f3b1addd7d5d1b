"""Command checks shared by the simulated actuators, mirroring the vendors' own guards."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from devices.device import Device
from devices.errors import CommandRejected, DeviceError


def checked_command(
    q: np.ndarray, lower: np.ndarray, upper: np.ndarray, names: Sequence[str]
) -> np.ndarray:
    """``q`` as a float array when it has one finite value (rad) per joint of ``names``, all
    within ``[lower, upper]``; otherwise CommandRejected naming the offending joints. The result
    is a copy: the caller may reuse its buffer."""
    q = np.array(q, dtype=float)
    if q.shape != (len(names),):
        raise CommandRejected(f"expected {len(names)} joint positions, got shape {q.shape}")
    bad = ~np.isfinite(q)
    if bad.any():
        raise CommandRejected(f"non-finite target for {_joints(names, bad)}")
    bad = (q < lower) | (q > upper)
    if bad.any():
        detail = ", ".join(
            f"{names[i]}={q[i]:.3f} not in [{lower[i]:.3f}, {upper[i]:.3f}]"
            for i in np.flatnonzero(bad)
        )
        raise CommandRejected(f"target outside joint limits (rad): {detail}")
    return q


def require_connected(device: Device) -> None:
    """DeviceError unless ``device`` is started and not (injected) disconnected."""
    status = device.status()
    if not status.connected:
        raise DeviceError(f"{device.name}: not connected ({status.message}); nothing was sent")


def _joints(names: Sequence[str], mask: np.ndarray) -> str:
    return ", ".join(names[i] for i in np.flatnonzero(mask))
