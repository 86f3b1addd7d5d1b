"""Episode metadata: what was recorded, by whom, how, and how it went.

Stored as the attributes of the episode's zarr group (``model_dump(mode="json")``), so any
zarr v3 reader sees it as plain JSON. ``schema_version`` changes whenever a field changes
meaning or is removed; readers refuse versions they do not know.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from recorder.episode_id import is_episode_id

SCHEMA_VERSION = 1

Outcome = Literal["success", "failure", "discarded"]
Status = Literal["recording", "complete", "recovered"]


def utc_now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds and an explicit ``+00:00`` offset."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class StreamInfo(BaseModel):
    """One recorded stream: device family, nominal rate (Hz) and rows written."""

    model_config = ConfigDict(extra="forbid")

    family: str
    rate_hz: float = Field(gt=0)
    count: int = Field(default=0, ge=0)


class EpisodeMetadata(BaseModel):
    """Everything about one episode except its samples.

    ``outcome`` stays None until an operator labels the episode. ``start_utc``/``end_utc`` are
    ISO 8601 with an offset, set by the writer when recording starts and stops;
    ``start_monotonic_ns`` is the station's monotonic clock read at ``start_utc``, which maps
    every sample time of the episode to UTC. ``status`` is
    ``recording`` while the writer runs (and after a crash, until recovery), ``complete`` after
    a clean stop, ``recovered`` after recovery finalised an interrupted episode. ``drops``
    counts, per stream, samples the recorder received but did not write (queue overflow,
    malformed data, stream not declared at start). ``devices`` maps a device name to its
    ``Device.info()`` (backend, serials, SDK versions).
    """

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = SCHEMA_VERSION
    episode_id: str
    primitive: str
    object: str
    instruction: str = ""
    operator: str
    station: str
    outcome: Outcome | None = None
    notes: str = ""
    start_utc: str | None = None
    start_monotonic_ns: int | None = None
    end_utc: str | None = None
    status: Status = "recording"
    config: dict[str, JsonValue] = Field(default_factory=dict)
    calibration: dict[str, JsonValue] = Field(default_factory=dict)
    software_version: str = ""
    devices: dict[str, dict[str, JsonValue]] = Field(default_factory=dict)
    drops: dict[str, int] = Field(default_factory=dict)
    streams: dict[str, StreamInfo] = Field(default_factory=dict)

    @field_validator("episode_id")
    @classmethod
    def _path_safe_id(cls, value: str) -> str:
        if not is_episode_id(value):
            raise ValueError(f"{value!r} is not an episode id (see recorder.episode_id)")
        return value

    @field_validator("start_utc", "end_utc")
    @classmethod
    def _iso_with_offset(cls, value: str | None) -> str | None:
        if value is not None and datetime.fromisoformat(value).utcoffset() is None:
            raise ValueError(f"{value!r} has no UTC offset")
        return value
