"""The reference article's which-model-for-which-job cases, as rules read from a shot's fields and layers.

Each rule knows the article lines it comes from (``shared/reference/article.txt``), the model the article
names for it (by catalog id; a retired pick hands over to its catalog successor), the model strengths
(catalog ``strengths`` tags) that earn it a bonus, and how to find it in a shot. Finding a rule returns
*what in the shot* set it off ("EWS shot size", '"haze" in the light layer'), so every reason the picker
shows can say why.

The regexes are written against the misfires we met: "pace" is a noun far more often than a walk, and
"the train runs" is not a person running — human motion needs a human in the shot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from shotplanner.core.models import LAYER_NAMES, Angle, Movement, Quality, Shot, ShotSize


@dataclass(frozen=True, slots=True)
class Rule:
    key: str
    job: str  # the article's job, completing "the article's pick for …"
    lines: tuple[int, ...]  # article.txt line numbers the rule comes from
    tags: frozenset[str]  # model strengths that earn the bonus
    bonus: float
    picks: tuple[str, ...]  # the article's choice(s), by catalog id
    offer: str  # what a model with the tags offers, completing "<model> …"
    cite: str = ""  # "article lines 100, 116, 133", filled in from ``lines``

    def __post_init__(self) -> None:
        plural = "s " if len(self.lines) > 1 else " "
        object.__setattr__(self, "cite", "article line" + plural + ", ".join(str(n) for n in self.lines))


SORA = ("sora-2-pro",)

RULES: dict[str, Rule] = {
    r.key: r
    for r in (
        Rule("establishing", "narrative establishing and wide environmental shots", (100, 116, 133),
             frozenset({"establishing", "long_take"}), 20.0, SORA,
             "holds a wide scene together in one coherent take"),
        Rule("long_take", "long, continuous takes (most models cap at 5–10 s)", (23, 36, 37),
             frozenset({"long_take"}), 10.0, SORA, "holds one coherent take"),
        Rule("crowd", "crowd scenes with people moving independently", (27, 124),
             frozenset({"crowd", "long_take"}), 8.0, SORA, "keeps many moving figures coherent"),
        Rule("water_fabric", "water and fabric, historically severe failure points", (28, 16, 81),
             frozenset({"physics", "long_take"}), 8.0, SORA, "keeps physical motion coherent over the take"),
        Rule("texture", "environmental texture shots (stone, water, bark, fabric in raking light)", (23, 122),
             frozenset({"physics", "atmosphere"}), 8.0, SORA, "renders surface and light detail"),
        Rule("lighting_transition", "lighting transitions within the shot", (30, 36, 120),
             frozenset({"lighting", "long_take"}), 8.0, SORA, "holds the light through a change in one take"),
        Rule("atmosphere", "atmospheric depth: volumetric light, haze, moving shadows", (46, 48, 133),
             frozenset({"atmosphere"}), 10.0, SORA, "renders atmospheric light and haze convincingly"),
        Rule("camera_language", "explicit camera movement and cinematography language", (29, 31, 39),
             frozenset({"camera_motion"}), 8.0, SORA,
             "follows camera direction (dolly, pan, crane, push-in)"),
        Rule("synced_audio", "clips with synced audio (music video, dialogue)", (101, 92, 94, 135),
             frozenset({"synced_audio"}), 40.0, ("veo-3", "seedance-2.0"),
             "generates sound in sync with the picture"),
        Rule("character_closeup", "character close-ups with reference images", (103, 134, 57),
             frozenset({"character_closeup"}), 40.0, ("kling-v3",),
             "starts from the reference image, so the face and costume match it"),
        Rule("portrait", "character-focused portrait shots", (93, 103),
             frozenset({"character_closeup"}), 20.0, ("kling-v3",),
             "is built for character-focused portraits"),
        Rule("4k_detail", "ultra-high-resolution product and detail shots at 4K", (102, 95, 136),
             frozenset({"4k_detail"}), 40.0, ("ltx-2-pro",), "renders 4K, enough for fine product detail"),
        Rule("draft", "quick drafts and prototypes", (104, 97),
             frozenset({"draft"}), 40.0, ("luma-ray-2",), "is a quick, low-cost draft model"),
        Rule("human_motion", "smooth, natural human motion", (96,),
             frozenset({"human_motion"}), 35.0, ("hailuo-2.3",),
             "is known for smooth, natural human movement"),
        Rule("action", "dynamic action", (94,),
             frozenset({"action"}), 12.0, ("seedance-2.0",), "handles fast, dynamic action"),
        Rule("recurring_character", "characters who recur across shots (cut-to-cut consistency)", (56, 57),
             frozenset({"image_to_video"}), 25.0, (), "starts from the character's reference image"),
    )
}

#: Shot-level warnings from the article's known failure modes, keyed like ``core.lint`` codes.
WARNING_LINES: dict[str, int] = {"hands.closeup": 52, "text.legible": 53, "motion.fine_detail": 54, "fps": 22}

# ------------------------------------------------------------------------------------------ the words

_I = re.IGNORECASE
_ESTABLISHING = re.compile(
    r"\b(establishing|aerial|drone|vista|panoram\w*|skyline|bird'?s[- ]eye|landscape|cityscape|"
    r"wide (?:shot|angle|view)|overview|over the (?:city|valley|town|sea|ocean|harbou?r))\b", _I)
_LONG = re.compile(
    r"\b(long take|continuous(?: shot| take)?|oner|one[- ]take|single (?:take|shot)|unbroken|uncut|"
    r"(?:pulls?|pulling) back to reveal|reveals?|revealing)\b", _I)
_CROWD = re.compile(
    r"\b(crowds?|crowded|throngs?|multitudes?|hundreds of|thousands of|dozens of (?:people|figures)|"
    r"spectators|audience|protesters|commuters|passers-?by|pedestrians|mob|procession|parade|"
    r"marching band|army|soldiers|rush[- ]hour|packed (?:street|square|platform|hall))\b", _I)
_WATER_FABRIC = re.compile(
    r"\b(water|waves?|ocean|sea|surf|river|stream|rain\w*|puddles?|splash\w*|liquids?|pour\w*|"
    r"waterfall|tide|swells?|spray|fabric|cloth|silk|satin|curtains?|drapes?|flags?|sails?|capes?|"
    r"cloak|dress|skirt|scarf|veil|linen|laundry|banner|coat (?:flaps|billows)|billow\w*|ripple\w*)\b", _I)
_LIGHT_CHANGE = re.compile(
    r"\b(clouds? pass\w* (?:over|across)|passing over the sun|from (?:the )?(?:shadow|shade|dark\w*) "
    r"(?:in)?to(?: the)? (?:direct |bright |sun)?light|"
    r"(?:steps?|moves?|walks?) (?:out )?in ?to the (?:sun)?light|"
    r"light(?:s|ing)? (?:change|changes|changing|shift\w*|transition\w*|fad\w*|dim\w*|come up|comes up|"
    r"go(?:es)? out|flicker\w*|swell\w*)|transitions? from|(?:sun|day)light (?:breaks|floods)|"
    r"sunrise|sunset|dawn breaks|dusk falls|lights? (?:up|down) (?:on|over))\b", _I)
_ATMOSPHERE = re.compile(
    r"\b(haze|hazy|fog\w*|mist\w*|smok\w*|dust\w*|volumetric|god ?rays|crepuscular|shafts? of light|"
    r"light shafts?|beams? of (?:sun)?light|atmospher\w*|steam\w*|vapou?r)\b", _I)
_CAMERA = re.compile(
    r"\b(dolly|dollies|steadicam|crane|jib|rack focus|tracking|track(?:s|ing)? (?:with|alongside|behind)|"
    r"push(?:es|ing)?[- ]in|pull(?:s|ing)?[- ](?:back|out)|orbit\w*|pan(?:s|ning)? (?:left|right|across|to)|"
    r"tilt(?:s|ing)? (?:up|down)|whip[- ]pan|handheld|hand-held|follow shot|low angle looking up)\b", _I)
_MUSIC = re.compile(r"\b(music video|song|sings?|singing|singer|lip[- ]?sync\w*|beat|chorus|band plays?|"
                    r"to the music|dances? to)\b", _I)
_PRODUCT = re.compile(r"\b(product|packshot|pack shot|bottle|watch|perfume|jewel\w*|sneaker|phone|"
                      r"label|packaging|cosmetics?|hero shot)\b", _I)
_ACTION = re.compile(
    r"\b(chase\w*|chasing|fight\w*|explo(?:de|des|ded|ding|sion|sions)|crash\w*|sprint\w*|"
    r"rac(?:e|es|ing)\b(?! car)|leaps?|leaping|jump\w*|collid\w*|smash\w*|punch\w*|stunts?|burst\w*|"
    r"swerv\w*|dives|diving|tackl\w*|brawl\w*|shoot-?out)\b", _I)
#: Motion verbs people do. Deliberately absent: "pace" (mostly "at a slow pace"), "run" as a bare noun
#: is kept only when a person is its subject (see ``_human_motion``).
_HUMAN_VERB = re.compile(
    r"\b(walk(?:s|ed|ing)?|danc(?:e|es|ed|ing)|runs|running|ran|run|jog(?:s|ged|ging)?|sprint\w*|"
    r"stroll\w*|strid(?:e|es|ing)|strode|march(?:es|ed|ing)|climb\w*|swim\w*|skat(?:e|es|ed|ing)|"
    r"jump\w*|leap\w*|twirl\w*|pirouett\w*|stumbl\w*|limp(?:s|ed|ing)|hurr(?:y|ies|ied|ying)|"
    r"paces|pacing|kick(?:s|ed|ing)|fight(?:s|ing)|wrestl\w*|embrac\w*|hug(?:s|ged|ging)?|"
    r"gestur\w*|stretch(?:es|ing)|crawl\w*|tiptoe\w*|spins? around|turns? (?:around|to face))\b", _I)
_HUMAN_NOUN = re.compile(
    r"\b(he|she|they|him|her|his|hers|man|men|woman|women|girl|girls|boy|boys|child|children|kid|kids|"
    r"people|person|persons|dancers?|runners?|athletes?|figures?|soldiers?|couple|family|mother|father|"
    r"teen\w*|old (?:man|woman)|lady|gentleman|detective|officer|nurse|doctor|fisherman|worker|workers|"
    r"crowd|pedestrians|commuters|skaters?|swimmers?|climbers?|players?|boxers?|actor|actress|hero|"
    r"heroine|stranger|bride|groom|waiter|waitress|students?|twins)\b", _I)
#: Things that "run", "climb" or "march" in screen directions without being people.
_NON_HUMAN_SUBJECT = re.compile(
    r"\b(train|trains|tram|bus|car|cars|truck|engine|motor|machine|clock|river|stream|water|road|"
    r"road(?:s|way)|track|tracks|line|rails?|cable|wire|pipe|tide|smoke|fog|mist|tape|film|credits|"
    r"vine|ivy|path|trail|fence|wall|stairs|elevator|escalator|conveyor|current|time|blood|tears|paint|"
    r"wind|clouds?|shadows?|light|prices|numbers|fever|rumou?r|horse|horses|dog|dogs|cat|bird|birds)\s+"
    r"(?:\w+ly\s+)?$", _I)
_TEXTURE = re.compile(
    r"\b(stone|rock|bark|moss|rust\w*|sand|gravel|wood(?:en)? grain|grain of|weathered|brick|concrete|"
    r"marble|leather|fabric|cloth|linen|wool|water|ice|frost|dew|texture\w*|surface)\b", _I)
_CLOSE = frozenset({ShotSize.MCU, ShotSize.CU, ShotSize.ECU})
_DETAIL = frozenset({ShotSize.INSERT, ShotSize.ECU, ShotSize.CU})
_CAMERA_MOVES = frozenset({Movement.PUSH_IN, Movement.PULL_BACK, Movement.CRANE_UP, Movement.CRANE_DOWN,
                           Movement.TRACKING, Movement.ORBIT, Movement.PAN_LEFT, Movement.PAN_RIGHT,
                           Movement.TILT_UP, Movement.TILT_DOWN, Movement.HANDHELD})
#: Most competing models cap at 5 to 10 seconds (article line 23): longer asks for a long-take model.
LONG_TAKE_SECONDS = 10.0


def _human_motion(shot: Shot, human_named: bool) -> str | None:
    return _human_motion_in(shot.layers.action, shot.layers.subject, human_named)


@lru_cache(maxsize=8192)
def _human_motion_in(action: str, subject: str, human_named: bool) -> str | None:
    """A motion verb whose doer is a person: a character in the shot, or a human word in subject or action."""
    if not action:
        return None
    human_subject = human_named or bool(_HUMAN_NOUN.search(subject))
    for match in _HUMAN_VERB.finditer(action):
        clause = re.split(r"[,;.]| and | while | as ", action[: match.start()])[-1]
        if _NON_HUMAN_SUBJECT.search(clause):
            continue  # "the train runs", "a river runs through it"
        if _HUMAN_NOUN.search(clause) or (human_subject and not _NON_HUMAN_SUBJECT.search(subject + " ")):
            return f'"{match.group(0)}" in the action layer'
    return None


@dataclass(frozen=True, slots=True)
class Found:
    """The rules a shot sets off, each with what in the shot set it off."""

    rules: tuple[str, ...]
    why: tuple[str, ...]  # parallel to ``rules``

    def trigger(self, key: str) -> str:
        return self.why[self.rules.index(key)]


#: Word rules: key → (pattern, layers searched in order).
_WORD_RULES: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    ("establishing", _ESTABLISHING, ("camera", "subject", "environment", "action")),
    ("long_take", _LONG, ("camera", "action")),
    ("crowd", _CROWD, ("subject", "environment", "action")),
    ("water_fabric", _WATER_FABRIC, ("subject", "action", "environment")),
    ("lighting_transition", _LIGHT_CHANGE, ("light", "action", "environment")),
    ("atmosphere", _ATMOSPHERE, ("light", "environment", "mood")),
    ("texture", _TEXTURE, ("subject", "environment")),
    ("camera_language", _CAMERA, ("camera",)),
    ("music", _MUSIC, ("action", "subject", "environment", "mood")),
    ("product", _PRODUCT, ("subject", "action")),
    ("action", _ACTION, ("action",)),
)


@lru_cache(maxsize=16384)
def _scan(name: str, text: str) -> dict[str, str]:
    """What each word rule that reads layer ``name`` finds in ``text`` (a film repeats its layer texts,
    so each one is read once)."""
    hits: dict[str, str] = {}
    for key, pattern, where in _WORD_RULES:
        if name in where:
            match = pattern.search(text)
            if match:
                hits[key] = match.group(0)
    if name == "subject" and _HUMAN_NOUN.search(text):
        hits["person"] = "yes"
    return hits


def _words(shot: Shot) -> dict[str, str]:
    """Each word rule's first hit in its layers, as '"haze" in the light layer'."""
    layers = shot.layers
    scans = {name: _scan(name, getattr(layers, name)) for name in LAYER_NAMES if getattr(layers, name)}
    words: dict[str, str] = {}
    for key, _pattern, where in _WORD_RULES:
        for name in where:
            hit = scans.get(name, {}).get(key)
            if hit is not None:
                words[key] = f'"{hit}" in the {name} layer'
                break
    if "person" in scans.get("subject", {}):
        words["person"] = "yes"
    return words


