"""geometry_msgs/msg: Point, Quaternion, Pose, with the fields and defaults of their .msg."""

from dataclasses import dataclass, field


@dataclass(kw_only=True)
class Point:
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0


@dataclass(kw_only=True)
class Quaternion:
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    w: float = 1.0


@dataclass(kw_only=True)
class Pose:
    position: Point = field(default_factory=Point)
    orientation: Quaternion = field(default_factory=Quaternion)
