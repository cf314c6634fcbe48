"""The Tiled project file maps/rex.tiled-project: generated, shaped as Tiled writes it, agreeing
with the loader, and (where Tiled is installed) loaded by Tiled itself.

The structure checked here is the one Tiled's own code writes and reads: ``Project::save`` in
src/tiled/project.cpp and ``EnumPropertyType::toJson`` / ``ClassPropertyType::toJson`` in
src/libtiled/propertytype.cpp (Tiled 1.8 to 1.12).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from game.contract import MAP_PROPERTIES, OBJECT_CLASSES, TERRAIN_NAMES, Member
from game.tiled import read_level
from tests import mapkit
from tools import make_project, tmxwrite
from tools.make_project import MAP_CLASS, TERRAIN_ENUM

ROOT = Path(__file__).resolve().parent.parent
MAPS = ROOT / "maps"

TOP_LEVEL = {"automappingRulesFile": str, "commands": list, "extensionsPath": str,
             "folders": list, "properties": list, "propertyTypes": list}
ENUM_KEYS = {"id": int, "name": str, "type": str, "storageType": str, "values": list,
             "valuesAsFlags": bool}
CLASS_KEYS = {"id": int, "name": str, "type": str, "members": list, "color": str,
              "drawFill": bool, "useAs": list}
# What a member's JSON value is for each of Tiled's member types.
MEMBER_VALUES: dict[str, type | tuple[type, ...]] = {
    "bool": bool, "int": int, "float": (int, float), "string": str, "file": str, "color": str,
    "object": int, "class": dict, "list": list}


def project() -> dict[str, Any]:
    return json.loads((MAPS / "rex.tiled-project").read_text(encoding="utf-8"))


def types_by_name() -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in project()["propertyTypes"]}


def member_defaults(members: list[dict[str, Any]]) -> dict[str, Any]:
    return {m["name"]: m["value"] for m in members}


def contract_defaults(members: tuple[Member, ...]) -> dict[str, Any]:
    return {m.name: m.default for m in members}


def clock_seconds(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


# ---------------------------------------------------------------------------------------------
# (a) generated, never hand-edited


def test_the_committed_files_are_what_the_generator_writes():
    for path, text in make_project.outputs().items():
        assert path.exists(), f"{path.name} is missing: run python -m tools.make_project"
        assert path.read_bytes().decode("utf-8") == text, (
            f"{path.name} differs from the contract: run python -m tools.make_project "
            "(do not edit it by hand)")


def test_the_generator_is_deterministic_and_its_layout_parses_back():
    text = make_project.project_text()
    assert text == make_project.project_text()
    assert json.loads(text) == make_project.project()
    # Qt's layout: four-space indent, "key": value, whole floats without a fraction.
    assert text.startswith('{\n    "automappingRulesFile": ""') and text.endswith("}\n")
    assert '"value": 40\n' in text and "40.0" not in text


def test_the_extensions_path_holds_rex_s_extension():
    """Tiled resolves extensionsPath against the project file's folder and loads its .js."""
    folder = MAPS / project()["extensionsPath"]
    assert folder == make_project.EXTENSION.parent
    assert make_project.EXTENSION.is_file()
    assert "tiled.registerAction" in make_project.EXTENSION.read_text(encoding="utf-8")


def test_check_mode_reports_up_to_date(capsys):
    assert make_project.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# (b) the structure Tiled writes


def check_keys(what: str, obj: dict[str, Any], keys: dict[str, type]) -> None:
    assert set(obj) == set(keys), f"{what}: keys {sorted(obj)} != {sorted(keys)}"
    for key, kind in keys.items():
        value = obj[key]
        assert isinstance(value, kind) and not (kind is int and isinstance(value, bool)), (
            f"{what}: '{key}' is {value!r}, not {kind.__name__}")


