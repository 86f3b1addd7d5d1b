"""Calibration profiles: versioned JSON files per station and per operator.

A station profile holds what belongs to the rig: tracker roles by serial, each tracker's
mount on the wrist, the tracker-to-robot registration with its residual, and each tactile
sensor's last tare. An operator profile holds what belongs to a person: each hand's glove
range of motion and keypoint mapping. Files are validated on load (unknown keys, bad values,
wrong version: the file, the field and the fix), written atomically, snapshotted into every
episode's metadata (:func:`snapshot`), and compared field by field (:func:`diff`) so a change
can be shown before it is saved.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from app.validation import describe_errors, rigid_transform
from recorder.episode_id import slug
from recorder.metadata import utc_now_iso

PROFILE_VERSION = 1
IDENTITY = np.eye(4).tolist()


class ProfileError(ValueError):
    """A profile file cannot be used; the message names the file, field and fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrackerRole(_Strict):
    """A VIVE tracker by serial, the wrist it sits on, and its mount (T_tracker_wrist, m)."""

    serial: str = Field(pattern=r"^[A-Z]{3}-[0-9A-F]{8}$|^LHR-SIM[0-9A-Z]+$")
    role: Literal["left_wrist", "right_wrist"]
    tracker_to_wrist: list[list[float]] = Field(default_factory=lambda: [r[:] for r in IDENTITY])

    _rigid = field_validator("tracker_to_wrist")(rigid_transform)


class TactileTare(_Strict):
    """When a fingertip sensor was last tared and the F6 offset it removed (N, N*m)."""

    tared_utc: str
    offset: list[float] = Field(min_length=6, max_length=6)


class StationProfile(_Strict):
    """The rig's calibration (see the module docstring)."""

    version: Literal[1] = PROFILE_VERSION
    station: str = Field(min_length=1)
    robot_from_universe: list[list[float]] = Field(default_factory=lambda: [r[:] for r in IDENTITY])
    residual_mm: float | None = Field(None, ge=0.0)
    residual_deg: float | None = Field(None, ge=0.0)
    trackers: list[TrackerRole] = Field(default_factory=list)
    tactile: dict[str, TactileTare] = Field(default_factory=dict)
    updated_utc: str = Field(default_factory=utc_now_iso)

    _rigid = field_validator("robot_from_universe")(rigid_transform)

    @model_validator(mode="after")
    def _one_tracker_per_role(self) -> StationProfile:
        roles = [t.role for t in self.trackers]
        serials = [t.serial for t in self.trackers]
        if len(set(roles)) != len(roles):
            raise ValueError("two trackers have the same role: give each wrist one tracker")
        if len(set(serials)) != len(serials):
            raise ValueError("a tracker serial appears twice: each tracker has one role")
        return self


class GloveCalibration(_Strict):
    """One hand's range of motion (20 Manus ergonomics angles, deg, lower < upper) and the
    keypoint mapping (human -> robot hand scale, wrist keypoint to flange offset in m)."""

    lower_deg: list[float] = Field(min_length=20, max_length=20)
    upper_deg: list[float] = Field(min_length=20, max_length=20)
    keypoint_scale: float = Field(1.0, gt=0.3, lt=3.0)
    keypoint_offset_m: float = Field(0.045, ge=-0.2, le=0.2)
    captured_utc: str = Field(default_factory=utc_now_iso)

    @model_validator(mode="after")
    def _ordered(self) -> GloveCalibration:
        if not all(lo < hi for lo, hi in zip(self.lower_deg, self.upper_deg, strict=True)):
            raise ValueError("every lower_deg must be below its upper_deg: capture again")
        return self


class OperatorProfile(_Strict):
    """A person's calibration (see the module docstring)."""

    version: Literal[1] = PROFILE_VERSION
    operator: str = Field(min_length=1)
    gloves: dict[Literal["left", "right"], GloveCalibration] = Field(default_factory=dict)
    updated_utc: str = Field(default_factory=utc_now_iso)


Profile = TypeVar("Profile", StationProfile, OperatorProfile)


def profile_path(folder: str | Path, kind: type[Profile], name: str) -> Path:
    """``<folder>/station-<slug>.json`` or ``<folder>/operator-<slug>.json``."""
    prefix = "station" if kind is StationProfile else "operator"
    return Path(folder) / f"{prefix}-{slug(name)}.json"


def load_profile(path: str | Path, kind: type[Profile]) -> Profile:
    """Read and validate a profile; ProfileError naming the file, field and fix."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    if isinstance(data, dict) and data.get("version", PROFILE_VERSION) != PROFILE_VERSION:
        raise ProfileError(
            f"{path}: version: {data.get('version')!r} is not a version this software reads "
            f"(fix: {PROFILE_VERSION}, or calibrate again)"
        )
    try:
        return kind.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(describe_errors(str(path), exc, what="profile")) from None


def save_profile(folder: str | Path, profile: StationProfile | OperatorProfile) -> Path:
    """Write atomically (temporary file renamed over the old one); returns the path."""
    name = profile.station if isinstance(profile, StationProfile) else profile.operator
    path = profile_path(folder, type(profile), name)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped = profile.model_copy(update={"updated_utc": utc_now_iso()})
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(stamped.model_dump(mode="json"), indent=1))
    os.replace(tmp, path)
    return path


def snapshot(station: StationProfile | None, operator: OperatorProfile | None) -> dict[str, Any]:
    """The profiles in force, as plain JSON for an episode's ``calibration`` metadata."""
    return {
        "station": None if station is None else station.model_dump(mode="json"),
        "operator": None if operator is None else operator.model_dump(mode="json"),
    }


def diff(old: BaseModel, new: BaseModel) -> list[str]:
    """Readable changes from ``old`` to ``new``: ``field.path: old -> new``, one per line
    (``updated_utc`` left out)."""
    lines: list[str] = []
    _diff(old.model_dump(mode="json"), new.model_dump(mode="json"), "", lines)
    return [line for line in lines if not line.startswith("updated_utc")]


def _diff(old: Any, new: Any, where: str, lines: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            path = f"{where}.{key}" if where else str(key)
            if key not in old:
                lines.append(f"{path}: added {_short(new[key])}")
            elif key not in new:
                lines.append(f"{path}: removed (was {_short(old[key])})")
            else:
                _diff(old[key], new[key], path, lines)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            _diff(a, b, f"{where}[{i}]", lines)
    elif old != new:
        lines.append(f"{where}: {_short(old)} -> {_short(new)}")


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
