"""rex check-map --json: valid against docs/check-map.schema.json, the same problems as the text
output, and each problem pointing at the layer, object, cell or property it is about."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from game import cli
from game.mapcheck import check_paths
from tests import mapkit
from tests.test_fuzz_maps import ATTRIBUTES, ODD_VALUES
from tests.test_mapcheck import HOSTILE, picture
from tools import tmxwrite

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "check-map.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def run_json(capsys, *paths: Path) -> tuple[int, dict]:
    """Exit status and the parsed stdout of rex check-map --json; nothing else may be printed."""
    status = cli.main(["check-map", "--json", *map(str, paths)])
    out, err = capsys.readouterr()
    assert err == "", err
    assert out.endswith("\n") and out.count("\n") == 1, "one JSON object on one line"
    report = json.loads(out)
    VALIDATOR.validate(report)
    return status, report


def text_of(problem: dict, file: str) -> str:
    """The text output's line for one JSON problem."""
    prefix = "warning: " if problem["severity"] == "warning" else ""
    return f"{file}: {prefix}{problem['where']}: {problem['message']}"


def assert_same_as_text(status: int, report: dict, paths: list[Path]) -> None:
    """The JSON says what the text output says: same lines, same exit status."""
    text_status, lines = check_paths([str(p) for p in paths])
    assert status == text_status
    assert report["ok"] == (status == 0)
    rebuilt = []
    for entry, path in zip(report["files"], paths, strict=True):
        assert entry["file"] == str(path)
        rebuilt += [text_of(p, entry["file"]) for p in entry["problems"]]
        if entry["ok"]:
            size = entry["map"]
            rebuilt.append(f"{path}: ok ({size['width']} x {size['height']} tiles, "
                           f"{size['objects']} objects)")
    assert rebuilt == lines


def only_problem(report: dict, fragment: str) -> dict:
    (entry,) = report["files"]
    found = [p for p in entry["problems"] if fragment in p["message"]]
    assert len(found) == 1, entry["problems"]
    return found[0]


def object_layer(path: Path) -> dict:
    group = ElementTree.parse(path).getroot().find("objectgroup")
    assert group is not None
    return {"name": group.get("name"), "id": int(group.get("id", "0"))}


def test_the_shipped_maps_are_ok_and_valid(capsys):
    paths = sorted((ROOT / "maps").glob("*.tmx"))
    status, report = run_json(capsys, *paths)
    assert status == 0 and report["ok"]
    assert all(entry["ok"] and entry["map"]["objects"] > 0 for entry in report["files"])
    assert_same_as_text(status, report, paths)


def test_an_object_on_a_wall_names_its_object_layer_and_cell(tmp_path, capsys):
    path = mapkit.write(mapkit.MapSpec(terrain_overrides={(6, 11): "building"}), tmp_path)
    status, report = run_json(capsys, path)
    assert status == 1 and not report["ok"] and report["files"][0]["map"] is not None
    problem = only_problem(report, "stands on building")
    mila = next(o for o in ElementTree.parse(path).getroot().iter("object")
                if o.get("class") == "mila_spawn")
    assert problem == {"severity": "error", "where": "object 7 (mila_spawn)",
                       "message": "stands on building at cell (6, 11), where people on foot "
                                  "cannot stand",
                       "layer": object_layer(path), "object": int(mila.get("id")), "cell": [6, 11]}
    assert_same_as_text(status, report, [path])


def test_a_cell_without_terrain_is_a_cell(tmp_path, capsys):
    spec = mapkit.MapSpec(picture=picture({11: "......M.......?..........................A"}))
    _, report = run_json(capsys, mapkit.write(spec, tmp_path))
    problem = only_problem(report, "has no terrain")
    assert problem["cell"] == [14, 11] and "object" not in problem and "layer" not in problem


