"""The art generator keeps its interface: tile and frame names, manifests, determinism."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import pytest

from tools import make_art

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

DIRS = ("down", "up", "left", "right")
MASK_FAMILIES = {"fence": "fence", "hedge": "hedge", "wall": "wall", "water": "water",
                 "roof_red": "building", "roof_slate": "building", "roof_brown": "building",
                 "roof_flat": "building"}


def expected_tiles() -> dict[str, str | None]:
    """Every tile name the brief lists, with its terrain (None for decor)."""
    tiles: dict[str, str | None] = {}
    tiles.update({f"grass_{i}": "grass" for i in range(4)})
    tiles.update({f"grass_flowers_{i}": "grass" for i in range(2)})
    tiles.update({f"grass_dark_{i}": "grass" for i in range(2)})
    tiles.update({f"path_{i}": "path" for i in range(2)})
    tiles.update({f"sidewalk_{i}": "sidewalk" for i in range(2)})
    tiles.update({f"curb_{s}": "sidewalk" for s in "nesw"})
    tiles.update({"floor_0": "floor", "floor_1": "floor", "floor_indoor": "floor"})
    tiles.update({n: "road" for n in ("road_0", "road_1", "road_line_h", "road_line_v",
                                      "crossing_h", "crossing_v")})
    tiles.update({n: "bridge" for n in ("bridge_h", "bridge_v", "bridge_rail_n",
                                        "bridge_rail_s", "bridge_rail_e", "bridge_rail_w")})
    tiles.update({f"forest_{i}": "forest" for i in range(4)})
    for family, terrain in MASK_FAMILIES.items():
        tiles.update({f"{family}_{m}": terrain for m in range(16)})
    tiles.update({"bars_h": "wall", "bars_v": "wall"})
    decor = ["lamp", "bench_h", "bench_v", "bin", "stall", "flowerbed", "bush_small", "manhole",
             "door", "gate_h", "gate_v", "maple_tl", "maple_tr", "maple_bl", "maple_br",
             "tree_small", "doghouse", "lily", "picnic_table", "hurdle", "tunnel",
             "car_parked_h", "car_parked_v", "sign"]
    tiles.update({n: None for n in decor})
    return tiles


def expected_frames() -> list[str]:
    names = []
    for d in DIRS:
        names += [f"rex_walk_{d}_{f}" for f in range(4)]
        names += [f"rex_sit_{d}", f"rex_growl_{d}", f"rex_leap_{d}"]
        names += [f"mila_walk_{d}_{f}" for f in range(4)]
        names += [f"mila_kneel_{d}", f"mila_hand_{d}", f"mila_collar_{d}"]
        names += [f"officer_walk_{d}_{f}" for f in range(4)] + [f"officer_aim_{d}"]
        names += [f"dylan_walk_{d}_{f}" for f in range(4)]
        for k in range(4):
            names += [f"civilian{k}_walk_{d}_{f}" for f in range(4)]
            names.append(f"civilian{k}_phone_{d}")
        names += [f"car_{d}", f"car_{d}_lights_a", f"car_{d}_lights_b"]
    names += ["rex_headpress_left", "rex_headpress_right", "rex_lie_left", "rex_lie_right"]
    return names


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("art")
    make_art.generate(path)
    return path


def test_all_files_written(out: Path) -> None:
    for name in ("tiles.png", "tiles.json", "sprites.png", "sprites.json", "preview.png",
                 "sample_scene.png"):
        assert (out / name).stat().st_size > 0, name


def test_tile_manifest_names_terrains_and_ids(out: Path) -> None:
    manifest = json.loads((out / "tiles.json").read_text())
    assert manifest["tile_size"] == 16
    assert manifest["columns"] == 16
    assert manifest["image"] == "tiles.png"
    tiles = manifest["tiles"]
    assert [t["id"] for t in tiles] == list(range(len(tiles)))
    names = [t["name"] for t in tiles]
    assert len(names) == len(set(names)), "a tile name appears twice"
    by_name = {t["name"]: t["terrain"] for t in tiles}
    for name, terrain in expected_tiles().items():
        assert name in by_name, f"missing tile {name}"
        assert by_name[name] == terrain, f"{name}: terrain {by_name[name]!r}, want {terrain!r}"


def test_tile_sheet_matches_manifest(out: Path) -> None:
    manifest = json.loads((out / "tiles.json").read_text())
    rows = (len(manifest["tiles"]) + 15) // 16
    assert png_size(out / "tiles.png") == (16 * 16, rows * 16)


def test_every_sprite_frame_is_inside_the_sheet(out: Path) -> None:
    data = json.loads((out / "sprites.json").read_text())
    assert data["image"] == "sprites.png"
    frames = data["frames"]
    width, height = png_size(out / "sprites.png")
    for name in expected_frames():
        assert name in frames, f"missing frame {name}"
        f = frames[name]
        assert f["w"] > 0 and f["h"] > 0
        assert f["x"] >= 0 and f["x"] + f["w"] <= width, name
        assert f["y"] >= 0 and f["y"] + f["h"] <= height, name
        assert 0 <= f["ax"] <= f["w"] and 0 <= f["ay"] <= f["h"], f"{name}: anchor outside"


def test_two_runs_give_identical_bytes(out: Path, tmp_path: Path) -> None:
    make_art.generate(tmp_path)
    for name in ("tiles.png", "tiles.json", "sprites.png", "sprites.json", "preview.png",
                 "sample_scene.png"):
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes(), name