def test_the_project_has_the_structure_tiled_writes():
    data = project()
    check_keys("project", data, TOP_LEVEL)
    for folder in data["folders"]:
        assert isinstance(folder, str) and (MAPS / folder).is_dir()
    assert all(isinstance(c, dict) for c in data["commands"])
    types = data["propertyTypes"]
    names = [t["name"] for t in types]
    ids = [t["id"] for t in types]
    assert len(set(names)) == len(names), "Tiled finds types by name: names must be unique"
    assert len(set(ids)) == len(ids) and all(i > 0 for i in ids), "ids must be unique, > 0"
    assert names == sorted(names), "Tiled keeps the types sorted by name"
    for t in types:
        where = f"property type '{t.get('name')}'"
        assert t.get("type") in ("enum", "class"), where
        if t["type"] == "enum":
            check_keys(where, t, ENUM_KEYS)
            assert t["storageType"] in ("string", "int"), where
            assert t["values"] and all(isinstance(v, str) and v for v in t["values"]), where
            assert len(set(t["values"])) == len(t["values"]), where
            continue
        check_keys(where, t, CLASS_KEYS)
        assert re.fullmatch(r"#[0-9a-f]{8}", t["color"]), f"{where}: colour is #aarrggbb"
        assert t["useAs"], f"{where}: a class nobody can use"
        assert len(set(t["useAs"])) == len(t["useAs"]), where
        assert all(u in make_project.USE_AS_ORDER for u in t["useAs"]), where
        assert t["useAs"] == sorted(t["useAs"], key=make_project.USE_AS_ORDER.index), where
        member_names = [m["name"] for m in t["members"]]
        assert member_names == sorted(set(member_names)), f"{where}: members sorted, unique"
        for m in t["members"]:
            assert {"name", "type", "value"} <= set(m) <= {"name", "type", "value",
                                                          "propertyType"}, where
            assert m["type"] in make_project.TILED_MEMBER_TYPES, f"{where}: {m}"
            kind = MEMBER_VALUES[m["type"]]
            assert isinstance(m["value"], kind), f"{where}: {m}"
            assert not isinstance(m["value"], bool) or m["type"] == "bool", f"{where}: {m}"
            if "propertyType" in m:
                assert m["propertyType"] in names, f"{where}: {m}"


def test_the_terrain_enum_lists_the_contract_terrains():
    terrain = types_by_name()[TERRAIN_ENUM]
    assert terrain["type"] == "enum"
    assert terrain["storageType"] == "string"  # tiles store "grass", not an index
    assert terrain["valuesAsFlags"] is False
    assert terrain["values"] == list(TERRAIN_NAMES)


def test_every_object_class_is_a_project_class_with_the_contract_members():
    types = types_by_name()
    object_classes = {n for n, t in types.items() if "object" in t.get("useAs", [])}
    assert object_classes == set(OBJECT_CLASSES)
    for name, cls in OBJECT_CLASSES.items():
        t = types[name]
        assert t["type"] == "class" and t["useAs"] == ["object"]
        assert t["color"] == "#ff" + cls.colour.lstrip("#").lower()
        assert {m["name"]: m["type"] for m in t["members"]} == {
            m.name: m.type for m in cls.members}
        assert member_defaults(t["members"]) == contract_defaults(cls.members)


def test_the_map_class_holds_the_map_properties():
    t = types_by_name()[MAP_CLASS]
    assert t["type"] == "class" and t["useAs"] == ["map"]
    assert {m["name"]: m["type"] for m in t["members"]} == {m.name: m.type
                                                            for m in MAP_PROPERTIES}
    assert member_defaults(t["members"]) == contract_defaults(MAP_PROPERTIES)


def test_the_tiled_1_8_object_types_match_the_project():
    root = ElementTree.parse(MAPS / "objecttypes.xml").getroot()
    assert root.tag == "objecttypes"
    types = types_by_name()
    seen = set()
    for el in root.findall("objecttype"):
        name = el.get("name")
        seen.add(name)
        assert "#ff" + el.get("color", "").lstrip("#") == types[name]["color"]
        members = {m["name"]: m for m in types[name]["members"]}
        props = el.findall("property")
        assert [p.get("name") for p in props] == list(members)
        for p in props:
            member = members[p.get("name")]
            assert p.get("type") == member["type"]
            value = member["value"]
            expected = (("true" if value else "false") if isinstance(value, bool)
                        else make_project.qt_number(value) if isinstance(value, int | float)
                        else value)
            assert p.get("default") == expected
    assert seen == set(OBJECT_CLASSES)


