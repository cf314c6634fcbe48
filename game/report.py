"""Batch summaries: ending mixes with confidence intervals, and the files of ``--report``.

This module imports no pygame: the plots of a report are drawn by ``game.view.plots`` (with
pygame, onto plain surfaces, no window opened), imported only when a report is written, so a
batch or sweep without ``--report`` never loads the view.
"""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game import guarded

if TYPE_CHECKING:
    from game.level import Level

ENDINGS = ("home", "tranquilized", "kennel", "dusk", "none")


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float, float]:
    """Share and its 95% Wilson score interval (sound for small counts and 0% or 100%)."""
    if total == 0:
        return 0.0, 0.0, 0.0
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def matchup(handler: str, mila: str) -> str:
    """How a game with the Handler is grouped and named: "gentle + calm"."""
    return f"{handler} + {mila}"


def group_of(result: dict[str, Any]) -> str:
    """A result's policy as batches group it: Mila's, or the Handler's with Mila's."""
    handler = result.get("handler_policy")
    return result["policy"] if handler is None else matchup(handler, result["policy"])


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per policy: ending counts and shares with intervals, median minutes, mean views (and,
    for games with the Handler, his mean order counts and share of games with no shot)."""
    per_policy: dict[str, Any] = {}
    for policy in dict.fromkeys(group_of(r) for r in results):
        games = [r for r in results if group_of(r) == policy and "error" not in r]
        endings = {name: 0 for name in ENDINGS}
        for game in games:
            endings[game["ending"] or "none"] += 1
        endings = {k: v for k, v in endings.items() if v or k != "none"}
        minutes = [g["game_seconds"] / 60 for g in games]
        views = [g["views"] or 0 for g in games]
        per_policy[policy] = {
            "seeds": len(games),
            "endings": endings,
            "ending_rates": {k: [round(x, 4) for x in wilson(v, len(games))]
                             for k, v in endings.items()},
            "median_minutes": round(statistics.median(minutes), 2) if minutes else None,
            "mean_views": round(statistics.fmean(views)) if views else None,
            "errors": sum(1 for r in results if group_of(r) == policy and "error" in r),
        }
        handled = [g for g in games if "handler_orders" in g]
        if handled:
            per_policy[policy]["handler_policy"] = handled[0]["handler_policy"]
            per_policy[policy]["mila_policy"] = handled[0]["policy"]
            per_policy[policy]["mean_handler_orders"] = {
                kind: round(statistics.fmean(g["handler_orders"][kind] for g in handled), 2)
                for kind in handled[0]["handler_orders"]}
            per_policy[policy]["no_shot_rate"] = [round(x, 4) for x in wilson(
                sum(g["handler_score"]["no_shot_fired"] for g in handled), len(handled))]
    return per_policy


def table(per_policy: dict[str, Any]) -> str:
    lines = []
    for policy, s in per_policy.items():
        views = "-" if s["mean_views"] is None else f"{s['mean_views']:,}"  # all failed
        lines.append(f"{policy}: {s['seeds']} games, median {s['median_minutes']} min, "
                     f"mean views {views}" + (f", {s['errors']} failed" if s["errors"] else ""))
        if "mean_handler_orders" in s:
            given = {k: v for k, v in s["mean_handler_orders"].items() if v}
            lines.append("  Handler orders a game: " + (", ".join(
                f"{k} {v:g}" for k, v in given.items()) or "none"))
        for ending, count in s["endings"].items():
            share, low, high = s["ending_rates"][ending]
            lines.append(f"  {ending:13s} {count:5d}  {100 * share:5.1f}%  "
                         f"(95% CI {100 * low:.1f}-{100 * high:.1f}%)")
    return "\n".join(lines)


def make_folder(directory: Path) -> None:
    """Make an output folder (checked before the games by ``game.guarded``); OutputError."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise guarded.OutputError(f"cannot make {directory}: {err.strerror or err}") from None


def write_report(directory: Path, results: list[dict[str, Any]], per_policy: dict[str, Any],
                 level: Level) -> list[Path]:
    """Per-seed JSON lines and the two plots, each written atomically; the files written."""
    from game.view import plots  # pygame: only when a report is asked for

    make_folder(directory)
    lines = directory / "games.jsonl"
    guarded.write_atomic(lines, "".join(json.dumps(r) + "\n" for r in results))
    summary = directory / "summary.json"
    guarded.write_atomic(summary, json.dumps(per_policy, indent=2) + "\n")
    return [lines, summary, plots.endings_plot(directory / "endings.png", per_policy),
            plots.heatmap(directory / "where_chases_ended.png", results, level)]
