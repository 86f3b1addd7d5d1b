"""Curriculum: the motor primitives, objects and combinations a dataset should cover.

A curriculum is a TOML file. ``load_curriculum()`` without a path loads the packaged default,
``recorder/curricula/trex.toml`` (the 22 T-Rex primitives with example household objects).

Schema (every key not listed is rejected; names are case-insensitive everywhere)::

    [curriculum]
    name = "T-Rex household"                    # required
    description = "..."                         # optional
    categories = ["containers", "kitchen"]      # required: the object categories, once each

    [defaults]
    target_episodes = 20                        # required, >= 1
    target_minutes = 10.0                       # optional recorded-time target, > 0

    [[primitive]]                               # one stanza per primitive, names unique
    name = "pour"
    description = "tilt a container so its contents flow out"   # optional

    [[object]]                                  # one stanza per object, names unique
    name = "mug"
    category = "kitchen"                        # one of curriculum.categories
    notes = "white ceramic, 300 ml"             # optional, default ""
    on_hand = true                              # optional, default true: at the station now

    [[combination]]                             # which primitive x object pairs to collect
    primitive = "pour"                          # a selector, or an array of selectors
    object = ["category:containers", "mug"]
    target_episodes = 30                        # optional, else [defaults]
    target_minutes = 15.0                       # optional, else [defaults]

    [[combination]]
    primitive = "*"
    object = "category:fabric & cloth"
    exclude = true                              # removes the pairs it decides; takes no targets

Primitive and object names may not contain ``* ? [`` nor start with ``category:``, which
selectors reserve. A selector is one of:

- an exact name (rank 2);
- ``"category:<category>"``, every object of that category (rank 1; objects only);
- a glob pattern with ``*``, ``?`` or ``[...]`` matched against whole names, e.g.
  ``"*bottle"`` (rank 1);
- ``"*"``, everything (rank 0).

Every selector must select something. In an array, a name takes the rank of the entry that
selected it (the highest if several did).

Precedence: a stanza's specificity for a pair is its primitive rank plus its object rank
(0 to 4). For every primitive x object pair, the matching stanza with the highest specificity
decides, and among equally specific ones the last in the file decides. The deciding stanza
either excludes the pair or includes it with its own targets, taking the ``[defaults]`` for any
it leaves out. Pairs that no stanza matches are not collected.

Errors raise :class:`CurriculumError`, whose message reads
``<file>:<line>: <key path>: <what is wrong> (fix: <how>)``; stanzas are numbered from 1 in
file order, e.g. ``combination[3].object``.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import math
import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

DEFAULT_CURRICULUM = "curricula/trex.toml"
"""The packaged default, relative to the ``recorder`` package."""

_GLOB_CHARS = "*?["
_CATEGORY = "category:"
_RANK_ANY, _RANK_GROUP, _RANK_NAME = 0, 1, 2
_PATTERN_EXAMPLE = {"primitive": '"un*"', "object": '"*bottle"'}

_KeyPath = tuple[str | int, ...]


class CurriculumError(ValueError):
    """A curriculum file is malformed; the message names file, line, key, problem and fix."""


@dataclass(frozen=True)
class Primitive:
    """A motor primitive, e.g. "pour"."""

    name: str
    description: str = ""


@dataclass(frozen=True)
class CurriculumObject:
    """An object to manipulate; ``on_hand`` is False while it is not at the station."""

    name: str
    category: str
    notes: str = ""
    on_hand: bool = True


@dataclass(frozen=True)
class Target:
    """How much to collect of one primitive x object combination (``minutes`` optional)."""

    primitive: str
    object: str
    episodes: int
    minutes: float | None = None


@dataclass(frozen=True)
class Curriculum:
    """A validated curriculum; ``targets`` lists the collected combinations, in primitive then
    object order of declaration."""

    name: str
    description: str
    categories: tuple[str, ...]
    primitives: tuple[Primitive, ...]
    objects: tuple[CurriculumObject, ...]
    targets: tuple[Target, ...]
    _index: dict[tuple[str, str], Target] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {(_key(t.primitive), _key(t.object)): t for t in self.targets}
        object.__setattr__(self, "_index", index)

    @property
    def primitive_names(self) -> tuple[str, ...]:
        """The primitive names, in order of declaration."""
        return tuple(p.name for p in self.primitives)

    @property
    def object_names(self) -> tuple[str, ...]:
        """The object names, in order of declaration."""
        return tuple(o.name for o in self.objects)

    def target(self, primitive: str, object: str) -> Target | None:
        """The target of a combination (names case-insensitive), None if it is not collected."""
        return self._index.get((_key(primitive), _key(object)))


@dataclass(frozen=True)
class _Key:
    """One allowed key: its TOML type, whether it is required, and how to write it."""

    kind: str
    required: bool
    example: str


_SCHEMA: dict[str, dict[str, _Key]] = {
    "": {
        "curriculum": _Key("table", True, 'a [curriculum] table with name = "..."'),
        "defaults": _Key("table", True, "a [defaults] table with target_episodes = 20"),
        "primitive": _Key("tables", True, '[[primitive]] stanzas with name = "..."'),
        "object": _Key("tables", True, '[[object]] stanzas with name = "..." and category'),
        "combination": _Key(
            "tables", True, '[[combination]] stanzas with primitive = "..." and object = "..."'
        ),
    },
    "curriculum": {
        "name": _Key("string", True, 'name = "my curriculum"'),
        "description": _Key("string", False, 'description = "..."'),
        "categories": _Key("strings", True, 'categories = ["containers", "kitchen"]'),
    },
    "defaults": {
        "target_episodes": _Key("integer", True, "target_episodes = 20"),
        "target_minutes": _Key("number", False, "target_minutes = 10.0"),
    },
    "primitive": {
        "name": _Key("string", True, 'name = "grasp and lift"'),
        "description": _Key("string", False, 'description = "..."'),
    },
    "object": {
        "name": _Key("string", True, 'name = "mug"'),
        "category": _Key("string", True, 'category = "kitchen"'),
        "notes": _Key("string", False, 'notes = "..."'),
        "on_hand": _Key("boolean", False, "on_hand = true"),
    },
    "combination": {
        "primitive": _Key("selector", True, 'primitive = "pour" (or ["screw", "unscrew"])'),
        "object": _Key("selector", True, 'object = "category:kitchen" (or ["mug", "*bottle"])'),
        "target_episodes": _Key("integer", False, "target_episodes = 20"),
        "target_minutes": _Key("number", False, "target_minutes = 10.0"),
        "exclude": _Key("boolean", False, "exclude = true"),
    },
}

_KIND_TEXT = {
    "string": "a string",
    "strings": "an array of strings",
    "selector": "a string or an array of strings",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "table": "a table",
    "tables": "an array of tables",
}

_TOML_HINTS = {
    "Invalid value": 'quote text values, e.g. object = "mug"; numbers and true/false stay bare',
    "Cannot overwrite": "a key may appear once per table; remove the repeated one",
    "Cannot declare": "a [table] may appear once; use [[name]] for repeated stanzas",
}


def _key(name: str) -> str:
    """The case-insensitive form of a name."""
    return name.strip().casefold()


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {json.dumps(value)}"
    if isinstance(value, list):
        return "an array"
    return "a table" if isinstance(value, dict) else "a date/time"


def _has_kind(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return {
        "string": isinstance(value, str),
        "strings": isinstance(value, list),
        "selector": isinstance(value, str | list),
        "integer": isinstance(value, int),
        "number": isinstance(value, int | float),
        "boolean": isinstance(value, bool),
        "table": isinstance(value, dict),
        "tables": isinstance(value, list),
    }[kind]


def _suggest(word: str, choices: Sequence[str]) -> str:
    """``did you mean "x"? `` for the closest of ``choices`` (ignoring case), or ``""``."""
    by_key = {_key(c): c for c in choices}
    close = difflib.get_close_matches(_key(word), list(by_key), n=1, cutoff=0.6)
    return f"did you mean {json.dumps(by_key[close[0]])}? " if close else ""


def _dotted(path: _KeyPath) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            name = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)
            text += f".{name}" if text else name
    return text or "(top level)"


class _Parser:
    """Validates parsed TOML data against the schema, with source lines for every error."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self._lines: dict[_KeyPath, int] | None = None

    def fail(self, path: _KeyPath, problem: str, fix: str) -> NoReturn:
        raise CurriculumError(
            f"{self.source}:{self.line(path)}: {_dotted(path)}: {problem} (fix: {fix})"
        )

    def line(self, path: _KeyPath) -> int:
        """The line of ``path`` in the source, or of its closest located parent."""
        if self._lines is None:
            self._lines = _key_lines(self.text)
        for n in range(len(path), 0, -1):
            if (line := self._lines.get(path[:n])) is not None:
                return line
        return 1

    def table(self, data: Any, path: _KeyPath, section: str) -> dict[str, Any]:
        """``data`` checked against ``_SCHEMA[section]``: no unknown keys, all required, typed."""
        schema = _SCHEMA[section]
        for name, value in data.items():
            if name not in schema:
                allowed = ", ".join(schema)
                self.fail(
                    (*path, name),
                    "unknown key",
                    f"{_suggest(name, list(schema))}allowed keys here: {allowed}",
                )
            self.check((*path, name), value, schema[name])
        for name, spec in schema.items():
            if spec.required and name not in data:
                self.fail(path, f"missing required key {json.dumps(name)}", f"add {spec.example}")
        return data

    def check(self, path: _KeyPath, value: Any, spec: _Key) -> None:
        """``value`` has the type ``spec`` asks for, and targets and required strings make sense."""
        if not _has_kind(value, spec.kind):
            self.fail(
                path,
                f"expected {_KIND_TEXT[spec.kind]}, got {_kind_of(value)}",
                f"write it as {spec.example}",
            )
        if isinstance(value, list):
            item = "table" if spec.kind == "tables" else "string"
            for i, element in enumerate(value):
                if not _has_kind(element, item):
                    self.fail(
                        (*path, i),
                        f"expected {_KIND_TEXT[item]}, got {_kind_of(element)}",
                        f"write it as {spec.example}",
                    )
        if spec.kind == "number" and not (math.isfinite(value) and value > 0):
            self.fail(path, f"must be above 0, got {value}", f"use e.g. {spec.example}")
        if spec.kind == "integer" and value < 1:
            self.fail(path, f"must be at least 1, got {value}", f"use e.g. {spec.example}")
        if isinstance(value, str) and not value.strip() and spec.required:
            self.fail(path, "must not be empty", f"write it as {spec.example}")

    def names(self, entries: list[dict[str, Any]], section: str) -> list[str]:
        """Validate the ``[[section]]`` stanzas; their stripped names, each unique and usable in
        selectors."""
        if not entries:
            self.fail((section,), "is empty", f"add {_SCHEMA[''][section].example}")
        seen: dict[str, int] = {}
        names = []
        for i, entry in enumerate(entries):
            self.table(entry, (section, i), section)
            path: _KeyPath = (section, i, "name")
            name = entry["name"].strip()
            if any(c in name for c in _GLOB_CHARS) or _key(name).startswith(_CATEGORY):
                self.fail(
                    path,
                    f"{json.dumps(name)} would read as a selector in [[combination]] stanzas",
                    f'rename it without {" ".join(_GLOB_CHARS)} and without a "category:" prefix',
                )
            if (first := seen.setdefault(_key(name), i)) != i:
                self.fail(
                    path,
                    f"{json.dumps(name)} repeats {section}[{first + 1}] at line "
                    f"{self.line((section, first, 'name'))} (names are case-insensitive)",
                    f"rename or remove one of the two [[{section}]] stanzas",
                )
            names.append(name)
        return names

    def parse(self, data: dict[str, Any]) -> Curriculum:
        """The curriculum ``data`` (parsed TOML) describes."""
        self.table(data, (), "")
        head = self.table(data["curriculum"], ("curriculum",), "curriculum")
        defaults = self.table(data["defaults"], ("defaults",), "defaults")
        categories = self.categories(head["categories"])
        primitives = [
            Primitive(name, entry.get("description", "").strip())
            for name, entry in zip(
                self.names(data["primitive"], "primitive"), data["primitive"], strict=True
            )
        ]
        by_key = {_key(c): c for c in categories}
        objects = []
        for i, name in enumerate(self.names(data["object"], "object")):
            entry = data["object"][i]
            category = by_key.get(_key(entry["category"]))
            if category is None:
                self.fail(
                    ("object", i, "category"),
                    f"unknown category {json.dumps(entry['category'])}",
                    f"{_suggest(entry['category'], categories)}use one of "
                    f"{', '.join(map(json.dumps, categories))}, or add it to curriculum.categories",
                )
            notes = entry.get("notes", "").strip()
            objects.append(CurriculumObject(name, category, notes, entry.get("on_hand", True)))
        return Curriculum(
            name=head["name"].strip(),
            description=head.get("description", "").strip(),
            categories=categories,
            primitives=tuple(primitives),
            objects=tuple(objects),
            targets=self.expand(data["combination"], defaults, primitives, objects, categories),
        )

    def categories(self, raw: list[str]) -> tuple[str, ...]:
        """The declared categories, stripped, checked to be non-empty and unique."""
        path: _KeyPath = ("curriculum", "categories")
        if not raw:
            example = _SCHEMA["curriculum"]["categories"].example
            self.fail(path, "declares no category", f"list them, e.g. {example}")
        seen: set[str] = set()
        for i, name in enumerate(raw):
            if not name.strip() or _key(name) in seen:
                problem = "is empty" if not name.strip() else f"repeats {json.dumps(name)}"
                self.fail((*path, i), problem, "list each category once, by a non-empty name")
            seen.add(_key(name))
        return tuple(name.strip() for name in raw)

    def expand(
        self,
        stanzas: list[dict[str, Any]],
        defaults: dict[str, Any],
        primitives: list[Primitive],
        objects: list[CurriculumObject],
        categories: tuple[str, ...],
    ) -> tuple[Target, ...]:
        """The combinations the stanzas include, by the precedence rule of the module."""
        if not stanzas:
            self.fail(("combination",), "is empty", f"add {_SCHEMA['']['combination'].example}")
        primitive_names = [p.name for p in primitives]
        object_names = [o.name for o in objects]
        object_categories = [o.category for o in objects]
        rules: list[tuple[int, float | None] | None] = []
        winners: dict[tuple[int, int], tuple[int, int]] = {}
        for s, raw in enumerate(stanzas):
            path: _KeyPath = ("combination", s)
            stanza = self.table(raw, path, "combination")
            if stanza.get("exclude", False):
                for name in ("target_episodes", "target_minutes"):
                    if name in stanza:
                        self.fail(
                            (*path, name),
                            "an exclude stanza collects nothing, so it takes no target",
                            f"remove {name}, or remove exclude = true",
                        )
                rules.append(None)
            else:
                minutes = stanza.get("target_minutes", defaults.get("target_minutes"))
                episodes = stanza.get("target_episodes", defaults["target_episodes"])
                rules.append((episodes, None if minutes is None else float(minutes)))
            chosen_primitives = self.select(
                (*path, "primitive"), stanza["primitive"], "primitive", primitive_names, None, ()
            )
            chosen_objects = self.select(
                (*path, "object"),
                stanza["object"],
                "object",
                object_names,
                object_categories,
                categories,
            )
            for p, p_rank in chosen_primitives.items():
                for o, o_rank in chosen_objects.items():
                    rank = p_rank + o_rank
                    if rank >= winners.get((p, o), (-1, -1))[0]:
                        winners[(p, o)] = (rank, s)

        targets = []
        for (p, o), (_, s) in sorted(winners.items()):
            if (rule := rules[s]) is not None:
                targets.append(Target(primitive_names[p], object_names[o], *rule))
        if not targets:
            first = next(s for s, rule in enumerate(rules) if rule is None)
            self.fail(
                ("combination", first, "exclude"),
                "the exclude stanzas leave no combination to collect",
                "narrow the exclude stanzas, or add [[combination]] stanzas that include pairs",
            )
        return tuple(targets)

    def select(
        self,
        path: _KeyPath,
        value: str | list[str],
        noun: str,
        names: list[str],
        item_categories: list[str] | None,
        categories: tuple[str, ...],
    ) -> dict[int, int]:
        """Indices of the ``names`` a selector (or array of selectors) picks, with their rank.

        ``item_categories`` gives each name's category; None means names have none."""
        entries = [value] if isinstance(value, str) else value
        if not entries:
            self.fail(path, "an empty array selects nothing", f'name at least one {noun}, or "*"')
        keys = [_key(n) for n in names]
        index = {k: i for i, k in enumerate(keys)}
        picked: dict[int, int] = {}
        for e, entry in enumerate(entries):
            where = path if isinstance(value, str) else (*path, e)
            selector = _key(entry)
            if selector == "*":
                rank, hits = _RANK_ANY, list(range(len(names)))
            elif selector.startswith(_CATEGORY):
                rank = _RANK_GROUP
                hits = self.category_members(where, entry, item_categories, categories)
            elif any(c in selector for c in _GLOB_CHARS):
                rank = _RANK_GROUP
                hits = [i for i, k in enumerate(keys) if fnmatch.fnmatchcase(k, selector)]
                if not hits:
                    self.fail(
                        where,
                        f"the pattern {json.dumps(entry)} matches no {noun}",
                        f"patterns match whole {noun} names, case-insensitively, e.g. "
                        f"{_PATTERN_EXAMPLE[noun]}; check it against the [[{noun}]] names",
                    )
            elif selector in index:
                rank, hits = _RANK_NAME, [index[selector]]
            else:
                self.fail(
                    where,
                    f"unknown {noun} {json.dumps(entry)}",
                    f"{_suggest(entry, names)}name a declared {noun}, or declare it in a "
                    f"[[{noun}]] stanza",
                )
            for i in hits:
                picked[i] = max(rank, picked.get(i, _RANK_ANY))
        return picked

    def category_members(
        self,
        where: _KeyPath,
        entry: str,
        item_categories: list[str] | None,
        categories: tuple[str, ...],
    ) -> list[int]:
        """Indices of the objects in the category a ``category:`` selector names."""
        if item_categories is None:
            self.fail(
                where,
                f"{json.dumps(entry)}: primitives have no categories",
                'select primitives by name, by a pattern such as "un*", or with "*"',
            )
        wanted = _key(entry)[len(_CATEGORY) :].strip()
        known = [_key(c) for c in categories]
        if wanted not in known:
            self.fail(
                where,
                f"unknown category {json.dumps(wanted)}",
                f"{_suggest(wanted, categories)}use one of "
                + ", ".join(f'"category:{c}"' for c in categories),
            )
        hits = [i for i, c in enumerate(item_categories) if _key(c) == wanted]
        if not hits:
            self.fail(
                where,
                f"the category {json.dumps(wanted)} has no objects",
                "declare an [[object]] in it, or drop this selector",
            )
        return hits


