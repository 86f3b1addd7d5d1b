"""Write a kinematic URDF of a Pinocchio model built in code (or reduced from a URDF).

The URDF has the same structure Pinocchio's own URDF parser produces, so parsing it back gives
the same kinematics and frame names:

- each revolute joint becomes a URDF joint of the same name; its child link is the BODY frame
  attached to that joint with an identity placement (the one whose parent frame is the joint's
  JOINT frame first), or a new ``{joint}_link`` if the model has none;
- the root link is the BODY frame at the world origin whose parent frame is ``universe``
  (a new ``base_link`` if there is none);
- a FIXED_JOINT frame becomes a fixed joint of the same name; its child link is the BODY frame
  hanging from it at the same placement (as the parser builds them), or a new ``{name}_link``;
- every other frame (OP_FRAME, SENSOR, a BODY frame off its joint's origin, ...) becomes an
  empty link of the same name under its parent frame's link, attached by a fixed joint
  ``{name}_joint``; e.g. the OP frame ``right_index_fingertip`` becomes the link
  ``right_index_fingertip``, so tools that only know links (dex-retargeting, viewers) see it.

A frame whose parent frame is unusable (itself, another joint's frame, or a cycle, as
``pin.buildReducedModel`` leaves for the frames of locked joints) hangs from its joint's
link instead: the kinematics are exact, only that branch of the frame tree is flattened.

Joint origins are xyz (m) + rpy (rad, URDF convention) relative to the parent link, axes unit
vectors in the joint frame, limits from the model (rad, rad/s, N m; infinite limits are written
as the largest finite double). Links carry a small placeholder inertial and no geometry.
Only revolute joints (RX, RY, RZ, RevoluteUnaligned) are supported.
"""

from __future__ import annotations

import math
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pinocchio as pin

PLACEHOLDER_MASS_KG = 1e-3
"""Mass written on every link so that parsers and simulators accept it (kg)."""
PLACEHOLDER_INERTIA_KGM2 = 1e-6
"""Principal moments of inertia written on every link (kg m^2), about the link origin."""

_AXES = {
    "JointModelRX": (1.0, 0.0, 0.0),
    "JointModelRY": (0.0, 1.0, 0.0),
    "JointModelRZ": (0.0, 0.0, 1.0),
}
_PLACEMENT_TOL = 1e-12


@dataclass
class _Link:
    """A URDF link: the frame it stands for, in the frame of Pinocchio joint ``joint``."""

    name: str
    joint: int
    placement: pin.SE3
    source: int | None = None
    """Model frame whose parent frame gives the link's parent (links fixed to another)."""
    fixed_joint: str | None = None
    """Name of the fixed joint attaching the link to ``parent``."""
    parent: int | None = None
    """Index of the parent link in the link list, for links attached by a fixed joint."""


@dataclass
class _Tree:
    """The URDF links, and which link stands for each joint's body and each model frame."""

    links: list[_Link]
    joint_link: dict[int, int]
    """Link of each joint's body (joint 0: the root link), by joint index."""
    frame_link: dict[int, int]
    """Link each model frame belongs to, by frame index."""
    joint_frame: dict[int, int]
    """JOINT frame of each joint that has one, by joint index."""


def model_to_urdf(model: pin.Model, robot_name: str) -> str:
    """URDF text (kinematics, limits, placeholder inertials) of ``model``, named ``robot_name``.

    Raises ValueError for a joint that is not revolute (the message names it), for a NaN
    joint limit, and for two links or two joints that would get the same name.
    """
    axes = {j: _axis(model, j) for j in range(1, model.njoints)}
    tree = _tree(model)
    links = tree.links
    _check_unique("link", [link.name for link in links])
    fixed_names = [link.fixed_joint for link in links if link.fixed_joint is not None]
    _check_unique("joint", [model.names[j] for j in axes] + fixed_names)

    robot = ET.Element("robot", name=robot_name)
    for j in range(model.njoints):
        body = links[tree.joint_link[j]]
        if j > 0:
            parent = links[_joint_parent(model, tree, j)]
            robot.append(_revolute_joint(model, j, axes[j], parent, body))
        robot.append(_link_element(body.name))
        fixed = [link for link in links if link.joint == j and link.parent is not None]
        for link in sorted(fixed, key=lambda link: link.source or 0):
            parent = links[link.parent or 0]
            origin = parent.placement.actInv(link.placement)
            robot.append(_link_element(link.name))
            robot.append(_fixed_joint(link.fixed_joint or "", parent.name, link.name, origin))
    ET.indent(robot)
    return '<?xml version="1.0"?>\n' + ET.tostring(robot, encoding="unicode") + "\n"


