"""Manus glove from the MANUS ROS 2 node (``manus_data_publisher``), backend ``ros2``.

The node publishes ``manus_ros2_msgs/msg/ManusGlove`` on ``/manus_glove_N``, numbering the
gloves in the order Manus Core lists them (so N says nothing about the side: the message's
``side``, ``"Left"`` or ``"Right"``, is checked against the configured one). Each message
carries ``ergonomics[]`` as ``{type, value}`` pairs (deg; type names such as
``ThumbMCPSpread`` or ``IndexSpread``) and ``raw_nodes[]``, the raw skeleton in the SDK's
coordinate system. The released message has no header, so no publish time: the capture time
is the arrival time minus ``latency_s``. rclpy and the message package come from a sourced
ROS 2 installation and are imported only when connecting.
"""

from __future__ import annotations

import re
import time
from typing import Any, Literal

import numpy as np
from pydantic import Field

from devices.errors import DeviceError
from devices.gloves import FINGERS
from devices.hardware import import_sdk
from devices.manus import raw_skeleton
from devices.manus.glove_device import GloveReading, ManusGlove, ManusGloveOptions
from devices.registry import BuildContext

ROS_FIX = (
    "rclpy ships with ROS 2, not with pip: source /opt/ros/<distro>/setup.bash (a distro built "
    "for this Python, e.g. Jazzy for 3.12) before starting dexstation"
)
MESSAGES_FIX = (
    "build the MANUS ROS 2 packages (manus_ros2, manus_ros2_msgs) with colcon and source "
    "<workspace>/install/setup.bash"
)
QUEUE_DEPTH = 10
"""Subscription history depth, as the publisher's (QoS depth 10)."""

ERGONOMICS_TYPES = tuple(
    name
    for finger in (f.capitalize() for f in FINGERS)
    for name in (
        f"{finger}MCPSpread" if finger == "Thumb" else f"{finger}Spread",
        f"{finger}MCPStretch",
        f"{finger}PIPStretch",
        f"{finger}DIPStretch",
    )
)
"""The publisher's ``ManusErgonomics.type`` names in MANUS_ERGONOMICS order."""


def ergonomics_of(message: Any) -> np.ndarray:
    """The message's ergonomics (20,) float32 deg in MANUS_ERGONOMICS order, NaN for a type
    it did not send."""
    values = {entry.type: entry.value for entry in message.ergonomics}
    return np.array([values.get(name, np.nan) for name in ERGONOMICS_TYPES], dtype=np.float32)


def publish_time_ns(message: Any) -> int | None:
    """The message's ``header.stamp`` (Unix ns) when its definition has a header (builds of
    the package that add one), else None."""
    stamp = getattr(getattr(message, "header", None), "stamp", None)
    return None if stamp is None else stamp.sec * 1_000_000_000 + stamp.nanosec


class Ros2Glove(ManusGlove):
    """One glove's ``ManusGlove`` topic, subscribed from a private rclpy context whose
    executor is spun on the device's worker thread."""

    backend = "ros2"
    SDK_MODULES = (("rclpy", ROS_FIX), ("manus_ros2_msgs.msg", MESSAGES_FIX))

    class Options(ManusGloveOptions):
        topic: str = Field(
            "/manus_glove_0", pattern=r"^/?[A-Za-z_][A-Za-z0-9_/]*$", description="ManusGlove topic"
        )
        latency_s: float = Field(
            0.01,
            ge=0.0,
            description="age of the data on arrival (s): the publisher republishes the SDK's "
            "newest data on a 60 Hz timer",
        )
        skeleton_handedness: Literal["left", "right"] = Field(
            "left", description="handedness of the coordinate system the publisher uses"
        )

    def __init__(self, name: str, options: Options, context: BuildContext) -> None:
        super().__init__(name, options, latency_s=options.latency_s)
        self.options: Ros2Glove.Options = options
        self._context: Any = None
        self._node: Any = None
        self._executor: Any = None
        self._executors: Any = None
        self._inbox: list[tuple[int, Any]] = []

    def source(self) -> str:
        return self.options.topic

    def _silence_fix(self) -> str:
        return (
            "start the MANUS node (ros2 run manus_ros2 manus_data_publisher) with the glove "
            f"connected, check `ros2 topic echo {self.options.topic}` and ROS_DOMAIN_ID"
        )

    def _connect(self) -> None:
        rclpy = import_sdk("rclpy", ROS_FIX)
        contexts = import_sdk("rclpy.context", ROS_FIX)
        executors = self._executors = import_sdk("rclpy.executors", ROS_FIX)
        signals = import_sdk("rclpy.signals", ROS_FIX)
        messages = import_sdk("manus_ros2_msgs.msg", MESSAGES_FIX)
        self._context = contexts.Context()
        try:
            rclpy.init(
                args=[],
                context=self._context,
                signal_handler_options=signals.SignalHandlerOptions.NO,
            )
            self._node = rclpy.create_node(_node_name(self.name), context=self._context)
            self._node.create_subscription(
                messages.ManusGlove, self.options.topic, self._on_message, QUEUE_DEPTH
            )
            self._executor = executors.SingleThreadedExecutor(context=self._context)
            self._executor.add_node(self._node)
        except RuntimeError as exc:  # rclpy's RCLError is a RuntimeError
            raise DeviceError(
                f"ROS 2 failed to start ({exc}); fix: check the ROS 2 installation "
                "(RMW_IMPLEMENTATION, ROS_DOMAIN_ID)"
            ) from exc

    def _on_message(self, message: Any) -> None:
        self._inbox.append((time.monotonic_ns(), message))

    def _receive(self, wait_s: float) -> list[GloveReading]:
        try:
            self._executor.spin_once(timeout_sec=wait_s)
        except self._executors.ExternalShutdownException as exc:
            raise DeviceError(
                "the ROS 2 context was shut down; fix: nothing, the glove reconnects"
            ) from exc
        inbox, self._inbox = self._inbox, []
        return [self._reading(t_arrival_ns, message) for t_arrival_ns, message in inbox]

    def _reading(self, t_arrival_ns: int, message: Any) -> GloveReading:
        if message.side.lower() != self.side:
            raise DeviceError(
                f"{self.options.topic} carries the {message.side!r} glove (id "
                f"{message.glove_id}), not the {self.side} one; fix: set topic to the other "
                "/manus_glove_N (the node numbers gloves in the order Manus Core lists them)"
            )
        position = orientation = None
        if self.options.skeleton:
            position, orientation = raw_skeleton.in_wrist_frame(
                *raw_skeleton.arrays_from_nodes(message.raw_nodes),
                left_handed=self.options.skeleton_handedness == "left",
            )
        return GloveReading(
            t_arrival_ns,
            message.glove_id,
            ergonomics_of(message),
            position,
            orientation,
            t_device_ns=publish_time_ns(message),
        )

    def _disconnect(self) -> None:
        if self._executor is not None:
            self._executor.shutdown()
        if self._node is not None:
            self._node.destroy_node()
        if self._context is not None:
            self._context.try_shutdown()
        self._context = self._node = self._executor = None
        self._inbox = []


def _node_name(device: str) -> str:
    """A valid ROS node name for device ``device`` (letters, digits and underscores)."""
    return "dexstation_" + re.sub(r"\W", "_", device)
