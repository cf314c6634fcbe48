"""Every rule of the map contract rejects a fixture that breaks it, with a clear line."""

from __future__ import annotations

import base64
import gzip
import zlib
from pathlib import Path

import numpy as np
import pytest

from game.mapcheck import check_file
from game.tiled import read_level
from tests import mapkit
from tools import tmxwrite


def lines_for(path: Path) -> list[str]:
    ok, lines = check_file(path)
    assert not ok, f"expected {path} to be rejected, got {lines}"
    return [line for line in lines if ": warning: " not in line]


def expect(path: Path, *fragments: str) -> str:
    """The one problem line that holds every fragment (and names the file)."""
    lines = lines_for(path)
    matching = [line for line in lines if all(f in line for f in fragments)]
    assert matching, f"no line with {fragments} in {lines}"
    assert matching[0].startswith(str(path))
    return matching[0]


def edited(tmp_path: Path, old: str, new: str, spec: mapkit.MapSpec | None = None) -> Path:
    path = mapkit.write(spec or mapkit.MapSpec(), tmp_path)
    text = path.read_text()
    assert old in text, f"{old!r} not in the fixture"
    path.write_text(text.replace(old, new, 1))
    return path


def picture(rows_changed: dict[int, str]) -> str:
    rows = mapkit.VALID.strip("\n").split("\n")
    for index, row in rows_changed.items():
        rows[index] = row
    return "\n".join(rows)


def test_the_valid_fixture_passes_in_every_encoding(tmp_path):
    for encoding in ("csv", "base64", "zlib", "gzip"):
        for external in (False, True):
            spec = mapkit.MapSpec(encoding=encoding, external_tileset=external)
            path = mapkit.write(spec, tmp_path / f"{encoding}-{external}")
            ok, lines = check_file(path)
            assert ok, lines
            assert lines[-1] == f"{path}: ok (42 x 12 tiles, 12 objects)"


def test_the_same_grids_whatever_the_encoding(tmp_path):
    levels = [read_level(mapkit.write(mapkit.MapSpec(encoding=e), tmp_path / e))
              for e in ("csv", "base64", "zlib", "gzip")]
    for level in levels[1:]:
        assert np.array_equal(level.terrain, levels[0].terrain)
        for mover in ("foot", "dog", "car"):
            assert np.array_equal(level.cost[mover], levels[0].cost[mover])


# -- the file ------------------------------------------------------------------------------


def test_malformed_xml(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    path.write_text(path.read_text()[:500])
    line = expect(path, "map: is not well-formed XML")
    assert "line" in line and "column" in line


def test_missing_tileset_file(tmp_path):
    path = mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path)
    (tmp_path / "terrain.tsx").unlink()
    expect(path, "tileset 'terrain.tsx'", "file not found")


def test_unreadable_tileset_file(tmp_path):
    path = mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path)
    (tmp_path / "terrain.tsx").unlink()
    (tmp_path / "terrain.tsx").mkdir()
    expect(path, "tileset 'terrain.tsx'", "is a directory")


def test_tileset_that_is_not_a_tileset(tmp_path):
    path = mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path)
    (tmp_path / "terrain.tsx").write_text("<map/>")
    expect(path, "tileset 'terrain.tsx'", "is a <map>, not a tileset")


def test_non_orthogonal_map(tmp_path):
    path = edited(tmp_path, 'orientation="orthogonal"', 'orientation="isometric"')
    expect(path, "map: orientation is 'isometric'; the game needs an orthogonal map")


def test_infinite_map(tmp_path):
    path = edited(tmp_path, 'infinite="0"', 'infinite="1"')
    expect(path, "map: is infinite")


def test_non_square_tiles(tmp_path):
    path = edited(tmp_path, 'tileheight="16" infinite', 'tileheight="8" infinite')
    expect(path, "map: tiles are 16 x 8 pixels; they must be square")


def test_map_too_large_is_refused_before_reading_its_data(tmp_path):
    path = edited(tmp_path, 'width="42" height="12"', 'width="100000" height="100000"')
    expect(path, "map: is 100000 x 100000 tiles; the game's limit is 1,048,576 cells")


def test_unknown_terrain(tmp_path):
    path = edited(tmp_path, 'value="water"', 'value="lava"')
    expect(path, "tileset 'terrain' tile 11: unknown terrain 'lava'")