def _axis(model: pin.Model, j: int) -> tuple[float, float, float]:
    """Unit axis of revolute joint ``j`` in its own frame; ValueError for other joint types."""
    joint = model.joints[j]
    kind = joint.shortname()
    if kind in _AXES:
        return _AXES[kind]
    if kind == "JointModelRevoluteUnaligned":
        axis = np.asarray(joint.extract().axis, dtype=float)
        x, y, z = axis / np.linalg.norm(axis)
        return float(x), float(y), float(z)
    raise ValueError(
        f"joint {model.names[j]!r} is a {kind}; only revolute joints "
        "(RX, RY, RZ, RevoluteUnaligned) can be exported to URDF"
    )


def _same(a: pin.SE3, b: pin.SE3) -> bool:
    return float(np.abs(a.homogeneous - b.homogeneous).max()) <= _PLACEMENT_TOL


def _tree(model: pin.Model) -> _Tree:
    frames = model.frames
    used = {f.name for f in frames} | set(model.names)
    tree = _Tree([], {}, {}, {})
    for i, f in enumerate(frames):
        if f.type == pin.FrameType.JOINT and f.parentJoint > 0:
            tree.joint_frame.setdefault(f.parentJoint, i)

    def free_body(i: int, joint: int, placement: pin.SE3) -> bool:
        f = frames[i]
        return (
            i not in tree.frame_link
            and f.type == pin.FrameType.BODY
            and f.parentJoint == joint
            and _same(f.placement, placement)
        )

    def add(link: _Link, *frame_ids: int) -> int:
        tree.links.append(link)
        for i in frame_ids:
            tree.frame_link[i] = len(tree.links) - 1
        return len(tree.links) - 1

    # The root link and each joint's link: a BODY frame at the joint origin, preferably the
    # one hanging from the joint's JOINT frame (from universe, frame 0, for the root).
    for j in range(model.njoints):
        owners = [0] if j == 0 else [tree.joint_frame[j]] if j in tree.joint_frame else []
        bodies = [i for i in range(1, len(frames)) if free_body(i, j, pin.SE3.Identity())]
        bodies = [i for i in bodies if frames[i].parentFrame in owners] or bodies
        if bodies:
            link = _Link(frames[bodies[0]].name, j, pin.SE3.Identity())
            tree.joint_link[j] = add(link, bodies[0], *owners)
        else:
            name = _unique("base_link" if j == 0 else f"{model.names[j]}_link", used)
            tree.joint_link[j] = add(_Link(name, j, pin.SE3.Identity()), *owners)

    # FIXED_JOINT frames: a fixed joint of that name, whose child is the BODY frame hanging
    # from it at the same placement (as the URDF parser builds them) or a new link.
    for i in range(1, len(frames)):
        f = frames[i]
        if f.type != pin.FrameType.FIXED_JOINT or i in tree.frame_link:
            continue
        children = (
            k
            for k in range(len(frames))
            if frames[k].parentFrame == i and free_body(k, f.parentJoint, f.placement)
        )
        child = next(children, None)
        if child is None:
            link = _Link(_unique(f"{f.name}_link", used), f.parentJoint, f.placement.copy(), i)
            add(link, i)
        else:
            link = _Link(frames[child].name, f.parentJoint, frames[child].placement.copy(), i)
            add(link, i, child)
        link.fixed_joint = f.name

    # Every other frame: an empty link of that name, fixed to its parent frame's link.
    for i in range(1, len(frames)):
        if i not in tree.frame_link:
            f = frames[i]
            link = _Link(f.name, f.parentJoint, f.placement.copy(), i)
            link.fixed_joint = _unique(f"{f.name}_joint", used)
            add(link, i)

    fixed = [k for k, link in enumerate(tree.links) if link.source is not None]
    for k in sorted(fixed, key=lambda k: tree.links[k].source or 0):
        tree.links[k].parent = _fixed_parent(model, tree, k)
    return tree


