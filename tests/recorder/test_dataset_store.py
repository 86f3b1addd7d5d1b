"""DatasetStore on a local folder and on a real S3-compatible server (moto, on loopback)."""

from __future__ import annotations

import re
import socket
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import s3fs
import zarr

from recorder.dataset_store import DatasetStore, DatasetStoreError, Uploader, finished_episodes
from recorder.episode_id import new_episode_id
from recorder.episode_reader import open_episode
from recorder.episode_writer import EpisodeWriter
from recorder.metadata import EpisodeMetadata
from tests.recorder.samples import CAMERA, JOINTS, SMALL_SPECS, make_sample
from tests.s3_server import AWS_TEST_ENV, moto_server


@pytest.fixture(scope="module")
def s3_endpoint():
    """A moto S3 server on loopback for this module; its endpoint URL."""
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def s3_admin(s3_endpoint) -> s3fs.S3FileSystem:
    """A client of the moto server that creates buckets (one botocore session per module)."""
    return s3fs.S3FileSystem(
        endpoint_url=s3_endpoint,
        key=AWS_TEST_ENV["AWS_ACCESS_KEY_ID"],
        secret=AWS_TEST_ENV["AWS_SECRET_ACCESS_KEY"],
        skip_instance_cache=True,
    )


@pytest.fixture
def aws_env(monkeypatch):
    """Fake credentials for moto, and nothing from the machine's own AWS setup."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in AWS_TEST_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def bucket(s3_admin, aws_env) -> str:
    """A fresh, empty bucket."""
    name = f"ds-{uuid.uuid4().hex[:12]}"
    s3_admin.mkdir(name)
    return name


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path) -> DatasetStore:
    if request.param == "local":
        return DatasetStore.open(tmp_path / "dataset")
    bucket = request.getfixturevalue("bucket")
    return DatasetStore.open(f"s3://{bucket}/team/ds", request.getfixturevalue("s3_endpoint"))


def record_episode(folder: Path, n: int = 10, specs=(JOINTS,), **labels) -> Path:
    """Record ``n`` samples of each of ``specs`` into a finished episode under ``folder``.

    One small stream by default: every file is a request to the S3 server."""
    metadata = EpisodeMetadata(
        episode_id=new_episode_id("test station", datetime.now(UTC)),
        primitive=labels.get("primitive", "grasp and lift"),
        object=labels.get("object", "sponge"),
        operator="ada",
        station="test station",
    )
    writer = EpisodeWriter(folder, specs, metadata, flush_interval_s=0.2)
    writer.start()
    rng = np.random.default_rng(0)
    for i in range(n):
        for spec in specs:
            writer.put(make_sample(spec, i, rng))
    writer.stop({"outcome": "success"})
    return writer.path


def add_episode(store: DatasetStore, tmp_path: Path, **labels) -> EpisodeMetadata:
    """Record an episode where a station would (the dataset folder or a spool), publish it."""
    folder = store.local_path or tmp_path / "spool"
    return store.publish(record_episode(folder, **labels))


def fs_path(store: DatasetStore, key: str) -> str:
    """``key`` under the store's root, as a path on ``store.fs``."""
    return f"{store.url.removeprefix('s3://')}/{key}"


def test_publish_makes_the_episode_present_and_catalogued(store, tmp_path):
    assert store.episode_ids() == [] and store.catalog_revisions() == {}
    metadata = add_episode(store, tmp_path)
    episode_id = metadata.episode_id
    assert metadata.status == "complete" and metadata.outcome == "success"
    assert store.episode_ids() == [episode_id]
    assert store.catalog_revisions().keys() == {episode_id}
    assert store.read_catalog_entries([episode_id]) == {episode_id: metadata}
    assert store.read_metadata(episode_id) == metadata


@pytest.fixture
def s3_store(bucket, s3_endpoint) -> DatasetStore:
    return DatasetStore.open(f"s3://{bucket}/ds", s3_endpoint)


@pytest.fixture(params=["other-local", "s3"])
def target(request, tmp_path) -> DatasetStore:
    """A dataset that episodes are copied into: another local folder, or S3."""
    if request.param == "other-local":
        return DatasetStore.open(tmp_path / "shared")
    return request.getfixturevalue("s3_store")


