"""Fixtures of the recorder tests: episode metadata and a one-call recording."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import numpy as np
import pytest

from devices.sample import Sample
from devices.streams import StreamSpec
from recorder.episode_id import new_episode_id
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from tests.recorder.samples import SMALL_SPECS, make_sample


@pytest.fixture
def metadata() -> EpisodeMetadata:
    return EpisodeMetadata(
        episode_id=new_episode_id("test station", datetime.now(UTC)),
        primitive="grasp and lift",
        object="sponge",
        operator="ada",
        station="test station",
        software_version="0.1.0",
    )


@pytest.fixture
def record(tmp_path, metadata) -> Callable[..., tuple[EpisodeWriter, dict[str, list[Sample]]]]:
    """Record ``n`` samples of every spec (seqs 0..n-1) and stop; returns writer and inputs."""

    def run(
        specs: Iterable[StreamSpec] = SMALL_SPECS, n: int = 40, **writer_options
    ) -> tuple[EpisodeWriter, dict[str, list[Sample]]]:
        specs = list(specs)
        rng = np.random.default_rng(0)
        writer = EpisodeWriter(tmp_path, specs, metadata, flush_interval_s=0.2, **writer_options)
        writer.start()
        sent = {s.name: [make_sample(s, i, rng) for i in range(n)] for s in specs}
        for i in range(n):
            for s in specs:
                writer.put(sent[s.name][i])
        writer.stop({"outcome": "success"})
        return writer, sent

    return run