def test_cell_with_no_terrain(tmp_path):
    spec = mapkit.MapSpec(picture=picture({11: "......M.......?..........................A"}))
    expect(mapkit.write(spec, tmp_path), "cell (14, 11): has no terrain")


def test_many_cells_with_no_terrain_are_summed_up(tmp_path):
    spec = mapkit.MapSpec(picture=picture({9: "?" * 42, 10: "?" * 42}))
    lines = lines_for(mapkit.write(spec, tmp_path))
    assert sum("has no terrain" in line for line in lines) == 20
    assert any("64 more cells have no terrain" in line for line in lines)


def replace_data(path: Path, new_text) -> None:
    """Swap the first layer's <data> text for new_text(old_text)."""
    text = path.read_text()
    start = text.index(">", text.index("<data ")) + 1
    end = text.index("</data>")
    path.write_text(text[:start] + new_text(text[start:end]) + text[end:])


def test_corrupt_compressed_data(tmp_path):
    for encoding in ("zlib", "gzip"):
        path = mapkit.write(mapkit.MapSpec(encoding=encoding), tmp_path / encoding)

        def corrupt(body: str) -> str:
            raw = bytearray(base64.b64decode(body.strip()))
            raw[12:20] = b"\xff" * 8
            return base64.b64encode(bytes(raw)).decode()

        replace_data(path, corrupt)
        expect(path, "layer 'ground' (id 1)", f"{encoding}-compressed layer data is corrupt")


def test_truncated_compressed_data(tmp_path):
    path = mapkit.write(mapkit.MapSpec(encoding="gzip"), tmp_path)
    replace_data(path, lambda body: base64.b64encode(
        base64.b64decode(body.strip())[:-12]).decode())
    expect(path, "layer 'ground' (id 1)", "gzip-compressed layer data is truncated")


def test_compression_bomb(tmp_path):
    path = mapkit.write(mapkit.MapSpec(encoding="zlib"), tmp_path)
    replace_data(path, lambda _: base64.b64encode(zlib.compress(bytes(50_000_000))).decode())
    expect(path, "inflates to more than the map holds")


def test_unsupported_compression(tmp_path):
    path = mapkit.write(mapkit.MapSpec(encoding="zstd"), tmp_path)
    expect(path, "layer compression 'zstd' is not supported; choose zlib or gzip")


