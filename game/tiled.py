"""TMX file -> Level: the only module that knows Tiled's file format and pytmx.

Reading is guarded so that no file can crash, hang or exhaust the game:

1. Every file (the map, external tilesets, templates) comes in through ``game.guarded``: regular
   files only, each within its kind's size limit, and all files of one map together within
   ``contract.MAX_FILE_BYTES``. A tileset or template referenced many times is read once.
2. An XML pass (expat, with DOCTYPE entities refused) counts the elements and attributes of
   every file against ``contract.MAX_XML_NODES`` before a tree is built, so a file of millions
   of tiny elements is refused before it can take memory.
3. The map's attributes, layer tree, objects and properties are read and checked from the tree,
   tile properties against ``contract.TILE_PROPERTIES``; the memory the map would take is
   estimated and bounded before any grid is allocated; every tile layer is decoded (CSV,
   Base64, zlib, gzip) once, within its bounds, straight into a numpy grid of raw gids.
4. pytmx reads the tilesets: their numbers, their pictures and the typed properties of their
   tiles. It is handed a tree made here from what passed the checks, with external tilesets
   already inlined and picture paths resolved, and it loads no picture, so it never opens a
   file; the grids of terrain and costs come from lookup tables built from its tiles, so no
   per-cell Python runs. Everything is linear in the file.

Problems are collected as ``MapProblem`` values; ``read_level`` raises ``MapError`` with all of
them at once. Semantic rules (required objects, reachability) live in ``mapcheck``.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import hashlib
import itertools
import logging
import math
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

import numpy as np

from game import contract, guarded
from game.contract import (
    COST,
    COST_PROPERTY,
    MOVERS,
    NO_TERRAIN,
    OBJECT_CLASSES,
    TERRAIN_ID,
    TERRAIN_NAMES,
    TILE_PROPERTIES,
    Member,
)
from game.level import (
    GID_MASK,
    NOWHERE,
    LayerRef,
    Level,
    MapError,
    MapObject,
    MapProblem,
    MapSettings,
    Place,
    TileLayerArt,
    TilesetArt,
)


def _locate(found: list[MapProblem], start: int, end: int, place: Place) -> None:
    """Give the problems found[start:end] that have no place yet the one they are all about.

    Used where everything a step finds concerns one layer, object or tileset, so that the
    helpers it calls need not each be told.
    """
    found[start:end] = [p if p.place != NOWHERE else replace(p, place=place)
                        for p in found[start:end]]



# ---------------------------------------------------------------------------------------------
# Guarded XML


class _Refused(Exception):
    """Raised from expat handlers to stop parsing a file that declares entities."""


class _TooManyNodes(Exception):
    """Raised from expat handlers when a map's files hold more XML than the game reads."""


def _guarded_parse(data: bytes, sources: _SourceHasher) -> ElementTree.Element:
    """Parse XML bytes, refusing DTD entity declarations before anything can expand them, and
    counting elements and attributes against the map's budget before building the tree.

    Expat on current Pythons refuses external entities and stops billion-laughs documents on
    its own; refusing every entity declaration keeps it so whatever the parser version.
    """
    guard = expat.ParserCreate()

    def refuse(*_args: object) -> None:
        raise _Refused

    def count(_name: str, attributes: list[str]) -> None:
        sources.nodes += 1 + len(attributes) // 2
        if sources.nodes > contract.MAX_XML_NODES:
            raise _TooManyNodes

    guard.ordered_attributes = True
    guard.StartElementHandler = count
    guard.EntityDeclHandler = refuse
    guard.UnparsedEntityDeclHandler = refuse
    guard.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    guard.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    guard.Parse(data, True)
    return ElementTree.fromstring(data)


def _read_xml(path: Path, kind: guarded.Kind, what: str, problems: list[MapProblem],
              sources: _SourceHasher) -> ElementTree.Element | None:
    """Read and parse one XML file of the map (the map, a tileset or a template), once.

    A file referenced again gives the tree of its first reading (or None, its problem having
    been reported then), so a tileset used by thousands of references costs one read.
    """
    key = os.path.realpath(path)
    if key in sources.parsed:
        return sources.parsed[key]
    sources.parsed[key] = None
    where = what
    try:
        data = guarded.read_bytes(path, kind)
    except guarded.InputError as err:
        problems.append(MapProblem(where, err.reason))
        return None
    sources.update(data)
    sources.sources.append(str(path))
    if sources.size > contract.MAX_FILE_BYTES:
        problems.append(MapProblem(where, "the map and the files it reads hold more than "
                                          f"{guarded.size_text(contract.MAX_FILE_BYTES)} "
                                          "together"))
        return None
    if not data.strip():
        problems.append(MapProblem(where, "the file is empty"))
        return None
    try:
        root = _guarded_parse(data, sources)
    except _Refused:
        problems.append(MapProblem(
            where, "declares XML entities (entity expansion or external entities are refused)"))
    except _TooManyNodes:
        problems.append(MapProblem(where, "the map and the files it reads hold more than "
                                          f"{contract.MAX_XML_NODES:,} XML elements and "
                                          "attributes together"))
    except (expat.ExpatError, ElementTree.ParseError) as err:
        message = expat.ErrorString(err.code) if isinstance(err, expat.ExpatError) else str(err)
        position = f" at line {err.lineno}, column {err.offset}" if hasattr(err, "lineno") else ""
        problems.append(MapProblem(where, f"is not well-formed XML: {message}{position}"))
    except (ValueError, LookupError, RecursionError) as err:
        problems.append(MapProblem(where, f"is not readable XML: {err}"))
    else:
        sources.parsed[key] = root
        return root
    return None


# ---------------------------------------------------------------------------------------------
# Attributes and properties

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _number(el: ElementTree.Element, name: str, default: float | None, where: str,
            problems: list[MapProblem], integer: bool = False, place: Place = NOWHERE
            ) -> float | None:
    raw = el.get(name)
    if raw is None:
        if default is None:
            problems.append(MapProblem(where, f"missing attribute '{name}'", place=place))
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        problems.append(MapProblem(where, f"attribute {name}='{raw}' is not {kind}",
                                   place=place))
        return default
    if not math.isfinite(value):
        problems.append(MapProblem(where, f"attribute {name}='{raw}' is not finite",
                                   place=place))
        return default
    return value


def _raw_properties(el: ElementTree.Element) -> list[tuple[str, str, str]]:
    """(name, type, value) of an element's own properties, in file order."""
    found = []
    for props in el.findall("properties"):
        for prop in props.findall("property"):
            value = prop.get("value")
            if value is None:
                value = prop.text or ""
            found.append((prop.get("name", ""), prop.get("type", "string"), value))
    return found