def fail_copies_after(store: DatasetStore, monkeypatch, n: int) -> None:
    """Make the (n+1)th file copied into ``store`` fail, as a dropped connection would."""
    name = "put_file" if store.is_local else "_put_file"
    original = getattr(store.fs, name)
    calls = iter(range(10**6))

    def check() -> None:
        if next(calls) >= n:
            raise ConnectionResetError("connection reset by peer")

    if store.is_local:

        def put_file(*args, **kwargs):
            check()
            return original(*args, **kwargs)

    else:

        async def put_file(*args, **kwargs):
            check()
            return await original(*args, **kwargs)

    monkeypatch.setattr(store.fs, name, put_file)


def test_s3_upload_sends_the_group_zarr_json_after_every_other_object(s3_store, tmp_path):
    fs = s3_store.fs
    events: list[tuple[str, str]] = []
    put_file, pipe_file = fs._put_file, fs._pipe_file

    async def put_done(lpath, rpath, **kwargs):
        result = await put_file(lpath, rpath, **kwargs)
        events.append(("put done", rpath))
        return result

    async def pipe_started(path, value, **kwargs):
        events.append(("pipe started", path))
        return await pipe_file(path, value, **kwargs)

    fs._put_file, fs._pipe_file = put_done, pipe_started
    episode_id = add_episode(s3_store, tmp_path).episode_id
    *puts, group_json, entry = events
    assert len(puts) > 10 and all(kind == "put done" for kind, _ in puts)
    assert group_json == ("pipe started", fs_path(s3_store, f"{episode_id}/zarr.json"))
    assert entry == ("pipe started", fs_path(s3_store, f"catalog/{episode_id}.json"))


def test_an_interrupted_upload_shows_no_episode_and_a_retry_completes_it(
    target, tmp_path, monkeypatch
):
    source = record_episode(tmp_path / "spool")
    with monkeypatch.context() as patch:
        fail_copies_after(target, patch, 5)
        with pytest.raises(ConnectionResetError):
            target.publish(source)
    episode_id = source.name
    assert target.episode_ids() == [] and target.catalog_revisions() == {}
    with pytest.raises(FileNotFoundError, match=episode_id):
        target.read_metadata(episode_id)
    assert target.rebuild_catalog() == 0 and target.catalog_revisions() == {}
    metadata = target.publish(source)
    assert target.episode_ids() == [episode_id]
    assert target.read_catalog_entries([episode_id]) == {episode_id: metadata}


def test_s3_episode_reads_back_with_zarr_over_fsspec(s3_store, s3_endpoint, tmp_path):
    source = record_episode(tmp_path / "spool", n=30, specs=SMALL_SPECS)
    s3_store.publish(source)
    group = zarr.open_group(
        f"{s3_store.url}/{source.name}", mode="r", storage_options={"endpoint_url": s3_endpoint}
    )
    local = zarr.open_group(source, mode="r")
    arrays = [path for path, node in local.members(max_depth=None) if isinstance(node, zarr.Array)]
    assert len(arrays) > 20
    for path in arrays:
        np.testing.assert_array_equal(group[path][:], local[path][:], err_msg=path)
    np.testing.assert_array_equal(group[f"streams/{JOINTS.name}/seq"][:], np.arange(30))
    frame = open_episode(source).stream(CAMERA.name).frame("image", -1)
    assert frame.shape == CAMERA.fields["image"].shape
    assert group.attrs["outcome"] == "success"


def test_relabel_rewrites_metadata_and_entry_and_changes_the_revision(store, tmp_path):
    episode_id = add_episode(store, tmp_path).episode_id
    before = store.catalog_revisions()[episode_id]
    updated = store.update_metadata(episode_id, {"outcome": "failure", "notes": "slipped"})
    assert (updated.outcome, updated.notes) == ("failure", "slipped")
    assert store.catalog_revisions()[episode_id] != before
    assert store.read_metadata(episode_id) == updated
    assert store.read_catalog_entries([episode_id])[episode_id] == updated
    again = store.catalog_revisions()[episode_id]
    store.update_metadata(episode_id, {"outcome": "success"})  # same size as "failure"
    assert store.catalog_revisions()[episode_id] != again


def test_relabel_refuses_recorder_keys_unknown_keys_and_bad_values(store, tmp_path):
    episode_id = add_episode(store, tmp_path).episode_id
    with pytest.raises(ValueError, match=r"recorder sets \['status'\]"):
        store.update_metadata(episode_id, {"status": "recovered"})
    with pytest.raises(ValueError, match="colour"):
        store.update_metadata(episode_id, {"colour": "red"})
    with pytest.raises(ValueError, match="outcome"):
        store.update_metadata(episode_id, {"outcome": "great"})
    assert store.read_metadata(episode_id).outcome == "success"


