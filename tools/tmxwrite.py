"""Write Tiled TMX maps and TSX tilesets the way Tiled does.

Used by the map generator and by the tests, which build small maps in every encoding Tiled can
save (CSV, Base64, zlib, gzip), with embedded or external tilesets and nested groups.
"""

from __future__ import annotations

import base64
import gzip
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree

import numpy as np

# (name, Tiled type, value) or (name, Tiled type, value, custom type): the fourth item names a
# custom property type of the project (an enum such as "terrain"); Tiled writes it as the
# property's `propertytype` attribute.
Property = tuple[str, str, object] | tuple[str, str, object, str]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _add_properties(el: ElementTree.Element, props: list[Property]) -> None:
    if not props:
        return
    holder = ElementTree.SubElement(el, "properties")
    for prop in props:
        name, ptype, value = prop[:3]
        attrs = {"name": name}
        if ptype != "string":
            attrs["type"] = ptype  # Tiled leaves out type="string", its default
        if len(prop) > 3 and prop[3]:
            attrs["propertytype"] = str(prop[3])
        attrs["value"] = _text(value)
        ElementTree.SubElement(holder, "property", attrs)


@dataclass
class Tileset:
    """A tileset with one image sheet; written embedded or as an external .tsx."""

    name: str
    tile_size: int
    tilecount: int
    columns: int
    image: str
    image_width: int
    image_height: int
    tile_properties: dict[int, list[Property]] = field(default_factory=dict)
    firstgid: int = 1
    source: str | None = None  # external .tsx path, relative to the map

    def element(self, with_firstgid: bool) -> ElementTree.Element:
        attrs = {}
        if with_firstgid:
            attrs["firstgid"] = str(self.firstgid)
        attrs.update({"name": self.name, "tilewidth": str(self.tile_size),
                      "tileheight": str(self.tile_size), "tilecount": str(self.tilecount),
                      "columns": str(self.columns)})
        el = ElementTree.Element("tileset", attrs)
        ElementTree.SubElement(el, "image", {"source": self.image,
                                             "width": str(self.image_width),
                                             "height": str(self.image_height)})
        for tile_id in sorted(self.tile_properties):
            tile = ElementTree.SubElement(el, "tile", {"id": str(tile_id)})
            _add_properties(tile, self.tile_properties[tile_id])
        return el

    def tsx(self) -> str:
        el = self.element(with_firstgid=False)
        el.set("version", "1.8")
        el.set("tiledversion", "1.8.2")
        return _document(el)


@dataclass
class TileLayer:
    name: str
    gids: np.ndarray  # [y, x] raw gids (uint32; flip bits allowed)
    encoding: str = "csv"  # csv, base64, zlib, gzip, zstd (the last one unsupported on purpose)
    visible: bool = True
    properties: list[Property] = field(default_factory=list)


@dataclass
class MapObject:
    id: int
    kind: str
    x: float  # pixels
    y: float
    name: str = ""
    width: float = 0.0
    height: float = 0.0
    shape: str = "point"  # point, rectangle, ellipse, polygon
    points: list[tuple[float, float]] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)


@dataclass
class ObjectLayer:
    name: str
    objects: list[MapObject]
    visible: bool = True
    properties: list[Property] = field(default_factory=list)


@dataclass
class Group:
    name: str
    children: list[TileLayer | ObjectLayer | Group]
    visible: bool = True
    properties: list[Property] = field(default_factory=list)


def encode_data(gids: np.ndarray, encoding: str) -> tuple[dict[str, str], str]:
    """Attributes of <data> and its text, for one of Tiled's layer formats."""
    flat = np.asarray(gids, dtype=np.uint32).ravel()
    if encoding == "csv":
        width = gids.shape[1]
        rows = [",".join(str(v) for v in flat[i:i + width]) for i in range(0, len(flat), width)]
        return {"encoding": "csv"}, "\n" + ",\n".join(rows) + "\n"
    raw = flat.astype("<u4").tobytes()
    attrs = {"encoding": "base64"}
    if encoding == "zlib":
        raw, attrs["compression"] = zlib.compress(raw), "zlib"
    elif encoding == "gzip":
        raw, attrs["compression"] = gzip.compress(raw, mtime=0), "gzip"
    elif encoding == "zstd":
        attrs["compression"] = "zstd"
    elif encoding != "base64":
        raise ValueError(f"unknown encoding {encoding}")
    return attrs, "\n   " + base64.b64encode(raw).decode("ascii") + "\n  "