_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False}


def _convert(member: Member, ptype: str, raw: str) -> tuple[Any, str | None]:
    """A property value converted to its member's type, or an error message."""
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    if member.type == "int":
        if ptype != "int":
            return None, f"must be an int property, not {ptype} ('{shown}')"
        try:
            value: Any = int(raw)
        except ValueError:
            return None, f"'{shown}' is not a whole number"
    elif member.type == "float":
        if ptype not in ("float", "int"):
            return None, f"must be a float property, not {ptype} ('{shown}')"
        try:
            value = float(raw)
        except ValueError:
            return None, f"'{shown}' is not a number"
        if not math.isfinite(value):
            return None, f"'{shown}' is not a finite number"
    elif member.type == "bool":
        if ptype != "bool" or raw.strip().lower() not in _BOOL_WORDS:
            return None, f"must be a bool property (true or false), not {ptype} ('{shown}')"
        value = _BOOL_WORDS[raw.strip().lower()]
    else:
        if ptype not in ("string", "file"):
            return None, f"must be a string property, not {ptype} ('{shown}')"
        value = raw
    if member.minimum is not None and value < member.minimum:
        return None, f"{value} is below the minimum {member.minimum:g}"
    if member.maximum is not None and value > member.maximum:
        return None, f"{value} is above the maximum {member.maximum:g}"
    return value, None


def _typed_properties(raw: list[tuple[str, str, str]], members: tuple[Member, ...], where: str,
                      problems: list[MapProblem], place: Place = NOWHERE) -> dict[str, Any]:
    """Known members typed and merged over their defaults; unknown properties kept as text."""
    known = {m.name: m for m in members}
    values: dict[str, Any] = {m.name: m.default for m in members}
    for name, ptype, value in raw:
        member = known.get(name)
        if member is None:
            values.setdefault(name, value)
            continue
        converted, error = _convert(member, ptype, value)
        if error:
            problems.append(MapProblem(where, f"property '{name}': {error}",
                                       place=place.of_property(name)))
        else:
            values[name] = converted
    return values


# Property types whose values the loader converts: a value that does not convert is an error.
_TYPED_CHECKS = {
    "int": Member("", "int", 0),
    "float": Member("", "float", 0.0),
    "bool": Member("", "bool", False),
}


def _check_property_values(el: ElementTree.Element, where: str,
                           problems: list[MapProblem], place: Place = NOWHERE) -> None:
    for name, ptype, value in _raw_properties(el):
        check = _TYPED_CHECKS.get(ptype)
        if check is not None:
            _, error = _convert(check, ptype, value)
            if error:
                problems.append(MapProblem(where, f"property '{name}': {error}",
                                           place=place.of_property(name)))


# ---------------------------------------------------------------------------------------------
# The layer tree


@dataclass
class _Layer:
    kind: str  # "tile", "object", "image"
    element: ElementTree.Element
    id: int
    name: str
    visible: bool
    ignore: bool
    offset_x: float
    offset_y: float

    def describe(self) -> str:
        kind = {"tile": "layer", "object": "object layer", "image": "image layer"}[self.kind]
        return f"{kind} '{self.name}' (id {self.id})"

    def place(self) -> Place:
        return Place(layer=LayerRef(self.name, self.id))


_LAYER_KINDS = {"layer": "tile", "objectgroup": "object", "imagelayer": "image"}


def _walk_layers(parent: ElementTree.Element, problems: list[MapProblem], visible: bool = True,
                 ignore: bool = False, offset: tuple[float, float] = (0.0, 0.0), depth: int = 0
                 ) -> Iterator[_Layer]:
    """Layers in drawing order (bottom first), with group visibility, ignore and offsets."""
    if depth > 64:
        problems.append(MapProblem("map", "group layers are nested more than 64 deep"))
        return
    for child in parent:
        if child.tag not in _LAYER_KINDS and child.tag != "group":
            continue
        layer_id = int(_number(child, "id", 0, "layer", problems, integer=True) or 0)
        name = child.get("name", "")
        where = f"{'group' if child.tag == 'group' else 'layer'} '{name}' (id {layer_id})"
        place = Place(layer=LayerRef(name, layer_id))
        _check_property_values(child, where, problems, place)
        own = _typed_properties(_raw_properties(child),
                                (Member("ignore", "bool", False),), where, problems, place)
        is_visible = visible and child.get("visible", "1") != "0"
        is_ignored = ignore or bool(own.get("ignore"))
        at = (offset[0] + (_number(child, "offsetx", 0.0, where, problems, place=place) or 0.0),
              offset[1] + (_number(child, "offsety", 0.0, where, problems, place=place) or 0.0))
        if child.tag == "group":
            yield from _walk_layers(child, problems, is_visible, is_ignored, at, depth + 1)
        else:
            yield _Layer(_LAYER_KINDS[child.tag], child, layer_id, name, is_visible, is_ignored,
                         *at)


# ---------------------------------------------------------------------------------------------
# Tile layer data, decoded within bounds