def _fixed_parent(model: pin.Model, tree: _Tree, index: int) -> int:
    """Parent of fixed link ``index``: the link of its source frame's parent frame when that
    is on the same joint and does not close a cycle, else the link of the joint's body."""
    links = tree.links
    link = links[index]
    fallback = tree.joint_link[link.joint]
    parent_frame = model.frames[link.source or 0].parentFrame
    candidate = tree.frame_link.get(parent_frame, index)
    if candidate == index or links[candidate].joint != link.joint:
        return fallback
    node: int | None = candidate
    while node is not None:  # the ancestors resolved so far
        if node == index:
            return fallback
        node = links[node].parent
    return candidate


def _joint_parent(model: pin.Model, tree: _Tree, j: int) -> int:
    """Parent link of joint ``j``: the link of its JOINT frame's parent frame when that is on
    the parent joint, else the link of the parent joint's body."""
    parent_joint = model.parents[j]
    if j in tree.joint_frame:
        link = tree.frame_link.get(model.frames[tree.joint_frame[j]].parentFrame)
        if link is not None and tree.links[link].joint == parent_joint:
            return link
    return tree.joint_link[parent_joint]


def _revolute_joint(
    model: pin.Model, j: int, axis: tuple[float, float, float], parent: _Link, child: _Link
) -> ET.Element:
    origin = parent.placement.actInv(model.jointPlacements[j])
    element = ET.Element("joint", name=model.names[j], type="revolute")
    _origin(element, origin)
    ET.SubElement(element, "parent", link=parent.name)
    ET.SubElement(element, "child", link=child.name)
    ET.SubElement(element, "axis", xyz=_floats(axis))
    q, v = model.joints[j].idx_q, model.joints[j].idx_v
    ET.SubElement(
        element,
        "limit",
        lower=_limit(model.lowerPositionLimit[q], model.names[j]),
        upper=_limit(model.upperPositionLimit[q], model.names[j]),
        effort=_limit(model.effortLimit[v], model.names[j]),
        velocity=_limit(model.velocityLimit[v], model.names[j]),
    )
    return element


def _fixed_joint(name: str | None, parent: str, child: str, origin: pin.SE3) -> ET.Element:
    element = ET.Element("joint", name=name or "", type="fixed")
    _origin(element, origin)
    ET.SubElement(element, "parent", link=parent)
    ET.SubElement(element, "child", link=child)
    return element


def _link_element(name: str) -> ET.Element:
    element = ET.Element("link", name=name)
    inertial = ET.SubElement(element, "inertial")
    ET.SubElement(inertial, "origin", xyz="0 0 0", rpy="0 0 0")
    ET.SubElement(inertial, "mass", value=repr(PLACEHOLDER_MASS_KG))
    moment = repr(PLACEHOLDER_INERTIA_KGM2)
    ET.SubElement(
        inertial, "inertia", ixx=moment, ixy="0", ixz="0", iyy=moment, iyz="0", izz=moment
    )
    return element


def _origin(element: ET.Element, placement: pin.SE3) -> None:
    rpy = pin.rpy.matrixToRpy(placement.rotation)
    ET.SubElement(element, "origin", xyz=_floats(placement.translation), rpy=_floats(rpy))


def _floats(values: Iterable[float]) -> str:
    return " ".join(repr(float(v) + 0.0) for v in values)  # + 0.0: no "-0.0"


def _limit(value: float, joint: str) -> str:
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"joint {joint!r} has a NaN limit")
    return repr(max(-sys.float_info.max, min(sys.float_info.max, value)))


def _unique(name: str, used: set[str]) -> str:
    candidate, k = name, 1
    while candidate in used:
        k += 1
        candidate = f"{name}_{k}"
    used.add(candidate)
    return candidate


def _check_unique(kind: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"two URDF {kind}s would be named {name!r}")
        seen.add(name)
