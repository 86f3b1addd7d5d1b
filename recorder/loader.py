"""Episodes as numpy arrays for training code: streams on a common timeline, the T-Rex 58-D
state and action and 60-D tactile force, and Sparsh-style tactile image pairs.

Resampling (:mod:`recorder.alignment`) is from each stream's own capture times: joint
positions, velocities and torques measured by the body and the hands (INTERPOLATED) vary
continuously and are linearly interpolated; everything else (commands in force, wrenches,
poses, flags, images) is held (zero-order hold). Nothing is invented: where a stream has no
value (before its first sample, past its last for interpolated streams, in a gap longer than
its age limit, or on invalid rows) float values are NaN and the stream's ``fresh`` is False.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from recorder.alignment import Resampling, stream_resampling
from recorder.episode_reader import Episode, StreamData
from recorder.trex_schema import (
    ARM_DOF,
    BODY_STREAM,
    CONTROL_STREAM,
    FINGERS,
    SIDES,
    WRENCH_AXES,
    hand_stream_name,
    tactile_stream_name,
)

INTERPOLATED = {
    "body": ("arm_position", "arm_velocity", "torso_position", "head_position"),
    "hand": ("position", "velocity", "torque"),
}
"""Family -> fields linearly interpolated; every other field is held."""
CONTACT_FREE_N = 0.5
"""A tactile frame whose F6 normal force (|Fz|, N, elastomer frame) is below this has no
contact: above the sensor's noise (about 0.02 N) and an untared offset of about 0.3 N."""
NORMAL_AXIS = WRENCH_AXES.index("Fz")
"""The elastomer frame's z axis is the pad's normal."""


def is_interpolated(stream: StreamData, field: str) -> bool:
    """Whether ``field`` of ``stream`` is linearly interpolated (else held)."""
    return field in INTERPOLATED.get(stream.spec.family, ())


def resampling(
    stream: StreamData, times_ns: np.ndarray, max_age_s: float | None = None
) -> Resampling:
    """How ``stream`` is resampled at ``times_ns``: linear when it has an interpolated field
    (then every field of the stream is missing at the same times), else hold."""
    interpolate = any(is_interpolated(stream, name) for name in stream.fields)
    return stream_resampling(stream, times_ns, interpolate, max_age_s)


def _resampled(stream: StreamData, name: str, at: Resampling) -> np.ndarray:
    values = stream.field(name)
    return at.interpolated(values) if is_interpolated(stream, name) else at.held(values)


def _jpeg_frames(stream: StreamData, name: str, at: Resampling) -> np.ndarray:
    """(T, H, W, 3) decoded frames at the timeline, each distinct row decoded once."""
    out = np.zeros((len(at.fresh), *stream.spec.fields[name].shape), np.uint8)
    rows = at.before[at.fresh]
    for row in np.unique(rows):
        out[np.flatnonzero(at.fresh)[rows == row]] = stream.frame(name, int(row))
    return out


def load_streams(
    episode: Episode,
    times_ns: np.ndarray,
    streams: Iterable[str] | None = None,
    images: bool = False,
    max_age_s: float | None = None,
) -> dict[str, np.ndarray]:
    """The episode's ``streams`` (default: all) at ``times_ns`` (ns, station clock).

    Keys ``"<stream>/<field>"``: (T, *field shape) in the field's dtype and unit (see the
    stream's spec); ``"<stream>/fresh"``: (T,) bool. Where not fresh, floats are NaN and other
    dtypes zero. Image fields (JPEG camera frames, decoded to RGB, and 2-D uint8 maps such as
    tactile DEFORM and RAW) only with ``images``. ``max_age_s`` (s) overrides every stream's
    default age limit.
    """
    out: dict[str, np.ndarray] = {}
    for name in episode.streams if streams is None else streams:
        stream = episode.stream(name)
        at = resampling(stream, times_ns, max_age_s)
        out[f"{name}/fresh"] = at.fresh
        for field, spec in stream.spec.fields.items():
            is_image = spec.encoding == "jpeg" or (spec.dtype == "uint8" and len(spec.shape) >= 2)
            if is_image and not images:
                continue
            key = f"{name}/{field}"
            if spec.encoding == "jpeg":
                out[key] = _jpeg_frames(stream, field, at)
            else:
                out[key] = _resampled(stream, field, at)
    return out


def _field_at(
    episode: Episode, stream: str, field: str, times_ns: np.ndarray, max_age_s: float | None
) -> np.ndarray:
    data = episode.stream(stream)
    return _resampled(data, field, resampling(data, times_ns, max_age_s))


