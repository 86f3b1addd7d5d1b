"""Simulated cameras: the head camera and the two wrist cameras, rendering the sim world.

The head camera is fixed where the Vega-1's left head camera sits with the default torso,
looking down at the table; each wrist camera rides on its hand's flange, on the palm side,
looking along the fingers. Frames carry a device frame counter and a device clock stamp.
"""

from __future__ import annotations

import time
from typing import Literal

import numpy as np
from pydantic import Field

from devices.cameras import Camera, camera_stream
from devices.device import PeriodicDevice
from devices.registry import BuildContext
from devices.sim.device_clock import SimDeviceClock
from devices.sim.options import SimOptions
from devices.sim.pinhole import Pinhole, look_at
from devices.sim.render import SceneRenderer
from devices.sim.seeding import seeded_rng
from devices.sim.world import SIDES, world_of
from devices.streams import StreamSpec

View = Literal["head", "left_wrist", "right_wrist"]

HEAD_POSE = look_at(np.array([-0.075, 0.025, 1.347]), np.array([0.6, 0.0, 0.85]))
"""Head camera pose (base frame, m): at the Vega-1 ``zed_left_camera`` position with the
default torso, aimed at the middle of the table."""
WRIST_MOUNT = np.array(
    [
        [0.0, 1.0, 0.0, 0.07],
        [-1.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 0.0, 1.0],
    ]
)
"""Wrist camera pose in its hand's flange frame (m): 7 cm out on the palm side (+x), looking
along the fingers (+z), image down towards the palm side."""
HFOV_DEG = {"head": 90.0, "left_wrist": 100.0, "right_wrist": 100.0}
WRIST_GRID_SCALE = 5
"""Wrist views are re-rendered every frame on a grid of one ray per (at most) 5x5 pixel
block: the CPU budget of a moving 1280x720 camera is ~3 ms per frame."""


def _grid_scale(width: int, height: int, largest: int) -> int:
    """The largest block side <= ``largest`` dividing both image sides."""
    return next(s for s in range(largest, 0, -1) if width % s == 0 and height % s == 0)


class SimCamera(Camera, PeriodicDevice):
    """A camera rendering the simulated world at ``fps`` on its own thread."""

    backend = "sim"

    class Options(SimOptions):
        """Which view, the image size (pixels) and frame rate (Hz)."""

        view: View
        width: int = Field(1280, gt=0)
        height: int = Field(720, gt=0)
        fps: float = Field(30.0, gt=0.0)

    def __init__(self, name: str, options: Options, context: BuildContext) -> None:
        super().__init__(
            name,
            options.width,
            options.height,
            options.fps,
            rate_hz=options.fps,
            faults=options.faults,
        )
        self.view = options.view
        self._world = world_of(context)
        size = options.width, options.height
        scale = 1 if options.view == "head" else _grid_scale(*size, WRIST_GRID_SCALE)
        camera = Pinhole.with_hfov(*size, HFOV_DEG[options.view])
        rng = seeded_rng(context.scene.seed, "camera", name)
        self.renderer = SceneRenderer(self._world, camera, scale, rng)
        self._stream = camera_stream(name, *size, options.fps)
        self._clock = SimDeviceClock(name, context.scene.seed, time.monotonic_ns())
        self._frame_id = 0

    def streams(self) -> tuple[StreamSpec, ...]:
        return (self._stream,)

    def info(self) -> dict[str, str]:
        return {**super().info(), "view": self.view, "resolution": f"{self.width}x{self.height}"}

    def pose(self) -> np.ndarray:
        """The camera's current pose (4, 4) in the base frame (m), optical axes."""
        if self.view == "head":
            return HEAD_POSE
        side = SIDES.index(self.view.removesuffix("_wrist"))
        return self._world.hand_poses()[side] @ WRIST_MOUNT

    def _poll(self, t_ns: int) -> None:
        image = self.renderer.render(self.pose())
        data = {"image": image, "frame_id": np.array(self._frame_id, dtype=np.int64)}
        self._frame_id += 1
        self._emit(self._stream.name, t_ns, data, t_device_ns=self._clock(t_ns))
