"""Simulated fingertip tactile sensors of one Sharpa Wave hand, pressed by the sim world.

Each tick reads the five pad contacts from the SimWorld and emits, per fingertip, F6 (N and
N*m in the ``{side}_{finger}_elastomer`` frame, moments about its origin), the DEFORM map,
the RAW gel image, the contact point (elastomer frame, m) and the frame counter. The normal
force is the scene's stiffness times the penetration; friction opposes the pad's sliding.
F6 also carries a power-on offset that drifts slowly, and white noise; :meth:`tare` takes the
current reading as zero, as the SDK's ``calib_tactile`` does.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from pydantic import Field

from devices.device import PeriodicDevice
from devices.gloves import FINGERS
from devices.hands import MAX_CONTACT_POINTS, Tactile, tactile_stream
from devices.registry import BuildContext
from devices.sim.device_clock import SimDeviceClock
from devices.sim.hand_geometry import PAD_RADIUS_M
from devices.sim.options import SidedOptions
from devices.sim.seeding import seeded_rng
from devices.sim.tactile_images import MAP_PX_PER_M, Press, TactileImager, map_pixel
from devices.sim.world import Contact, world_of
from devices.streams import StreamSpec

NOISE_STD = np.array([0.02, 0.02, 0.02, 2e-4, 2e-4, 2e-4])
"""White noise of F6 (N, N*m), one standard deviation per channel."""
OFFSET_STD = np.array([0.3, 0.3, 0.3, 3e-3, 3e-3, 3e-3])
"""Spread of the power-on F6 offsets (N, N*m)."""
DRIFT_STD_PER_S = OFFSET_STD / 300.0
"""Spread of the F6 offset drift rates (N/s, N*m/s): about 0.06 N per minute."""
SLIP_SPEED_M_S = 0.005
"""Sliding speed (m/s) at which friction reaches ~76 % of its Coulomb limit (tanh(1))."""
SHEAR_PX_PER_N = 2.0
MAX_SHEAR_PX = 10.0


@dataclass(frozen=True)
class Load:
    """One pad contact in the elastomer frame: contact point (m), unit direction of the normal
    force on the pad, its magnitude (N) and the friction force (3,) (N)."""

    point: np.ndarray
    normal: np.ndarray
    pressing_n: float
    friction: np.ndarray

    @property
    def wrench(self) -> np.ndarray:
        """(Fx, Fy, Fz, Mx, My, Mz) on the pad (N, N*m), moments about the frame origin."""
        (fx, fy, fz), (x, y, z) = self.pressing_n * self.normal + self.friction, self.point
        return np.array([fx, fy, fz, y * fz - z * fy, z * fx - x * fz, x * fy - y * fx])


def fingertip_load(contact: Contact, frame: np.ndarray, stiffness: float, friction: float) -> Load:
    """The load of ``contact`` (base frame) on a pad whose elastomer frame is ``frame`` (4, 4)
    in the base frame; ``stiffness`` in N/m, ``friction`` the Coulomb coefficient."""
    rotation, origin = frame[:3, :3], frame[:3, 3]
    normal = contact.normal_base @ rotation
    velocity = contact.velocity_base @ rotation
    pressing = stiffness * contact.depth_m
    slide = velocity - (velocity @ normal) * normal
    speed = float(np.linalg.norm(slide))
    drag = np.zeros(3)
    if speed > 1e-9:
        drag = -friction * pressing * np.tanh(speed / SLIP_SPEED_M_S) * slide / speed
    return Load((contact.point_base - origin) @ rotation, normal, pressing, drag)


class SimTactile(Tactile, PeriodicDevice):
    """The five fingertip sensors of one simulated hand, sampled at ``rate_hz``."""

    backend = "sim"

    class Options(SidedOptions):
        """The frame rate (Hz): 30 with inference on the hand, 180 with the host build."""

        rate_hz: float = Field(30.0, gt=0.0)

    def __init__(self, name: str, options: Options, context: BuildContext) -> None:
        super().__init__(name, options.side, rate_hz=options.rate_hz, faults=options.faults)
        seed = context.scene.seed
        rng = seeded_rng(seed, "tactile", name)
        self._world = world_of(context)
        self._stiffness = context.scene.stiffness_n_per_m
        self._friction = context.scene.friction
        self._streams = tuple(tactile_stream(self.side, f, options.rate_hz) for f in FINGERS)
        self._imagers = tuple(TactileImager(seeded_rng(seed, "tactile", name, f)) for f in FINGERS)
        self._rng = rng
        self._clock = SimDeviceClock(name, seed, time.monotonic_ns())
        self._t0_ns = time.monotonic_ns()
        self._offset = rng.normal(0.0, OFFSET_STD, (len(FINGERS), 6))
        self._drift = rng.normal(0.0, DRIFT_STD_PER_S, (len(FINGERS), 6))
        self._lock = threading.Lock()
        self._zero = np.zeros((len(FINGERS), 6))
        self._last = self._offset.copy()
        self._frame_id = 0

    def streams(self) -> tuple[StreamSpec, ...]:
        return self._streams

    def info(self) -> dict[str, str]:
        return {**super().info(), "side": self.side}

    def tare(self) -> None:
        """Take the latest noiseless reading of every channel as its zero."""
        with self._lock:
            self._zero = self._last.copy()

    def _poll(self, t_ns: int) -> None:
        frames, contacts = self._world.touch(self.side)
        loads = [
            fingertip_load(contact, frame, self._stiffness, self._friction)
            if contact.touching
            else None
            for contact, frame in zip(contacts, frames, strict=True)
        ]
        clean = self._offset + self._drift * ((t_ns - self._t0_ns) * 1e-9)
        for i, load in enumerate(loads):
            if load is not None:
                clean[i] += load.wrench
        with self._lock:
            self._last = clean
            f6 = clean - self._zero
        f6 = (f6 + self._rng.normal(0.0, NOISE_STD, f6.shape)).astype(np.float32)
        t_device_ns = self._clock(t_ns)
        for i, (stream, imager, load) in enumerate(
            zip(self._streams, self._imagers, loads, strict=True)
        ):
            press = None if load is None else self._press(load)
            points = np.full((MAX_CONTACT_POINTS, 3), np.nan, dtype=np.float32)
            if load is not None:
                points[0] = load.point
            data = {
                "f6": f6[i],
                "deform": imager.deform(press),
                "raw": imager.raw(press),
                "contact_points": points,
                "frame_id": np.array(self._frame_id, dtype=np.int64),
            }
            self._emit(stream.name, t_ns, data, t_device_ns=t_device_ns)
        self._frame_id += 1

    def _press(self, load: Load) -> Press:
        """How the sensor images show ``load``: where, how deep, how wide, how dragged."""
        depth_m = load.pressing_n / self._stiffness
        row, col = map_pixel(-load.normal)
        contact_radius_m = np.sqrt(PAD_RADIUS_M * depth_m)  # Hertz, sphere on a flat
        shear = np.clip(load.friction[[1, 0]] * SHEAR_PX_PER_N, -MAX_SHEAR_PX, MAX_SHEAR_PX)
        return Press(
            row=row,
            col=col,
            peak=depth_m * 1e3 / self.deform_mm_per_unit,
            sigma_px=max(0.5 * contact_radius_m * MAP_PX_PER_M, 2.0),
            shear_px=(float(shear[0]), float(shear[1])),
        )
