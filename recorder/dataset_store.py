"""Where a dataset lives: a local folder or an S3-compatible object store, behind one API.

Layout under the root (a folder, or ``s3://bucket/prefix``)::

    <root>/<episode_id>/...               the episode, a zarr v3 group (docs/dataset.md)
    <root>/catalog/<episode_id>.json      its catalog entry: the episode metadata as JSON

An episode is *present* when its group's ``zarr.json`` exists. :meth:`DatasetStore.publish`
copies every other file of a finished episode first and that ``zarr.json`` last, then writes
the catalog entry, so a reader never sees half an episode as present and a catalog entry only
names a present episode (delete removes the entry first). The catalog entries exist so that one
listing of ``catalog/`` (revision tokens: the S3 ETag, or inode, size and mtime of a local
file) tells what changed; they are rebuilt from the episodes' own ``zarr.json`` at any time.

Stations recording to an object store write episodes into a local *spool* folder first and
hand finished ones to an :class:`Uploader`, which publishes them in the background and retries
with backoff; an episode leaves the spool only once published.

Only strings passing :func:`recorder.episode_id.is_episode_id` become path components.
Credentials for S3 come from the standard AWS environment (``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, ...). Times are seconds (s) unless named ``_ns``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from fsspec import AbstractFileSystem
from fsspec.implementations.local import LocalFileSystem
from pydantic import ValidationError

from recorder.episode_id import is_episode_id, slug
from recorder.episode_reader import GROUP_JSON, EpisodeFormatError
from recorder.episode_writer import WRITER_OWNED_KEYS
from recorder.metadata import EpisodeMetadata

log = logging.getLogger(__name__)

CATALOG = "catalog"
ENTRY_SUFFIX = ".json"

RELABEL_KEYS = frozenset({"outcome", "notes", "primitive", "object", "instruction", "operator"})
"""Metadata that :meth:`DatasetStore.update_metadata` may change after recording."""

REBUILD_BATCH = 256
"""Episodes read (concurrently, on S3) per step of :meth:`DatasetStore.rebuild_catalog`."""

S3_CLIENT_CONFIG: dict[str, Any] = {
    "connect_timeout": 5,
    "read_timeout": 60,
    "retries": {"max_attempts": 3, "mode": "standard"},
    "max_pool_connections": 32,
}
"""botocore settings: an unreachable endpoint fails in seconds, uploads run 32 requests at once."""

_P = ParamSpec("_P")
_R = TypeVar("_R")


class DatasetStoreError(RuntimeError):
    """The dataset cannot be reached or used; the message names the URL and the fix."""


def _checked_id(episode_id: str) -> str:
    if not isinstance(episode_id, str) or not is_episode_id(episode_id):
        raise ValueError(
            f"{episode_id!r} is not an episode id (see recorder.episode_id); "
            "only episode ids become dataset paths"
        )
    return episode_id


def _explained(
    method: Callable[Concatenate[DatasetStore, _P], _R],
) -> Callable[Concatenate[DatasetStore, _P], _R]:
    """Turn missing credentials, unreachable endpoints and denied access into
    DatasetStoreError naming the dataset and the fix; other errors pass unchanged."""

    @functools.wraps(method)
    def wrapper(store: DatasetStore, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(store, *args, **kwargs)
        except Exception as exc:
            problem = store._explain(exc)
            if problem is None:
                raise
            raise DatasetStoreError(f"dataset {store.url}: {problem}") from exc

    return wrapper


class DatasetStore:
    """Episodes and catalog entries of one dataset root; see the module docstring.

    Build with :meth:`open`. ``url`` is the normalised root (an absolute folder path, or
    ``s3://bucket/prefix``); ``local_path`` is that folder for a local root, else None; ``fs``
    is the fsspec filesystem and paths on it are ``<root>/<key>`` strings.
    """

    def __init__(
        self,
        fs: AbstractFileSystem,
        root: str,
        url: str,
        local_path: Path | None,
        endpoint_url: str | None = None,
    ) -> None:
        self.fs = fs
        self.url = url
        self.local_path = local_path
        self.is_local = local_path is not None
        self._root = root
        self._endpoint_url = endpoint_url

    @classmethod
    def open(cls, root: str | Path, endpoint_url: str | None = None) -> DatasetStore:
        """The dataset at ``root``: a folder (created on first write) or ``s3://bucket/prefix``.

        ``endpoint_url`` selects an S3-compatible server (MinIO, Ceph, ...); empty or None means
        AWS (or ``AWS_ENDPOINT_URL``). Opening an S3 root checks that its bucket exists, so a
        wrong bucket, missing credentials or an unreachable endpoint fail here, with the fix.
        ValueError for a URL scheme other than ``s3`` or ``file``.
        """
        text = str(root)
        scheme, sep, rest = text.partition("://")
        if isinstance(root, Path) or not sep or scheme == "file":
            path = Path(rest if sep else text).expanduser().resolve()
            return cls(LocalFileSystem(auto_mkdir=True), path.as_posix(), str(path), path)
        if scheme != "s3":
            raise ValueError(
                f"dataset root {text!r}: unsupported scheme {scheme!r}; "
                "use a folder or s3://bucket/prefix"
            )
        store = cls(_s3_filesystem(endpoint_url or None), *_s3_root(text), None, endpoint_url)
        store._check_bucket()
        return store

    # Catalog entries.

    @_explained
    def catalog_revisions(self) -> dict[str, str]:
        """Episode id -> revision token of its catalog entry, from one listing of ``catalog/``.

        A token changes whenever the entry is rewritten. Files that are not entries (temporary
        files, other names) are ignored.
        """
        if self.is_local:
            return _local_revisions(Path(self._path(CATALOG)))
        try:
            listing = self.fs.ls(self._path(CATALOG), detail=True)
        except FileNotFoundError:
            return {}
        revisions = {}
        for item in listing:
            episode_id = _entry_id(item["name"].rsplit("/", 1)[-1])
            if item["type"] == "file" and episode_id is not None:
                revisions[episode_id] = item["ETag"].strip('"')
        return revisions

    def read_catalog_entries(self, ids: Iterable[str]) -> dict[str, EpisodeMetadata]:
        """The catalog entries of ``ids`` (fetched concurrently on S3), validated.

        Entries that do not exist (deleted meanwhile) are left out; unreadable ones are left
        out with a warning that names them and the fix (:meth:`rebuild_catalog`).
        """
        entries = {}
        for episode_id, document in self.read_catalog_documents(ids).items():
            try:
                entries[episode_id] = EpisodeMetadata.model_validate(document)
            except ValidationError as exc:
                log.warning(
                    "%s: catalog entry of %s is invalid (%s); rebuild the catalog",
                    self.url,
                    episode_id,
                    exc,
                )
        return entries

    @_explained
    def read_catalog_documents(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The catalog entries of ``ids`` as parsed JSON, not validated: what a reader that
        needs a few fields of many entries uses (validating a whole entry costs four times
        parsing it). Missing entries are left out, undecodable or misnamed ones too, with a
        warning."""
        wanted = [_checked_id(i) for i in ids]
        documents = self._read_many([self._entry_path(i) for i in wanted])
        entries = {}
        for episode_id, data in zip(wanted, documents, strict=True):
            if isinstance(data, FileNotFoundError):
                continue
            if isinstance(data, Exception):
                raise data
            try:
                document = json.loads(data)
            except ValueError as exc:
                log.warning(
                    "%s: catalog entry of %s is not JSON (%s); rebuild the catalog",
                    self.url,
                    episode_id,
                    exc,
                )
                continue
            if isinstance(document, dict) and document.get("episode_id") == episode_id:
                entries[episode_id] = document
            else:
                log.warning(
                    "%s: catalog entry %s names another episode; rebuild the catalog",
                    self.url,
                    episode_id,
                )
        return entries

    @_explained
    def write_catalog_entry(self, metadata: EpisodeMetadata) -> None:
        """Write (or replace) the catalog entry of ``metadata.episode_id``."""
        self._write_many({self._entry_path(metadata.episode_id): _entry_bytes(metadata)})

    def remove_catalog_entry(self, episode_id: str) -> None:
        """Drop the catalog entry of an episode (absent is no error)."""
        self._remove([self._entry_path(episode_id)])

    # Episodes.

    @_explained
    def episode_ids(self) -> list[str]:
        """Ids of the present episodes (their group ``zarr.json`` exists), sorted."""
        candidates = self._episode_dirs()
        return [i for i, ok in zip(candidates, self._present(candidates), strict=True) if ok]

    @_explained
    def read_metadata(self, episode_id: str) -> EpisodeMetadata:
        """The metadata in the episode's group ``zarr.json``.

        FileNotFoundError when the episode is not present; EpisodeFormatError when its
        ``zarr.json`` holds no valid metadata for this id.
        """
        path = self._group_json(_checked_id(episode_id))
        (data,) = self._read_many([path])
        if isinstance(data, FileNotFoundError):
            raise FileNotFoundError(f"dataset {self.url}: no episode {episode_id}")
        if isinstance(data, Exception):
            raise data
        return _metadata_of_group(data, episode_id, path)

    @_explained
    def update_metadata(self, episode_id: str, updates: Mapping[str, Any]) -> EpisodeMetadata:
        """Relabel an episode: change RELABEL_KEYS in its ``zarr.json``, then its catalog entry.

        ValueError for other keys, invalid values, or an episode still ``recording`` (its
        writer owns the metadata until it stops; a crashed one needs recovery first).
        """
        if refused := set(updates) - RELABEL_KEYS:
            owned = sorted(refused & WRITER_OWNED_KEYS)
            reason = f"the recorder sets {owned} itself; " if owned else ""
            raise ValueError(
                f"cannot change {sorted(refused)} of {episode_id}: {reason}"
                f"only {sorted(RELABEL_KEYS)} may change after recording"
            )
        path = self._group_json(_checked_id(episode_id))
        (data,) = self._read_many([path])
        if isinstance(data, FileNotFoundError):
            raise FileNotFoundError(f"dataset {self.url}: no episode {episode_id}")
        if isinstance(data, Exception):
            raise data
        current = _metadata_of_group(data, episode_id, path)
        if current.status == "recording":
            raise ValueError(
                f"{path}: episode is still recording; stop it first (or recover it if its "
                "station crashed)"
            )
        updated = EpisodeMetadata.model_validate({**current.model_dump(), **updates})
        document = json.loads(data)
        document["attributes"] = updated.model_dump(mode="json")
        self._write_many({path: json.dumps(document, indent=2).encode()})
        self.write_catalog_entry(updated)
        return updated

    @_explained
    def delete_episode(self, episode_id: str) -> None:
        """Delete the catalog entry, then the group ``zarr.json`` (the episode is gone from
        that moment), then every other object of the episode. FileNotFoundError if none exist.
        """
        entry = self._entry_path(_checked_id(episode_id))
        had_entry = self._present_paths([entry])[0]
        self._remove([entry])
        folder, group_json = self._path(episode_id), self._group_json(episode_id)
        if self.is_local:
            had_files = Path(folder).is_dir()
            self._remove([group_json])
            shutil.rmtree(folder, ignore_errors=True)
        else:
            files = self.fs.find(folder)
            had_files = bool(files)
            self._remove([p for p in files if p == group_json])
            self._remove([p for p in files if p != group_json])
        if not (had_entry or had_files):
            raise FileNotFoundError(f"dataset {self.url}: no episode {episode_id}")

    @_explained
    def publish(self, local_episode: Path) -> EpisodeMetadata:
        """Make the finished episode in folder ``local_episode`` part of the dataset.

        When it already lies in this (local) root only its catalog entry is written. Otherwise
        every file is copied (concurrently on S3), the group ``zarr.json`` last, then the catalog
        entry. If the group ``zarr.json`` is already present (an earlier publish finished its
        copy), nothing is copied again and the present metadata, relabels included, is kept.
        Returns the metadata published. ValueError for a folder not named by an episode id or
        an episode still ``recording``; FileNotFoundError or EpisodeFormatError when the folder
        is not an episode.
        """
        source = Path(local_episode)
        episode_id = _checked_id(source.name)
        metadata = _metadata_of_group(
            (source / GROUP_JSON).read_bytes(), episode_id, str(source / GROUP_JSON)
        )
        if metadata.status == "recording":
            raise ValueError(f"{source}: still recording; stop it (or recover it) first")
        if self.is_local and source.resolve().parent == self.local_path:
            self.write_catalog_entry(metadata)
            return metadata
        if self._present_paths([self._group_json(episode_id)])[0]:
            metadata = self.read_metadata(episode_id)
        else:
            self._copy_episode(source, episode_id)
        self.write_catalog_entry(metadata)
        return metadata

    @_explained
    def rebuild_catalog(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rewrite every catalog entry from the episodes' own ``zarr.json``; drop the entries
        of episodes no longer present. ``progress(done, total)`` follows the episode folders
        read. Returns the number of entries written; unreadable episodes are skipped with a
        warning naming them.
        """
        candidates = self._episode_dirs()
        written: set[str] = set()
        for start in range(0, len(candidates), REBUILD_BATCH):
            batch = candidates[start : start + REBUILD_BATCH]
            entries = self._entries_of(batch)
            self._write_many({self._entry_path(i): data for i, data in entries.items()})
            written.update(entries)
            if progress is not None:
                progress(start + len(batch), len(candidates))
        stale = sorted(self.catalog_revisions().keys() - written)
        gone = [i for i, ok in zip(stale, self._present(stale), strict=True) if not ok]
        self._remove([self._entry_path(i) for i in gone])
        return len(written)

    def spool_folder(self, spool_root: str | Path) -> Path:
        """The folder under ``spool_root`` where a station records this dataset's episodes
        before uploading them: one per dataset URL, named after it."""
        digest = hashlib.sha256(self.url.encode()).hexdigest()[:8]
        return Path(spool_root).expanduser() / f"{slug(self.url)}-{digest}"

    # Paths.

    def _path(self, key: str) -> str:
        return f"{self._root}/{key}"

    def _group_json(self, episode_id: str) -> str:
        return self._path(f"{episode_id}/{GROUP_JSON}")

    def _entry_path(self, episode_id: str) -> str:
        return self._path(f"{CATALOG}/{_checked_id(episode_id)}{ENTRY_SUFFIX}")

    # Storage primitives: local fast paths, fsspec (concurrent on S3) otherwise.

    def _read_many(self, paths: list[str]) -> list[bytes | Exception]:
        """Each file's bytes, or the exception reading it raised (FileNotFoundError if absent)."""
        if self.is_local:
            return [_read_local(p) for p in paths]
        # max_concurrency=1: one GET per object (s3fs otherwise HEADs each to split big reads)
        return list(self.fs.cat_ranges(paths, None, None, on_error="return", max_concurrency=1))

    def _write_many(self, blobs: Mapping[str, bytes]) -> None:
        """Write each file whole; readers see the old or the new content, never a mix."""
        if self.is_local:
            for path, data in blobs.items():
                _replace_local(Path(path), data)
        elif blobs:
            self.fs.pipe(dict(blobs))

    def _remove(self, paths: list[str]) -> None:
        """Delete files; absent ones are no error."""
        if self.is_local:
            for path in paths:
                Path(path).unlink(missing_ok=True)
        elif paths:
            self.fs.rm(paths)

    def _present_paths(self, paths: list[str]) -> list[bool]:
        if self.is_local:
            return [Path(p).is_file() for p in paths]
        found = self.fs.cat_ranges(paths, 0, 1, on_error="return")  # one small GET each
        for result in found:
            if isinstance(result, Exception) and not isinstance(result, FileNotFoundError):
                raise result
        return [not isinstance(r, Exception) for r in found]

    def _present(self, ids: list[str]) -> list[bool]:
        """Whether each episode's group ``zarr.json`` exists."""
        return self._present_paths([self._group_json(i) for i in ids])

    def _episode_dirs(self) -> list[str]:
        """Ids of the folders (prefixes) under the root named like episodes, sorted."""
        if self.is_local:
            try:
                with os.scandir(self._root) as entries:
                    names = [e.name for e in entries if e.is_dir()]
            except FileNotFoundError:
                return []
        else:
            try:
                listing = self.fs.ls(self._root, detail=True)
            except FileNotFoundError:
                return []
            names = [i["name"].rsplit("/", 1)[-1] for i in listing if i["type"] == "directory"]
        return sorted(n for n in names if is_episode_id(n))

    def _entries_of(self, ids: list[str]) -> dict[str, bytes]:
        """Episode id -> catalog entry bytes of each present, readable episode of ``ids``."""
        paths = [self._group_json(i) for i in ids]
        entries = {}
        for episode_id, path, data in zip(ids, paths, self._read_many(paths), strict=True):
            if isinstance(data, FileNotFoundError):
                continue  # not present: an upload in progress or an abandoned folder
            if isinstance(data, Exception):
                raise data
            try:
                metadata = _metadata_of_group(data, episode_id, path)
            except EpisodeFormatError as exc:
                log.warning("skipping %s", exc)
                continue
            entries[episode_id] = _entry_bytes(metadata)
        return entries

    def _copy_episode(self, source: Path, episode_id: str) -> None:
        """Copy every file of ``source`` to ``<root>/<episode_id>/``, the group
        ``zarr.json`` last so the episode becomes present only once complete."""
        files = sorted(p for p in source.rglob("*") if p.is_file() and p != source / GROUP_JSON)
        targets = [self._path(f"{episode_id}/{p.relative_to(source).as_posix()}") for p in files]
        if files:
            self.fs.put([str(p) for p in files], targets)
        self._write_many({self._group_json(episode_id): (source / GROUP_JSON).read_bytes()})

    @_explained
    def _check_bucket(self) -> None:
        bucket = self._root.split("/", 1)[0]
        try:
            self.fs.info(bucket)
        except FileNotFoundError as exc:
            where = f"endpoint {self._endpoint_url}" if self._endpoint_url else "AWS S3"
            raise DatasetStoreError(
                f"dataset {self.url}: bucket {bucket!r} does not exist at {where}; create it "
                f"(e.g. `aws s3 mb s3://{bucket}`) or fix [dataset] root / endpoint_url"
            ) from exc

    def _explain(self, exc: Exception) -> str | None:
        """What went wrong with a remote dataset and how to fix it; None when not known."""
        if self.is_local:
            return None
        from botocore.exceptions import (
            ConnectionError as BotoConnectionError,
        )
        from botocore.exceptions import (
            NoCredentialsError,
            PartialCredentialsError,
        )

        if isinstance(exc, NoCredentialsError | PartialCredentialsError):
            return (
                f"no usable credentials ({exc}); set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the station's environment"
            )
        if isinstance(exc, BotoConnectionError):
            where = self._endpoint_url or "AWS S3"
            return f"cannot reach {where} ({exc}); check [dataset] endpoint_url and the network"
        if isinstance(exc, PermissionError):
            return f"access denied ({exc}); check the credentials and the bucket's policy"
        return None


def as_store(store_or_root: DatasetStore | Path | str) -> DatasetStore:
    """``store_or_root`` itself, or the dataset at that root (see :meth:`DatasetStore.open`)."""
    if isinstance(store_or_root, DatasetStore):
        return store_or_root
    return DatasetStore.open(store_or_root)


def _s3_filesystem(endpoint_url: str | None) -> AbstractFileSystem:
    try:
        import s3fs
    except ImportError as exc:
        raise DatasetStoreError(
            "an s3:// dataset root needs s3fs: install the `s3` extra "
            "(pip install 'dexstation[s3]')"
        ) from exc
    return s3fs.S3FileSystem(
        endpoint_url=endpoint_url,
        skip_instance_cache=True,
        use_listings_cache=False,
        config_kwargs=S3_CLIENT_CONFIG,
    )


def _s3_root(url: str) -> tuple[str, str]:
    """(``bucket/prefix`` path for s3fs, normalised ``s3://`` URL) of ``url``."""
    parts = url.removeprefix("s3://").strip("/").split("/")
    if not parts[0] or any(p in ("", ".", "..") for p in parts):
        raise ValueError(
            f"dataset root {url!r} is not s3://bucket or s3://bucket/prefix "
            "(no empty, '.' or '..' parts)"
        )
    root = "/".join(parts)
    return root, f"s3://{root}"


def _entry_id(name: str) -> str | None:
    """The episode id of the catalog entry file ``name``, or None if it is not an entry."""
    stem = name.removesuffix(ENTRY_SUFFIX)
    return stem if stem != name and is_episode_id(stem) else None


def _entry_bytes(metadata: EpisodeMetadata) -> bytes:
    return metadata.model_dump_json().encode()


def _metadata_of_group(data: bytes, episode_id: str, where: str) -> EpisodeMetadata:
    """The episode metadata in the group ``zarr.json`` bytes ``data`` read from ``where``."""
    try:
        metadata = EpisodeMetadata.model_validate(json.loads(data)["attributes"])
    except (ValueError, KeyError, TypeError) as exc:
        raise EpisodeFormatError(f"{where}: no valid episode metadata ({exc})") from exc
    if metadata.episode_id != episode_id:
        raise EpisodeFormatError(
            f"{where}: metadata names episode {metadata.episode_id!r}, not {episode_id!r}"
        )
    return metadata


def _local_revisions(folder: Path) -> dict[str, str]:
    """Entry id -> ``inode:size:mtime_ns``. Entries are replaced by renaming a new file over
    them, so the inode changes even when a rewrite keeps size and (coarse) mtime."""
    try:
        with os.scandir(folder) as scan:
            entries = [(e, episode_id) for e in scan if (episode_id := _entry_id(e.name))]
    except FileNotFoundError:
        return {}
    revisions = {}
    for entry, episode_id in entries:
        try:
            st = entry.stat()
        except FileNotFoundError:
            continue  # deleted since the scan
        revisions[episode_id] = f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
    return revisions


def _read_local(path: str) -> bytes | Exception:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        return exc


def _replace_local(path: Path, data: bytes) -> None:
    """Write ``path`` atomically: a hidden temporary file renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def finished_episodes(folder: Path) -> list[Path]:
    """Episodes directly under ``folder`` whose recording ended (status ``complete`` or
    ``recovered``), by id: what a station's spool still has to upload. Unreadable folders are
    skipped with a warning."""
    found = []
    for path in sorted(p for p in Path(folder).glob("*") if is_episode_id(p.name)):
        try:
            data = (path / GROUP_JSON).read_bytes()
            metadata = _metadata_of_group(data, path.name, str(path / GROUP_JSON))
        except (OSError, EpisodeFormatError) as exc:
            log.warning("spool: skipping %s (%s)", path, exc)
            continue
        if metadata.status != "recording":
            found.append(path)
    return found


@dataclass(frozen=True, slots=True)
class UploadStatus:
    """Spooled episodes waiting for upload (ids, in submission order) and the last upload
    failure (None once an upload succeeds after it)."""

    pending: tuple[str, ...]
    error: str | None


@dataclass(slots=True)
class _Upload:
    store: DatasetStore
    path: Path
    failures: int = 0
    next_try: float = 0.0
    """time.monotonic() (s) of the next attempt."""


class Uploader:
    """Publishes spooled episodes in a background thread, oldest first, and deletes each from
    the spool once published. A failed upload keeps the episode and is retried after
    ``first_retry_s``, doubling up to ``max_retry_s``. :meth:`submit` never blocks on I/O.
    """

    def __init__(self, first_retry_s: float = 1.0, max_retry_s: float = 60.0) -> None:
        self._first_retry_s = first_retry_s
        self._max_retry_s = max_retry_s
        self._jobs: list[_Upload] = []
        self._error: str | None = None
        self._closing = False
        self._abandoned = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="dataset-uploader", daemon=True)
        self._thread.start()

    def submit(self, store: DatasetStore, episode: Path) -> None:
        """Queue the finished episode folder ``episode`` for publishing to ``store``."""
        with self._cond:
            if self._closing:
                raise RuntimeError(f"uploader closed; {episode} stays in the spool")
            if all(job.path != episode for job in self._jobs):
                self._jobs.append(_Upload(store, episode))
                self._cond.notify_all()

    def status(self) -> UploadStatus:
        with self._cond:
            return UploadStatus(tuple(job.path.name for job in self._jobs), self._error)

    def close(self, timeout_s: float) -> list[Path]:
        """Wait up to ``timeout_s`` for every queued upload, then stop. Returns the episodes
        still in the spool (an upload in flight at the deadline may still finish)."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            while self._jobs and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)
            self._abandoned = True
            remaining = [job.path for job in self._jobs]
            self._cond.notify_all()
        self._thread.join(max(0.0, deadline - time.monotonic()))
        return remaining

    def _run(self) -> None:
        while (job := self._next_due()) is not None:
            self._attempt(job)

    def _next_due(self) -> _Upload | None:
        """The job to try now, waiting for one to be due; None once closed."""
        with self._cond:
            while not self._abandoned:
                if not self._jobs:
                    if self._closing:
                        return None
                    self._cond.wait()
                    continue
                job = min(self._jobs, key=lambda j: j.next_try)
                wait = job.next_try - time.monotonic()
                if wait <= 0:
                    return job
                self._cond.wait(wait)
            return None

    def _attempt(self, job: _Upload) -> None:
        if not (job.path / GROUP_JSON).is_file():
            log.warning("upload: %s left the spool before upload; forgetting it", job.path)
            self._finish(job)
            return
        try:
            job.store.publish(job.path)
        except Exception as exc:  # any failure: keep the spooled episode and retry later
            self._retry_later(job, exc)
            return
        try:
            shutil.rmtree(job.path)
        except OSError as exc:
            log.warning("upload: %s published but not removed from the spool (%s)", job.path, exc)
        self._finish(job)

    def _retry_later(self, job: _Upload, exc: Exception) -> None:
        delay = min(self._max_retry_s, self._first_retry_s * 2**job.failures)
        message = f"{job.path.name} -> {job.store.url}: {exc}"
        log.warning("upload of %s failed; retrying in %.0f s", message, delay)
        with self._cond:
            job.failures += 1
            job.next_try = time.monotonic() + delay
            self._error = message

    def _finish(self, job: _Upload) -> None:
        with self._cond:
            self._jobs.remove(job)
            self._error = None
            self._cond.notify_all()