def test_the_shipped_maps_use_the_project_types():
    enum = types_by_name()[TERRAIN_ENUM]
    tileset = ElementTree.parse(MAPS / "city.tsx").getroot()
    terrains = [p for p in tileset.iter("property") if p.get("name") == "terrain"]
    assert terrains
    for prop in terrains:
        # Tiled's form for a string-stored enum: no type (string is the default), propertytype.
        assert prop.get("type", "string") == "string"
        assert prop.get("propertytype") == TERRAIN_ENUM
        assert prop.get("value") in enum["values"]
    # The generated map takes the project's map class, and its objects the project's classes.
    root = ElementTree.parse(MAPS / "lakeside.tmx").getroot()
    assert root.get("class") == MAP_CLASS
    kinds = {obj.get("class") or obj.get("type") for obj in root.iter("object")}
    assert kinds <= set(OBJECT_CLASSES)


# ---------------------------------------------------------------------------------------------
# (c) the loader's defaults are the project's defaults


def check_map(directory: Path, type_attr: str = "type", enum_tiles: bool = True,
              object_props: dict[str, list] | None = None) -> Path:
    """A small valid map with one bare object of every class, and no map properties.

    Tiles carry the terrain enum and the map has the project's map class, as Tiled 1.9+ saves
    them; objects have no properties at all, as Tiled saves objects left at their defaults.
    """
    spec = mapkit.MapSpec(map_properties=[], type_attr=type_attr,
                          object_props=object_props or {})
    objects = mapkit.objects(spec)
    next_id = max(o.id for o in objects) + 1
    present = {o.kind for o in objects}
    for offset, kind in enumerate(k for k in OBJECT_CLASSES if k not in present):
        objects.append(tmxwrite.MapObject(next_id + offset, kind, (3 + offset + 0.5) * 16,
                                          (10 + 0.5) * 16,
                                          properties=list((object_props or {}).get(kind, []))))
    tileset = mapkit.terrain_tileset()
    if enum_tiles:
        tileset.tile_properties = {
            tid: [(name, ptype, value, TERRAIN_ENUM) for name, ptype, value in props]
            for tid, props in tileset.tile_properties.items()}
    gids = mapkit.terrain_grid(spec)
    text = tmxwrite.map_xml(gids.shape[1], gids.shape[0], mapkit.TILE, [tileset],
                            [tmxwrite.TileLayer("ground", gids),
                             tmxwrite.ObjectLayer("objects", objects)],
                            [], type_attr=type_attr, map_class=MAP_CLASS)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "check.tmx"
    path.write_text(text)
    return path


@pytest.mark.parametrize("type_attr", ["type", "class"])
def test_bare_objects_load_with_the_project_defaults(tmp_path, type_attr):
    level = read_level(check_map(tmp_path, type_attr))
    types = types_by_name()
    for kind in OBJECT_CLASSES:
        found = level.of_kind(kind)
        assert found, kind
        for obj in found:
            assert obj.properties == member_defaults(types[kind]["members"]), obj.describe()
    defaults = member_defaults(types[MAP_CLASS]["members"])
    assert level.settings.wind_deg == defaults["wind_deg"]
    assert level.settings.wind_speed == defaults["wind_speed"]
    assert level.settings.start_clock_s == clock_seconds(defaults["start_clock"])
    assert level.settings.sunset_clock_s == clock_seconds(defaults["sunset_clock"])


def test_one_changed_member_keeps_the_other_defaults(tmp_path):
    # Tiled writes only the members an author changed.
    level = read_level(check_map(tmp_path, object_props={
        "police_spawn": [("officers", "int", 5)], "scent_source": [("label", "string", "bins")]}))
    defaults = member_defaults(types_by_name()["police_spawn"]["members"])
    assert level.one("police_spawn").properties == {**defaults, "officers": 5}
    scent = member_defaults(types_by_name()["scent_source"]["members"])
    assert level.one("scent_source").properties == {**scent, "label": "bins"}


def test_enum_typed_terrain_reads_like_a_plain_string(tmp_path):
    typed = read_level(check_map(tmp_path / "typed", enum_tiles=True))
    plain = read_level(check_map(tmp_path / "plain", enum_tiles=False))
    assert (typed.terrain == plain.terrain).all()
    assert (typed.cost["dog"] == plain.cost["dog"]).all()