def state(episode: Episode, times_ns: np.ndarray, max_age_s: float | None = None) -> np.ndarray:
    """(T, 58) float32 measured joint positions (rad) in T-Rex order: [L arm 7 | L hand 22 |
    R arm 7 | R hand 22] (``recorder.trex_schema.JOINT_NAMES``); NaN where missing."""
    arms = _field_at(episode, BODY_STREAM, "arm_position", times_ns, max_age_s)
    hands = [
        _field_at(episode, hand_stream_name(side), "position", times_ns, max_age_s)
        for side in SIDES
    ]
    return _trex_joints(arms, hands[0], hands[1])


def action(episode: Episode, times_ns: np.ndarray, max_age_s: float | None = None) -> np.ndarray:
    """(T, 58) float32 commanded joint positions (rad) sent by the control loop, held, in the
    order of :func:`state`; NaN where missing and on ticks that sent no command."""
    control = episode.stream(CONTROL_STREAM)
    at = resampling(control, times_ns, max_age_s)
    hands = at.held(control.field("hand_command"))
    return _trex_joints(at.held(control.field("arm_command")), hands[:, 0], hands[:, 1])


def _trex_joints(arms: np.ndarray, left_hand: np.ndarray, right_hand: np.ndarray) -> np.ndarray:
    parts = [arms[:, :ARM_DOF], left_hand, arms[:, ARM_DOF:], right_hand]
    return np.concatenate(parts, axis=1).astype(np.float32)


def tactile_force(
    episode: Episode, times_ns: np.ndarray, max_age_s: float | None = None
) -> np.ndarray:
    """(T, 60) float32 fingertip wrenches, held: (left, right) x (thumb .. pinky) x (Fx, Fy,
    Fz, Mx, My, Mz), N and N*m in each elastomer frame; NaN where missing and for fingertips
    the episode did not record."""
    out = np.full((len(times_ns), len(SIDES), len(FINGERS), len(WRENCH_AXES)), np.nan, np.float32)
    for i, side in enumerate(SIDES):
        for j, finger in enumerate(FINGERS):
            name = tactile_stream_name(side, finger)
            if name in episode.streams:
                out[:, i, j] = _field_at(episode, name, "f6", times_ns, max_age_s)
    return out.reshape(len(times_ns), -1)


def no_contact_row(stream: StreamData, threshold_n: float = CONTACT_FREE_N) -> int | None:
    """The row of a tactile stream's first valid frame (in capture order) whose F6 normal
    force is below ``threshold_n`` (N): the episode's no-contact baseline. None if none is."""
    normal = np.abs(stream.field("f6")[:, NORMAL_AXIS])
    calm = np.flatnonzero(stream.valid & (normal < threshold_n))
    return None if not len(calm) else int(calm[np.argmin(stream.t_capture_ns[calm])])


def background_subtracted(images: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Sparsh's input scaling of uint8 ``images`` against a no-contact ``background``:
    ``clip((image - background) / 255 + 0.5, 0, 1)``, float32 (0.5: unchanged)."""
    diff = (images.astype(np.float32) - background.astype(np.float32)) / 255.0 + 0.5
    return np.clip(diff, 0.0, 1.0)


def sparsh_pairs(
    stream: StreamData,
    kind: str = "deform",
    stride: int = 5,
    threshold_n: float = CONTACT_FREE_N,
) -> tuple[np.ndarray, np.ndarray]:
    """Sparsh-style inputs from a tactile stream's ``kind`` images ("deform" or "raw").

    Each valid frame, background-subtracted against the no-contact baseline
    (:func:`no_contact_row`, :func:`background_subtracted`), is paired with the valid frame
    ``stride`` samples (by ``seq``) before it, the two concatenated on the channel axis:
    returns (M, 2, H, W) float32 (older first) and (M, 2) int64 rows of the two frames, in
    capture order of the later one. A pair whose older frame was never received or is
    invalid is left out. ValueError when no frame is free of contact.
    """
    base = no_contact_row(stream, threshold_n)
    if base is None:
        raise ValueError(
            f"{stream.path}: no valid frame with |Fz| < {threshold_n} N to use as the "
            "no-contact baseline (untared sensor, or contact all along)"
        )
    rows = np.flatnonzero(stream.valid)
    by_seq = rows[np.argsort(stream.seq[rows], kind="stable")]
    seqs = stream.seq[by_seq]
    wanted = seqs - stride
    found = np.searchsorted(seqs, wanted)
    has = (found < len(seqs)) & (seqs[np.clip(found, 0, len(seqs) - 1)] == wanted)
    pairs = np.stack([by_seq[found[has]], by_seq[has]], axis=1).astype(np.int64)
    pairs = pairs[np.argsort(stream.t_capture_ns[pairs[:, 1]], kind="stable")]
    images = stream.field(kind)
    background = images[base]
    return background_subtracted(images[pairs], background), pairs
