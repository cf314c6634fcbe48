"""rex playtest: the author's question "does my map play?", its exit status and its words."""

from __future__ import annotations

import json

import numpy as np
import pytest

from game import cli, playtest
from game.tiled import read_level
from tests import mapkit


def test_a_map_that_plays_exits_0_with_its_json(tmp_path, capsys):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    assert cli.main(["playtest", str(path), "--seeds", "2", "--jobs", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["plays"] and report["min_reach"] == 0.95
    (found,) = report["maps"]
    assert found["reach"]["games"] == 2 and found["reach"]["reached"] == 2
    assert set(found["full_cast"]) == {"calm", "wait"}
    assert found["full_cast"]["calm"]["games"] == 2
    assert "warnings" in found and "median_chase_minutes" in found


def test_a_day_too_short_passes_check_map_but_does_not_play(tmp_path, capsys):
    """Valid by the contract, yet the sun sets 30 s after the start, before the latch gives."""
    spec = mapkit.MapSpec(map_properties=[("start_clock", "string", "17:57")])
    path = mapkit.write(spec, tmp_path)
    assert cli.main(["check-map", str(path)]) == 0
    capsys.readouterr()
    assert cli.main(["playtest", str(path), "--seeds", "2", "--jobs", "1"]) == 1
    out = capsys.readouterr().out
    assert "does NOT play" in out and "Rex reached Mila in 0 of 2 games" in out
    assert "the sun sets 30 s after the start" in out
    assert "0 of 1 maps play" in out


def test_a_maple_rex_cannot_reach_is_reported_with_exit_1(tmp_path, capsys):
    picture = mapkit.VALID.replace("...A\n", "~~~~\n").rstrip("\n")
    picture += "\n" + "." * 37 + "~~~~A\n"
    path = mapkit.write(mapkit.MapSpec(picture=picture), tmp_path)
    assert cli.main(["playtest", str(path), "--seeds", "1"]) == 1
    assert "cannot be reached by Rex" in capsys.readouterr().err


def test_min_reach_gates_and_bad_flags_exit_2(tmp_path, capsys):
    path = mapkit.write(mapkit.MapSpec(), tmp_path)
    with pytest.raises(SystemExit) as stop:
        cli.main(["playtest", str(path), "--min-reach", "1.5"])
    assert stop.value.code == 2
    afile = tmp_path / "afile"
    afile.write_text("")
    assert cli.main(["playtest", str(path), "--report", str(afile)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_the_report_writes_the_json_and_a_picture(tmp_path):
    path = mapkit.write(mapkit.MapSpec(), tmp_path / "map")
    out = tmp_path / "report"
    assert cli.main(["playtest", str(path), "--seeds", "1", "--jobs", "1",
                     "--report", str(out)]) == 0
    data = json.loads((out / "playtest.json").read_text())
    assert data["maps"][0]["map"] == "map"
    picture = out / "map.png"
    assert picture.exists() and picture.stat().st_size > 1000


# -- the words ------------------------------------------------------------------------------


EDGE = """
wwwww.........~~~~..........
w_R_G.........~~~~..........
wwwww.........~~~~..........
..............~~~~..........
..............bbbb..........
......D.......~~~~.....M....
..............~~~~.........A
"""


def _games(ends: list[tuple[float, float] | None]) -> list[dict]:
    return [{"policy": "wait", "seed": seed, "ending": "dusk" if end else None,
             "rex_end": list(end) if end else [20.5, 5.5],
             "rex_reached_mila_tick": None if end else 3000, "game_seconds": 900.0}
            for seed, end in enumerate(ends)]


def test_the_warning_names_the_place_at_the_edge_beside_water(tmp_path):
    level = read_level(mapkit.write(mapkit.MapSpec(picture=EDGE), tmp_path))
    assert playtest.place(level, 13.0, 0.7) == "at the map's edge, beside water"
    assert playtest.place(level, 7.5, 3.5) == "in the open"
    reach = _games([None] * 7 + [(13.0, 0.6), (12.5, 1.5), (13.4, 0.5)] + [(3.5, 6.0)])
    item = playtest.MapUnderTest(tmp_path, level, None, "edge")  # type: ignore[arg-type]
    report = playtest.analyse(item, {"reach": reach, "calm": _games([None] * 4),
                                     "wait": _games([None] * 4)})
    assert report["warnings"][0] == ("Rex reached Mila in 7 of 11 games; in 3 of the others he "
                                     "ended within 5 tiles of (13, 1), at the map's edge, "
                                     "beside water")
    assert not report["reach"]["rate"] >= 0.95


def test_calm_words_say_why_it_rarely_ends_home():
    games = ([{"ending": "kennel", "rex_reached_mila_tick": None}] * 7
             + [{"ending": "tranquilized", "rex_reached_mila_tick": 900}] * 3
             + [{"ending": "home", "rex_reached_mila_tick": 900}] * 2)
    assert playtest.calm_words(2 / 12, games) == ("calm ends home in 17% of games: police catch "
                                                 "Rex on the way in 70% of the others")


def test_stuck_spots_are_where_he_lingered(tmp_path):
    still = [[10.0 + 0.1 * (i % 3), 5.0] for i in range(40)]
    moving = [[float(i), 5.0] for i in range(40)]
    games = [{"rex_route": moving + still, "rex_reached_mila_tick": None, "rex_escaped_tick": 0},
             {"rex_route": still + moving, "rex_reached_mila_tick": None, "rex_escaped_tick": 0},
             {"rex_route": moving, "rex_reached_mila_tick": None, "rex_escaped_tick": 0},
             # still in the kennel until the latch gave: waiting, not stuck
             {"rex_route": still + moving, "rex_reached_mila_tick": None,
              "rex_escaped_tick": 40 * 30}]
    spots = playtest._stuck_spots(games)
    assert spots[0]["games"] == 2 and np.allclose(spots[0]["at"], [10.0, 5.0], atol=0.2)
