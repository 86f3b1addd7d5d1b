"""Typed station configuration loaded from TOML.

Every error names the file, the field (dotted path) and how to fix it. Device tables are
``[devices.<name>]`` with ``family`` and ``backend``; every other key there is validated by
that backend's own ``Options`` model, so unknown keys are rejected wherever they appear.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from app.validation import describe_errors, dotted, rigid_transform
from devices.registry import FAMILIES, UnknownBackend, backend_class
from devices.sim.scene import SceneSpec

DEFAULT_CONFIG = "default_station.toml"

UNIVERSE_TO_BASE = (
    (0.0, 0.0, -1.0, 0.0),
    (-1.0, 0.0, 0.0, 0.0),
    (0.0, 1.0, 0.0, 0.0),
    (0.0, 0.0, 0.0, 1.0),
)
"""Default T_base_universe: OpenVR standing (+y up, -z forward) to robot base (z up, x fwd)."""


class ConfigError(ValueError):
    """A configuration file is malformed; the message names file, field and fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StationSection(_Strict):
    """Who this station is."""

    name: str = Field("sim-station", min_length=1, description="station name in metadata")
    sensor_process: bool = Field(
        True,
        description="run sensor devices (gloves, trackers, cameras, tactile) in their own "
        "process, off the UI's GIL",
    )


class ControlSection(_Strict):
    """The fixed-rate control loop and its safety rules."""

    rate_hz: float = Field(200.0, ge=10.0, le=1000.0, description="tick rate")
    stale_after_ms: float = Field(100.0, gt=0.0, description="input age that holds the robot")
    resume_after_ms: float = Field(200.0, ge=0.0, description="fresh input needed to resume")
    engage_s: float = Field(2.0, gt=0.0, description="blend time from measured to target")
    realtime: bool = Field(True, description="ask for SCHED_FIFO; falls back and says so")
    realtime_priority: int = Field(50, ge=1, le=99)
    spin_us: float = Field(300.0, ge=0.0, description="busy-wait before each deadline")
    required_inputs: list[str] = Field(
        default_factory=lambda: ["glove_left", "glove_right", "tracker_left", "tracker_right"],
        description="streams whose staleness holds the robot",
    )
    joint_margin_rad: float = Field(0.02, ge=0.0, description="keep this far inside limits")


class RetargetingSection(_Strict):
    """How the operator's wrists and hands map onto the robot (m, rad, base frame)."""

    position_scale: float = Field(1.0, gt=0.0, le=5.0, description="wrist motion scale")
    hand_input: Literal["keypoints", "ergonomics"] = Field(
        "keypoints", description="fingertip retargeting from the glove skeleton, or joint map"
    )
    keypoint_layout: Literal["manus", "openxr"] = "manus"
    hand_scale: float = Field(1.0, gt=0.3, lt=3.0, description="human -> robot hand size")
    hand_offset_m: float = Field(0.045, ge=-0.2, le=0.2, description="wrist keypoint to flange")
    flange: list[list[float]] = Field(
        default_factory=lambda: np.eye(4).tolist(),
        description="hand flange pose in L_ee / R_ee (4x4)",
    )
    filter: bool = Field(True, description="One-Euro smoothing of wrists and fingertips")
    collision_margin_m: float = Field(0.02, ge=0.0, le=0.2)
    workspace_lower_m: tuple[float, float, float] = (0.10, -0.60, 0.85)
    workspace_upper_m: tuple[float, float, float] = (0.85, 0.60, 1.45)

    _flange_rigid = field_validator("flange")(rigid_transform)

    @model_validator(mode="after")
    def _box(self) -> RetargetingSection:
        pairs = zip(self.workspace_lower_m, self.workspace_upper_m, strict=True)
        if not all(lo < hi for lo, hi in pairs):
            raise ValueError("workspace_lower_m must be below workspace_upper_m on every axis")
        return self


def _default_profiles() -> str:
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return str(Path(config) / "dexstation" / "profiles")


class CalibrationSection(_Strict):
    """Where the calibration profiles live, and the tracker-to-robot transform in force
    until this station's profile gives one (m, row-major 4x4)."""

    profiles_dir: str = Field(
        default_factory=_default_profiles,
        description="folder of the station and operator calibration profiles",
    )
    robot_from_universe: list[list[float]] = Field(
        default_factory=lambda: [list(r) for r in UNIVERSE_TO_BASE]
    )

    _robot_from_universe_rigid = field_validator("robot_from_universe")(rigid_transform)


def _default_spool() -> str:
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return str(Path(cache) / "dexstation" / "spool")


class CurriculumSection(_Strict):
    """The curriculum checklist the station shows and counts against."""

    path: str = Field("", description="curriculum TOML (empty: the packaged T-Rex curriculum)")
    refresh_s: float = Field(
        30.0, gt=0.0, description="how often other stations' episodes are counted in"
    )