def test_relabel_refuses_an_episode_still_recording(tmp_path):
    store = DatasetStore.open(tmp_path)
    metadata = EpisodeMetadata(
        episode_id=new_episode_id("lab", datetime.now(UTC)),
        primitive="pour",
        object="cup",
        operator="ada",
        station="lab",
    )
    writer = EpisodeWriter(tmp_path, SMALL_SPECS, metadata)
    writer.start()
    try:
        with pytest.raises(ValueError, match="still recording"):
            store.update_metadata(metadata.episode_id, {"outcome": "failure"})
        with pytest.raises(ValueError, match="still recording"):
            store.publish(writer.path)
    finally:
        writer.stop()


def test_delete_removes_the_entry_and_every_object(store, tmp_path):
    keep = add_episode(store, tmp_path).episode_id
    gone = add_episode(store, tmp_path).episode_id
    store.delete_episode(gone)
    assert store.episode_ids() == [keep]
    assert store.catalog_revisions().keys() == {keep}
    assert not store.fs.exists(fs_path(store, gone))
    assert store.read_catalog_entries([keep, gone]).keys() == {keep}
    with pytest.raises(FileNotFoundError, match=gone):
        store.delete_episode(gone)


def test_rebuild_recreates_missing_entries_and_drops_stale_ones(store, tmp_path):
    ids = sorted(add_episode(store, tmp_path).episode_id for _ in range(3))
    store.fs.rm(fs_path(store, f"catalog/{ids[0]}.json"))
    store.update_metadata(ids[1], {"notes": "relabelled"})
    ghost = store.read_metadata(ids[2]).model_copy(
        update={"episode_id": new_episode_id("elsewhere", datetime.now(UTC))}
    )
    store.write_catalog_entry(ghost)  # an entry whose episode no longer exists
    assert store.catalog_revisions().keys() == {ids[1], ids[2], ghost.episode_id}
    progress: list[tuple[int, int]] = []
    assert store.rebuild_catalog(lambda done, total: progress.append((done, total))) == 3
    assert progress[-1] == (3, 3)
    assert sorted(store.catalog_revisions()) == ids
    entries = store.read_catalog_entries(ids)
    assert entries == {i: store.read_metadata(i) for i in ids}
    assert entries[ids[1]].notes == "relabelled"


def test_catalog_listing_ignores_files_that_are_not_entries(store, tmp_path):
    episode_id = add_episode(store, tmp_path).episode_id
    for key in ("catalog/README.json", "catalog/notes.txt", f"catalog/.{episode_id}.json.tmp"):
        store.fs.pipe_file(fs_path(store, key), b"{}")
    assert store.catalog_revisions().keys() == {episode_id}
    assert store.episode_ids() == [episode_id]


BAD_IDS = ["../etc", "catalog", "", "20261122T051200Z-lab-a-3f9c01d2/../x", "a/b", "ep\x00"]


def test_names_that_are_not_episode_ids_never_become_paths(store):
    for bad in BAD_IDS:
        message = re.escape(repr(bad))
        with pytest.raises(ValueError, match=message):
            store.read_metadata(bad)
        with pytest.raises(ValueError, match=message):
            store.update_metadata(bad, {"notes": "x"})
        with pytest.raises(ValueError, match=message):
            store.delete_episode(bad)
        with pytest.raises(ValueError, match=message):
            store.read_catalog_entries(["20261122T051200Z-lab-a-3f9c01d2", bad])


def test_publish_refuses_a_folder_not_named_by_an_episode_id(store, tmp_path):
    source = record_episode(tmp_path / "spool")
    renamed = source.rename(source.with_name("my-episode"))
    with pytest.raises(ValueError, match="'my-episode'"):
        store.publish(renamed)


def test_s3_listings_are_one_request_and_objects_one_get_each(s3_store, tmp_path):
    ids = [add_episode(s3_store, tmp_path).episode_id for _ in range(3)]
    calls: list[str] = []
    call_s3 = s3_store.fs._call_s3

    async def counted(method, *args, **kwargs):
        calls.append(method)
        return await call_s3(method, *args, **kwargs)

    s3_store.fs._call_s3 = counted
    assert s3_store.catalog_revisions().keys() == set(ids)
    assert calls == ["list_objects_v2"]
    calls.clear()
    assert s3_store.read_catalog_entries(ids).keys() == set(ids)
    assert calls == ["get_object"] * 3
    calls.clear()
    assert s3_store.episode_ids() == sorted(ids)
    assert calls == ["list_objects_v2"] + ["get_object"] * 3


