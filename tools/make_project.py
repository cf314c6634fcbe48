"""Generate the Tiled project file ``maps/rex.tiled-project`` from ``game.contract``.

Run ``python -m tools.make_project`` after changing the contract (``--check`` only reports whether
the committed files are up to date). Never edit the outputs by hand: a test regenerates them and
compares bytes, so they cannot drift from the contract the loader reads its defaults from.

It writes, into ``maps/``:

* ``rex.tiled-project``: custom property types the way Tiled's project writer stores them
  (``Project::save`` and ``PropertyTypes::toJson`` in Tiled's source): an enum ``terrain``
  stored as a string, one class per object class of the contract (``useAs: ["object"]``, typed
  members with the contract's defaults, the class colour) and a class ``rex_map`` usable as the
  map's class, whose members are the contract's map properties. Tiled 1.9 and newer offer the
  object classes in the object's Class field; Tiled 1.8 reads the same file but only knows custom
  types as property values (see docs/TILED.md). Its ``extensionsPath`` names the folder of
  Rex's Tiled extension (``maps/extensions/rex.js``), which Tiled loads with the project.
* ``objecttypes.xml``: the same object classes as Tiled 1.8 "object types" (the format of its
  Object Types Editor), for authors on 1.8 who import it once. Newer Tiled does not need it.

The JSON is laid out byte for byte like Qt's ``QJsonDocument::toJson`` (sorted keys, four-space
indent, empty arrays on two lines, whole floats without ".0"), so saving the project from Tiled
changes as little as possible and regenerating always gives the same bytes.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from game.contract import MAP_PROPERTIES, OBJECT_CLASSES, TERRAIN_NAMES, Member

ROOT = Path(__file__).resolve().parent.parent
MAPS = ROOT / "maps"
PROJECT = MAPS / "rex.tiled-project"
OBJECT_TYPES = MAPS / "objecttypes.xml"

TERRAIN_ENUM = "terrain"  # the enum type of the tiles' `terrain` property
MAP_CLASS = "rex_map"  # the class a map picks to get typed wind and clock properties
MAP_CLASS_COLOUR = "#a0a0a4"  # Tiled's default class colour; a map class is never drawn
# Where Tiled finds Rex's extension, relative to the project file: inside maps/, so that a copy
# of the project folder carries its extension along.
EXTENSIONS_FOLDER = "extensions"
EXTENSION = MAPS / EXTENSIONS_FOLDER / "rex.js"

# Tiled's names for where a class may be used, in the order its writer lists them
# (flagsWithNames in src/libtiled/propertytype.cpp).
USE_AS_ORDER = ("property", "map", "layer", "object", "tile", "tileset", "wangcolor", "wangset",
                "project")
# The value types a class member may have in Tiled ("list" only since 1.12).
TILED_MEMBER_TYPES = ("bool", "class", "color", "file", "float", "int", "list", "object",
                      "string")


def _argb(colour: str) -> str:
    """'#rrggbb' as Tiled writes class colours (QColor::HexArgb): '#ffrrggbb'."""
    digits = colour.lstrip("#").lower()
    if len(digits) != 6 or any(c not in "0123456789abcdef" for c in digits):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return "#ff" + digits


def _value(member: Member) -> Any:
    """A member's default as Tiled stores it in JSON, checked against the member's type."""
    value = member.default
    if member.type == "bool" and isinstance(value, bool):
        return value
    if member.type == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if member.type == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if member.type == "string" and isinstance(value, str):
        return value
    raise ValueError(f"member {member.name}: default {value!r} does not fit type {member.type}")


def _members(members: tuple[Member, ...]) -> list[dict[str, Any]]:
    # Tiled keeps members in a QMap, so it lists (and saves) them sorted by name.
    return [{"name": m.name, "type": m.type, "value": _value(m)}
            for m in sorted(members, key=lambda m: m.name)]


def _class(type_id: int, name: str, members: tuple[Member, ...], colour: str, use_as: str,
           draw_fill: bool = True) -> dict[str, Any]:
    return {"color": _argb(colour), "drawFill": draw_fill, "id": type_id,
            "members": _members(members), "name": name, "type": "class", "useAs": [use_as]}


def property_types() -> list[dict[str, Any]]:
    """Every custom type of the project, sorted by name as Tiled's Custom Types Editor keeps them.

    Ids only link types inside the project file (maps refer to types by name); they follow the
    contract's order so that adding a class at the end leaves the others' ids alone.
    """
    types = [{"id": 1, "name": TERRAIN_ENUM, "storageType": "string", "type": "enum",
              "values": list(TERRAIN_NAMES), "valuesAsFlags": False},
             _class(2, MAP_CLASS, MAP_PROPERTIES, MAP_CLASS_COLOUR, "map")]
    for type_id, cls in enumerate(OBJECT_CLASSES.values(), start=3):
        # Zones are big areas under everything else; filling them would hide the map.
        types.append(_class(type_id, cls.name, cls.members, cls.colour, "object",
                            draw_fill=cls.name != "zone"))
    names = [t["name"] for t in types]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate property type names: {names}")
    return sorted(types, key=lambda t: t["name"])


def project() -> dict[str, Any]:
    """The whole project file as Tiled 1.10+ writes it (older versions ignore the extra keys)."""
    return {
        "automappingRulesFile": "",
        "commands": [],
        "extensionsPath": EXTENSIONS_FOLDER,
        "folders": ["."],
        "properties": [],
        "propertyTypes": property_types(),
    }


def qt_number(value: int | float) -> str:
    """A number as Qt writes it in JSON (and Tiled in object types): 40.0 -> "40"."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"JSON has no {value}")
        if value.is_integer() and abs(value) < 2 ** 53:
            return str(int(value))  # Qt writes a whole double without a fraction
        return repr(value)
    return str(value)