def parse_curriculum(text: str, source: str = "<curriculum>") -> Curriculum:
    """Parse and validate curriculum TOML; ``source`` names its origin in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)$", message)
        line, place = (
            (int(found[1]), f"column {found[2]}")
            if found
            else (text.count("\n") + 1, "the end of the file")
        )
        reason = message[: message.rfind(" (at ")] if " (at " in message else message
        fix = next(
            (hint for start, hint in _TOML_HINTS.items() if reason.startswith(start)),
            "correct the TOML syntax there (see https://toml.io)",
        )
        raise CurriculumError(
            f"{source}:{line}: not valid TOML at {place}: {reason} (fix: {fix})"
        ) from None
    return _Parser(text, source).parse(data)


def load_curriculum(path: str | Path | None = None) -> Curriculum:
    """Load and validate ``path``, or the packaged default curriculum when None."""
    if path is None:
        resource = resources.files("recorder").joinpath(DEFAULT_CURRICULUM)
        return parse_curriculum(resource.read_text(encoding="utf-8"), str(resource))
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CurriculumError(
            f"{source}: cannot read ({exc.strerror}) (fix: check the path)"
        ) from None
    except UnicodeDecodeError:
        raise CurriculumError(f"{source}: not UTF-8 text (fix: save it as UTF-8)") from None
    return parse_curriculum(text, source)


# Locating keys in the source text (only when reporting an error).

_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"\s*(\[\[?)\s*({_DOTTED})\s*\]")
_ASSIGN = re.compile(rf"\s*({_DOTTED})\s*=")


def _parts(dotted: str) -> list[str]:
    return [p.strip("\"'") for p in re.findall(_PART, dotted)]


def _key_lines(text: str) -> dict[_KeyPath, int]:
    """The line (from 1) where each table, array-of-tables element and key of valid TOML
    ``text`` first appears, by key path; elements are numbered from 0, as in the parsed data."""
    lines: dict[_KeyPath, int] = {}
    counts: dict[_KeyPath, int] = {}
    table: _KeyPath = ()
    for number, line in _statement_lines(text):
        if header := _HEADER.match(line):
            parts = _parts(header[2])
            path: _KeyPath = ()
            for i, part in enumerate(parts):
                path = (*path, part)
                lines.setdefault(path, number)
                if i == len(parts) - 1 and header[1] == "[[":
                    counts[path] = counts.get(path, 0) + 1
                if path in counts:
                    path = (*path, counts[path] - 1)
                    lines.setdefault(path, number)
            table = path
        elif assign := _ASSIGN.match(line):
            path = table
            for part in _parts(assign[1]):
                path = (*path, part)
                lines.setdefault(path, number)
    return lines


def _statement_lines(text: str) -> Iterator[tuple[int, str]]:
    """The numbered lines of TOML ``text`` that begin outside strings, arrays and inline
    tables, i.e. where a header or a key can start."""
    depth = 0
    quote = ""
    for number, line in enumerate(text.split("\n"), 1):
        if not depth and not quote:
            yield number, line
        i = 0
        while i < len(line):
            if quote:
                end = _closing(line, i, quote)
                if end < 0:
                    break
                i, quote = end, ""
            elif line.startswith(('"""', "'''"), i):
                quote = line[i : i + 3]
                i += 3
            elif line[i] in "\"'":
                end = _closing(line, i + 1, line[i])
                i = end if end >= 0 else len(line)
            elif line[i] == "#":
                break
            else:
                depth += (line[i] in "[{") - (line[i] in "]}")
                i += 1


def _closing(line: str, start: int, delimiter: str) -> int:
    """The index just past ``delimiter`` closing a string at or after ``start``, or -1."""
    i = start
    while (j := line.find(delimiter, i)) >= 0:
        escapes = len(line[:j]) - len(line[:j].rstrip("\\"))
        if delimiter[0] == "'" or escapes % 2 == 0:
            return j + len(delimiter)
        i = j + 1
    return -1