def test_a_missing_bucket_names_the_url_and_the_fix(s3_endpoint, aws_env):
    with pytest.raises(DatasetStoreError, match=r"s3://no-such-bucket/ds.*create it"):
        DatasetStore.open("s3://no-such-bucket/ds", s3_endpoint)


def test_missing_credentials_name_the_environment_variables(bucket, s3_endpoint, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(DatasetStoreError, match=f"s3://{bucket}.*AWS_ACCESS_KEY_ID"):
        DatasetStore.open(f"s3://{bucket}", s3_endpoint)


def test_an_unreachable_endpoint_names_the_setting_to_check(aws_env):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}"  # closed once we leave
    with pytest.raises(DatasetStoreError, match=f"cannot reach {endpoint}.*endpoint_url"):
        DatasetStore.open("s3://bucket/ds", endpoint)


@pytest.mark.parametrize("url", ["gs://bucket/ds", "s3://", "s3://bucket/../ds", "s3://b//ds"])
def test_unsupported_or_malformed_urls_are_refused(url):
    with pytest.raises(ValueError, match=re.escape(url)):
        DatasetStore.open(url)


def test_local_roots_normalise_to_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for root in ("data", Path("data"), f"file://{tmp_path}/data"):
        store = DatasetStore.open(root)
        assert store.is_local and store.local_path == tmp_path / "data"
        assert store.url == str(tmp_path / "data")
    assert not (tmp_path / "data").exists()  # created on first write only


class FlakyStore:
    """Delegates to ``store`` after ``failures`` failed publishes."""

    def __init__(self, store: DatasetStore, failures: int) -> None:
        self.store, self.url, self.failures, self.calls = store, store.url, failures, 0

    def publish(self, path: Path) -> EpisodeMetadata:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionResetError("network down")
        return self.store.publish(path)


def test_uploader_retries_with_backoff_then_empties_the_spool(tmp_path):
    spool = tmp_path / "spool"
    episodes = [record_episode(spool) for _ in range(2)]
    target = DatasetStore.open(tmp_path / "shared")
    flaky = FlakyStore(target, failures=2)
    uploader = Uploader(first_retry_s=0.05, max_retry_s=0.2)
    for path in episodes:
        uploader.submit(flaky, path)
    errors = set()
    deadline = time.monotonic() + 10
    while (status := uploader.status()).pending and time.monotonic() < deadline:
        errors.add(status.error)
        time.sleep(0.005)
    assert uploader.close(1.0) == []
    assert any(e and "network down" in e for e in errors)
    assert uploader.status().error is None and flaky.calls == 4
    assert target.episode_ids() == sorted(p.name for p in episodes)
    assert list(spool.iterdir()) == []


def test_closing_the_uploader_reports_what_stays_in_the_spool(tmp_path):
    episode = record_episode(tmp_path / "spool")
    uploader = Uploader(first_retry_s=0.05)
    uploader.submit(FlakyStore(DatasetStore.open(tmp_path / "shared"), failures=10**6), episode)
    assert uploader.status().pending == (episode.name,)
    assert uploader.close(0.3) == [episode]
    assert (episode / "zarr.json").is_file()
    with pytest.raises(RuntimeError, match="closed"):
        uploader.submit(DatasetStore.open(tmp_path / "shared"), episode)


def test_finished_episodes_skips_ones_still_recording(tmp_path):
    done = record_episode(tmp_path)
    metadata = EpisodeMetadata(
        episode_id=new_episode_id("lab", datetime.now(UTC)),
        primitive="pour",
        object="cup",
        operator="ada",
        station="lab",
    )
    writer = EpisodeWriter(tmp_path, SMALL_SPECS, metadata)
    writer.start()
    (tmp_path / "not-an-episode").mkdir()
    try:
        assert finished_episodes(tmp_path) == [done]
    finally:
        writer.stop()
    assert finished_episodes(tmp_path) == sorted([done, writer.path])
    assert finished_episodes(tmp_path / "absent") == []


def test_spool_folders_are_per_dataset_and_path_safe(s3_store, tmp_path):
    folder = s3_store.spool_folder(tmp_path)
    assert folder.parent == tmp_path and folder.name.startswith("s3-")
    assert DatasetStore.open(tmp_path / "x").spool_folder(tmp_path) != folder