def _qt_json(value: Any, indent: int) -> str:
    """One value laid out like QJsonDocument::toJson(Indented)."""
    pad = "    " * indent
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return qt_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        items = [pad + "    " + _qt_json(v, indent + 1) for v in value]
        return "[\n" + "".join(item + (",\n" if i < len(items) - 1 else "\n")
                               for i, item in enumerate(items)) + pad + "]"
    if isinstance(value, dict):
        keys = sorted(value)
        items = [f"{pad}    {json.dumps(k, ensure_ascii=False)}: {_qt_json(value[k], indent + 1)}"
                 for k in keys]
        return "{\n" + "".join(item + (",\n" if i < len(items) - 1 else "\n")
                               for i, item in enumerate(items)) + pad + "}"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def project_text() -> str:
    """The bytes of ``rex.tiled-project``."""
    return _qt_json(project(), 0) + "\n"


def object_types_text() -> str:
    """The object classes as a Tiled 1.8 objecttypes.xml (the format writeObjectTypesXml writes)."""
    root = ElementTree.Element("objecttypes")
    for cls in sorted(OBJECT_CLASSES.values(), key=lambda c: c.name):
        el = ElementTree.SubElement(root, "objecttype", {"name": cls.name,
                                                         "color": cls.colour.lower()})
        for member in _members(cls.members):
            value = member["value"]
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, int | float):
                text = qt_number(value)
            else:
                text = value
            ElementTree.SubElement(el, "property", {"name": member["name"],
                                                    "type": member["type"], "default": text})
    ElementTree.indent(root, space=" ")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ElementTree.tostring(root, encoding="unicode") + "\n")


def outputs() -> dict[Path, str]:
    """Every generated file and its text."""
    return {PROJECT: project_text(), OBJECT_TYPES: object_types_text()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    stale = []
    for path, text in outputs().items():
        current = path.read_bytes().decode("utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not check:
            path.write_text(text, encoding="utf-8", newline="\n")  # same bytes on every OS
    if check and stale:
        for path in stale:
            print(f"{path} is out of date; run `python -m tools.make_project`", file=sys.stderr)
        return 1
    for path in stale:
        print(f"wrote {path}")
    if not stale:
        print("the Tiled project files are up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