def _layer_gids(layer: _Layer, width: int, height: int, problems: list[MapProblem]
                ) -> np.ndarray | None:
    """A layer's raw Tiled gids (uint32 [y, x], flip bits kept), decoded within bounds."""
    where = layer.describe()
    data = layer.element.find("data")
    if data is None:
        problems.append(MapProblem(where, "has no <data> element"))
        return None
    if data.find("chunk") is not None:
        problems.append(MapProblem(where, "is stored in chunks (an infinite map); make the map "
                                          "finite in Tiled's Map Properties"))
        return None
    lw = _number(layer.element, "width", width, where, problems, integer=True)
    lh = _number(layer.element, "height", height, where, problems, integer=True)
    if (lw, lh) != (width, height):
        problems.append(MapProblem(where, f"is {lw} x {lh} tiles but the map is "
                                          f"{width} x {height}"))
        return None
    cells = width * height
    encoding, compression = data.get("encoding"), data.get("compression")
    text = data.text or ""
    if encoding is None:
        problems.append(MapProblem(where, "stores tiles as XML elements, which the game does not "
                                          "read; choose CSV or Base64 as the Tile Layer Format"))
        return None
    if encoding == "csv":
        if compression:
            problems.append(MapProblem(where, f"CSV data cannot be compressed ({compression})"))
            return None
        if text.count(",") + 1 != cells:
            problems.append(MapProblem(where, f"has {text.count(',') + 1} CSV values; a "
                                              f"{width} x {height} map needs {cells}"))
            return None
        try:
            gids = np.array(text.split(","), dtype=np.int64)
        except OverflowError:
            problems.append(MapProblem(where, "CSV data holds a tile id out of range"))
            return None
        except ValueError:
            problems.append(MapProblem(where, "CSV data holds something that is not a tile id"))
            return None
        if gids.size and (gids.min() < 0 or gids.max() > 0xFFFFFFFF):
            problems.append(MapProblem(where, "CSV data holds a tile id out of range"))
            return None
        return gids.astype(np.uint32).reshape(height, width)
    if encoding != "base64":
        problems.append(MapProblem(where, f"unknown layer encoding '{encoding}'"))
        return None
    expected = 4 * cells
    if len(text) > 2 * expected + 1024 and not compression:
        problems.append(MapProblem(where, "layer data is longer than the map"))
        return None
    try:
        raw = base64.b64decode(text.strip())
    except (binascii.Error, ValueError):
        problems.append(MapProblem(where, "Base64 layer data is corrupt"))
        return None
    if compression in ("zlib", "gzip"):
        inflater = zlib.decompressobj(zlib.MAX_WBITS | (16 if compression == "gzip" else 0))
        try:
            out = inflater.decompress(raw, expected + 1)
        except zlib.error:
            problems.append(MapProblem(where, f"{compression}-compressed layer data is corrupt"))
            return None
        if len(out) > expected or inflater.unconsumed_tail:
            problems.append(MapProblem(where, "layer data inflates to more than the map holds "
                                              "(a compression bomb or a wrong map size)"))
            return None
        if not inflater.eof:
            problems.append(MapProblem(where, f"{compression}-compressed layer data is "
                                              "truncated"))
            return None
        raw = out
    elif compression:
        problems.append(MapProblem(where, f"layer compression '{compression}' is not supported; "
                                          "choose zlib or gzip (or none)"))
        return None
    if len(raw) != expected:
        problems.append(MapProblem(where, f"layer data holds {len(raw) // 4} tiles; a "
                                          f"{width} x {height} map needs {cells}"))
        return None
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32).reshape(height, width)


def _located_gids(layer: _Layer, width: int, height: int, problems: list[MapProblem]
                  ) -> np.ndarray | None:
    """``_layer_gids``, with every problem it finds placed on the layer."""
    first_problem = len(problems)
    gids = _layer_gids(layer, width, height, problems)
    _locate(problems, first_problem, len(problems), layer.place())
    return gids


# ---------------------------------------------------------------------------------------------
# Objects


@dataclass
class _ObjectShape:
    shape: str
    points: list[tuple[float, float]]  # polygon / polyline points relative to x, y


class _Budget:
    """What is left of a map's allowance for polygon points, scanline crossings and the cells
    its objects cover: each bounds the memory and the time reading the objects may take."""

    def __init__(self) -> None:
        self.points = contract.MAX_POLYGON_POINTS
        self.crossings = contract.MAX_POLYGON_CROSSINGS
        self.cells = contract.MAX_OBJECT_CELLS

    def take_cells(self, cells: int) -> None:
        self.cells -= cells
        if self.cells < 0:
            raise _OverBudget(f"the map's objects together may cover at most "
                              f"{contract.MAX_OBJECT_CELLS:,} cells; this one goes over")

    def take_crossings(self, crossings: int) -> None:
        self.crossings -= crossings
        if self.crossings < 0:
            raise _OverBudget(f"its polygon is too intricate: the map's polygons together may "
                              f"cross at most {contract.MAX_POLYGON_CROSSINGS:,} rows of cells; "
                              "simplify it")


class _OverBudget(Exception):
    """An object that would take more work or memory than the map's allowance has left."""


def _object_shape(el: ElementTree.Element, width: float, height: float, where: str,
                  problems: list[MapProblem], budget: _Budget) -> _ObjectShape:
    if el.find("point") is not None:
        return _ObjectShape("point", [])
    if el.find("ellipse") is not None:
        return _ObjectShape("ellipse", [])
    if el.find("text") is not None:
        return _ObjectShape("text", [])
    for tag in ("polygon", "polyline"):
        node = el.find(tag)
        if node is not None:
            pairs = (node.get("points") or "").split()
            budget.points -= len(pairs)
            if budget.points < 0:
                problems.append(MapProblem(where, f"the map's polygons and polylines have more "
                                                  f"than {contract.MAX_POLYGON_POINTS:,} points "
                                                  "together; simplify this one"))
                return _ObjectShape(tag, [])
            points = []
            for pair in pairs:
                try:
                    px, py = (float(v) for v in pair.split(","))
                except ValueError:
                    problems.append(MapProblem(where, f"{tag} point '{pair}' is not x,y"))
                    return _ObjectShape(tag, [])
                if not (math.isfinite(px) and math.isfinite(py)):
                    problems.append(MapProblem(where, f"{tag} point '{pair}' is not finite"))
                    return _ObjectShape(tag, [])
                points.append((px, py))
            return _ObjectShape(tag, points)
    if el.get("gid") is not None:
        return _ObjectShape("tile", [])
    if width == 0 and height == 0:
        return _ObjectShape("point", [])  # very old Tiled wrote points as empty rectangles
    return _ObjectShape("rectangle", [])


# Crossings handled at once in a scanline fill: bounds its temporary arrays to a few MB.
_CROSSINGS_AT_ONCE = 1 << 18