# ---------------------------------------------------------------------------------------------
# (d) Tiled itself

TILED = shutil.which("tiled") or "tiled"
needs_tiled = pytest.mark.skipif(shutil.which("tiled") is None,
                                 reason="the Tiled editor is not installed")


def tiled_env(home: Path) -> dict[str, str]:
    """A private Tiled: its settings, session and data land in ``home``, not the user's."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CACHE_HOME": str(home / "cache"), "XDG_RUNTIME_DIR": str(home / "run")}
    for key in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        Path(env[key]).mkdir(parents=True, exist_ok=True, mode=0o700)
    return env


def tiled_version(env: dict[str, str]) -> tuple[int, ...]:
    out = subprocess.run([TILED, "--version"], env=env, capture_output=True, text=True,
                         timeout=60).stdout
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    assert match, f"cannot read Tiled's version from {out!r}"
    return tuple(int(g or 0) for g in match.groups())


def tiled_help(env: dict[str, str]) -> str:
    done = subprocess.run([TILED, "--help"], env=env, capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def setup_project(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A copy of maps/ with the check map in it; returns (project, map, env)."""
    maps = tmp_path / "maps"
    shutil.copytree(MAPS, maps, ignore=shutil.ignore_patterns("*.tiled-session"))
    env = tiled_env(tmp_path / "home")
    return maps / "rex.tiled-project", check_map(maps), env


def install_object_types(env: dict[str, str]) -> None:
    """Tiled 1.8's global object types, where its Object Types Editor's Import saves them."""
    data = Path(env["XDG_DATA_HOME"]) / "tiled"
    data.mkdir(parents=True, exist_ok=True)
    shutil.copy(MAPS / "objecttypes.xml", data / "objecttypes.xml")


def resolved_objects(exported: Path) -> dict[str, list[dict[str, str]]]:
    """Class -> the raw properties Tiled wrote for each object of that class."""
    found: dict[str, list[dict[str, str]]] = {}
    for obj in ElementTree.parse(exported).getroot().iter("object"):
        kind = obj.get("class") or obj.get("type") or ""
        props = {p.get("name"): p.get("value") for p in obj.iter("property")}
        found.setdefault(kind, []).append(props)
    return found


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return make_project.qt_number(value) if isinstance(value, int | float) else value


@pytest.mark.tiled
@needs_tiled
def test_tiled_fills_in_the_defaults_when_it_resolves_properties(tmp_path):
    """Tiled's own export with types resolved writes the same defaults the loader merges."""
    project_file, source, env = setup_project(tmp_path)
    version = tiled_version(env)
    exported = tmp_path / "resolved.tmx"
    command = [TILED, "--resolve-types-and-properties", "--export-map", "tmx", str(source),
               str(exported)]
    if "--project" in tiled_help(env):  # Tiled 1.11+: the project's classes themselves
        command[1:1] = ["--project", str(project_file)]
        checks_project = True
    elif version[:2] == (1, 8):  # 1.8 resolves object types, from its global file
        install_object_types(env)
        checks_project = False
    else:
        pytest.skip(f"Tiled {version} cannot be given a project on the command line")
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    types = types_by_name()
    objects = resolved_objects(exported)
    for kind in OBJECT_CLASSES:
        expected = {name: as_text(v) for name, v in member_defaults(
            types[kind]["members"]).items()}
        assert objects.get(kind), kind
        for props in objects[kind]:
            assert props == expected, kind
    if checks_project:
        root = ElementTree.parse(exported).getroot()
        props = {p.get("name"): p.get("value") for p in root.findall("properties/property")}
        assert props == {n: as_text(v) for n, v in member_defaults(
            types[MAP_CLASS]["members"]).items()}
    # And the resolved file means the same to the game as the bare one.
    ours, theirs = read_level(source), read_level(exported)
    assert [(o.kind, o.properties) for o in ours.objects] == [
        (o.kind, o.properties) for o in theirs.objects]
    assert ours.settings == theirs.settings