class _Ids:
    def __init__(self) -> None:
        self.next = 1

    def take(self) -> str:
        self.next += 1
        return str(self.next - 1)


def _layer_element(layer: TileLayer | ObjectLayer | Group, ids: _Ids, width: int,
                   height: int, type_attr: str) -> ElementTree.Element:
    common = {"id": ids.take(), "name": layer.name}
    if isinstance(layer, Group):
        el = ElementTree.Element("group", common)
    elif isinstance(layer, ObjectLayer):
        el = ElementTree.Element("objectgroup", common)
    else:
        el = ElementTree.Element("layer", {**common, "width": str(width),
                                           "height": str(height)})
    if not layer.visible:
        el.set("visible", "0")
    _add_properties(el, layer.properties)
    if isinstance(layer, Group):
        for child in layer.children:
            el.append(_layer_element(child, ids, width, height, type_attr))
    elif isinstance(layer, ObjectLayer):
        for obj in layer.objects:
            el.append(_object_element(obj, type_attr))
    else:
        attrs, text = encode_data(layer.gids, layer.encoding)
        data = ElementTree.SubElement(el, "data", attrs)
        data.text = text
    return el


def _object_element(obj: MapObject, type_attr: str) -> ElementTree.Element:
    attrs = {"id": str(obj.id)}
    if obj.name:
        attrs["name"] = obj.name
    if obj.kind:
        attrs[type_attr] = obj.kind
    attrs["x"] = _text(float(obj.x))
    attrs["y"] = _text(float(obj.y))
    if obj.shape in ("rectangle", "ellipse"):
        attrs["width"] = _text(float(obj.width))
        attrs["height"] = _text(float(obj.height))
    el = ElementTree.Element("object", attrs)
    _add_properties(el, obj.properties)
    if obj.shape in ("point", "ellipse"):
        ElementTree.SubElement(el, obj.shape)
    elif obj.shape == "polygon":
        ElementTree.SubElement(el, "polygon", {
            "points": " ".join(f"{_text(float(px))},{_text(float(py))}" for px, py in obj.points)})
    return el


def map_xml(width: int, height: int, tile_size: int, tilesets: list[Tileset],
            layers: list[TileLayer | ObjectLayer | Group],
            properties: list[Property] | None = None, type_attr: str = "class",
            map_class: str = "") -> str:
    """A whole TMX document. ``type_attr`` is "class" (Tiled 1.9) or "type" (older/newer).

    ``map_class`` is the map's own class (Tiled 1.9+ writes it as the map's `class` attribute):
    a class of the project whose members are the map properties.
    """
    ids = _Ids()
    attrs = {"version": "1.9", "tiledversion": "1.9.2"}
    if map_class:
        attrs["class"] = map_class  # where Tiled puts it: right after the versions
    root = ElementTree.Element("map", {
        **attrs, "orientation": "orthogonal",
        "renderorder": "right-down", "width": str(width), "height": str(height),
        "tilewidth": str(tile_size), "tileheight": str(tile_size), "infinite": "0"})
    _add_properties(root, properties or [])
    for ts in tilesets:
        if ts.source:
            ElementTree.SubElement(root, "tileset", {"firstgid": str(ts.firstgid),
                                                     "source": ts.source})
        else:
            root.append(ts.element(with_firstgid=True))
    for layer in layers:
        root.append(_layer_element(layer, ids, width, height, type_attr))
    object_ids = [int(o.get("id")) for o in root.iter("object")]
    root.set("nextlayerid", str(ids.next))
    root.set("nextobjectid", str(max(object_ids, default=0) + 1))
    return _document(root)


def _document(root: ElementTree.Element) -> str:
    ElementTree.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(
        root, encoding="unicode") + "\n"
