"""The map cut into blocks: the blocks' connected groups (game.sim.regions.label_blocks) are
the ones scipy.ndimage finds, numbered the same way, on random masks and on the shipped maps'
masks; the search blocks (game.sim.stage.SearchBlocks) each pick their cell nearest the centre."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from game.sim.regions import label_blocks
from game.tiled import read_level

ROOT = Path(__file__).resolve().parent.parent


def as_blocks(mask: np.ndarray, block: int) -> np.ndarray:
    height, width = mask.shape
    rows, cols = -(-height // block), -(-width // block)
    padded = np.zeros((rows * block, cols * block), bool)
    padded[:height, :width] = mask
    return np.ascontiguousarray(
        padded.reshape(rows, block, cols, block).transpose(0, 2, 1, 3))


def ndimage_labels(blocks: np.ndarray) -> tuple[np.ndarray, int]:
    structure = np.zeros((3, 3, 3, 3), bool)
    structure[1, 1] = ndimage.generate_binary_structure(2, 1)
    labels, count = ndimage.label(blocks, structure)
    return labels - 1, int(count)


def masks() -> list[np.ndarray]:
    rng = np.random.default_rng(15)
    out = [rng.random(rng.integers(1, 50, 2)) < rng.uniform(0.2, 0.95) for _ in range(60)]
    out += [np.zeros((7, 9), bool), np.ones((16, 16), bool)]
    for path in sorted((ROOT / "maps").glob("*.tmx")):
        level = read_level(path)
        out += [level.passes_scent, ~level.blocks_sight]
    return out


@pytest.mark.parametrize("block", [8, 3])
def test_groups_and_their_numbers_are_those_of_ndimage(block: int) -> None:
    for mask in masks():
        blocks = as_blocks(mask, block)
        labels, count = label_blocks(blocks)
        expected, expected_count = ndimage_labels(blocks)
        assert count == expected_count
        assert np.array_equal(labels, expected)


def test_a_river_across_a_block_makes_two_groups() -> None:
    mask = np.ones((8, 8), bool)
    mask[:, 3] = False
    labels, count = label_blocks(as_blocks(mask, 8))
    assert count == 2
    assert labels[0, 0, 0, 0] == 0 and labels[0, 0, 0, 4] == 1 and labels[0, 0, 0, 3] == -1


def test_each_search_block_goes_to_its_cell_nearest_the_centre() -> None:
    """SearchBlocks: a block's cell is the walkable one nearest its centre, the first in row
    order among equals; a block with no walkable cell has none."""
    from game.sim.stage import SearchBlocks

    rng = np.random.default_rng(8)
    for _ in range(40):
        walkable = rng.random(rng.integers(1, 40, 2)) < rng.uniform(0.0, 1.0)
        blocks = SearchBlocks(walkable, walkable)
        size = SearchBlocks.SIZE
        for by in range(blocks.rows):
            for bx in range(blocks.cols):
                ys, xs = np.nonzero(walkable[by * size:(by + 1) * size,
                                             bx * size:(bx + 1) * size])
                index = by * blocks.cols + bx
                if not len(xs):
                    assert index not in blocks.foot
                    continue
                gaps = (xs + 0.5 - size / 2) ** 2 + (ys + 0.5 - size / 2) ** 2
                first = int(np.flatnonzero(gaps == gaps.min())[0])
                assert blocks.foot[index] == (bx * size + xs[first], by * size + ys[first])
        assert list(blocks.foot) == sorted(blocks.foot)
