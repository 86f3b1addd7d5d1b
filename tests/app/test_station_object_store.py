"""Stations recording into an S3 dataset (moto on loopback): two processes sharing one bucket,
and one station resuming, cataloguing and reporting its spool."""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import s3fs
import zarr
from moto.server import ThreadedMotoServer

from app.config import parse_config
from app.station import Station
from recorder.dataset_store import DatasetStore
from recorder.episode_id import new_episode_id
from recorder.episode_writer import EpisodeWriter
from recorder.jpeg import decode_jpeg
from recorder.metadata import EpisodeMetadata
from tests.recorder.samples import JOINTS, make_sample
from tests.s3_server import AWS_TEST_ENV, moto_server
from tests.station_toml import small_station_toml

DATASET = "s3://shared-bucket/ds"
STATIONS = {"station-a": ("pour", "cup"), "station-b": ("grasp and lift", "sponge")}


def station_toml(path: Path, name: str, endpoint: str, spool: Path) -> Path:
    """The small simulated station with this name, S3 endpoint and spool."""
    return small_station_toml(
        path,
        f"[station]\nname = {json.dumps(name)}",
        f"[dataset]\nendpoint_url = {json.dumps(endpoint)}\nspool = {json.dumps(str(spool))}",
    )


def run_station(config: Path, primitive: str, object_name: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable, "-m", "app.cli", "run", "--sim", "--headless", "--duration", "3",
            "--record", "--primitive", primitive, "--object", object_name,
            "--dataset", DATASET, "--config", str(config), "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip


def test_two_stations_record_into_one_bucket_without_loss(tmp_path, monkeypatch):
    with moto_server() as endpoint:
        for name, value in AWS_TEST_ENV.items():
            monkeypatch.setenv(name, value)
        s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True).mkdir("shared-bucket")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | AWS_TEST_ENV
        procs = {
            name: run_station(
                station_toml(tmp_path / f"{name}.toml", name, endpoint, tmp_path / name),
                *labels,
                env,
            )
            for name, labels in STATIONS.items()
        }
        outputs = {name: proc.communicate(timeout=90) for name, proc in procs.items()}
        for name, proc in procs.items():
            assert proc.returncode == 0, outputs[name][1]
            assert "not uploaded" not in outputs[name][1]
        check_dataset(DatasetStore.open(DATASET, endpoint), endpoint, outputs)
        for name in STATIONS:  # every spooled episode left its spool once uploaded
            assert [p for p in (tmp_path / name).rglob("zarr.json")] == []


def check_dataset(store: DatasetStore, endpoint: str, outputs: dict) -> None:
    ids = store.episode_ids()
    recorded = {
        json.loads(out.splitlines()[-1])["episode"]["episode_id"] for out, _ in outputs.values()
    }
    assert set(ids) == recorded and len(ids) == 2
    assert store.catalog_revisions().keys() == recorded
    entries = store.read_catalog_entries(ids)
    assert {(m.station, m.primitive, m.object) for m in entries.values()} == {
        (name, *labels) for name, labels in STATIONS.items()
    }
    top = {p.rsplit("/", 1)[-1] for p in store.fs.ls(store.url.removeprefix("s3://"))}
    assert top == recorded | {"catalog"}  # nothing else in the dataset
    for episode_id, meta in entries.items():
        assert meta == store.read_metadata(episode_id)
        assert meta.status == "complete" and meta.start_utc and meta.end_utc
        assert meta.devices and meta.config["dataset"]["root"] == DATASET
        assert sum(meta.drops.values()) == 0
        check_episode_arrays(store, endpoint, episode_id, meta)


def check_episode_arrays(store: DatasetStore, endpoint: str, episode_id: str, meta) -> None:
    """Every stream's arrays hold exactly the rows counted, every chunk object is there (a
    missing chunk would read back as fill values), and the camera frames decode."""
    url = f"{store.url}/{episode_id}"
    group = zarr.open_group(url, mode="r", storage_options={"endpoint_url": endpoint})
    keys = {p.removeprefix(url.removeprefix("s3://") + "/") for p in store.fs.find(url)}
    assert set(group["streams"].group_keys()) == set(meta.streams)
    for stream, info in meta.streams.items():
        assert info.count > 0, stream
        stream_group = group[f"streams/{stream}"]
        seq = stream_group["seq"][:]
        assert len(seq) == info.count and len(np.unique(seq)) == len(seq), stream
        for name, array in stream_group.arrays():
            rows, chunk_rows = array.shape[0], array.chunks[0]
            if not name.endswith(".jpeg_bytes"):
                assert rows == info.count, (stream, name)
            chunks = {k for k in keys if k.startswith(f"streams/{stream}/{name}/c.")}
            assert len(chunks) == math.ceil(rows / chunk_rows), (stream, name)
    camera = group["streams/camera_head"]
    start, length = camera["image.jpeg_offsets"][-1]
    frame = decode_jpeg(camera["image.jpeg_bytes"][start : start + length])
    assert frame.shape == (120, 160, 3)


def spooled_episode(folder: Path) -> Path:
    """A small finished episode in ``folder``, as an earlier run would have left it."""
    metadata = EpisodeMetadata(
        episode_id=new_episode_id("sim-station", datetime.now(UTC)),
        primitive="wipe",
        object="plate",
        operator="ada",
        station="sim-station",
    )
    writer = EpisodeWriter(folder, [JOINTS], metadata)
    writer.start()
    rng = np.random.default_rng(0)
    for i in range(20):
        writer.put(make_sample(JOINTS, i, rng))
    writer.stop({"outcome": "success"})
    return writer.path


def test_station_resumes_its_spool_catalogs_local_episodes_and_reports_leftovers(
    station_config, tmp_path, monkeypatch, caplog
):
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(name, value)
    # moto keeps its buckets per process, across servers: this test has a bucket of its own
    s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True).mkdir("resume-bucket")
    data = station_config().model_dump()
    data["dataset"] |= {
        "root": "s3://resume-bucket/ds",
        "endpoint_url": endpoint,
        "spool": str(tmp_path / "spool"),
        "upload_wait_s": 1.0,
    }
    station = Station(parse_config(data, "test"))
    store = station.dataset_store
    leftover = spooled_episode(store.spool_folder(tmp_path / "spool"))
    try:
        station.start()
        assert station.wait_for(lambda: not station.pending_uploads, 20.0)
        assert store.episode_ids() == [leftover.name] and not leftover.exists()
        assert station.snapshot().uploads.pending == ()

        assert station.wait_for(station.inputs_ready, 15.0)
        station.start_recording("pour", "cup", dataset=tmp_path / "local")
        time.sleep(0.5)
        meta = station.stop_recording(outcome="success")
        local = DatasetStore.open(tmp_path / "local")
        assert local.read_catalog_entries([meta.episode_id]) == {meta.episode_id: meta}

        server.stop()  # the object store goes away: the next episode stays spooled
        episode_id = station.start_recording("pour", "cup")
        time.sleep(0.5)
        station.stop_recording()
        assert station.pending_uploads == (episode_id,)
    finally:
        station.stop()
    spooled = store.spool_folder(tmp_path / "spool") / episode_id
    assert station.spooled == [spooled] and (spooled / "zarr.json").is_file()
    assert f"stay in the spool and are uploaded at the next start: {spooled}" in caplog.text
