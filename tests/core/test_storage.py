"""Project storage on real files: round trips, migration, atomic saves, backups, and every bad file."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shotplanner.core import storage
from shotplanner.core.demo import copy_demo, demo_source
from shotplanner.core.migrations import MIGRATIONS, MigrationError, migrate
from shotplanner.core.models import (
    LAYER_NAMES,
    SCHEMA_VERSION,
    Character,
    ImageRef,
    JobState,
    Movement,
    Project,
    PromptLayers,
    Quality,
    Scene,
    Shot,
    ShotSize,
    Take,
)
from shotplanner.core.recent import MAX_RECENT, add_recent, recent_file, recent_projects
from shotplanner.core.storage import (
    BACKUP_DIR,
    BACKUP_EVERY,
    KEEP_BACKUPS,
    PROJECT_FILE,
    CorruptProjectError,
    FutureVersionError,
    InvalidProjectError,
    NotAProjectError,
    ProjectError,
    ProjectWriteError,
    TruncatedProjectError,
    create_project,
    discard_recovery,
    load_project,
    load_recovery,
    recovery_path,
    save_project,
    save_recovery,
)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: 'nothing changed' means this is equal before and after."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def small_project() -> Project:
    mara = Character(name="Mara", reference_images=["media/refs/mara.png"])
    shots = [
        Shot(number="1", size=ShotSize.WS, movement=Movement.TRACKING, duration_s=8,
             layers=PromptLayers(subject="Mara", action="walks", camera="tracking from behind"),
             character_ids=[mara.id]),
        Shot(number="1A", size=ShotSize.CU, reference_images=[ImageRef(path="media/refs/mara.png")],
             takes=[Take(model_id="kling-v3", provider="fal", state=JobState.DONE, clip="media/takes/a.mp4",
                         circled=True, rating=4, note="keeper")]),
    ]
    return Project(title="Night Train", characters=[mara], scenes=[Scene(number="1", heading="INT. STATION",
                                                                         shots=shots)])


# ----------------------------------------------------------------------------- round trips

text = st.text(max_size=40)  # any unicode except lone surrogates (which JSON text cannot carry as UTF-8)
layers = st.builds(PromptLayers, **{name: text for name in LAYER_NAMES})
takes = st.builds(
    Take, model_id=st.sampled_from(["kling-v3", "veo-3.1", "local-animatic"]),
    provider=st.sampled_from(["fal", "local"]),
    prompt=text, state=st.sampled_from(list(JobState)), progress=st.floats(0, 1),
    settings=st.dictionaries(st.text(max_size=8), st.one_of(st.integers(-10**6, 10**6), text, st.booleans()),
                             max_size=3),
    cost_usd=st.none() | st.floats(0, 100), rating=st.integers(0, 5), note=text, circled=st.booleans(),
    created_at=st.datetimes(timezones=st.just(UTC)),
)
shots = st.builds(
    Shot, number=text, layers=layers, size=st.sampled_from(list(ShotSize)),
    movement=st.sampled_from(list(Movement)),
    lens_mm=st.none() | st.integers(4, 1200), duration_s=st.floats(0, 3600, allow_nan=False),
    aspect=st.sampled_from(["16:9", "9:16", "21:9"]), resolution=st.sampled_from(["720p", "1080p", "4k"]),
    fps=st.integers(1, 120), audio=st.booleans(), quality=st.sampled_from(list(Quality)),
    reference_images=st.lists(
        st.builds(ImageRef, path=text, role=st.sampled_from(["start", "end", "reference"])), max_size=2),
    notes=text, dialogue=text, model_id=st.none() | text, takes=st.lists(takes, max_size=2),
)
projects = st.builds(
    Project, title=text,
    characters=st.lists(
        st.builds(Character, name=text, description=text, reference_images=st.lists(text, max_size=2)),
        max_size=3),
    scenes=st.lists(st.builds(Scene, number=text, heading=text, description=text,
                              shots=st.lists(shots, max_size=4)), max_size=3),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(project=projects)
def test_save_then_load_gives_the_same_project(tmp_path_factory: pytest.TempPathFactory,
                                               project: Project) -> None:
    folder = tmp_path_factory.mktemp("rt")
    save_project(project, folder)
    loaded = load_project(folder)
    assert loaded.model_dump() == project.model_dump()
    # Saving what was loaded writes the same bytes again (nothing drifts on a round trip).
    first = (folder / PROJECT_FILE).read_bytes()
    save_project(loaded, folder, now=loaded.modified_at)
    assert (folder / PROJECT_FILE).read_bytes() == first


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(project=projects)
def test_the_slow_path_reads_what_the_fast_path_reads(tmp_path_factory: pytest.TempPathFactory,
                                                      project: Project) -> None:
    """Keys reordered (as a hand edit would) take the dict path; the result is the same project."""
    folder = tmp_path_factory.mktemp("slow")
    save_project(project, folder)
    raw = json.loads((folder / PROJECT_FILE).read_text(encoding="utf-8"))
    reordered = {k: raw[k] for k in reversed(list(raw))}
    data = json.dumps(reordered, ensure_ascii=False).encode("utf-8")
    assert not data.startswith(b'{"schema_version"')
    slow = storage.parse_project(data, folder / PROJECT_FILE)
    assert slow.model_dump() == load_project(folder).model_dump()


def test_create_project_makes_the_folder_layout(tmp_path: Path) -> None:
    folder = tmp_path / "film"
    project = create_project(folder, "  My Film ")
    assert project.title == "My Film"
    assert [s.number for s in project.scenes] == ["1"]
    for sub in ("refs", "takes", "posters", "film"):
        assert (folder / "media" / sub).is_dir()
    assert load_project(folder / PROJECT_FILE).title == "My Film"
    assert json.loads((folder / PROJECT_FILE).read_text())["schema_version"] == SCHEMA_VERSION


def test_create_project_refuses_a_folder_that_holds_a_project(tmp_path: Path) -> None:
    create_project(tmp_path / "film", "First")
    before = snapshot(tmp_path)
    with pytest.raises(ProjectError, match="already holds a Shotplanner project"):
        create_project(tmp_path / "film", "Second")
    assert snapshot(tmp_path) == before


# ----------------------------------------------------------------------------- atomic saves and backups


def test_save_leaves_no_temp_file_and_keeps_the_previous_version(tmp_path: Path) -> None:
    project = small_project()
    save_project(project, tmp_path)
    first = (tmp_path / PROJECT_FILE).read_bytes()
    project.title = "Night Train, second draft"
    save_project(project, tmp_path)
    assert (tmp_path / storage.BACKUP_FILE).read_bytes() == first
    assert load_project(tmp_path).title == "Night Train, second draft"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    # The backup is itself a loadable project.
    assert load_project(tmp_path / storage.BACKUP_FILE).title == "Night Train"
    # Naming the file instead of the folder saves to the same place.
    save_project(project, tmp_path / PROJECT_FILE)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([BACKUP_DIR, "media", storage.BACKUP_FILE, PROJECT_FILE])


def test_timestamped_backups_are_spaced_out_and_bounded(tmp_path: Path) -> None:
    project = small_project()
    t0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    save_project(project, tmp_path, now=t0)
    assert storage.backups(tmp_path) == []  # nothing to back up on the first save
    # Autosave every few seconds: one timestamped backup, not one per save.
    for i in range(1, 6):
        project.title = f"draft {i}"
        save_project(project, tmp_path, now=t0 + timedelta(seconds=2 * i))
    assert len(storage.backups(tmp_path)) == 1
    # Over a long session the folder keeps only the newest few.
    for i in range(1, 3 * KEEP_BACKUPS):
        previous = (tmp_path / PROJECT_FILE).read_bytes()
        project.title = f"hour {i}"
        now = t0 + timedelta(seconds=10) + i * (BACKUP_EVERY + timedelta(seconds=1))
        save_project(project, tmp_path, now=now)
        kept = storage.backups(tmp_path)
        assert len(kept) <= KEEP_BACKUPS
        assert kept[-1].read_bytes() == previous
    assert len(storage.backups(tmp_path)) == KEEP_BACKUPS


def test_a_cut_off_file_never_replaces_the_good_backup(tmp_path: Path) -> None:
    project = small_project()
    save_project(project, tmp_path)
    save_project(project, tmp_path)
    good_backup = (tmp_path / storage.BACKUP_FILE).read_bytes()
    data = (tmp_path / PROJECT_FILE).read_bytes()
    (tmp_path / PROJECT_FILE).write_bytes(data[: len(data) // 2])
    save_project(project, tmp_path)
    assert (tmp_path / storage.BACKUP_FILE).read_bytes() == good_backup
    assert load_project(tmp_path).model_dump() == project.model_dump()


def test_a_failed_save_changes_nothing_and_says_why(tmp_path: Path) -> None:
    (tmp_path / PROJECT_FILE).mkdir()  # something in the way that os.replace cannot overwrite
    before = snapshot(tmp_path)
    with pytest.raises(ProjectWriteError, match="cannot be saved"):
        save_project(small_project(), tmp_path)
    assert snapshot(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("data", [b"{ not json", b'{"title": "a shot list from another app"}', b""])
def test_save_over_an_unreadable_file_keeps_that_file_aside(tmp_path: Path, data: bytes) -> None:
    (tmp_path / PROJECT_FILE).write_bytes(data)
    project = small_project()
    save_project(project, tmp_path)
    kept = [p for p in tmp_path.iterdir() if p.name.startswith(f"{PROJECT_FILE}.unreadable-")]
    assert [p.read_bytes() for p in kept] == [data]
    assert load_project(tmp_path).model_dump() == project.model_dump()


def test_save_refuses_to_overwrite_a_newer_project(tmp_path: Path) -> None:
    newer = {"schema_version": SCHEMA_VERSION + 1, "scenes": [], "brand_new_field": True}
    (tmp_path / PROJECT_FILE).write_text(json.dumps(newer))
    before = snapshot(tmp_path)
    with pytest.raises(FutureVersionError):
        save_project(small_project(), tmp_path)
    assert snapshot(tmp_path) == before


# ------------------------------------------------------------------ bad files: clear error, nothing touched


def write_bad(folder: Path, data: bytes) -> Path:
    (folder / PROJECT_FILE).write_bytes(data)
    (folder / "media").mkdir(exist_ok=True)
    (folder / "media" / "clip.mp4").write_bytes(b"not really a clip but precious")
    return folder / PROJECT_FILE


def good_bytes() -> bytes:
    return small_project().model_dump_json(indent=1).encode()


def load_expecting(folder: Path, error: type[ProjectError]) -> ProjectError:
    before = snapshot(folder)
    with pytest.raises(error) as info:
        load_project(folder)
    assert snapshot(folder) == before  # nothing written, renamed or deleted
    assert str(folder) in str(info.value)
    return info.value


def test_corrupt_json_names_line_and_column(tmp_path: Path) -> None:
    data = good_bytes().replace(b'"title": "Night Train"', b'"title": "Night Train",,', 1)
    write_bad(tmp_path, data)
    err = load_expecting(tmp_path, CorruptProjectError)
    assert not isinstance(err, TruncatedProjectError)
    line = data[: data.index(b",,")].count(b"\n") + 1
    assert err.line == line
    assert f"line {line}, column" in str(err)
    assert "not valid JSON" in str(err)


@pytest.mark.parametrize("keep", [0.0, 0.1, 0.5, 0.97])
def test_truncated_file_is_reported_as_cut_off(tmp_path: Path, keep: float) -> None:
    data = good_bytes()
    write_bad(tmp_path, data[: int(len(data) * keep)])
    err = load_expecting(tmp_path, TruncatedProjectError)
    assert "cut off" in str(err) or "empty" in str(err)


def test_truncated_file_points_at_the_backup_when_there_is_one(tmp_path: Path) -> None:
    project = small_project()
    save_project(project, tmp_path)
    save_project(project, tmp_path)
    data = (tmp_path / PROJECT_FILE).read_bytes()
    (tmp_path / PROJECT_FILE).write_bytes(data[:100])
    err = load_expecting(tmp_path, TruncatedProjectError)
    assert storage.BACKUP_FILE in str(err)


def test_future_version_is_refused_with_both_versions(tmp_path: Path) -> None:
    doc = json.loads(good_bytes())
    doc["schema_version"] = SCHEMA_VERSION + 6
    write_bad(tmp_path, json.dumps(doc).encode())
    err = load_expecting(tmp_path, FutureVersionError)
    assert (f"made by a newer Shotplanner (schema {SCHEMA_VERSION + 6}); this version reads up to "
            f"{SCHEMA_VERSION}; nothing was changed") in str(err)


@pytest.mark.parametrize("data", [
    b'{"name": "my-app", "version": "1.0.0", "dependencies": {}}',
    b'[1, 2, 3]',
    b'"just a string"',
    b'{"schema_version": 1, "rows": []}',  # someone else's versioned JSON
])
def test_foreign_json_is_not_taken_for_a_project(tmp_path: Path, data: bytes) -> None:
    write_bad(tmp_path, data)
    err = load_expecting(tmp_path, NotAProjectError)
    assert "not a Shotplanner project" in str(err)


def test_validation_failure_names_the_field(tmp_path: Path) -> None:
    doc = json.loads(good_bytes())
    doc["scenes"][0]["shots"][1]["duration_s"] = -3
    doc["scenes"][0]["shots"][0]["size"] = "giant"
    write_bad(tmp_path, json.dumps(doc).encode())
    err = load_expecting(tmp_path, InvalidProjectError)
    assert isinstance(err, InvalidProjectError)
    fields = [where for where, _ in err.problems]
    assert "scenes[0].shots[1].duration_s" in fields
    assert "scenes[0].shots[0].size" in fields
    assert "scenes[0].shots[1].duration_s: Input should be greater than or equal to 0" in str(err)


def test_two_shots_with_one_id_are_refused(tmp_path: Path) -> None:
    doc = json.loads(good_bytes())
    doc["scenes"][0]["shots"][1]["id"] = doc["scenes"][0]["shots"][0]["id"]
    write_bad(tmp_path, json.dumps(doc).encode())
    err = load_expecting(tmp_path, InvalidProjectError)
    assert "two shots share the id" in str(err)


def test_bytes_that_are_not_utf8_are_located(tmp_path: Path) -> None:
    data = good_bytes().replace(b"Night Train", b"Night \xff\xfe Train", 1)
    write_bad(tmp_path, data)
    err = load_expecting(tmp_path, CorruptProjectError)
    assert "not UTF-8" in str(err) and err.line == 3


def test_schema_version_that_is_not_a_number(tmp_path: Path) -> None:
    doc = json.loads(good_bytes())
    doc["schema_version"] = "one"
    write_bad(tmp_path, json.dumps(doc).encode())
    assert "schema_version should be a whole number" in str(load_expecting(tmp_path, CorruptProjectError))


def test_a_folder_without_a_project(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    err = load_expecting(tmp_path, NotAProjectError)
    assert "project.json is missing" in str(err)
    with pytest.raises(NotAProjectError, match="no such file or folder"):
        load_project(tmp_path / "nowhere" / "deeper")


# ----------------------------------------------------------------------------- migration


def schema0_document() -> dict[str, object]:
    return {
        "schema_version": 0,
        "name": "Prototype film",
        "fps": 25,
        "characters": [{"id": "c1", "name": "Mara", "images": ["media/refs/mara.png"]}],
        "shots": [
            {"id": "a", "number": "1", "scene": "1", "scene_heading": "INT. STATION - NIGHT",
             "prompt": {"subject": "Mara", "camera": "slow push-in"}, "size": "CU", "camera_move": "push-in",
             "seconds": 6, "refs": ["media/refs/mara.png"], "characters": ["c1"]},
            {"id": "b", "number": "2", "scene": "2", "scene_heading": "EXT. SEA - DUSK", "size": "EWS",
             "seconds": 12},
            {"id": "c", "number": "1A", "scene": "1", "size": "insert", "seconds": 3},
        ],
    }


def test_schema0_file_is_migrated_on_load_and_left_untouched(tmp_path: Path) -> None:
    write_bad(tmp_path, json.dumps(schema0_document()).encode())
    before = snapshot(tmp_path)
    project = load_project(tmp_path)
    assert snapshot(tmp_path) == before  # migrating happens in memory; the old file stays until a save
    assert project.title == "Prototype film" and project.fps == 25
    assert [(s.number, s.heading, [x.id for x in s.shots]) for s in project.scenes] == [
        ("1", "INT. STATION - NIGHT", ["a", "c"]), ("2", "EXT. SEA - DUSK", ["b"])]
    a = project.find_shot("a")
    assert a is not None
    assert (a.size, a.movement, a.duration_s, a.layers.camera) == (ShotSize.CU, Movement.PUSH_IN, 6.0,
                                                                   "slow push-in")
    assert [(r.path, r.role) for r in a.reference_images] == [("media/refs/mara.png", "reference")]
    assert a.character_ids == ["c1"]
    assert project.characters[0].reference_images == ["media/refs/mara.png"]
    save_project(project, tmp_path)
    assert json.loads((tmp_path / PROJECT_FILE).read_text())["schema_version"] == SCHEMA_VERSION
    assert load_project(tmp_path).model_dump() == project.model_dump()
    # The pre-migration file is what the backup keeps.
    assert (tmp_path / storage.BACKUP_FILE).read_bytes() == before[PROJECT_FILE]


def test_migrate_does_not_change_its_input_and_needs_every_step() -> None:
    raw = schema0_document()
    frozen = json.dumps(raw, sort_keys=True)
    out = migrate(raw)
    assert json.dumps(raw, sort_keys=True) == frozen
    assert out["schema_version"] == SCHEMA_VERSION and "shots" not in out
    assert 0 in MIGRATIONS
    with pytest.raises(MigrationError, match=f"no migration from schema {SCHEMA_VERSION}"):
        migrate({"schema_version": SCHEMA_VERSION, "scenes": []}, target=SCHEMA_VERSION + 1)


def test_a_schema0_file_of_the_wrong_shape_is_reported(tmp_path: Path) -> None:
    write_bad(tmp_path, json.dumps({"schema_version": 0, "shots": ["not an object"]}).encode())
    err = load_expecting(tmp_path, CorruptProjectError)
    assert "shots[0] should be an object" in str(err)


# ----------------------------------------------------------------------------- recovery


def test_recovery_round_trip_and_discard(tmp_path: Path) -> None:
    project = small_project()
    save_project(project, tmp_path)
    assert load_recovery(tmp_path) is None
    project.title = "unsaved edit"
    save_recovery(project, tmp_path)
    saved = (tmp_path / PROJECT_FILE).read_bytes()
    recovered = load_recovery(tmp_path)
    assert recovered is not None and recovered.model_dump() == project.model_dump()
    assert (tmp_path / PROJECT_FILE).read_bytes() == saved  # the real file is not touched by autosave
    discard_recovery(tmp_path)
    assert not recovery_path(tmp_path).exists()
    discard_recovery(tmp_path)  # discarding twice is fine


def test_a_damaged_recovery_file_is_reported_and_kept(tmp_path: Path) -> None:
    recovery_path(tmp_path).write_bytes(b'{"schema_version": 1, "scenes": [')
    with pytest.raises(TruncatedProjectError):
        load_recovery(tmp_path)
    assert recovery_path(tmp_path).read_bytes() == b'{"schema_version": 1, "scenes": ['


# ----------------------------------------------------------------------------- recent projects


def test_recent_projects_newest_first_without_duplicates(tmp_path: Path) -> None:
    folders = [tmp_path / f"p{i}" for i in range(MAX_RECENT + 3)]
    for f in folders:
        create_project(f, f.name)
        add_recent(f)
    add_recent(folders[0] / PROJECT_FILE)  # the file and the folder are the same project
    got = recent_projects()
    assert got[0] == folders[0].resolve()
    assert len(got) == MAX_RECENT and len(set(got)) == MAX_RECENT
    assert got[1:] == [f.resolve() for f in reversed(folders[-(MAX_RECENT - 1):])]
    (folders[-1] / PROJECT_FILE).unlink()  # a project deleted since is not offered
    assert folders[-1].resolve() not in recent_projects()


def test_a_damaged_recent_list_is_ignored_and_rewritten(tmp_path: Path) -> None:
    recent_file().parent.mkdir(parents=True, exist_ok=True)
    recent_file().write_text("{not json")
    assert recent_projects() == []
    create_project(tmp_path / "p", "p")
    add_recent(tmp_path / "p")
    assert recent_projects() == [(tmp_path / "p").resolve()]


# ----------------------------------------------------------------------------- the demo film


def test_demo_copy_loads_and_has_what_the_demo_promises(tmp_path: Path) -> None:
    shipped = snapshot(demo_source())
    folder = copy_demo(tmp_path / "demo")
    project = load_project(folder)
    shots = project.all_shots()
    assert len(project.scenes) == 3 and 10 <= len(shots) <= 14
    assert all(scene.heading.startswith(("INT.", "EXT.")) for scene in project.scenes)
    full = [s for s in shots if all(text.strip() for _, text in s.layers.items())]
    assert len(full) > len(shots) * 2 // 3
    assert len({s.size for s in shots}) >= 5 and len({s.movement for s in shots}) >= 5
    assert len({s.duration_s for s in shots}) >= 4
    assert len(project.characters) == 2
    assert all(len(project.shots_with_character(c.id)) >= 3 for c in project.characters)
    assert [s.number for s in shots if s.audio] != [] and sum(s.audio for s in shots) == 1
    assert [(s.size, s.resolution) for s in shots if s.resolution == "4k"] == [(ShotSize.INSERT, "4k")]
    assert sum(s.quality is Quality.DRAFT for s in shots) == 1
    numbers = [s.number for s in shots]
    assert len(set(numbers)) == len(numbers)
    # Every image the document names is in the copy, and is a real PNG.
    paths = {r.path for s in shots for r in s.reference_images} | {
        p for c in project.characters for p in c.reference_images}
    assert paths
    for rel in paths:
        assert (folder / rel).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Editing and saving the copy never touches the shipped files.
    project.title = "my own cut"
    save_project(project, folder)
    assert snapshot(demo_source()) == shipped


def test_demo_copy_refuses_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    before = snapshot(tmp_path)
    with pytest.raises(ProjectError, match="not an empty folder"):
        copy_demo(tmp_path / "busy")
    assert snapshot(tmp_path) == before


def test_the_shipped_demo_file_is_current_and_written_by_us() -> None:
    data = (demo_source() / PROJECT_FILE).read_bytes()
    assert data.startswith(b'{\n "schema_version": %d' % SCHEMA_VERSION)
    assert os.access(demo_source() / PROJECT_FILE, os.R_OK)