def test_wrong_number_of_tiles_in_a_layer(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    text = path.read_text()
    path.write_text(text.replace('<data encoding="csv">\n', '<data encoding="csv">\n1,', 1))
    expect(path, "layer 'ground' (id 1): has 505 CSV values; a 42 x 12 map needs 504")


def test_gid_that_no_tileset_defines(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    text = path.read_text()
    path.write_text(text.replace('<data encoding="csv">\n10,', '<data encoding="csv">\n99,', 1))
    expect(path, "layer 'ground' (id 1): 1 cells use tile ids that no tileset defines",
           "gid 99")


def test_xml_tile_elements_are_explained(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    text = path.read_text()
    start = text.index('<data encoding="csv">')
    end = text.index("</data>") + len("</data>")
    path.write_text(text[:start] + "<data>" + '<tile gid="2"/>' * 504 + "</data>" + text[end:])
    expect(path, "stores tiles as XML elements")


# -- objects -------------------------------------------------------------------------------


def test_missing_required_object(tmp_path):
    spec = mapkit.MapSpec(picture=picture({11: "........................................A."}))
    expect(mapkit.write(spec, tmp_path), "map: has no mila_spawn object (exactly 1 needed")


def test_duplicated_required_object_names_both_ids(tmp_path):
    spec = mapkit.MapSpec(picture=picture({11: "......M...........M.....................A."}))
    expect(mapkit.write(spec, tmp_path), "objects 7, 8 (mila_spawn): there must be exactly 1 "
                                         "mila_spawn; found 2")


def test_missing_police_spawn(tmp_path):
    spec = mapkit.MapSpec(picture=picture({5: "...........~~~~~~~~~~~~s=..###.......=sO.."}))
    expect(mapkit.write(spec, tmp_path), "map: has no police_spawn object (at least 1 needed")


def test_missing_required_zone(tmp_path):
    spec = mapkit.MapSpec(zones={"facility": (0, 0, 42, 12), "city": (0, 0, 42, 12),
                                 "bridge": (0, 0, 42, 12)})
    expect(mapkit.write(spec, tmp_path), "map: has no zone named 'park'")


def test_wrong_shape(tmp_path):
    extra = tmxwrite.MapObject(90, "maple_tree", 16, 16, width=32, height=32, shape="rectangle")
    spec = mapkit.MapSpec(picture=picture({11: "......M..................................."}),
                          extra_objects=[extra])
    expect(mapkit.write(spec, tmp_path), "object 90 (maple_tree): must be a point object, "
                                         "not a rectangle")


@pytest.mark.parametrize("row, col, kind, terrain, who", [
    (1, 2, "rex_spawn", "wall", "Rex"),
    (11, 6, "mila_spawn", "water", "people on foot"),
    (11, 41, "maple_tree", "building", "people on foot"),
    (3, 15, "dylan_spawn", "hedge", "people on foot"),
    (5, 2, "police_spawn", "fence", "people on foot"),
])
def test_spawn_on_a_cell_its_user_cannot_stand_on(tmp_path, row, col, kind, terrain, who):
    spec = mapkit.MapSpec(terrain_overrides={(col, row): terrain})
    expect(mapkit.write(spec, tmp_path), f"({kind}",
           f"stands on {terrain} at cell ({col}, {row}), where {who} cannot stand")


def test_object_outside_the_map(tmp_path):
    extra = tmxwrite.MapObject(90, "scent_source", 16 * 60, 16 * 3)
    expect(mapkit.write(mapkit.MapSpec(extra_objects=[extra]), tmp_path),
           "object 90 (scent_source): lies outside the map at cell (60, 3)")


def test_gate_on_a_wall(tmp_path):
    spec = mapkit.MapSpec(terrain_overrides={(5, 2): "wall"})
    expect(mapkit.write(spec, tmp_path), "(kennel_gate)",
           "must cover only cells Rex can pass (the kennel's doorway); blocked at (5, 2)")


def test_gate_that_does_not_shut_rex_in(tmp_path):
    spec = mapkit.MapSpec(terrain_overrides={(5, 1): "floor"})
    expect(mapkit.write(spec, tmp_path), "(kennel_gate", "does not shut Rex in")


def test_mila_not_reachable_by_rex(tmp_path):
    spec = mapkit.MapSpec(picture=picture({10: "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww",
                                           11: "......M..................................A"}))
    line = expect(mapkit.write(spec, tmp_path), "(mila_spawn", "cannot be reached by Rex from "
                                                               "the kennel gate")
    assert "cell (6, 11)" in line


def test_maple_not_reachable_by_rex(tmp_path):
    spec = mapkit.MapSpec(picture=picture({10: "......................................wwww",
                                           11: "......M...............................w..A"}))
    expect(mapkit.write(spec, tmp_path), "(maple_tree", "cannot be reached by Rex")


def test_police_spawn_that_cannot_reach_the_park(tmp_path):
    ring = {(x, y): "fence" for x in (1, 2, 3) for y in (4, 5, 6) if (x, y) != (2, 5)}
    spec = mapkit.MapSpec(terrain_overrides=ring, zones={
        "facility": (0, 0, 6, 4), "city": (23, 0, 16, 9), "bridge": (9, 8, 6, 1),
        "park": (30, 9, 12, 3)})
    expect(mapkit.write(spec, tmp_path), "(police_spawn)", "cannot reach the park on foot")


def test_police_cars_with_no_road(tmp_path):
    spec = mapkit.MapSpec(picture=mapkit.VALID.replace("=", "s"))
    expect(mapkit.write(spec, tmp_path), "(police_spawn)", "has 1 cars but no road cell")


def test_civilians_need_a_door(tmp_path):
    spec = mapkit.MapSpec(picture=mapkit.VALID.replace("O", "s"))
    expect(mapkit.write(spec, tmp_path), "map: has 5 civilians but no door object")


def test_door_away_from_any_walkable_cell(tmp_path):
    extra = tmxwrite.MapObject(90, "door", 16 * 0.5, 16 * 0.5)
    expect(mapkit.write(mapkit.MapSpec(extra_objects=[extra]), tmp_path),
           "object 90 (door): is on wall at cell (0, 0)")


def test_civilian_area_with_no_walkable_cell(tmp_path):
    extra = tmxwrite.MapObject(90, "civilian_spawn", 16 * 27, 16 * 5, width=48, height=32,
                               shape="rectangle")
    expect(mapkit.write(mapkit.MapSpec(extra_objects=[extra]), tmp_path),
           "object 90 (civilian_spawn): has no cell people can walk on")


# -- properties ----------------------------------------------------------------------------


def test_property_of_the_wrong_type(tmp_path):
    spec = mapkit.MapSpec(object_props={"police_spawn": [("officers", "string", "two")]})
    expect(mapkit.write(spec, tmp_path), "(police_spawn)",
           "property 'officers': must be an int property, not string ('two')")


def test_property_value_that_does_not_parse(tmp_path):
    spec = mapkit.MapSpec(object_props={"kennel_gate": [("latch_s", "float", "soon")]})
    expect(mapkit.write(spec, tmp_path), "(kennel_gate)", "property 'latch_s': 'soon' is not "
                                                          "a number")


def test_property_with_a_reserved_name(tmp_path):
    spec = mapkit.MapSpec(object_props={"maple_tree": [("name", "string", "maple")]})
    expect(mapkit.write(spec, tmp_path), "(maple_tree)",
           "custom property 'name' reuses the name of a built-in object attribute")


def test_property_out_of_range(tmp_path):
    spec = mapkit.MapSpec(object_props={"police_spawn": [("officers", "int", 10_000)]})
    expect(mapkit.write(spec, tmp_path), "property 'officers': 10000 is above the maximum 64")


def test_map_property_of_the_wrong_type(tmp_path):
    spec = mapkit.MapSpec(map_properties=[("wind_speed", "string", "gusty")])
    expect(mapkit.write(spec, tmp_path), "map: property 'wind_speed': must be a float property")


def test_clock_that_is_not_a_time(tmp_path):
    spec = mapkit.MapSpec(map_properties=[("start_clock", "string", "teatime")])
    expect(mapkit.write(spec, tmp_path), "map: property 'start_clock' must be a clock time "
                                         "HH:MM, not 'teatime'")


def test_sunset_before_start(tmp_path):
    spec = mapkit.MapSpec(map_properties=[("start_clock", "string", "19:00")])
    expect(mapkit.write(spec, tmp_path), "map: sunset_clock 18:00 must be after start_clock "
                                         "19:00")


# -- hostile files -------------------------------------------------------------------------

ENTITY_BOMB = """<?xml version="1.0"?>
<!DOCTYPE map [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<map version="1.9" orientation="orthogonal" width="2" height="2" tilewidth="16"
 tileheight="16" infinite="0"><properties><property name="x" value="&d;"/></properties></map>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE map [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<map version="1.9" orientation="orthogonal" width="2" height="2" tilewidth="16"
 tileheight="16" infinite="0"><properties><property name="x" value="&secret;"/></properties></map>
"""

HOSTILE = {
    "entity_bomb.tmx": (ENTITY_BOMB.encode(), "declares XML entities"),
    "external_entity.tmx": (EXTERNAL_ENTITY.encode(), "declares XML entities"),
    "huge.tmx": (b'<?xml version="1.0"?><map orientation="orthogonal" width="2000000000" '
                 b'height="2000000000" tilewidth="16" tileheight="16" infinite="0"/>',
                 "the game's limit is"),
    "truncated.tmx": (b'<?xml version="1.0"?><map orientation="orthogonal" width="2"',
                      "is not well-formed XML"),
    "noise.tmx": (bytes(range(256)) * 40, "is not well-formed XML"),
    "empty.tmx": (b"", "the file is empty"),
    "blank.tmx": (b"   \n\n", "the file is empty"),
    "utf16_entities.tmx": ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE map '
                           '[<!ENTITY a "b">]><map/>'.encode("utf-16"),
                           "declares XML entities"),
    "gzip_of_xml.tmx": (gzip.compress(b"<map/>"), "is not well-formed XML"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_rejected_with_one_line(tmp_path, name):
    data, fragment = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(data)
    lines = lines_for(path)
    assert len(lines) == 1
    assert fragment in lines[0], lines


def test_a_directory_and_a_missing_path(tmp_path):
    assert "map: is a directory, not a file" in lines_for(tmp_path)[0]
    assert "file not found" in lines_for(tmp_path / "nope.tmx")[0]