def _cells_in_polygon(poly: np.ndarray, width: int, height: int, budget: _Budget
                      ) -> np.ndarray:
    """Cells (x, y) whose centres lie inside a polygon in tile units (even-odd rule).

    A scanline fill: every edge is crossed with the rows of cell centres it spans, and a cell
    is inside when an odd number of crossings lie to the right of its centre. The work grows
    with the crossings plus the cells of the bounding box, never with their product; the
    crossings come out of the map's allowance (``_OverBudget`` when it runs out).
    """
    x0 = max(0, math.floor(poly[:, 0].min()))
    x1 = min(width, math.ceil(poly[:, 0].max()))
    y0 = max(0, math.floor(poly[:, 1].min()))
    y1 = min(height, math.ceil(poly[:, 1].max()))
    if x0 >= x1 or y0 >= y1:
        return np.empty((0, 2), np.int32)
    ax, ay = poly[:, 0], poly[:, 1]
    bx, by = np.roll(ax, 1), np.roll(ay, 1)
    # Row r's centre r + 0.5 crosses an edge when it lies in [min(ay, by), max(ay, by)).
    first = np.clip(np.ceil(np.minimum(ay, by) - 0.5), y0, y1).astype(np.int64)
    stop = np.clip(np.ceil(np.maximum(ay, by) - 0.5), y0, y1).astype(np.int64)
    budget.take_cells((x1 - x0) * (y1 - y0))
    spans = stop - first
    budget.take_crossings(int(spans.sum()))
    columns = x1 - x0 + 1
    right_of = np.zeros((y1 - y0) * columns, np.int64)  # crossings per row and first column
    ends = np.cumsum(spans)
    edge_start = 0
    while edge_start < len(spans):
        edge_stop = int(np.searchsorted(ends, ends[edge_start] - spans[edge_start]
                                        + _CROSSINGS_AT_ONCE, side="right"))
        edge_stop = max(edge_stop, edge_start + 1)
        chunk = slice(edge_start, edge_stop)
        edge = np.repeat(np.arange(edge_start, edge_stop), spans[chunk])
        offset = np.arange(len(edge)) - np.repeat(ends[chunk] - spans[chunk] - (
            ends[edge_start] - spans[edge_start]), spans[chunk])
        row = first[edge] + offset
        centre_y = row + 0.5
        at_x = (bx[edge] - ax[edge]) * (centre_y - ay[edge]) / (by[edge] - ay[edge]) + ax[edge]
        # The crossing lies right of the centres of cells x0 .. k - 1.
        k = np.clip(np.ceil(at_x - 0.5), x0, x1).astype(np.int64) - x0
        right_of += np.bincount((row - y0) * columns + k, minlength=len(right_of))
        edge_start = edge_stop
    counts = right_of.reshape(y1 - y0, columns)
    inside = (np.cumsum(counts[:, ::-1], axis=1)[:, ::-1][:, 1:] & 1).astype(bool)
    ys, xs = np.nonzero(inside)
    return np.stack([xs + x0, ys + y0], axis=1).astype(np.int32)


def _covered_cells(shape: str, x: float, y: float, w: float, h: float, rotation: float,
                   points: list[tuple[float, float]], tile: int, width: int, height: int,
                   budget: _Budget) -> np.ndarray:
    if shape == "point":
        cx, cy = math.floor(x), math.floor(y)
        if 0 <= cx < width and 0 <= cy < height:
            return np.array([[cx, cy]], np.int32)
        return np.empty((0, 2), np.int32)
    if shape in ("polygon", "polyline"):
        corners = np.array(points or [(0.0, 0.0)], float) / tile
    else:
        corners = np.array([(0, 0), (w, 0), (w, h), (0, h)], float)
    if rotation:
        t = math.radians(rotation)
        c, s = math.cos(t), math.sin(t)
        corners = corners @ np.array([[c, s], [-s, c]])
    corners = corners + (x, y)
    if not np.isfinite(corners).all():
        raise OverflowError
    if shape in ("rectangle", "ellipse", "tile", "text") and not rotation:
        x0, x1 = math.floor(x), max(math.floor(x), math.ceil(x + w) - 1)
        y0, y1 = math.floor(y), max(math.floor(y), math.ceil(y + h) - 1)
        x0, x1, y0, y1 = max(x0, 0), min(x1, width - 1), max(y0, 0), min(y1, height - 1)
        if x0 > x1 or y0 > y1:
            return np.empty((0, 2), np.int32)
        budget.take_cells((x1 - x0 + 1) * (y1 - y0 + 1))
        ys, xs = np.mgrid[y0:y1 + 1, x0:x1 + 1]
        return np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.int32)
    cells = (_cells_in_polygon(corners, width, height, budget) if len(corners) >= 3
             else np.empty((0, 2)))
    if len(cells) == 0:  # a sliver or a line: the cells its points fall in
        cells = np.floor(corners)
        keep = (cells[:, 0] >= 0) & (cells[:, 0] < width) & (cells[:, 1] >= 0) & (
            cells[:, 1] < height)
        cells = np.unique(cells[keep].astype(np.int32), axis=0)
    return cells.astype(np.int32)


def _merge_template(el: ElementTree.Element, map_dir: Path, templates: dict[str, Any],
                    where: str, problems: list[MapProblem], hasher: Any) -> ElementTree.Element:
    """An object instance merged over its template (Tiled writes only what differs)."""
    source = el.get("template")
    if not source:
        return el
    if source not in templates:
        root = _read_xml(map_dir / source, guarded.TEMPLATE, f"template '{source}'", problems,
                         hasher)
        base = root.find("object") if root is not None else None
        if root is not None and base is None:
            problems.append(MapProblem(f"template '{source}'", "holds no object"))
        templates[source] = base
    base = templates[source]
    if base is None:
        problems.append(MapProblem(where, f"its template '{source}' could not be read"))
        return el
    merged = ElementTree.Element("object", {**base.attrib, **el.attrib})
    instance_props = {name for name, _, _ in _raw_properties(el)}
    props = ElementTree.SubElement(merged, "properties")
    for source_el, skip in ((base, instance_props), (el, set())):
        for holder in source_el.findall("properties"):
            for prop in holder.findall("property"):
                if prop.get("name") not in skip:
                    props.append(prop)
    shape_source = el if any(el.find(t) is not None for t in
                             ("point", "ellipse", "polygon", "polyline", "text")) else base
    for tag in ("point", "ellipse", "polygon", "polyline", "text"):
        node = shape_source.find(tag)
        if node is not None:
            merged.append(node)
    return merged


def _read_objects(layers: list[_Layer], tile: int, width: int, height: int, map_dir: Path,
                  problems: list[MapProblem], warnings: list[MapProblem], hasher: Any
                  ) -> list[MapObject]:
    objects: list[MapObject] = []
    templates: dict[str, Any] = {}
    seen_ids: dict[int, str] = {}
    budget = _Budget()
    for layer in layers:
        if layer.kind != "object" or layer.ignore:
            continue
        for raw_el in layer.element.findall("object"):
            if len(objects) >= contract.MAX_OBJECTS:
                problems.append(MapProblem("map", f"has more than {contract.MAX_OBJECTS} objects"))
                return objects
            obj_id = int(_number(raw_el, "id", 0, layer.describe(), problems, integer=True,
                                 place=layer.place()) or 0)
            first_problem, first_warning = len(problems), len(warnings)
            el = _merge_template(raw_el, map_dir, templates, f"object {obj_id}", problems, hasher)
            obj = _read_object(el, obj_id, layer, tile, width, height, seen_ids, budget,
                               problems, warnings)
            if obj is not None:
                objects.append(obj)
            place = Place(layer=LayerRef(layer.name, layer.id), object=obj_id)
            _locate(problems, first_problem, len(problems), place)
            _locate(warnings, first_warning, len(warnings), place)
    return objects


