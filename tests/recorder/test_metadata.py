from datetime import UTC, datetime

import numpy as np
import pytest
from pydantic import ValidationError

from recorder.episode_id import new_episode_id
from recorder.metadata import EpisodeMetadata, utc_now_iso


def minimal(**changes):
    fields = {
        "episode_id": new_episode_id("s", datetime.now(UTC)),
        "primitive": "pour",
        "object": "cup",
        "operator": "cy",
        "station": "s",
    }
    return EpisodeMetadata(**(fields | changes))


def test_defaults_until_labelled_and_recorded():
    meta = minimal()
    assert meta.schema_version == 1 and meta.status == "recording" and meta.outcome is None
    assert meta.start_utc is None and meta.drops == {} and meta.streams == {}


def test_json_round_trip():
    meta = minimal(
        config={"control": {"rate_hz": 200}},
        devices={"glove_left": {"backend": "sim", "serial": "M-1"}},
        start_utc=utc_now_iso(),
        streams={"body": {"family": "body", "rate_hz": 200.0, "count": 3}},
    )
    assert EpisodeMetadata.model_validate_json(meta.model_dump_json()) == meta


@pytest.mark.parametrize(
    "changes",
    [
        {"episode_id": "../../etc"},
        {"outcome": "meh"},
        {"status": "done"},
        {"start_utc": "2026-11-22T05:12:00"},
        {"start_utc": "yesterday"},
        {"config": {"gain": np.float32(1.0)}},
        {"streams": {"body": {"family": "body", "rate_hz": 0.0}}},
        {"unknown": 1},
        {"schema_version": 2},
    ],
)
def test_invalid_values_are_refused(changes):
    with pytest.raises(ValidationError):
        minimal(**changes)


def test_utc_now_has_an_offset():
    assert datetime.fromisoformat(utc_now_iso()).utcoffset().total_seconds() == 0
