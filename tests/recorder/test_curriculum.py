"""Curriculum files: the shipped default, combination precedence, and errors that name the file,
the line, the key and the fix."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from recorder.curriculum import (
    Curriculum,
    CurriculumError,
    CurriculumObject,
    Primitive,
    Target,
    load_curriculum,
    parse_curriculum,
)

TREX_PRIMITIVES = (
    "grasp and lift",
    "reach",
    "lift and place",
    "wrap",
    "fold",
    "press",
    "insert",
    "peel",
    "wipe",
    "squeeze",
    "extract",
    "disassemble",
    "shake",
    "dispense",
    "pour",
    "assemble",
    "open",
    "close",
    "cut",
    "screw",
    "twist",
    "unscrew",
)
TREX_CATEGORIES = (
    "containers",
    "wrapping & tape",
    "fabric & cloth",
    "paper & writing",
    "electronics",
    "toys",
    "personal care",
    "hardware & tools",
    "clothing",
    "kitchen",
)

BASE = """\
[curriculum]
name = "test"
categories = ["kitchen", "containers", "toys"]

[defaults]
target_episodes = 20

[[primitive]]
name = "pour"

[[primitive]]
name = "grasp and lift"

[[primitive]]
name = "screw"

[[object]]
name = "mug"
category = "kitchen"

[[object]]
name = "jam jar"
category = "containers"

[[object]]
name = "water bottle"
category = "containers"

