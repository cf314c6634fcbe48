"""The Tiled reader's division of work: the guarded reader opens every file, pytmx reads the
tilesets it is handed (and opens none), and the contract's table of tile properties decides
which values a tile may hold."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from game import tiled
from game.contract import TERRAIN_ID, TILE_PROPERTIES
from game.level import MapError
from game.tiled import read_level
from tests import mapkit

ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter: an audit hook cannot be removed once added.
_WATCH_PYTMX = """
import json
import sys
from game import tiled

tiled._pytmx()  # imported before watching: importing a module opens its files
opened, inside = [], [False]


def hook(event, args):
    if inside[0] and event in ("open", "os.listdir", "os.scandir", "glob.glob"):
        opened.append(str(args[0]))


sys.addaudithook(hook)
read_tilesets = tiled._read_tilesets


def watched(*args):
    inside[0] = True
    try:
        return read_tilesets(*args)
    finally:
        inside[0] = False


tiled._read_tilesets = watched
level = tiled.read_level(sys.argv[1])
assert "pytmx" in sys.modules
print(json.dumps({"opened": opened, "images": [art.image for art in level.tilesets],
                  "sources": level.sources}))
"""


def test_pytmx_reads_the_tilesets_and_opens_no_file(tmp_path):
    path = mapkit.write(mapkit.MapSpec(external_tileset=True), tmp_path)
    result = subprocess.run([sys.executable, "-c", _WATCH_PYTMX, str(path)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    found = json.loads(result.stdout)
    assert found["opened"] == [] and result.stderr == ""  # not one file while pytmx read
    assert found["images"] == [os.path.realpath(tmp_path / "terrain.png")]
    assert str(tmp_path / "terrain.tsx") in found["sources"]  # read through the guard


def _collection_map(folder: Path) -> Path:
    """A map whose second tileset is an external collection of pictures in a subfolder, with a
    typed property on one of them."""
    path = mapkit.write(mapkit.MapSpec(), folder)
    (folder / "sets").mkdir()
    (folder / "sets" / "pictures.tsx").write_text(
        '<tileset name="pictures" tilewidth="16" tileheight="16" tilecount="2" columns="0">'
        '<tile id="0"><image width="16" height="16" source="art/bench.png"/></tile>'
        '<tile id="1"><properties><property name="terrain" value="forest"/>'
        '<property name="cost_dog" type="int" value="3"/></properties>'
        '<image width="16" height="16" source="art/tree.png"/></tile></tileset>')
    text = path.read_text()
    at = text.index("<layer")
    layers = re.sub(r'<data encoding="csv">\n\d+,', '<data encoding="csv">\n51,', text[at:],
                    count=1)  # cell (0, 0): the collection's tile 1
    path.write_text(text[:at] + '<tileset firstgid="50" source="sets/pictures.tsx"/>' + layers)
    return path


def test_a_collection_s_pictures_and_typed_properties(tmp_path):
    level = read_level(_collection_map(tmp_path))
    pictures = level.tilesets[1]
    assert (pictures.name, pictures.firstgid, pictures.tilecount) == ("pictures", 50, 2)
    assert pictures.image is None
    assert pictures.tile_images == {
        0: os.path.realpath(tmp_path / "sets" / "art" / "bench.png"),
        1: os.path.realpath(tmp_path / "sets" / "art" / "tree.png")}
    assert level.terrain[0, 0] == TERRAIN_ID["forest"]
    assert level.cost["dog"][0, 0] == 3.0


def test_a_tile_in_the_next_tileset_s_range_belongs_to_that_tileset(tmp_path):
    """As in Tiled: tile 49 of the tileset at gid 1 would be gid 50, which the tileset at 50
    owns (its tile 0, a picture with no terrain)."""
    path = _collection_map(tmp_path)
    text = path.read_text().replace('<data encoding="csv">\n51,', '<data encoding="csv">\n50,')
    at = text.index("</tileset>")
    path.write_text(text[:at] + '<tile id="49"><properties><property name="terrain" '
                    'value="water"/></properties><image source="lake.png"/></tile>' + text[at:])
    level = read_level(path)
    assert level.terrain[0, 0] == 0
    assert 49 not in level.tilesets[0].tile_images


@pytest.mark.parametrize("member", TILE_PROPERTIES, ids=lambda m: m.name)
def test_every_tile_property_of_the_contract_is_typed_as_the_contract_says(tmp_path, member):
    wrong = {"string": ("int", "3"), "float": ("string", "lots"), "bool": ("string", "yes")}
    ptype, value = wrong[member.type]
    with pytest.raises(MapError) as caught:
        read_level(_with_tile_property(tmp_path, member.name, ptype, value))
    (problem,) = caught.value.problems
    assert problem.where == "tileset 'terrain' tile 0"
    assert problem.message.startswith(f"property '{member.name}': must be a {member.type} "
                                      f"property")
    assert (problem.place.tileset, problem.place.tile, problem.place.property) == (
        "terrain", 0, member.name)


@pytest.mark.parametrize("member", [m for m in TILE_PROPERTIES if m.maximum is not None],
                         ids=lambda m: m.name)
def test_the_contract_s_ranges_bound_tile_properties(tmp_path, member):
    above = member.maximum + 1
    with pytest.raises(MapError) as caught:
        read_level(_with_tile_property(tmp_path, member.name, member.type, str(above)))
    assert [p.message for p in caught.value.problems] == [
        f"property '{member.name}': {above:.1f} is above the maximum {member.maximum:g}"]
    path = _with_tile_property(tmp_path, member.name, member.type, str(member.maximum))
    assert read_level(path).scent_decay[11, 0] == member.maximum


def _with_tile_property(folder: Path, name: str, ptype: str, value: str) -> Path:
    """The small valid map, with one property of its grass tile (tile 0) set."""
    path = mapkit.write(mapkit.MapSpec(), folder)
    text = path.read_text()
    grass = '<property name="terrain" value="grass" />'
    if name == "terrain":
        replaced = f'<property name="terrain" type="{ptype}" value="{value}" />'
    else:
        replaced = grass + f'<property name="{name}" type="{ptype}" value="{value}" />'
    path.write_text(text.replace(grass, replaced, 1))
    return path


def test_a_failure_inside_pytmx_is_one_problem(tmp_path, monkeypatch):
    class Broken:
        TiledMap = staticmethod(lambda **options: object())

        @staticmethod
        def TiledTileset(holder, node):
            raise Exception("tile 3 of an unexpected kind")

    monkeypatch.setattr(tiled, "_pytmx", lambda: Broken)
    with pytest.raises(MapError) as caught:
        read_level(mapkit.write(mapkit.MapSpec(), tmp_path))
    assert caught.value.lines() == [f"{tmp_path / 'map.tmx'}: tileset 'terrain': the Tiled "
                                    "loader could not read it: tile 3 of an unexpected kind"]


def test_a_tile_id_given_twice_takes_its_last_properties(tmp_path, monkeypatch):
    for at_once in (4096, 1):  # in one part handed to pytmx, and in two
        monkeypatch.setattr(tiled, "_TILES_AT_ONCE", at_once)
        path = _with_tile_property(tmp_path, "cost_dog", "float", "7")
        text = path.read_text()
        at = text.index("</tileset>")
        path.write_text(text[:at] + '<tile id="0"><properties><property name="terrain" '
                        'value="forest"/></properties></tile>' + text[at:])
        level = read_level(path)
        assert level.terrain[11, 0] == TERRAIN_ID["forest"]
        assert level.cost["dog"][11, 0] == 1.5  # forest's own: the first tile 0 is forgotten
