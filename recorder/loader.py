"""Episodes as numpy arrays for training code: streams aligned on one timeline, the T-Rex
58-D state and action and 60-D tactile force, and Sparsh-style tactile tensors.

Alignment resamples each stream from its own capture times (``t_capture_ns``, the station's
clock) by zero-order hold: at time t a stream shows its newest sample captured at or before t.
Nothing is invented: before a stream's first sample, or when its newest sample is older than
``max_age_s`` (a gap; by default GAP_PERIODS periods of the stream), float values are NaN and
:attr:`Aligned.fresh` is False there. Invalid rows (the device's verdict) count as gaps too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recorder.episode_reader import Episode, StreamData

SIDES = ("left", "right")
FINGERS = ("thumb", "index", "middle", "ring", "pinky")
STATE_STREAMS = ("body", "hand_left", "hand_right")
ACTION_STREAM = "control"
GAP_PERIODS = 3
"""By default a held sample older than this many periods of its stream's nominal rate is a
gap (15 ms for a 200 Hz stream, 100 ms at 30 Hz)."""
CONTACT_FREE_N = 0.3
"""A tactile frame whose F6 normal force is below this (N) counts as no contact."""


@dataclass(frozen=True)
class Aligned:
    """One stream on a timeline: ``rows[k]`` is the row shown at ``times_ns[k]`` (-1 before
    the first sample) and ``fresh[k]`` whether that row is valid and younger than the age
    limit."""

    stream: StreamData
    times_ns: np.ndarray
    rows: np.ndarray
    fresh: np.ndarray

    def field(self, name: str) -> np.ndarray:
        """(T, *shape) values of a raw field at the timeline; floats NaN where not fresh."""
        declared = self.stream.spec.fields[name]
        if not len(self.stream):
            out = np.zeros((len(self.rows), *declared.shape), declared.dtype)
        else:
            out = self.stream.field(name)[np.clip(self.rows, 0, None)]
        if np.issubdtype(out.dtype, np.floating):
            out[~self.fresh] = np.nan
        return out


def timeline(episode: Episode, streams: tuple[str, ...], fps: float) -> np.ndarray:
    """Times (ns, station clock) at ``fps`` over the span where every one of ``streams`` has
    started and none has ended; empty when they never overlap."""
    firsts, lasts = [], []
    for name in streams:
        t = episode.stream(name).t_capture_ns
        if not len(t):
            return np.zeros(0, np.int64)
        firsts.append(int(t[0]))
        lasts.append(int(t[-1]))
    start, end = max(firsts), min(lasts)
    if end < start:
        return np.zeros(0, np.int64)
    count = int((end - start) * fps // 1e9) + 1
    return start + np.round(np.arange(count) * 1e9 / fps).astype(np.int64)


def align(
    stream: StreamData, times_ns: np.ndarray, max_age_s: float | None = None
) -> Aligned:
    """Zero-order hold of ``stream`` at ``times_ns`` (rows in arrival order may be out of
    capture order: the newest capture at or before each time is taken)."""
    if max_age_s is None:
        max_age_s = GAP_PERIODS / stream.spec.rate_hz
    if not len(stream):
        none = np.full(len(times_ns), -1)
        return Aligned(stream, times_ns, none, np.zeros(len(times_ns), bool))
    order = np.argsort(stream.t_capture_ns, kind="stable")
    index = np.searchsorted(stream.t_capture_ns[order], times_ns, side="right") - 1
    rows = np.where(index >= 0, order[np.clip(index, 0, None)], -1)
    safe = np.clip(rows, 0, None)
    young = times_ns - stream.t_capture_ns[safe] <= max_age_s * 1e9
    return Aligned(stream, times_ns, rows, (rows >= 0) & young & stream.valid[safe])


def state_action(
    episode: Episode, times_ns: np.ndarray, max_age_s: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(T, 58) float32 state and action in T-Rex order: [L arm 7 | L hand 22 | R arm 7 |
    R hand 22], joint positions measured (state) and commanded (action), rad; NaN in gaps."""
    body = align(episode.stream("body"), times_ns, max_age_s).field("arm_position")
    hands = [
        align(episode.stream(f"hand_{side}"), times_ns, max_age_s).field("position")
        for side in SIDES
    ]
    control = align(episode.stream(ACTION_STREAM), times_ns, max_age_s)
    arm_cmd, hand_cmd = control.field("arm_command"), control.field("hand_command")
    state = np.concatenate([body[:, :7], hands[0], body[:, 7:], hands[1]], axis=1)
    action = np.concatenate([arm_cmd[:, :7], hand_cmd[:, 0], arm_cmd[:, 7:], hand_cmd[:, 1]], 1)
    return state.astype(np.float32), action.astype(np.float32)


def tactile_force(
    episode: Episode, times_ns: np.ndarray, max_age_s: float | None = None
) -> np.ndarray:
    """(T, 60) float32: (left, right) x (thumb..pinky) x (Fx, Fy, Fz, Mx, My, Mz), N and N*m in
    each elastomer frame; NaN in gaps and for fingertips not recorded."""
    out = np.full((len(times_ns), 2, 5, 6), np.nan, np.float32)
    for i, side in enumerate(SIDES):
        for j, finger in enumerate(FINGERS):
            name = f"tactile_{side}_{finger}"
            if name in episode.streams:
                out[:, i, j] = align(episode.stream(name), times_ns, max_age_s).field("f6")
    return out.reshape(len(times_ns), 60)


def no_contact_frame(stream: StreamData, kind: str = "deform") -> np.ndarray | None:
    """The first valid frame of a tactile stream whose F6 normal force is under
    CONTACT_FREE_N (the episode's no-contact baseline), or None if there is none."""
    normal = stream.field("f6")[:, 2]
    calm = np.flatnonzero(stream.valid & (np.abs(normal) < CONTACT_FREE_N))
    return None if not len(calm) else stream.frame(kind, int(calm[0]))


def sparsh_pairs(stream: StreamData, kind: str = "raw", stride: int = 5) -> np.ndarray:
    """Sparsh-style inputs of a tactile stream: each frame minus the no-contact baseline,
    ``clip((img - bg) / 255 + 0.5, 0, 1)``, paired with the frame ``stride`` samples before it,
    (N - stride, 2, H, W) float32 (older first). Frames are consecutive rows: pairs across a
    seq gap are left out."""
    background = no_contact_frame(stream, kind)
    if background is None:
        raise ValueError(f"{stream.path}: no frame without contact to use as the baseline")
    images = stream.field(kind).astype(np.float32)
    diff = np.clip((images - background.astype(np.float32)) / 255.0 + 0.5, 0.0, 1.0)
    later = np.arange(stride, len(images))
    contiguous = (stream.seq[later] - stream.seq[later - stride]) == stride
    later = later[contiguous]
    return np.stack([diff[later - stride], diff[later]], axis=1)