[[object]]
name = "rubber duck"
category = "toys"
on_hand = false
"""

ALL = """
[[combination]]
primitive = "*"
object = "*"
"""


def line_of(text: str, marker: str, occurrence: int = 1) -> int:
    """The line (from 1) of the ``occurrence``-th line containing ``marker``."""
    hits = [n for n, line in enumerate(text.split("\n"), 1) if marker in line]
    return hits[occurrence - 1]


def parse(combinations: str, base: str = BASE) -> Curriculum:
    return parse_curriculum(base + combinations, "test.toml")


def episodes(curriculum: Curriculum) -> dict[tuple[str, str], int]:
    return {(t.primitive, t.object): t.episodes for t in curriculum.targets}


def fails(text: str, tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "plan.toml"
    path.write_text(text)
    with pytest.raises(CurriculumError) as info:
        load_curriculum(path)
    return str(info.value), path


def assert_error(text: str, tmp_path: Path, line: int, key: str, problem: str, *fix: str) -> None:
    """The error names ``file:line``, the key path, the problem, and the fix with ``fix``."""
    message, path = fails(text, tmp_path)
    assert message.startswith(f"{path}:{line}: {key}: "), message
    head, _, remedy = message.partition(" (fix: ")
    assert problem in head, message
    assert remedy.endswith(")"), message
    for words in fix:
        assert words in remedy, message


# The shipped default


def test_default_curriculum_has_the_22_trex_primitives_and_ten_categories() -> None:
    curriculum = load_curriculum()
    assert curriculum.primitive_names == TREX_PRIMITIVES
    assert all(p.description for p in curriculum.primitives)
    assert curriculum.categories == TREX_CATEGORIES
    for category in TREX_CATEGORIES:
        members = [o for o in curriculum.objects if o.category == category]
        assert 3 <= len(members) <= 5, category
    assert any(not o.on_hand for o in curriculum.objects)
    assert 100 <= len(curriculum.targets) <= 400


def test_default_curriculum_plans_sensible_combinations() -> None:
    curriculum = load_curriculum()
    assert curriculum.target("pour", "water bottle") is not None
    assert curriculum.target("pour", "hand towel") is None
    assert curriculum.target("fold", "t-shirt").minutes == 20.0
    assert curriculum.target("fold", "marker") is None
    assert curriculum.target("open", "plastic cup") is None
    assert curriculum.target("screw", "pill bottle").episodes == 30
    assert curriculum.target("Screw", "Light Bulb") == Target("screw", "light bulb", 40, None)
    assert curriculum.target("reach", "mug").episodes == 10
    covered = {t.primitive for t in curriculum.targets}
    assert covered == set(TREX_PRIMITIVES)


def test_default_curriculum_loads_fast() -> None:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        load_curriculum()
        best = min(best, time.perf_counter() - start)
    assert best < 0.05


# Expansion and precedence


def test_wildcards_expand_in_primitive_then_object_order() -> None:
    curriculum = parse(ALL)
    assert [(t.primitive, t.object) for t in curriculum.targets] == [
        (p, o) for p in ("pour", "grasp and lift", "screw") for o in curriculum.object_names
    ]
    assert all(t.episodes == 20 and t.minutes is None for t in curriculum.targets)
    assert curriculum.primitives[0] == Primitive("pour", "")
    assert curriculum.objects[3] == CurriculumObject("rubber duck", "toys", "", False)


def test_names_are_case_insensitive_and_lookups_return_declared_names() -> None:
    curriculum = parse('[[combination]]\nprimitive = "POUR"\nobject = ["Mug", "CATEGORY:Toys"]\n')
    assert curriculum.target("Pour", "MUG") == Target("pour", "mug", 20, None)
    assert curriculum.target("pour", "rubber duck") is not None
    assert curriculum.target("pour", "jam jar") is None
    assert curriculum.target("nonexistent", "mug") is None


def test_category_and_glob_selectors() -> None:
    curriculum = parse(
        '[[combination]]\nprimitive = "pour"\nobject = "category:containers"\n'
        '[[combination]]\nprimitive = "scr?w"\nobject = ["*BOTTLE", "[jm]*"]\n'
    )
    assert set(episodes(curriculum)) == {
        ("pour", "jam jar"),
        ("pour", "water bottle"),
        ("screw", "water bottle"),
        ("screw", "jam jar"),
        ("screw", "mug"),
    }


def test_more_specific_stanza_wins_whatever_its_position() -> None:
    curriculum = parse(
        '[[combination]]\nprimitive = "pour"\nobject = "mug"\ntarget_episodes = 40\n'
        '[[combination]]\nprimitive = "pour"\nobject = "category:kitchen"\ntarget_episodes = 5\n'
        + ALL
    )
    assert episodes(curriculum)[("pour", "mug")] == 40
    assert episodes(curriculum)[("pour", "jam jar")] == 20


def test_equally_specific_stanzas_the_last_wins() -> None:
    by_primitive = '[[combination]]\nprimitive = "pour"\nobject = "*"\ntarget_episodes = 25\n'
    by_object = '[[combination]]\nprimitive = "*"\nobject = "mug"\ntarget_episodes = 35\n'
    assert episodes(parse(by_primitive + by_object))[("pour", "mug")] == 35
    assert episodes(parse(by_object + by_primitive))[("pour", "mug")] == 25


def test_exclude_removes_pairs_and_a_more_specific_stanza_restores_them() -> None:
    exclude = '[[combination]]\nprimitive = "pour"\nobject = "category:toys"\nexclude = true\n'
    curriculum = parse(ALL + exclude)
    assert curriculum.target("pour", "rubber duck") is None
    assert curriculum.target("screw", "rubber duck") is not None
    assert len(curriculum.targets) == 11
    restore = '[[combination]]\nprimitive = "pour"\nobject = "rubber duck"\n'
    assert parse(restore + ALL + exclude).target("pour", "rubber duck") is not None


def test_an_array_entry_gives_each_name_its_own_rank() -> None:
    curriculum = parse(
        '[[combination]]\nprimitive = "pour"\nobject = ["category:containers", "jam jar"]\n'
        '[[combination]]\nprimitive = "pour"\nobject = "category:containers"\nexclude = true\n'
    )
    assert curriculum.target("pour", "jam jar") is not None
    assert curriculum.target("pour", "water bottle") is None


def test_stanza_targets_override_defaults_one_by_one() -> None:
    base = BASE.replace("target_episodes = 20", "target_episodes = 20\ntarget_minutes = 6")
    curriculum = parse(
        ALL + '[[combination]]\nprimitive = "screw"\nobject = "*"\ntarget_episodes = 30\n'
        '[[combination]]\nprimitive = "pour"\nobject = "*"\ntarget_minutes = 12.5\n',
        base,
    )
    assert curriculum.target("grasp and lift", "mug") == Target("grasp and lift", "mug", 20, 6.0)
    assert curriculum.target("screw", "mug") == Target("screw", "mug", 30, 6.0)
    assert curriculum.target("pour", "mug") == Target("pour", "mug", 20, 12.5)


# Errors: file, line, key, problem, fix


def test_toml_syntax_error(tmp_path: Path) -> None:
    text = BASE + '[[combination]]\nprimitive = pour\nobject = "mug"\n'
    assert_error(
        text,
        tmp_path,
        line_of(text, "primitive = pour"),
        "not valid TOML at column 13",
        "Invalid value",
        "quote text values",
    )


def test_toml_error_at_end_of_file(tmp_path: Path) -> None:
    text = BASE + '[[combination]]\nprimitive = "pour'
    message, path = fails(text, tmp_path)
    assert message.startswith(f"{path}:{text.count(chr(10)) + 1}: not valid TOML"), message
    assert "(fix: " in message


def test_unknown_key_suggests_the_close_match(tmp_path: Path) -> None:
    text = BASE + '[[combination]]\nprimitive = "pour"\nobject = "mug"\ntarget_episode = 5\n'
    assert_error(
        text,
        tmp_path,
        line_of(text, "target_episode = 5"),
        "combination[1].target_episode",
        "unknown key",
        'did you mean "target_episodes"?',
        "allowed keys here: primitive, object",
    )


def test_unknown_key_in_an_object_and_at_top_level(tmp_path: Path) -> None:
    text = BASE.replace('category = "toys"', 'category = "toys"\nnote = "yellow"') + ALL
    assert_error(
        text,
        tmp_path,
        line_of(text, 'note = "yellow"'),
        "object[4].note",
        "unknown key",
        'did you mean "notes"?',
    )
    text = BASE + ALL + "\n[default]\ntarget_minutes = 3\n"
    assert_error(
        text,
        tmp_path,
        line_of(text, "[default]"),
        "default",
        "unknown key",
        'did you mean "defaults"?',
    )


def test_missing_required_key_points_at_the_stanza(tmp_path: Path) -> None:
    text = BASE.replace('category = "containers"\n', "", 1) + ALL
    assert_error(
        text,
        tmp_path,
        line_of(text, "[[object]]", 2),
        "object[2]",
        'missing required key "category"',
        'add category = "kitchen"',
    )


def test_missing_table(tmp_path: Path) -> None:
    text = BASE.replace("[defaults]\ntarget_episodes = 20\n", "") + ALL
    assert_error(
        text,
        tmp_path,
        1,
        "(top level)",
        'missing required key "defaults"',
        "add a [defaults] table with target_episodes = 20",
    )


@pytest.mark.parametrize(
    ("old", "new", "key", "problem", "fix"),
    [
        (
            "target_episodes = 20",
            'target_episodes = "20"',
            "defaults.target_episodes",
            'expected a whole number, got the string "20"',
            "write it as target_episodes = 20",
        ),
        (
            "target_episodes = 20",
            "target_episodes = 20.5",
            "defaults.target_episodes",
            "expected a whole number, got the number 20.5",
            "target_episodes = 20",
        ),
        (
            "on_hand = false",
            'on_hand = "no"',
            "object[4].on_hand",
            "expected true or false",
            "on_hand = true",
        ),
        (
            'categories = ["kitchen", "containers", "toys"]',
            'categories = "kitchen"',
            "curriculum.categories",
            "expected an array of strings",
            'categories = ["containers", "kitchen"]',
        ),
    ],
)
def test_wrong_types(tmp_path: Path, old: str, new: str, key: str, problem: str, fix: str) -> None:
    text = BASE.replace(old, new) + ALL
    assert_error(text, tmp_path, line_of(text, new), key, problem, fix)


def test_a_table_where_stanzas_are_expected(tmp_path: Path) -> None:
    head = BASE[: BASE.index("[[primitive]]")]
    text = head + '[primitive]\nname = "pour"\n\n[[object]]\nname = "mug"\ncategory = "kitchen"\n'
    assert_error(
        text + ALL,
        tmp_path,
        line_of(text, "[primitive]"),
        "primitive",
        "expected an array of tables, got a table",
        "write it as [[primitive]] stanzas",
    )


def test_wrong_type_inside_a_selector_array(tmp_path: Path) -> None:
    text = BASE + '[[combination]]\nprimitive = "pour"\nobject = ["mug", 3]\n'
    assert_error(
        text,
        tmp_path,
        line_of(text, 'object = ["mug", 3]'),
        "combination[1].object[2]",
        "expected a string, got the number 3",
        "object = ",
    )


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ("target_episodes = 0", "must be at least 1, got 0"),
        ("target_episodes = -3", "must be at least 1, got -3"),
        ("target_minutes = 0.0", "must be above 0, got 0.0"),
        ("target_minutes = nan", "must be above 0, got nan"),
        ("target_minutes = inf", "must be above 0, got inf"),
    ],
)
def test_non_positive_targets(tmp_path: Path, setting: str, problem: str) -> None:
    text = BASE + ALL + '\n[[combination]]\nprimitive = "pour"\nobject = "mug"\n' + setting + "\n"
    key = setting.split(" =")[0]
    assert_error(
        text, tmp_path, line_of(text, setting), f"combination[2].{key}", problem, "use e.g. "
    )


def test_duplicate_names_ignore_case(tmp_path: Path) -> None:
    text = BASE + '\n[[primitive]]\nname = "Pour"\n' + ALL
    first = line_of(text, 'name = "pour"')
    assert_error(
        text,
        tmp_path,
        line_of(text, 'name = "Pour"'),
        "primitive[4].name",
        f'"Pour" repeats primitive[1] at line {first}',
        "rename or remove one of the two [[primitive]] stanzas",
    )
    text = BASE + '\n[[object]]\nname = "MUG "\ncategory = "kitchen"\n' + ALL
    assert_error(
        text,
        tmp_path,
        line_of(text, 'name = "MUG "'),
        "object[5].name",
        '"MUG" repeats object[1]',
        "rename or remove",
    )


def test_duplicate_category(tmp_path: Path) -> None:
    text = BASE.replace('"toys"]', '"toys", "Kitchen"]') + ALL
    assert_error(
        text,
        tmp_path,
        line_of(text, "categories = "),
        "curriculum.categories[4]",
        'repeats "Kitchen"',
        "list each category once",
    )


def test_names_that_read_as_selectors_are_rejected(tmp_path: Path) -> None:
    text = BASE.replace('name = "jam jar"', 'name = "jar*"') + ALL
    assert_error(
        text,
        tmp_path,
        line_of(text, 'name = "jar*"'),
        "object[2].name",
        "would read as a selector",
        "rename it without * ? [",
    )


def test_object_with_an_undeclared_category_lists_the_known_ones(tmp_path: Path) -> None:
    text = BASE.replace('category = "kitchen"', 'category = "kitchn"') + ALL
    assert_error(
        text,
        tmp_path,
        line_of(text, 'category = "kitchn"'),
        "object[1].category",
        'unknown category "kitchn"',
        'did you mean "kitchen"? use one of "kitchen", "containers", "toys"',
        "or add it to curriculum.categories",
    )


def test_unknown_primitive_suggests_the_closest(tmp_path: Path) -> None:
    text = BASE + ALL + '\n[[combination]]\nprimitive = "scerw"\nobject = "mug"\n'
    assert_error(
        text,
        tmp_path,
        line_of(text, 'primitive = "scerw"'),
        "combination[2].primitive",
        'unknown primitive "scerw"',
        'did you mean "screw"?',
        "declare it in a [[primitive]]",
    )


def test_unknown_object_in_an_array(tmp_path: Path) -> None:
    text = BASE + '[[combination]]\nprimitive = "pour"\nobject = [\n  "mug",\n  "Jam Jr",\n]\n'
    assert_error(
        text,
        tmp_path,
        line_of(text, "object = ["),
        "combination[1].object[2]",
        'unknown object "Jam Jr"',
        'did you mean "jam jar"?',
    )


@pytest.mark.parametrize(
    ("field", "selector", "problem", "fix"),
    [
        ("object", '"*cup"', 'the pattern "*cup" matches no object', "patterns match whole"),
        ("primitive", '"un*"', 'the pattern "un*" matches no primitive', "[[primitive]] names"),
        (
            "object",
            '"category:kitchenware"',
            'unknown category "kitchenware"',
            'did you mean "kitchen"? use one of "category:kitchen", "category:containers"',
        ),
        (
            "primitive",
            '"category:kitchen"',
            "primitives have no categories",
            "select primitives by name",
        ),
        ("object", "[]", "an empty array selects nothing", 'name at least one object, or "*"'),
    ],
)
def test_selectors_that_select_nothing(
    tmp_path: Path, field: str, selector: str, problem: str, fix: str
) -> None:
    other = "object" if field == "primitive" else "primitive"
    stanza = f'\n[[combination]]\n{other} = "*"\n{field} = {selector}\n'
    text = BASE + ALL + stanza
    key = f"combination[2].{field}"
    assert_error(text, tmp_path, line_of(text, f"{field} = {selector}"), key, problem, fix)


def test_empty_category_selects_nothing(tmp_path: Path) -> None:
    text = BASE.replace('"toys"]', '"toys", "clothing"]') + (
        '[[combination]]\nprimitive = "*"\nobject = "category:clothing"\n'
    )
    assert_error(
        text,
        tmp_path,
        line_of(text, 'object = "category:clothing"'),
        "combination[1].object",
        'the category "clothing" has no objects',
        "declare an [[object]] in it",
    )


def test_exclude_stanza_takes_no_target(tmp_path: Path) -> None:
    text = (
        BASE
        + ALL
        + '[[combination]]\nprimitive = "pour"\nobject = "*"\n'
        + "exclude = true\ntarget_episodes = 3\n"
    )
    assert_error(
        text,
        tmp_path,
        line_of(text, "target_episodes = 3"),
        "combination[2].target_episodes",
        "an exclude stanza collects nothing",
        "remove target_episodes",
    )


def test_no_combination_left(tmp_path: Path) -> None:
    text = BASE + ALL + '\n[[combination]]\nprimitive = "*"\nobject = "*"\nexclude = true\n'
    assert_error(
        text,
        tmp_path,
        line_of(text, "exclude = true"),
        "combination[2].exclude",
        "the exclude stanzas leave no combination",
        "narrow the exclude stanzas",
    )


def test_no_combination_stanza(tmp_path: Path) -> None:
    assert_error(
        BASE,
        tmp_path,
        1,
        "(top level)",
        'missing required key "combination"',
        "add [[combination]] stanzas",
    )
    text = "combination = []\n" + BASE
    assert_error(text, tmp_path, 1, "combination", "is empty", "add [[combination]] stanzas")


def test_lines_are_found_past_multiline_strings_and_arrays(tmp_path: Path) -> None:
    description = 'description = """\n[[combination]]\nobject = "x"\n[curriculum]\n"""'
    text = (
        BASE.replace('name = "test"', f'name = "test"\n{description}')
        + ALL
        + "[[combination]]\n"
        + 'primitive = ["pour", # a comment with "quotes" and [brackets\n  "screw"]\n'
        + 'object = "mugg"\n'
    )
    assert_error(
        text,
        tmp_path,
        line_of(text, 'object = "mugg"'),
        "combination[2].object",
        'unknown object "mugg"',
        'did you mean "mug"?',
    )


def test_unreadable_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(CurriculumError, match=r"nope\.toml: cannot read .*\(fix: check the path\)"):
        load_curriculum(missing)


def test_parse_curriculum_names_its_source() -> None:
    with pytest.raises(CurriculumError, match=r"^<inline>:1: .*\(fix: add \[\[combination\]\]"):
        parse_curriculum(BASE, "<inline>")
