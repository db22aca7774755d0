"""How maps look: role shapes and names, group colours, the sentiment and kind colours of edges.

Group colours (communities, roles) never use the hues of the edge sentiment colours (green for
positive, red for negative): on a map, red and green always mean sentiment. Continuous node
colourings (brand stance, camp affinity) use diverging scales of other hues (orange to purple,
brown to blue) so they are not read as sentiment either.
"""

from __future__ import annotations

import colorsys

import numpy as np

__all__ = ["ROLES", "ROLE_SHAPES", "ROLE_LABELS", "ROLE_COLOURS", "THICK_BORDER", "EGO_GROUPS",
           "COMMUNITY_COLOURS", "OTHER_COLOUR", "NO_ANALYSIS_COLOUR", "KIND_COLOURS", "SIGN_COLOURS",
           "SIGN_THRESHOLD", "STANCE_SCALE", "AFFINITY_SCALE", "UNKNOWN_COLOUR", "community_colour",
           "group_palette"]

#: Role tags in drawing priority (a user with several roles is drawn with the first one's shape).
ROLES: tuple[str, ...] = ("brand_account", "critic_kol", "kol", "brand_bridge", "bridge", "core_fan",
                          "critic", "amplifier")
#: vis.js node shape per role ("" = no role).
ROLE_SHAPES: dict[str, str] = {
    "brand_account": "square", "critic_kol": "triangleDown", "kol": "star", "brand_bridge": "diamond",
    "bridge": "diamond", "core_fan": "triangle", "critic": "triangleDown", "amplifier": "hexagon", "": "dot",
}
ROLE_LABELS: dict[str, str] = {
    "brand_account": "brand account", "critic_kol": "critic KOL", "kol": "KOL", "brand_bridge": "brand bridge",
    "bridge": "bridge", "core_fan": "core fan", "critic": "critic", "amplifier": "amplifier", "": "no role",
}
#: Node colour per role when colouring by role (no red or green: those mean sentiment).
ROLE_COLOURS: dict[str, str] = {
    "brand_account": "#1f3a93", "critic_kol": "#6a1b9a", "kol": "#f28e2b", "brand_bridge": "#17becf",
    "bridge": "#76b7b2", "core_fan": "#4e79a7", "critic": "#c06c84", "amplifier": "#edc948", "": "#c8c8c8",
}
THICK_BORDER = ("critic_kol", "brand_bridge", "brand_account")
#: Role groups that take turns in an ego network (a user counts in the first group it belongs to).
EGO_GROUPS = ("critic_kol", "kol", "brand_account", "core_fan", "critic", "brand_bridge", "bridge", "amplifier")

_CURATED = ("#4e79a7", "#f28e2b", "#76b7b2", "#b07aa1", "#edc948", "#9c755f", "#17becf", "#6b6ecf",
            "#e377c2", "#bcbd22", "#1f3a93", "#ffbb78", "#9edae5", "#c5b0d5", "#8c564b", "#aec7e8",
            "#e7ba52", "#7b4173", "#3182bd", "#dbdb8d", "#a55194", "#fdd0a2", "#5254a3", "#de9ed6")


def _generated(k: int) -> list[str]:
    """``k`` more distinct colours: golden-angle hues outside the red and green bands, three lightnesses."""
    out: list[str] = []
    i = 0
    while len(out) < k:
        hue = (0.07 + i * 0.618033988749895) % 1.0
        i += 1
        degrees = hue * 360
        if degrees < 25 or degrees > 335 or 80 <= degrees <= 160:  # red and green belong to sentiment
            continue
        light = (0.45, 0.62, 0.34)[len(out) % 3]
        r, g, b = colorsys.hls_to_rgb(hue, light, 0.62)
        out.append("#%02x%02x%02x" % (round(r * 255), round(g * 255), round(b * 255)))
    return out


#: Distinct colours for the 40 largest communities (ids 0..39: the analysis numbers them by size).
COMMUNITY_COLOURS: tuple[str, ...] = tuple(_CURATED) + tuple(_generated(40 - len(_CURATED)))
#: Smaller communities share this colour, with their own legend entry ("other communities").
OTHER_COLOUR = "#bab0ac"
NO_ANALYSIS_COLOUR = "#5b8def"
UNKNOWN_COLOUR = "#d9d9d9"
KIND_COLOURS = {"repost": "#4e79a7", "reply": "#f28e2b", "mention": "#b07aa1"}
SIGN_COLOURS = {"positive": "#2ca02c", "negative": "#d62728", "neutral": "#9e9e9e"}
#: |sentiment| below this counts as neutral for edge colours.
SIGN_THRESHOLD = 0.2
#: Diverging scales (value -1, 0, +1): brand stance orange -> light -> purple; camp affinity
#: brown (critic side) -> light -> blue (brand side).
STANCE_SCALE = ("#e66101", "#f2f0ee", "#5e3c99")
AFFINITY_SCALE = ("#8c510a", "#f2f0ee", "#2166ac")


def community_colour(community: np.ndarray | int) -> np.ndarray:
    """Colour (hex) per community id: a distinct colour for ids 0..39 (the largest), OTHER for the rest and -1.

    >>> community_colour(np.array([0, 1, 500, -1])).tolist()[2:]
    ['#bab0ac', '#bab0ac']
    """
    c = np.asarray(community, dtype=np.int64)
    palette = np.array(COMMUNITY_COLOURS + (OTHER_COLOUR,), dtype=object)
    idx = np.where((c >= 0) & (c < len(COMMUNITY_COLOURS)), c, len(COMMUNITY_COLOURS))
    return palette[idx]


def group_palette() -> dict[str, object]:
    """The colours a page needs to colour nodes by community, role, stance or camp affinity."""
    return {"communities": list(COMMUNITY_COLOURS), "other": OTHER_COLOUR, "unknown": UNKNOWN_COLOUR,
            "roles": ROLE_COLOURS, "role_names": ROLE_LABELS, "role_order": list(ROLES),
            "stance": list(STANCE_SCALE), "affinity": list(AFFINITY_SCALE)}
