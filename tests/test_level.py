"""Everything the map contract allows loads, and means what the contract says."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from game.contract import TERRAIN_ID
from game.level import FLIP_H, MapError
from game.mapcheck import check_file
from game.tiled import read_level
from tests import mapkit
from tools import tmxwrite

GRASS, ROAD, WATER, FOREST = (TERRAIN_ID[t] for t in ("grass", "road", "water", "forest"))


def layer_of(spec: mapkit.MapSpec, terrain: str | None, cells: list[tuple[int, int]],
             name: str, **kwargs) -> tmxwrite.TileLayer:
    gids = np.zeros(mapkit.terrain_grid(spec).shape, np.uint32)
    for x, y in cells:
        gids[y, x] = TERRAIN_ID[terrain] if terrain else 0
    return tmxwrite.TileLayer(name, gids, **kwargs)


def test_grids_follow_the_terrain_table(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    assert level.terrain.shape == (12, 42) and level.terrain.dtype == np.uint8
    assert level.terrain[7, 24] == ROAD
    assert level.cost["car"][7, 24] == 1 and level.cost["foot"][7, 24] == 3
    assert level.cost["dog"][7, 24] == 2
    assert np.isinf(level.cost["car"][11, 0])  # grass
    assert np.isinf(level.cost["foot"][6, 12]) and level.passes_scent[6, 12]  # water
    assert level.scent_decay[6, 12] > 1
    assert level.blocks_sight[0, 0] and not level.passes_scent[0, 0]  # wall
    for grid in level.cost.values():
        assert grid.dtype == np.float32


def test_a_higher_visible_layer_sets_the_terrain(tmp_path):
    spec = mapkit.MapSpec()
    spec.extra_layers = [layer_of(spec, "forest", [(8, 11)], "trees")]
    level = read_level(mapkit.write(spec, tmp_path))
    assert level.terrain[11, 8] == FOREST


def test_tiles_without_terrain_leave_the_lower_layer_in_charge(tmp_path):
    spec = mapkit.MapSpec()
    decor = layer_of(spec, None, [], "decor")
    decor.gids[11, 8] = 0  # an empty cell of an upper layer
    spec.extra_layers = [decor]
    assert read_level(mapkit.write(spec, tmp_path)).terrain[11, 8] == GRASS


def test_hidden_layers_and_hidden_groups_do_not_count(tmp_path):
    spec = mapkit.MapSpec()
    spec.extra_layers = [
        layer_of(spec, "water", [(8, 11)], "hidden", visible=False),
        tmxwrite.Group("sketches", [layer_of(spec, "water", [(9, 11)], "in hidden group")],
                       visible=False),
        tmxwrite.Group("outer", [tmxwrite.Group("inner", [
            layer_of(spec, "forest", [(10, 11)], "nested")])]),
    ]
    level = read_level(mapkit.write(spec, tmp_path))
    assert level.terrain[11, 8] == GRASS
    assert level.terrain[11, 9] == GRASS
    assert level.terrain[11, 10] == FOREST


def test_ignored_layers_are_skipped_even_when_broken(tmp_path):
    spec = mapkit.MapSpec()
    sketch = layer_of(spec, "water", [(8, 11)], "sketch", properties=[("ignore", "bool", True)])
    sketch.gids[0, 0] = 500  # a gid no tileset defines: fine in a sketch
    group = tmxwrite.Group("drafts", [tmxwrite.ObjectLayer("draft objects", [
        tmxwrite.MapObject(99, "mila_spawn", 40, 40)])], properties=[("ignore", "bool", True)])
    spec.extra_layers = [sketch, group]
    path = mapkit.write(spec, tmp_path)
    ok, lines = check_file(path)
    assert ok, lines
    assert read_level(path).terrain[11, 8] == GRASS


def test_type_attribute_works_like_class(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(type_attr="type"), tmp_path))
    assert level.one("mila_spawn").cell == (6, 11)


def test_object_defaults_and_typed_properties(tmp_path):
    spec = mapkit.MapSpec(object_props={"police_spawn": [("officers", "int", 4)],
                                        "kennel_gate": [("latch_s", "int", 12)]})
    level = read_level(mapkit.write(spec, tmp_path))
    police = level.one("police_spawn")
    assert police.properties["officers"] == 4 and police.properties["cars"] == 1
    assert level.one("kennel_gate").properties["latch_s"] == 12.0
    assert level.one("civilian_spawn").properties["count"] == 5


def test_map_properties_and_their_defaults(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(map_properties=[
        ("wind_deg", "float", 90.0), ("start_clock", "string", "17:05")]), tmp_path))
    assert level.settings.wind_deg == 90.0 and level.settings.wind_speed == 0.0
    assert level.settings.start_clock_s == 17 * 3600 + 5 * 60
    assert level.settings.sunset_clock_s == 18 * 3600


def test_tile_property_overrides(tmp_path):
    spec = mapkit.MapSpec()
    path = mapkit.write(spec, tmp_path)
    text = path.read_text()
    grass_tile = '<property name="terrain" value="grass" />'
    assert grass_tile in text
    path.write_text(text.replace(grass_tile, grass_tile + """
    <property name="cost_foot" type="float" value="0"/>
    <property name="cost_dog" type="float" value="2.5"/>
    <property name="blocks_sight" type="bool" value="true"/>
    <property name="scent_decay" type="float" value="3"/>""", 1))
    level = read_level(path)
    assert np.isinf(level.cost["foot"][11, 0])
    assert level.cost["dog"][11, 0] == 2.5
    assert level.blocks_sight[11, 0]
    assert level.scent_decay[11, 0] == 3.0


def test_flipped_tiles_keep_their_terrain(tmp_path):
    spec = mapkit.MapSpec()
    gids = mapkit.terrain_grid(spec)
    gids[11, 8] = TERRAIN_ID["forest"] | FLIP_H
    gids[11, 9] = TERRAIN_ID["water"] | 0x60000000
    layers = [tmxwrite.TileLayer("ground", gids, "zlib"),
              tmxwrite.ObjectLayer("objects", mapkit.objects(spec))]
    path = tmp_path / "map.tmx"
    path.write_text(tmxwrite.map_xml(42, 12, 16, [mapkit.terrain_tileset()], layers))
    level = read_level(path)
    assert level.terrain[11, 8] == FOREST and level.terrain[11, 9] == WATER
    assert level.art_layers[0].gids[11, 8] == TERRAIN_ID["forest"] | FLIP_H


def test_rectangles_polygons_and_layer_offsets(tmp_path):
    spec = mapkit.MapSpec(extra_objects=[
        tmxwrite.MapObject(90, "zone", 16, 16, name="lake", width=40, height=16,
                           shape="rectangle"),
        tmxwrite.MapObject(91, "zone", 160, 80, name="pier", shape="polygon",
                           points=[(0, 0), (64, 0), (64, 48), (0, 48)]),
    ])
    level = read_level(mapkit.write(spec, tmp_path))
    lake = level.zones["lake"]
    assert lake.sum() == 3 and lake[1, 1] and lake[1, 3] and not lake[2, 1]
    pier = level.zones["pier"]
    assert pier.sum() == 12 and pier[5, 10] and pier[7, 13]


def test_templates_are_merged(tmp_path):
    (tmp_path / "police.tx").write_text(
        '<?xml version="1.0"?><template><object type="police_spawn"><properties>'
        '<property name="officers" type="int" value="6"/></properties><point/></object>'
        '</template>')
    spec = mapkit.MapSpec(picture=mapkit.VALID.replace("..P..", "....."))
    path = mapkit.write(spec, tmp_path)
    text = path.read_text()
    path.write_text(text.replace("</objectgroup>",
                                 '<object id="77" template="police.tx" x="40" y="88"/>'
                                 "</objectgroup>"))
    level = read_level(path)
    police = level.one("police_spawn")
    assert police.id == 77 and police.properties["officers"] == 6 and police.shape == "point"


def test_reading_never_needs_the_tileset_image(tmp_path):
    path = mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path)
    assert not (tmp_path / "terrain.png").exists()
    assert read_level(path).terrain.any()


def test_unknown_object_classes_are_a_warning_with_a_guess(tmp_path):
    extra = tmxwrite.MapObject(90, "police_spwan", 40, 40)
    ok, lines = check_file(mapkit.write(mapkit.MapSpec(extra_objects=[extra]), tmp_path))
    assert ok
    assert any("unknown object class 'police_spwan' is ignored (did you mean 'police_spawn'?)"
               in line and ": warning: " in line for line in lines)


def test_content_hash_changes_with_the_tileset(tmp_path):
    path = mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path)
    before = read_level(path).content_hash
    tsx = tmp_path / "terrain.tsx"
    tsx.write_text(tsx.read_text().replace('value="wall"', 'value="hedge"'))
    assert read_level(path).content_hash != before


def test_errors_carry_every_problem(tmp_path):
    spec = mapkit.MapSpec(object_props={"police_spawn": [("officers", "string", "x")],
                                        "mila_spawn": [("x", "int", 3)]})
    with pytest.raises(MapError) as caught:
        read_level(mapkit.write(spec, tmp_path))
    assert len(caught.value.problems) == 2


def test_reading_a_map_prints_nothing_and_loads_no_pygame(tmp_path):
    """pytmx reads the tilesets, but pygame (which it would import) stays out of the process."""
    path = mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path)
    code = ("import sys, game.level, game.mapcheck; game.mapcheck.load_checked(sys.argv[1]); "
            "assert 'pytmx' in sys.modules and 'pygame' not in sys.modules")
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                            text=True, check=True)
    assert result.stdout == "" and result.stderr == ""