def test_two_of_a_single_object_list_both(tmp_path, capsys):
    spec = mapkit.MapSpec(picture=picture({11: "......M...........M.....................A."}))
    _, report = run_json(capsys, mapkit.write(spec, tmp_path))
    assert only_problem(report, "there must be exactly 1 mila_spawn")["objects"] == [7, 8]


def test_an_object_property_names_the_object_and_the_property(tmp_path, capsys):
    spec = mapkit.MapSpec(object_props={"police_spawn": [("officers", "int", 10_000)]})
    path = mapkit.write(spec, tmp_path)
    status, report = run_json(capsys, path)
    problem = only_problem(report, "is above the maximum 64")
    assert problem["property"] == "officers"
    assert problem["layer"] == object_layer(path) and isinstance(problem["object"], int)
    assert report["files"][0]["map"] is None  # a read error: the map did not load
    assert_same_as_text(status, report, [path])


def test_a_map_property_names_only_the_property(tmp_path, capsys):
    spec = mapkit.MapSpec(map_properties=[("start_clock", "string", "teatime")])
    _, report = run_json(capsys, mapkit.write(spec, tmp_path))
    problem = only_problem(report, "must be a clock time")
    assert problem["where"] == "map" and problem["property"] == "start_clock"
    assert set(problem) == {"severity", "where", "message", "property"}


def test_broken_layer_data_names_the_layer(tmp_path, capsys):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    text = path.read_text()
    path.write_text(text.replace('<data encoding="csv">\n10,', '<data encoding="csv">\n99,', 1))
    _, report = run_json(capsys, path)
    problem = only_problem(report, "use tile ids that no tileset defines")
    layer = ElementTree.parse(path).getroot().find("layer")
    assert problem["layer"] == {"name": "ground", "id": int(layer.get("id"))}
    assert problem["cell"] == [0, 0]


def test_a_tile_with_an_unknown_terrain_names_its_tileset_and_tile(tmp_path, capsys):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    path.write_text(path.read_text().replace('value="water"', 'value="lava"', 1))
    _, report = run_json(capsys, path)
    problem = only_problem(report, "unknown terrain 'lava'")
    assert (problem["tileset"], problem["tile"], problem["property"]) == ("terrain", 11, "terrain")


def test_problems_of_each_tileset_name_it_and_a_map_without_one_is_the_map_s(tmp_path, capsys):
    path = mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path)
    (tmp_path / "terrain.tsx").write_text("<map/>")
    _, report = run_json(capsys, path)
    assert only_problem(report, "not a tileset")["tileset"] == "terrain.tsx"
    text = path.read_text()
    start = text.index("<tileset")
    path.write_text(text[:start] + text[text.index(">", start) + 1:])
    _, report = run_json(capsys, path)
    problem = only_problem(report, "has no tileset")
    assert set(problem) == {"severity", "where", "message"}


def test_the_loader_s_limits_name_what_they_refuse(tmp_path, capsys):
    """The guards of the hardened loader say where, like every other problem."""
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    text = path.read_text()
    at = text.index('<data encoding="csv">') + len('<data encoding="csv">')
    path.write_text(text[:at] + "\n99999999999999999999999" + text[at + 2:])
    _, report = run_json(capsys, path)
    assert only_problem(report, "tile id out of range")["layer"] == {"name": "ground", "id": 1}

    far = tmxwrite.MapObject(90, "scent_source", 1.7e308, 1.7e308)
    path = mapkit.write(mapkit.MapSpec(extra_objects=[far]), tmp_path)
    path.write_text(path.read_text().replace("<objectgroup ", '<objectgroup offsetx="1.7e308" '))
    _, report = run_json(capsys, path)
    (entry,) = report["files"]
    places = {(p["object"], p["layer"]["id"]) for p in entry["problems"]
              if "position or size is out of range" in p["message"]}
    assert places == {(90, object_layer(path)["id"])}

    path.write_text(mapkit.write(mapkit.MapSpec(), tmp_path).read_text().replace(
        '<tile id="11">', '<tile id="-3">', 1))
    _, report = run_json(capsys, path)
    assert only_problem(report, "tile id -3 must be 0 or more")["tileset"] == "terrain"

    sources = [tmxwrite.MapObject(100 + i, "scent_source", 3.5 * mapkit.TILE,
                                  5.5 * mapkit.TILE) for i in range(2000)]
    path = mapkit.write(mapkit.MapSpec(extra_objects=sources), tmp_path)
    _, report = run_json(capsys, path)
    problem = only_problem(report, "scent sources in all")
    assert len(problem["objects"]) == 2000 and problem["objects"][:2] == [100, 101]


