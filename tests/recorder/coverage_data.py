"""A small curriculum, catalog rows and episode metadata for the coverage tests."""

import json
from datetime import UTC, datetime, timedelta

from recorder.catalog import CatalogRow
from recorder.curriculum import parse_curriculum
from recorder.episode_id import new_episode_id
from recorder.metadata import EpisodeMetadata

CURRICULUM = parse_curriculum(
    """
[curriculum]
name = "test"
categories = ["kitchen", "toys"]

[defaults]
target_episodes = 4

[[primitive]]
name = "pour"

[[primitive]]
name = "grasp and lift"

[[object]]
name = "mug"
category = "kitchen"

[[object]]
name = "kettle"
category = "kitchen"
on_hand = false

[[object]]
name = "ball"
category = "toys"

[[combination]]
primitive = "grasp and lift"
object = "*"

[[combination]]
primitive = "pour"
object = "category:kitchen"
target_episodes = 2
target_minutes = 1.0
""",
    "test.toml",
)


def row(n, primitive="grasp and lift", obj="mug", outcome="success", seconds=30.0, **kw):
    values = dict(
        episode_id=f"e{n}", primitive=primitive, object=obj, operator="ana", station="lab-a",
        day="2026-11-20", duration_s=seconds, outcome=outcome, status="complete",
    )  # fmt: skip
    values.update(kw)
    return CatalogRow(**values)


START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def add_episode(root, store, n, outcome="success", catalog_entry=True):
    t0 = START + timedelta(minutes=n)
    metadata = EpisodeMetadata(
        episode_id=new_episode_id("lab-a", t0), primitive="pour", object="mug",
        operator="ana", station="lab-a", outcome=outcome, status="complete",
        start_utc=t0.isoformat(), end_utc=(t0 + timedelta(seconds=45)).isoformat(),
    )  # fmt: skip
    folder = root / metadata.episode_id
    folder.mkdir()
    attributes = metadata.model_dump(mode="json")
    group = {"zarr_format": 3, "node_type": "group", "attributes": attributes}
    (folder / "zarr.json").write_text(json.dumps(group))
    if catalog_entry:
        store.write_catalog_entry(metadata)
    return metadata
