"""manus_ros2_msgs/msg as in the MANUS ROS 2 package (ManusGlove.msg, ManusRawNode.msg,
ManusErgonomics.msg): same field names, types and defaults; no header."""

from dataclasses import dataclass, field

from geometry_msgs.msg import Pose, Quaternion


@dataclass(kw_only=True)
class ManusErgonomics:
    type: str = ""
    value: float = 0.0


@dataclass(kw_only=True)
class ManusRawNode:
    node_id: int = 0
    parent_node_id: int = 0
    joint_type: str = ""
    chain_type: str = ""
    pose: Pose = field(default_factory=Pose)


@dataclass(kw_only=True)
class ManusGlove:
    glove_id: int = 0
    side: str = ""
    raw_node_count: int = 0
    raw_nodes: list[ManusRawNode] = field(default_factory=list)
    ergonomics_count: int = 0
    ergonomics: list[ManusErgonomics] = field(default_factory=list)
    raw_sensor_orientation: Quaternion = field(default_factory=Quaternion)
    raw_sensor_count: int = 0
    raw_sensor: list[Pose] = field(default_factory=list)