def find_rules(shot: Shot, *, has_image: bool, has_character: bool, recurring: str | None) -> Found:
    """Every article job this shot is, with the field or words that say so."""
    found: list[tuple[str, str]] = []
    size = shot.size
    layers = shot.layers
    words = _words(shot)
    if size.is_wide:
        found.append(("establishing", f"{size.value} shot size ({size.label.lower()})"))
    elif shot.angle is Angle.AERIAL:
        found.append(("establishing", "aerial camera angle"))
    elif "establishing" in words:
        found.append(("establishing", words["establishing"]))
    if shot.duration_s > LONG_TAKE_SECONDS + 1e-6:
        found.append(("long_take", f"{shot.duration_s:g} s duration, past the 5–10 s most models hold"))
    elif "long_take" in words:
        found.append(("long_take", words["long_take"]))
    for key in ("crowd", "water_fabric", "lighting_transition", "atmosphere"):
        if key in words:
            found.append((key, words[key]))
    if size in (ShotSize.ECU, ShotSize.INSERT) and "texture" in words:
        found.append(("texture", f"{size.label.lower()} of {words['texture']}"))
    if shot.movement in _CAMERA_MOVES:
        found.append(("camera_language", f"{shot.movement.value} camera movement"))
    elif "camera_language" in words:
        found.append(("camera_language", words["camera_language"]))
    if shot.audio:
        if shot.dialogue.strip():
            why = "sound on, with dialogue"
        else:
            why = f"sound on, {words['music']}" if "music" in words else "sound on"
        found.append(("synced_audio", why))
    person = has_character or "person" in words
    if size in _CLOSE and (has_character or layers.subject.strip()):
        if has_image:
            found.append(("character_closeup", f"{size.value} shot size with a reference image"))
        elif person:
            found.append(("portrait", f"{size.value} shot size on a character, no reference image"))
    if shot.resolution == "4k":
        if size in _DETAIL:
            found.append(("4k_detail", f"4K resolution, {size.label.lower()} framing"))
        elif "product" in words:
            found.append(("4k_detail", f"4K resolution, {words['product']}"))
    if shot.quality is Quality.DRAFT:
        found.append(("draft", "draft quality"))
    motion = _human_motion(shot, has_character)
    if motion:
        found.append(("human_motion", motion))
    if "action" in words:
        found.append(("action", words["action"]))
    if recurring is not None and (size in _CLOSE or size is ShotSize.OTS):
        found.append(("recurring_character", f"{recurring} appears in several shots"))
    return Found(tuple(k for k, _ in found), tuple(w for _, w in found))


def clear_memos() -> None:
    _scan.cache_clear()
    _human_motion_in.cache_clear()
