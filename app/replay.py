"""A station configuration that replays a recorded episode in place of its sensor devices."""

from __future__ import annotations

from pathlib import Path

from app.config import StationConfig, parse_config
from app.control_process import ACTUATOR_FAMILIES
from app.station import StationError
from recorder.episode_reader import EpisodeFormatError, open_episode

REPLAYED_FAMILIES = ("glove", "tracker", "camera", "tactile")


def replayed(config: StationConfig, episode: Path) -> StationConfig:
    """``config`` with its sensor devices replaced by one replay device per family
    (``replay_<family>``) emitting ``episode``'s recorded streams; actuators stay as they are.

    Raises StationError naming the episode when it cannot be read or lacks what the
    retargeting needs.
    """
    try:
        recorded = open_episode(episode)
        families = {name: recorded.stream(name).spec for name in recorded.streams}
    except (EpisodeFormatError, KeyError) as exc:
        raise StationError(f"cannot replay {episode}: {exc}") from exc
    by_family: dict[str, list[str]] = {}
    for name, spec in families.items():
        if spec.family in REPLAYED_FAMILIES:
            by_family.setdefault(spec.family, []).append(name)
    gloves = [families[name] for name in by_family.get("glove", [])]
    if config.retargeting.hand_input == "keypoints" and any(
        "skeleton_position" not in spec.fields for spec in gloves
    ):
        raise StationError(
            f"cannot replay {episode}: its gloves have no skeleton, which "
            'retargeting.hand_input = "keypoints" needs (fix: hand_input = "ergonomics")'
        )
    data = config.model_dump()
    data["devices"] = {
        name: entry
        for name, entry in data["devices"].items()
        if entry["family"] in ACTUATOR_FAMILIES
    }
    for family, streams in by_family.items():
        data["devices"][f"replay_{family}"] = {
            "family": family,
            "backend": "replay",
            "episode": str(episode),
            "streams": streams,
        }
    return parse_config(data, f"<{episode} replayed>")
