"""Inputs for tests of the simulated world: measured-state samples and pressing scenes."""

from __future__ import annotations

import numpy as np

from devices.gloves import FINGERS
from devices.hands import N_HAND_JOINTS
from devices.sample import Sample
from devices.sim.hand_geometry import PAD_RADIUS_M
from devices.sim.scene import SceneSpec
from devices.sim.world import SIDES, SimWorld

PINKY = FINGERS.index("pinky")


def body_sample(q: np.ndarray, seq: int = 0, velocity: np.ndarray | None = None) -> Sample:
    """A ``body`` sample with arm joints ``q`` (14,) rad and velocities (rad/s, default 0)."""
    velocity = np.zeros(14) if velocity is None else velocity
    data = {
        "arm_position": np.asarray(q, np.float32),
        "arm_velocity": np.asarray(velocity, np.float32),
    }
    return Sample("body", seq, seq, seq, data=data)


def hand_sample(side: str, q: np.ndarray, seq: int = 0) -> Sample:
    """A ``hand_{side}`` sample with joints ``q`` (22,) rad at rest."""
    data = {"position": np.asarray(q, np.float32), "velocity": np.zeros(N_HAND_JOINTS, np.float32)}
    return Sample(f"hand_{side}", seq, seq, seq, data=data)


def ready_pads() -> np.ndarray:
    """(2, 5, 3) pad centres (m, base frame) in the ready pose with open hands."""
    return SimWorld(SceneSpec(), lambda _: None).pad_centers().copy()


def pressing_scene(side: str, depth_m: float) -> SceneSpec:
    """The default scene with its sphere right under ``side``'s pinky pad (the lowest pad in
    the ready pose), ``depth_m`` into it; the table top is a sphere diameter further down."""
    pad = ready_pads()[SIDES.index(side), PINKY]
    scene = SceneSpec()
    centre_z = pad[2] - (scene.object_radius_m + PAD_RADIUS_M - depth_m)
    return scene.model_copy(
        update={
            "object_xy_m": (float(pad[0]), float(pad[1])),
            "table_height_m": float(centre_z - scene.object_radius_m),
        }
    )