def test_an_unknown_class_is_a_warning_that_keeps_the_map_ok(tmp_path, capsys):
    extra = tmxwrite.MapObject(90, "scent_sorce", 16 * 20, 16 * 9)
    path = mapkit.write(mapkit.MapSpec(extra_objects=[extra]), tmp_path)
    status, report = run_json(capsys, path)
    assert status == 0 and report["ok"]
    problem = only_problem(report, "unknown object class 'scent_sorce'")
    assert problem["severity"] == "warning" and problem["object"] == 90
    assert_same_as_text(status, report, [path])


def test_files_that_are_not_maps(tmp_path, capsys):
    paths = []
    for name, (data, _) in sorted(HOSTILE.items()):
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    paths += [tmp_path / "missing.tmx", tmp_path]
    status, report = run_json(capsys, *paths)
    assert status == 1
    assert all(not entry["ok"] and entry["map"] is None for entry in report["files"])
    assert_same_as_text(status, report, paths)


def mutated_maps(directory: Path, count: int) -> list[Path]:
    """Seeded mutations of the valid fixture: odd attribute values, dropped or doubled lines."""
    rng = random.Random(18)
    found = []
    for encoding in ("csv", "zlib"):
        for external in (False, True):
            base = mapkit.write(mapkit.MapSpec(encoding=encoding, external_tileset=external),
                                directory / f"{encoding}-{external}")
            text = base.read_text()
            for index in range(count):
                lines = text.split("\n")
                spots = [m.span(1) for m in re.finditer(
                    rf' {rng.choice(ATTRIBUTES)}="([^"]*)"', text)]
                if spots and rng.random() < 0.6:
                    start, end = rng.choice(spots)
                    body = text[:start] + rng.choice(ODD_VALUES) + text[end:]
                else:
                    line = rng.randrange(len(lines))
                    if rng.random() < 0.5:
                        lines.insert(line, lines[line])
                    else:
                        del lines[line]
                    body = "\n".join(lines)
                path = base.parent / f"mutant{index}.tmx"
                path.write_text(body)
                found.append(path)
    return found


def test_mutated_maps_give_valid_json_that_agrees_with_the_text(tmp_path, capsys):
    paths = mutated_maps(tmp_path, 25)
    status, report = run_json(capsys, *paths)
    assert_same_as_text(status, report, paths)
    problems = [p for entry in report["files"] for p in entry["problems"]]
    assert sum(not entry["ok"] for entry in report["files"]) > 20, "the mutations break maps"
    # Problems of every kind of place were produced, so the schema was tried on each.
    for key in ("layer", "object", "property", "tileset"):
        assert any(key in p for p in problems), key


def test_exit_statuses_are_unchanged(tmp_path, capsys):
    good = mapkit.write(mapkit.MapSpec(), tmp_path / "good")
    bad = mapkit.write(mapkit.MapSpec(terrain_overrides={(6, 11): "water"}), tmp_path / "bad")
    assert run_json(capsys, good)[0] == 0
    assert run_json(capsys, good, bad)[0] == 1
    with pytest.raises(SystemExit) as usage:
        cli.main(["check-map", "--json"])
    assert usage.value.code == 2


def test_the_readme_example_is_valid():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", readme, re.DOTALL)
    assert example, "README.md shows an example of check-map --json"
    VALIDATOR.validate(json.loads(example.group(1)))
