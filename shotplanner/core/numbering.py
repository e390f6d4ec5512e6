"""Film numbering: scene 12 holds shots 12, 12A, 12B … (I and O are skipped, as crews do).

Numbers stay attached to shots when they move; renumbering happens only when the user asks.
"""

from __future__ import annotations

from collections.abc import Iterable

from shotplanner.core.models import Project, Scene

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O: they read as 1 and 0 on a slate


def suffix(k: int) -> str:
    """0 → '', 1 → 'A', 24 → 'Z', 25 → 'AA' …"""
    if k <= 0:
        return ""
    k -= 1
    out = ""
    while True:
        out = LETTERS[k % len(LETTERS)] + out
        k = k // len(LETTERS) - 1
        if k < 0:
            return out


def standard_number(scene_number: str, position: int) -> str:
    return f"{scene_number}{suffix(position)}"


def expected_numbers(scene: Scene) -> list[str]:
    return [standard_number(scene.number, i) for i in range(len(scene.shots))]


def next_free_number(scene: Scene, index: int, taken: Iterable[str]) -> str:
    """A number for a shot about to be inserted at ``index`` of ``scene`` that collides with nothing.

    Appending continues the scene's sequence (12B after 12A); inserting between two shots derives
    from the one before it (12AA between 12A and 12B), so existing shots never change number.
    """
    used = set(taken)
    shots = scene.shots
    if index >= len(shots):
        start = len(shots)
        if shots:
            last = shots[-1].number
            for k in range(len(shots) + 50):
                if standard_number(scene.number, k) == last:
                    start = k + 1
                    break
        k = start
        while standard_number(scene.number, k) in used:
            k += 1
        return standard_number(scene.number, k)
    if index == 0:
        k = 0
        while standard_number(scene.number, k) in used:
            k += 1
        return standard_number(scene.number, k)
    base = shots[index - 1].number or scene.number
    for letter in LETTERS:
        candidate = base + letter
        if candidate not in used:
            return candidate
    n = 1
    while f"{base}.{n}" in used:
        n += 1
    return f"{base}.{n}"


def numbering_issues(project: Project) -> list[str]:
    """Shot ids whose number is missing, duplicated or not the standard one for their place."""
    seen: dict[str, int] = {}
    for shot in project.all_shots():
        seen[shot.number] = seen.get(shot.number, 0) + 1
    out: list[str] = []
    for scene in project.scenes:
        for shot, expected in zip(scene.shots, expected_numbers(scene), strict=True):
            if not shot.number or seen[shot.number] > 1 or shot.number != expected:
                out.append(shot.id)
    return out