CHECK_SCRIPT = """
// Loaded as a global extension: reports what Tiled made of the project and the map.
var OUT = %(out)s;
var NAMES = %(names)s;
tiled.assetOpened.connect(function(asset) {
  if (!asset.isTileMap) return;
  var report = {version: tiled.version, types: {}, objects: [], tiles: []};
  for (var i = 0; i < NAMES.length; ++i) {
    try {
      var v = tiled.propertyValue(NAMES[i], NAMES[i] == "terrain" ? "road" : {});
      report.types[NAMES[i]] = {typeName: v.typeName, value: v.value};
    } catch (e) {
      report.types[NAMES[i]] = {error: String(e)};
    }
  }
  report.mapClass = asset.className === undefined ? null : asset.className;
  report.mapResolved = asset.resolvedProperties();
  function walk(layers) {
    for (var i = 0; i < layers.length; ++i) {
      var layer = layers[i];
      if (layer.isGroupLayer) walk(layer.layers);
      if (!layer.isObjectLayer) continue;
      for (var j = 0; j < layer.objects.length; ++j) {
        var o = layer.objects[j];
        report.objects.push({id: o.id, kind: o.className === undefined ? o.type : o.className,
                             resolved: o.resolvedProperties()});
      }
    }
  }
  walk(asset.layers);
  var ts = asset.tilesets[0];
  for (var t = 0; t < ts.tileCount; ++t) {
    var p = ts.tile(t).property("terrain");
    report.tiles.push(p === undefined ? null : p);
  }
  // A TextFile opened for writing is saved atomically on commit: never half a report.
  var f = new TextFile(OUT, TextFile.WriteOnly);
  f.write(JSON.stringify(report));
  f.commit();
});
"""


@pytest.mark.tiled
@needs_tiled
def test_tiled_opens_the_project_and_knows_its_types(tmp_path):
    """The Tiled editor, started with the project and a map, has every type of the project."""
    project_file, source, env = setup_project(tmp_path)
    version = tiled_version(env)
    # Tiled 1.8 only loads a project named on its command line when the project's session
    # file names it (newer versions load it directly); a fresh session does exactly that.
    project_file.with_suffix(".tiled-session").write_text(
        json.dumps({"project": project_file.name}))
    if version[:2] < (1, 9):
        install_object_types(env)  # what a 1.8 author imports once (docs/TILED.md)
    out = tmp_path / "report.json"
    names = [*types_by_name(), "no_such_type"]
    extensions = Path(env["XDG_CONFIG_HOME"]) / "tiled" / "extensions"
    extensions.mkdir(parents=True, exist_ok=True)
    (extensions / "rexcheck.js").write_text(CHECK_SCRIPT % {
        "out": json.dumps(str(out)), "names": json.dumps(names)})
    log = (tmp_path / "tiled.log").open("w")
    proc = subprocess.Popen([TILED, "--new-instance", str(project_file), str(source)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 90
        while not out.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    assert out.exists(), "Tiled did not report: " + (tmp_path / "tiled.log").read_text()[-2000:]
    report = json.loads(out.read_text())
    types = types_by_name()

    # The terrain enum is loaded, and the tiles' terrain properties are values of it.
    assert report["types"][TERRAIN_ENUM] == {"typeName": TERRAIN_ENUM,
                                             "value": TERRAIN_NAMES.index("road")}
    assert "error" in report["types"]["no_such_type"]
    tile_terrains = [t for t in report["tiles"] if t is not None]
    assert len(tile_terrains) == len(TERRAIN_NAMES)
    for index, prop in enumerate(tile_terrains):
        assert prop["typeName"] == TERRAIN_ENUM
        assert types[TERRAIN_ENUM]["values"][prop["value"]] == TERRAIN_NAMES[index]

    # Every bare object gets its class's defaults from Tiled: from the project's classes in
    # 1.9+, from the imported object types in 1.8.
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for obj in report["objects"]:
        by_kind.setdefault(obj["kind"], []).append(obj["resolved"])
    for kind in OBJECT_CLASSES:
        assert by_kind.get(kind), kind
        for resolved in by_kind[kind]:
            assert resolved == member_defaults(types[kind]["members"]), kind

    if version[:2] < (1, 9):
        # 1.8 has the project's classes as property types (usable as property values only).
        for name in OBJECT_CLASSES:
            assert report["types"][name].get("typeName") == name, report["types"][name]
    else:
        assert report["mapClass"] == MAP_CLASS
        assert report["mapResolved"] == member_defaults(types[MAP_CLASS]["members"])
