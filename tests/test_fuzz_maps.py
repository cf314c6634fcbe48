"""Mutated maps never crash the checker: it answers ok or with problem lines, nothing else.

The default run tries a couple of hundred mutations; the slow CI step runs thousands.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game import cli
from game.mapcheck import check_file
from tests import mapkit

ENCODINGS = ("csv", "base64", "zlib", "gzip")
BASES: dict[tuple[str, bool], tuple[str, str]] = {}


def base_files(encoding: str, external: bool) -> tuple[str, str]:
    """(map text, tileset text) of the valid fixture, written once per variant."""
    key = (encoding, external)
    if key not in BASES:
        with tempfile.TemporaryDirectory() as tmp:
            path = mapkit.write(mapkit.MapSpec(encoding=encoding, external_tileset=external),
                                Path(tmp))
            tsx = Path(tmp) / "terrain.tsx"
            BASES[key] = (path.read_text(), tsx.read_text() if tsx.exists() else "")
    return BASES[key]


ATTRIBUTES = ["width", "height", "tilewidth", "tileheight", "infinite", "orientation", "id", "x",
              "y", "firstgid", "encoding", "compression", "value", "type", "class", "name",
              "visible", "tilecount", "columns", "gid", "rotation"]
ODD_VALUES = ["", "0", "-1", "1e308", "nan", "inf", "999999999999", "1.5", "abc", "true",
              "zstd", "base64", "csv", "isometric", "1", "police_spawn", "zone", "water",
              "&amp;", "\u00e9\u00e8", "0x10", "  7  "]


@st.composite
def mutations(draw):
    encoding = draw(st.sampled_from(ENCODINGS))
    external = draw(st.booleans())
    text, tsx = base_files(encoding, external)
    target = draw(st.sampled_from(["map", "map", "map", "tsx"])) if external else "map"
    body = text if target == "map" else tsx
    kind = draw(st.sampled_from(["attribute", "drop_line", "duplicate_line", "truncate",
                                 "inject", "flip", "swap_gid", "doctype", "drop_object",
                                 "duplicate_object", "property", "reencode"]))
    lines = body.split("\n")
    objects = [m.span() for m in re.finditer(r"<object [^>]*?(/>|>.*?</object>)", body,
                                             re.DOTALL)]
    if kind in ("drop_object", "duplicate_object") and objects:
        start, end = draw(st.sampled_from(objects))
        piece = body[start:end]
        body = body[:start] + (piece * 2 if kind == "duplicate_object" else "") + body[end:]
    elif kind == "property":
        spots = [m.span() for m in re.finditer(r"<property [^>]*/>", body)]
        if spots:
            start, end = draw(st.sampled_from(spots))
            ptype = draw(st.sampled_from(["int", "float", "bool", "string", "class", "color",
                                          "file", "object", "enum", "banana"]))
            value = draw(st.sampled_from(ODD_VALUES))
            name = draw(st.sampled_from(["officers", "cars", "latch_s", "count", "radius",
                                         "strength", "terrain", "cost_foot", "name", "x",
                                         "ignore", "wind_speed", "start_clock"]))
            body = (body[:start] + f'<property name="{name}" type="{ptype}" value="{value}"/>'
                    + body[end:])
    elif kind == "reencode" and target == "map":
        other = draw(st.sampled_from([e for e in ENCODINGS if e != encoding] + ["zstd"]))
        if other == "zstd":
            body = body.replace('encoding="base64" compression="zlib"',
                                'encoding="base64" compression="zstd"')
        else:
            body = base_files(other, external)[0]
    elif kind == "attribute":
        attr = draw(st.sampled_from(ATTRIBUTES))
        spots = [m.start() for m in re.finditer(rf'\b{attr}="[^"]*"', body)]
        if spots:
            at = draw(st.sampled_from(spots))
            end = body.index('"', body.index('"', at) + 1)
            value = draw(st.sampled_from(ODD_VALUES) | st.text(max_size=8))
            value = value.replace('"', "").replace("<", "").replace("&", "")
            body = body[:at] + f'{attr}="{value}"' + body[end + 1:]
    elif kind == "drop_line":
        i = draw(st.integers(0, len(lines) - 1))
        body = "\n".join(lines[:i] + lines[i + 1:])
    elif kind == "duplicate_line":
        i = draw(st.integers(0, len(lines) - 1))
        body = "\n".join(lines[:i + 1] + lines[i:])
    elif kind == "truncate":
        body = body[:draw(st.integers(0, len(body)))]
    elif kind == "inject":
        at = draw(st.integers(0, len(body)))
        junk = draw(st.binary(min_size=1, max_size=16)).decode("latin-1")
        body = body[:at] + junk + body[at:]
    elif kind == "flip":
        at = draw(st.integers(0, max(len(body) - 1, 0)))
        body = body[:at] + chr((ord(body[at]) ^ draw(st.integers(1, 255))) % 0x110000
                               or 1) + body[at + 1:] if body else body
    elif kind == "swap_gid":
        gid = draw(st.sampled_from(["0", "99", "4294967295", "-3", "x", "2147483659"]))
        body = re.sub(r"\b([0-9]+),", gid + ",", body, count=draw(st.integers(1, 4)))
    else:
        body = body.replace("<map", '<!DOCTYPE map [<!ENTITY e "x">]><map', 1)
    return (body, tsx) if target == "map" else (text, body)


def _write(tmp: Path, map_text: str, tsx_text: str) -> Path:
    path = tmp / "map.tmx"
    path.write_bytes(map_text.encode("utf-8", "surrogatepass"))
    if tsx_text:
        (tmp / "terrain.tsx").write_bytes(tsx_text.encode("utf-8", "surrogatepass"))
    return path


def _check_never_raises(files: tuple[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), *files)
        ok, lines = check_file(path)
        assert lines
        assert all(line.startswith(str(path)) for line in lines)
        assert ok == (": ok (" in lines[-1])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations())
def test_mutated_maps_never_crash_the_checker(files):
    _check_never_raises(files)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations())
def test_mutated_maps_never_crash_the_checker_long_run(files):
    _check_never_raises(files)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations())
def test_check_map_exits_0_or_1_on_mutated_maps(files):
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), *files)
        assert cli.main(["check-map", str(path)]) in (0, 1)
