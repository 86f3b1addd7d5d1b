"""Backends by family and name, imported only when a configuration selects them.

A backend is a :class:`~devices.device.Device` subclass with a nested pydantic ``Options``
model (``extra="forbid"``) and the constructor ``(name, options, context)``. Real SDK
backends register here by module path, so their SDKs are imported only when used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from devices.device import Device
from devices.sample import Sample
from devices.sim.scene import SceneSpec

BACKENDS: dict[str, dict[str, str]] = {
    "glove": {
        "sim": "devices.sim.glove:SimGlove",
        "replay": "devices.replay:ReplayGlove",
        "ros2": "devices.manus.ros2_glove:Ros2Glove",
        "zmq": "devices.manus.zmq_glove:ZmqGlove",
    },
    "tracker": {
        "sim": "devices.sim.tracker:SimTracker",
        "replay": "devices.replay:ReplayTracker",
        "openvr": "devices.vive.openvr_tracker:OpenVRTracker",
        "zmq": "devices.vive.zmq_tracker:ZmqTracker",
    },
    "camera": {
        "sim": "devices.sim.camera:SimCamera",
        "replay": "devices.replay:ReplayCamera",
        "zed": "devices.zed.zed_camera:ZedCamera",
        "zmq": "devices.zed.zmq_camera:ZmqCamera",
    },
    "hand": {"sim": "devices.sim.hand:SimHand"},
    "tactile": {"sim": "devices.sim.tactile:SimTactile", "replay": "devices.replay:ReplayTactile"},
    "body": {"sim": "devices.sim.body:SimBody"},
}
"""family -> backend name -> "module:Class"."""

FAMILIES = tuple(BACKENDS)


class UnknownBackend(LookupError):
    """The configuration names a family or backend that does not exist."""


@dataclass
class BuildContext:
    """What backends may share within one process.

    ``robot_from_universe`` is the 4x4 transform from the tracking universe to the robot base
    frame (m) in force; sim trackers use it to express the scripted operator's wrists in the
    universe frame. ``scene`` is the simulated scene. ``latest(stream)`` returns the newest
    sample the station has of a stream (or None): sim sensors read the robot's measured state
    from it. ``shared`` holds per-process singletons (the simulated world, the scripted
    operator) created on first use by the sim backends.
    """

    scene: SceneSpec = field(default_factory=SceneSpec)
    robot_from_universe: np.ndarray = field(default_factory=lambda: np.eye(4))
    latest: Callable[[str], Sample | None] = lambda stream: None
    shared: dict[str, Any] = field(default_factory=dict)


def backend_class(family: str, backend: str) -> type[Device]:
    """Import and return the class for ``family``/``backend``."""
    if family not in BACKENDS:
        raise UnknownBackend(f"unknown device family {family!r}; known: {', '.join(FAMILIES)}")
    known = BACKENDS[family]
    if backend not in known:
        raise UnknownBackend(
            f"unknown {family} backend {backend!r}; known: {', '.join(sorted(known))}"
        )
    module_name, _, class_name = known[backend].partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def build_device(
    family: str, backend: str, name: str, options: Mapping[str, Any], context: BuildContext
) -> Device:
    """Validate ``options`` against the backend's Options model and construct the device.

    Raises UnknownBackend, or pydantic.ValidationError naming the bad option.
    """
    cls = backend_class(family, backend)
    return cls(name, cls.Options.model_validate(dict(options)), context)