class DatasetSection(_Strict):
    """Where episodes go: a folder, or an S3-compatible object store shared by stations."""

    root: str = Field(
        "data", description="dataset folder (relative to the cwd) or s3://bucket/prefix"
    )
    endpoint_url: str = Field(
        "", description="S3-compatible server for an s3:// root (empty: AWS or AWS_ENDPOINT_URL)"
    )
    spool: str = Field(
        default_factory=_default_spool,
        description="folder where episodes for an s3:// root are recorded before upload",
    )
    upload_wait_s: float = Field(
        60.0, ge=0.0, description="how long stopping the station waits for pending uploads"
    )

    @field_validator("root")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme, sep, _ = value.partition("://")
        if sep and scheme not in ("s3", "file"):
            raise ValueError(f"unsupported scheme {scheme!r}: use a folder or s3://bucket/prefix")
        return value


def _default_preferences() -> str:
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return str(Path(config) / "dexstation" / "operators")


UiAction = Literal[
    "estop",
    "engage",
    "disengage",
    "record",
    "success",
    "failure",
    "discard",
    "next",
    "clutch",
    "raw",
    "baseline",
    "align",
]
"""Operator actions that keys (and foot pedals, which type keys) trigger."""
UI_ACTIONS: tuple[str, ...] = get_args(UiAction)


class UISection(_Strict):
    """The operator window: extra keys per action (foot pedals) and where layouts are kept."""

    keys: dict[UiAction, list[str]] = Field(
        default_factory=dict,
        description='extra keys per action, Qt key names, e.g. record = ["F13"] for a pedal',
    )
    operator: str = Field("", description="operator preselected in the window")
    robot_view: Literal["auto", "3d", "2d"] = Field(
        "auto", description="3D robot view on hardware OpenGL (auto), always, or never"
    )
    preferences_dir: str = Field(
        default_factory=_default_preferences,
        description="folder of the per-operator window layouts and preferences",
    )


class DeviceEntry(_Strict):
    """One device: its family, backend and the backend's own options."""

    model_config = ConfigDict(extra="allow")

    family: str
    backend: str = "sim"

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class StationConfig(_Strict):
    """The whole station configuration."""

    station: StationSection = Field(default_factory=StationSection)
    control: ControlSection = Field(default_factory=ControlSection)
    retargeting: RetargetingSection = Field(default_factory=RetargetingSection)
    calibration: CalibrationSection = Field(default_factory=CalibrationSection)
    dataset: DatasetSection = Field(default_factory=DatasetSection)
    curriculum: CurriculumSection = Field(default_factory=CurriculumSection)
    ui: UISection = Field(default_factory=UISection)
    sim: SceneSpec = Field(default_factory=SceneSpec)
    devices: dict[str, DeviceEntry] = Field(default_factory=dict)

    def devices_of(self, family: str) -> dict[str, DeviceEntry]:
        return {name: d for name, d in self.devices.items() if d.family == family}


def simulated(config: StationConfig) -> StationConfig:
    """The same station with every device on its simulated backend."""
    data = config.model_dump()
    for entry in data["devices"].values():
        entry["backend"] = "sim"
    return StationConfig.model_validate(data)


def _validate_devices(source: str, config: StationConfig) -> None:
    for name, entry in config.devices.items():
        where = ("devices", name)
        try:
            cls = backend_class(entry.family, entry.backend)
        except UnknownBackend as exc:
            field = "family" if entry.family not in FAMILIES else "backend"
            raise ConfigError(f"{source}: {dotted((*where, field))}: {exc}") from None
        except ImportError as exc:
            raise ConfigError(
                f"{source}: {dotted(where)}: backend {entry.backend!r} cannot be imported ({exc}); "
                f'install its extra or choose backend = "sim"'
            ) from None
        try:
            options = cls.Options.model_validate(entry.options)
        except ValidationError as exc:
            raise ConfigError(describe_errors(source, exc, where)) from None
        if (
            entry.family == "glove"
            and config.retargeting.hand_input == "keypoints"
            and "skeleton" in cls.Options.model_fields
            and not options.skeleton
        ):
            raise ConfigError(
                f"{source}: {dotted((*where, 'skeleton'))}: retargeting.hand_input is "
                '"keypoints", which needs the glove skeleton (fix: set skeleton = true, or '
                'retargeting.hand_input = "ergonomics")'
            )


def parse_config(data: Mapping[str, Any], source: str = "<config>") -> StationConfig:
    """Validate a configuration mapping; ``source`` names its origin in error messages."""
    try:
        config = StationConfig.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(describe_errors(source, exc)) from None
    _validate_devices(source, config)
    return config


def load_config(path: str | Path | None = None) -> StationConfig:
    """Load and validate ``path``, or the packaged simulated-station config when None."""
    if path is None:
        text = resources.files("app").joinpath(DEFAULT_CONFIG).read_text()
        source = f"<packaged {DEFAULT_CONFIG}>"
    else:
        p = Path(path)
        source = str(p)
        try:
            text = p.read_text()
        except OSError as exc:
            raise ConfigError(f"{source}: cannot read ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    return parse_config(data, source)