def _read_object(el: ElementTree.Element, obj_id: int, layer: _Layer, tile: int, width: int,
                 height: int, seen_ids: dict[int, str], budget: _Budget,
                 problems: list[MapProblem], warnings: list[MapProblem]) -> MapObject | None:
    """One object (its template merged in), or None when its shape cannot be placed."""
    kind = (el.get("class") or el.get("type") or "").strip()
    name = el.get("name", "")
    where = f"object {obj_id} ({kind or 'no class'}" + (f" '{name}')" if name else ")")
    if obj_id in seen_ids:
        problems.append(MapProblem(where, f"has the same id as {seen_ids[obj_id]}"))
    seen_ids[obj_id] = where
    raw_props = _raw_properties(el)
    for prop_name, _, _ in raw_props:
        if prop_name in contract.RESERVED_OBJECT_PROPERTIES:
            problems.append(MapProblem(
                where, f"custom property '{prop_name}' reuses the name of a built-in "
                       "object attribute; rename it"))
    spec = OBJECT_CLASSES.get(kind)
    if kind and spec is None:
        guess = difflib.get_close_matches(kind, OBJECT_CLASSES, n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        warnings.append(MapProblem(where, f"unknown object class '{kind}' is "
                                          f"ignored{hint}", warning=True))
    place = Place(layer=LayerRef(layer.name, layer.id), object=obj_id)
    props = _typed_properties(raw_props, spec.members if spec else (), where, problems, place)
    x = _number(el, "x", 0.0, where, problems) or 0.0
    y = _number(el, "y", 0.0, where, problems) or 0.0
    w = _number(el, "width", 0.0, where, problems) or 0.0
    h = _number(el, "height", 0.0, where, problems) or 0.0
    shape = _object_shape(el, w, h, where, problems, budget)
    rotation = _number(el, "rotation", 0.0, where, problems) or 0.0
    x, y = x + layer.offset_x, y + layer.offset_y
    if shape.shape == "tile":
        y -= h  # Tiled anchors tile objects at their bottom-left corner
    tx, ty, tw, th = x / tile, y / tile, w / tile, h / tile
    try:
        if not all(map(math.isfinite, (tx, ty, tw, th))):
            raise OverflowError
        cells = _covered_cells(shape.shape, tx, ty, tw, th, rotation, shape.points,
                               tile, width, height, budget)
    except OverflowError:
        problems.append(MapProblem(where, "its position or size is out of range"))
        return None
    except _OverBudget as err:
        problems.append(MapProblem(where, str(err)))
        return None
    if shape.points:
        pts = np.array(shape.points) / tile + (tx, ty)
        tx, ty = float(pts[:, 0].min()), float(pts[:, 1].min())
        tw, th = float(np.ptp(pts[:, 0])), float(np.ptp(pts[:, 1]))
    return MapObject(obj_id, kind, name, shape.shape, tx, ty, tw, th, cells, props,
                     layer.name, layer.id)


# ---------------------------------------------------------------------------------------------
# Tilesets: checked here, read by pytmx, turned into lookup tables

# The tile properties the game reads, as the contract types them.
_TILE_MEMBERS: dict[str, Member] = {member.name: member for member in TILE_PROPERTIES}


@dataclass
class _Tileset:
    """One tileset of the map, embedded or read from its .tsx, and where its gids begin."""

    where: str
    firstgid: int
    count: int  # tiles: the declared tilecount, or more if a tile has a higher id
    node: ElementTree.Element  # the <tileset> element, with its tiles
    base_dir: Path  # the folder its image paths are relative to

    @property
    def name(self) -> str:
        return self.node.get("name", "")


def _check_tile_properties(tile_el: ElementTree.Element, where: str, place: Place,
                           problems: list[MapProblem]) -> None:
    """A tile's properties: those the game reads typed and ranged as ``contract.TILE_PROPERTIES``
    says (a terrain must be one of the terrains), any other what its declared type says."""
    for name, ptype, raw in _raw_properties(tile_el):
        member = _TILE_MEMBERS.get(name)
        check = member or _TYPED_CHECKS.get(ptype)
        if check is None:
            continue
        value, error = _convert(check, ptype, raw)
        if error is not None:
            problems.append(MapProblem(where, f"property '{name}': {error}",
                                       place=place.of_property(name)))
        elif member is not None and name == "terrain" and value and value not in TERRAIN_ID:
            guess = difflib.get_close_matches(value, TERRAIN_NAMES, n=1)
            hint = f"did you mean '{guess[0]}'? " if guess else ""
            problems.append(MapProblem(where, f"unknown terrain '{value}' ({hint}known: "
                                              f"{', '.join(TERRAIN_NAMES)})",
                                       place=place.of_property(name)))


def _int_attribute(node: ElementTree.Element, name: str) -> int:
    """An attribute already checked to be a whole number (0 when absent)."""
    return int(node.get(name) or 0)


def _pytmx() -> Any:
    """Import pytmx without letting it load pygame in a process without a window.

    pytmx imports pygame (and its pygame helpers) when pygame is installed. The simulation and
    the map tools run without SDL and print clean JSON, so unless pygame is already loaded (the
    window), the import is made with pygame marked absent; pytmx treats that as "no pygame" and
    logs it, which is silenced: every failure of loading becomes a line of our own.
    """
    if "pytmx" in sys.modules:
        return sys.modules["pytmx"]
    log = logging.getLogger("pytmx")
    log.addHandler(logging.NullHandler())
    log.propagate = False
    blocked = "pygame" not in sys.modules
    if blocked:
        sys.modules["pygame"] = None  # type: ignore[assignment]
    try:
        import pytmx
    finally:
        if blocked:
            del sys.modules["pygame"]
    return pytmx


# Tiles handed to pytmx at once: the copy made for it and its reading of them are dropped
# before the next ones, so a tileset of 100,000 tiles never lies in memory three times over.
_TILES_AT_ONCE = 4096


class _Paths:
    """Picture paths made absolute, once each: many tilesets may share one picture."""

    def __init__(self) -> None:
        self._known: dict[tuple[Path, str], str] = {}

    def absolute(self, base_dir: Path, source: str) -> str:
        if (base_dir, source) not in self._known:
            self._known[base_dir, source] = os.path.realpath(base_dir / source)
        return self._known[base_dir, source]


def _tiles_in_range(tileset: _Tileset, stop: int) -> Iterator[ElementTree.Element]:
    """The tiles of a tileset below ``stop``, the next tileset's first gid: a tile whose gid
    reaches it is that tileset's, as in Tiled."""
    for tile_el in tileset.node.iterfind("tile"):
        if tileset.firstgid + _int_attribute(tile_el, "id") < stop:
            yield tile_el


def _parts(tiles: Iterator[ElementTree.Element], size: int
           ) -> Iterator[list[ElementTree.Element]]:
    """``tiles`` in lists of ``size``; one empty list if there are none (a tileset of pictures
    only, or of nothing, is still a tileset)."""
    part = list(itertools.islice(tiles, size))
    yield part
    while len(part) == size:
        part = list(itertools.islice(tiles, size))
        if part:
            yield part


def _for_pytmx(tileset: _Tileset, tiles: list[ElementTree.Element], paths: _Paths
               ) -> ElementTree.Element:
    """A ``<tileset>`` as pytmx is given it: embedded (an external one was read by the guarded
    reader), its numbers as they passed the checks, picture paths made absolute, and of each of
    ``tiles`` that says something to the game its picture and the properties the game reads.
    Nothing in it leads pytmx to a file."""
    attributes = {"firstgid": str(tileset.firstgid), "name": tileset.name}
    for name in ("tilewidth", "tileheight", "spacing", "margin", "tilecount", "columns"):
        attributes[name] = str(_int_attribute(tileset.node, name))
    inlined = ElementTree.Element("tileset", attributes)
    sheet = tileset.node.find("image")
    if sheet is not None and sheet.get("source"):
        ElementTree.SubElement(inlined, "image", {
            "source": paths.absolute(tileset.base_dir, sheet.get("source", "")),
            "width": str(_int_attribute(sheet, "width")),
            "height": str(_int_attribute(sheet, "height"))})
    for tile_el in tiles:
        picture = tile_el.find("image")
        source = picture.get("source") if picture is not None else None
        read = [(name, ptype, raw) for name, ptype, raw in _raw_properties(tile_el)
                if name in _TILE_MEMBERS]
        if not (source or read):
            continue
        tile = ElementTree.SubElement(inlined, "tile", {"id": tile_el.get("id", "0")})
        if source:
            ElementTree.SubElement(tile, "image",
                                   {"source": paths.absolute(tileset.base_dir, source)})
        if read:
            properties = ElementTree.SubElement(tile, "properties")
            for name, ptype, raw in read:
                ElementTree.SubElement(properties, "property",
                                       {"name": name, "type": ptype, "value": raw})
    return inlined


@dataclass
class _TileTables:
    """Lookup tables by row; ``index[gid]`` is the row of a Tiled gid (flip bits masked off),
    row 0 standing for every tile without properties."""

    index: np.ndarray  # int32
    terrain: np.ndarray
    cost: dict[str, np.ndarray]  # NaN where the tile does not override
    blocks_sight: np.ndarray  # int8: -1 no override, 0 / 1
    scent_decay: np.ndarray  # NaN where no override


class _TileRows:
    """The properties the game reads of every tile that has some, a row each, collected as
    pytmx reads them (their values passed the checks) and made into tables at the end."""

    def __init__(self) -> None:
        self.gids: list[int] = []
        self.values: dict[str, list[Any]] = {name: [] for name in _TILE_MEMBERS}

    def add(self, gid: int, props: dict[str, Any]) -> None:
        self.gids.append(gid)
        for name, column in self.values.items():
            column.append(props.get(name))

    def tables(self, top_gid: int) -> _TileTables:
        index = np.zeros(top_gid, np.int32)
        last = {gid: row for row, gid in enumerate(self.gids, start=1)}  # a repeated tile id:
        index[np.fromiter(last, np.int64, len(last))] = np.fromiter(  # its last row counts
            last.values(), np.int32, len(last))

        def column(name: str, dtype: type, missing: Any,
                   convert: Callable[[Any], Any] = lambda value: value) -> np.ndarray:
            """One table: row 0 and the tiles without this property hold ``missing``."""
            table: np.ndarray = np.array(
                [missing] + [missing if v is None else convert(v) for v in self.values[name]],
                dtype)
            return table

        return _TileTables(
            index=index,
            terrain=column("terrain", np.uint8, NO_TERRAIN,
                           lambda name: TERRAIN_ID[name] if name else NO_TERRAIN),
            cost={mover: column(COST_PROPERTY[mover], np.float32, np.nan,
                                lambda cost: cost if cost > 0 else np.inf) for mover in MOVERS},
            blocks_sight=column("blocks_sight", np.int8, -1, int),
            scent_decay=column("scent_decay", np.float32, np.nan))


def _read_tilesets(tilesets: list[_Tileset], problems: list[MapProblem]
                   ) -> tuple[_TileTables, tuple[TilesetArt, ...]] | None:
    """pytmx's reading of every tileset, as lookup tables of the tiles' properties and what
    the window needs to cut their pictures; None, with a problem, if pytmx fails on something
    the checks let through.

    Each part of a tileset goes to a ``pytmx.TiledTileset`` in a ``pytmx.TiledMap`` of its own,
    which numbers its tiles (``tiledgidmap`` leads back to Tiled's gids) and holds their typed
    properties. No TiledMap is asked to parse a map or load pictures: pictures are the window's
    to load (``game.view.tiles``, through the guarded reader), and pytmx's own pass over them
    would walk each sheet's declared pixel grid rather than the file.
    """
    pytmx = _pytmx()
    paths = _Paths()
    rows = _TileRows()
    arts = []
    for index, tileset in enumerate(tilesets):
        stop = (tilesets[index + 1].firstgid if index + 1 < len(tilesets)
                else tileset.firstgid + tileset.count)
        read: Any = None
        pictures: dict[int, str] = {}
        for tiles in _parts(_tiles_in_range(tileset, stop), _TILES_AT_ONCE):
            holder = pytmx.TiledMap(allow_duplicate_names=True)
            try:
                part = pytmx.TiledTileset(holder, _for_pytmx(tileset, tiles, paths))
            except Exception as err:  # pytmx raises bare Exceptions; none may reach the user raw
                problems.append(MapProblem(tileset.where, "the Tiled loader could not read it: "
                                                          f"{err or type(err).__name__}"))
                return None
            read = part if read is None else read
            for gid, props in holder.tile_properties.items():
                tiled_gid = int(holder.tiledgidmap[gid])
                if any(name in props for name in _TILE_MEMBERS):
                    rows.add(tiled_gid, props)
                if props.get("source"):
                    pictures[tiled_gid - tileset.firstgid] = props["source"]
        arts.append(TilesetArt(
            name=read.name or "", firstgid=int(read.firstgid), tilecount=tileset.count,
            tile_width=int(read.tilewidth), tile_height=int(read.tileheight),
            columns=int(read.columns), margin=int(read.margin), spacing=int(read.spacing),
            image=read.source, tile_images=pictures))
    return rows.tables(max((ts.firstgid + ts.count for ts in tilesets), default=1)), tuple(arts)


def _check_tilesets(root: ElementTree.Element, map_dir: Path, tile: int,
                    problems: list[MapProblem], warnings: list[MapProblem], hasher: Any
                    ) -> list[_Tileset]:
    """Every tileset, by firstgid, with its numbers and property values checked."""
    tilesets: list[_Tileset] = []
    image_problems: dict[Path, str | None] = {}  # many tilesets may share one image
    marks: list[tuple[int, int, Place]] = []  # where each tileset's problems start
    for ts in root.findall("tileset"):
        source = ts.get("source")
        marks.append((len(problems), len(warnings), Place(tileset=source or ts.get("name", ""))))
        firstgid = _number(ts, "firstgid", None, "tileset", problems, integer=True)
        where = f"tileset '{source or ts.get('name', '')}'"
        if firstgid is None:
            continue
        if firstgid < 1:
            problems.append(MapProblem(where, f"firstgid {firstgid} must be 1 or more"))
            continue
        node: ElementTree.Element | None = ts
        base_dir = map_dir
        if source:
            if not source.lower().endswith(".tsx"):
                problems.append(MapProblem(where, "external tilesets must be .tsx files"))
                continue
            path = map_dir / source
            node = _read_xml(path, guarded.TILESET, where, problems, hasher)
            if node is None:
                continue
            if node.tag != "tileset":
                problems.append(MapProblem(where, f"is a <{node.tag}>, not a tileset"))
                continue
            base_dir = path.parent
        assert node is not None
        for attr in ("tilewidth", "tileheight", "tilecount", "columns", "spacing", "margin"):
            if node.get(attr) is not None:
                _number(node, attr, 0, where, problems, integer=True)
        count = int(_number(node, "tilecount", 0, where, problems, integer=True) or 0)
        ids = []
        for tile_el in node.findall("tile"):
            tid = _number(tile_el, "id", None, where, problems, integer=True)
            if tid is not None and tid < 0:
                problems.append(MapProblem(where, f"tile id {tid} must be 0 or more"))
            elif tid is not None:
                ids.append(int(tid))
            _check_tile_properties(tile_el, f"{where} tile {tid}",
                                   Place(tileset=source or ts.get("name", ""),
                                         tile=None if tid is None else int(tid)), problems)
            for frame in tile_el.iter("frame"):
                _number(frame, "tileid", None, where, problems, integer=True)
                _number(frame, "duration", None, where, problems, integer=True)
        _check_property_values(node, where, problems)
        image = node.find("image")
        if image is not None:
            for attr in ("width", "height"):
                if image.get(attr) is not None:
                    _number(image, attr, 0, where, problems, integer=True)
            source_name = image.get("source")
            unreadable: str | None = "file not found"
            if source_name:
                image_path = base_dir / source_name
                if image_path not in image_problems:
                    image_problems[image_path] = guarded.image_problem(image_path)
                unreadable = image_problems[image_path]
            if unreadable is not None:
                why = "not found" if unreadable.startswith("file not found") else unreadable
                warnings.append(MapProblem(where, f"image '{source_name}' {why}; the window "
                                                  "draws plain terrain colours instead",
                                           warning=True))
        count = max(count, max(ids, default=-1) + 1)
        if firstgid + count > contract.MAX_TILESET_GIDS:
            problems.append(MapProblem(where, "the tilesets define more tiles than the game "
                                              f"allows ({contract.MAX_TILESET_GIDS})"))
            continue
        tilesets.append(_Tileset(where, int(firstgid), count, node, base_dir))
    for index, (first_problem, first_warning, place) in enumerate(marks):
        end_problem, end_warning = (marks[index + 1][:2] if index + 1 < len(marks)
                                    else (len(problems), len(warnings)))
        _locate(problems, first_problem, end_problem, place)
        _locate(warnings, first_warning, end_warning, place)
    if not tilesets and not problems:
        problems.append(MapProblem("map", "has no tileset"))
    return sorted(tilesets, key=lambda t: t.firstgid)


# ---------------------------------------------------------------------------------------------
# Reading a level


def _clock(value: str, name: str, problems: list[MapProblem]) -> int:
    match = _CLOCK.match(value.strip())
    if not match:
        problems.append(MapProblem("map", f"property '{name}' must be a clock time HH:MM, "
                                          f"not '{value}'", place=Place(property=name)))
        return 0
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60


class _SourceHasher:
    """A sha256 of every file a map reads, which files those were, and what they hold."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.sources: list[str] = []
        self.parsed: dict[str, ElementTree.Element | None] = {}  # by real path
        self.size = 0  # bytes of every file read
        self.nodes = 0  # XML elements and attributes of every file read

    def update(self, data: bytes) -> None:
        self._hash.update(data)
        self.size += len(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _memory_fits(cells: int, tile_layers: int, zones: int, problems: list[MapProblem]
                 ) -> bool:
    """Whether the map's grids fit the memory the game allows (``contract.map_memory``
    estimates it), checked before any of them is allocated; a problem if they do not."""
    need = contract.map_memory(cells, tile_layers, zones)
    fits = need <= contract.MAX_MAP_MEMORY
    if not fits:
        problems.append(MapProblem(
            "map", f"would take about {guarded.size_text(need)} of memory ({tile_layers} tile "
                   f"layers and {zones} zone names over {cells:,} cells); the limit is "
                   f"{guarded.size_text(contract.MAX_MAP_MEMORY)}: use fewer layers or a "
                   "smaller map"))
    return fits


def read_level(path: str | os.PathLike[str]) -> Level:
    """Read a TMX map into a Level, or raise MapError listing every problem found."""
    path = Path(path)
    problems: list[MapProblem] = []
    warnings: list[MapProblem] = []
    hasher = _SourceHasher()
    root = _read_xml(path, guarded.MAP, "map", problems, hasher)
    if root is None:
        raise MapError(path, problems)
    if root.tag != "map":
        what = "a tileset" if root.tag == "tileset" else f"a <{root.tag}> document"
        raise MapError(path, [MapProblem("map", f"this is {what}, not a Tiled map")])

    width = int(_number(root, "width", None, "map", problems, integer=True) or 0)
    height = int(_number(root, "height", None, "map", problems, integer=True) or 0)
    tile_w = int(_number(root, "tilewidth", None, "map", problems, integer=True) or 0)
    tile_h = int(_number(root, "tileheight", None, "map", problems, integer=True) or 0)
    if root.get("orientation", "orthogonal") != "orthogonal":
        problems.append(MapProblem("map", f"orientation is '{root.get('orientation')}'; the game "
                                          "needs an orthogonal map"))
    if root.get("infinite", "0") not in ("0", ""):
        problems.append(MapProblem("map", "is infinite; make it finite in Tiled's Map "
                                          "Properties (Infinite: off)"))
    if tile_w != tile_h:
        problems.append(MapProblem("map", f"tiles are {tile_w} x {tile_h} pixels; they must be "
                                          "square"))
    if not 0 < tile_w <= contract.MAX_TILE_PIXELS:
        problems.append(MapProblem("map", f"tile size {tile_w} must be 1 to "
                                          f"{contract.MAX_TILE_PIXELS} pixels"))
    if width <= 0 or height <= 0:
        problems.append(MapProblem("map", f"size {width} x {height} must be at least 1 x 1"))
    elif (width * height > contract.MAX_MAP_CELLS or width > contract.MAX_MAP_SIDE
          or height > contract.MAX_MAP_SIDE):
        problems.append(MapProblem(
            "map", f"is {width} x {height} tiles; the game's limit is "
                   f"{contract.MAX_MAP_CELLS:,} cells and {contract.MAX_MAP_SIDE} tiles a side"))
    if problems:
        raise MapError(path, problems)

    _check_property_values(root, "map", problems)
    map_props = _typed_properties(_raw_properties(root), contract.MAP_PROPERTIES, "map",
                                  problems)
    settings = MapSettings(
        wind_deg=float(map_props["wind_deg"]),
        wind_speed=float(map_props["wind_speed"]),
        start_clock_s=_clock(str(map_props["start_clock"]), "start_clock", problems),
        sunset_clock_s=_clock(str(map_props["sunset_clock"]), "sunset_clock", problems),
    )
    if settings.sunset_clock_s <= settings.start_clock_s and not problems:
        problems.append(MapProblem("map", f"sunset_clock {map_props['sunset_clock']} must be "
                                          f"after start_clock {map_props['start_clock']}",
                                   place=Place(property="sunset_clock")))

    map_dir = path.parent
    tilesets = _check_tilesets(root, map_dir, tile_w, problems, warnings, hasher)
    layers = list(_walk_layers(root, problems))
    tile_layers = [layer for layer in layers if layer.kind == "tile" and not layer.ignore]
    if not _memory_fits(width * height, len(tile_layers), 0, problems):  # before any grid
        raise MapError(path, problems)
    objects = _read_objects(layers, tile_w, width, height, map_dir, problems, warnings, hasher)
    zone_names = {obj.name for obj in objects if obj.kind == "zone" and obj.name}
    if not _memory_fits(width * height, len(tile_layers), len(zone_names), problems):
        raise MapError(path, problems)
    # Sketch layers (ignore) are never decoded: they may hold anything.
    decoded = [(layer, _located_gids(layer, width, height, problems)) for layer in tile_layers]
    if problems:
        raise MapError(path, problems)

    read = _read_tilesets(tilesets, problems)
    if read is None:
        raise MapError(path, problems)
    tables, tileset_art = read
    top_gid = len(tables.index)
    grids: list[tuple[_Layer, np.ndarray, np.ndarray]] = []  # layer, raw gids, table rows
    for layer, raw in decoded:
        assert raw is not None
        gids = raw & GID_MASK
        bad = gids >= top_gid
        if bad.any():
            ys, xs = np.nonzero(bad)
            problems.append(MapProblem(
                layer.describe(), f"{len(xs)} cells use tile ids that no tileset defines "
                                  f"(first at cell ({xs[0]}, {ys[0]}), gid "
                                  f"{int(gids[ys[0], xs[0]])})",
                place=layer.place().at(xs[0], ys[0])))
            continue
        grids.append((layer, raw, tables.index[gids]))
    if problems:
        raise MapError(path, problems)

    terrain = np.zeros((height, width), np.uint8)
    cost_override = {m: np.full((height, width), np.nan, np.float32) for m in MOVERS}
    sight_override = np.full((height, width), -1, np.int8)
    decay_override = np.full((height, width), np.nan, np.float32)
    for layer, _, rows in grids:  # bottom to top: a higher layer's property wins
        if not layer.visible:
            continue
        np.copyto(terrain, tables.terrain[rows], where=tables.terrain[rows] != NO_TERRAIN)
        for mover in MOVERS:
            values = tables.cost[mover][rows]
            np.copyto(cost_override[mover], values, where=~np.isnan(values))
        sight = tables.blocks_sight[rows]
        np.copyto(sight_override, sight, where=sight >= 0)
        decay = tables.scent_decay[rows]
        np.copyto(decay_override, decay, where=~np.isnan(decay))

    cost = {}
    for mover in MOVERS:
        grid = COST[mover][terrain]
        cost[mover] = np.where(np.isnan(cost_override[mover]), grid,
                               cost_override[mover]).astype(np.float32)
    blocks_sight = np.where(sight_override >= 0, sight_override == 1,
                            contract.BLOCKS_SIGHT[terrain])
    scent_decay = np.where(np.isnan(decay_override), contract.SCENT_DECAY[terrain],
                           decay_override).astype(np.float32)

    zones: dict[str, np.ndarray] = {}
    for obj in objects:
        if obj.kind == "zone" and obj.name:
            mask = zones.setdefault(obj.name, np.zeros((height, width), bool))
            if len(obj.cells):
                mask[obj.cells[:, 1], obj.cells[:, 0]] = True

    art_layers = tuple(TileLayerArt(layer.name, raw) for layer, raw, _ in grids if layer.visible)
    return Level(
        name=path.stem,
        path=str(path),
        width=width,
        height=height,
        tile_size=tile_w,
        terrain=terrain,
        cost=cost,
        blocks_sight=blocks_sight,
        passes_scent=contract.PASSES_SCENT[terrain].copy(),
        scent_decay=scent_decay,
        objects=tuple(objects),
        zones=zones,
        settings=settings,
        content_hash=hasher.hexdigest(),
        tilesets=tileset_art,
        art_layers=art_layers,
        warnings=tuple(warnings),
        sources=tuple(dict.fromkeys(hasher.sources)),
    )
