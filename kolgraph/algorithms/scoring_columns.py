"""The data dictionary of ``kolgraph score``: every output column with its type, unit and meaning.

Shipped with the package and printed by ``kolgraph score --columns``; docs/scoring.md says the
same in prose. A test checks that every column the scorer writes is defined here, and the JSON
schema of ``kolgraph score --json`` (:data:`SCORE_JSON_SCHEMA`) is built from it.

>>> COLUMNS["risk_tier"].unit
'red / amber / grey / green'
>>> all(c in COLUMNS for c in ("input_row", "user_id", "whatif_shift"))
True
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Column", "COLUMNS", "INPUT_COLUMNS_NOTE", "columns_text", "SCORE_JSON_SCHEMA"]


@dataclass(frozen=True)
class Column:
    """One output column: ``name``, ``type`` (text, integer, number, boolean), ``unit``, ``definition``."""

    name: str
    type: str
    unit: str
    definition: str


_SHIFT = "stance units (brand stance runs from -1 to +1)"
_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("input_row", "integer", "row number", "1-based data row of the input list (header excluded)."),
    ("status", "text", "ok / duplicate / ambiguous / unknown / blank",
     "ok: matched one user; duplicate: the same account as an earlier row (duplicate_of); ambiguous: several "
     "users match (match_candidates); unknown: no user id or display name matches; blank: empty handle."),
    ("risk_tier", "text", "red / amber / grey / green",
     "red: a strong warning sign (critic of the brand, hostile core fans, or a predicted core-fan shift at or "
     "below red_shift); amber: a weaker sign; grey: insufficient evidence to judge (too few engagers or no "
     "brand-directed evidence); green: no warning sign in the evidence. Empty when status is not ok/duplicate."),
    ("reasons", "text", "words", "Every sign that set the tier, with its value, evidence and threshold."),
    ("user_id", "text", "platform id", "The matched user id (kept as text: never a number)."),
    ("match_method", "text", "id / display_name", "How the handle matched: by user id or by display name."),
    ("match_candidates", "text", "user ids, '|'-joined",
     "For an ambiguous handle: the users it could be, highest PageRank first."),
    ("duplicate_of", "integer", "row number", "For a duplicate: the input_row of the first row naming this account."),
    ("handle_normalised", "text", "text", "The handle after normalisation (NFKC, @ and links removed, lower case)."),
    ("display_name", "text", "text", "The account's display name in the data."),
    ("followers", "integer", "accounts", "Followers from the users table (empty when not given)."),
    ("verified", "boolean", "yes/no", "Verified flag from the users table."),
    ("pagerank", "number", "probability (sums to 1 over users)",
     "PageRank on the attention graph (u -> v when u reposts, replies to or mentions v): influence."),
    ("pagerank_pct", "number", "percentile, 0-100", "Share of users with a lower PageRank, times 100."),
    ("distinct_engagers", "integer", "users", "Distinct other users who reposted, replied to or mentioned the account."),
    ("interactions_received", "integer", "interactions",
     "Reposts, replies and mentions of the account by others (self-loops excluded)."),
    ("active_days", "integer", "days", "Distinct UTC days on which the account made or received an interaction."),
    ("engagement_per_active_day", "number", "interactions per day", "interactions_received / active_days."),
    ("engagement_per_1k_followers", "number", "interactions per 1,000 followers",
     "1000 x interactions_received / followers."),
    ("core_fan_engagers", "integer", "users", "Core fans who reposted, replied to or mentioned the account."),
    ("core_fan_share", "number", "share, 0-1", "core_fan_engagers / distinct_engagers."),
    ("core_fan_reach", "number", "share, 0-1", "core_fan_engagers / all core fans of the brand."),
    ("stance", "number", "-1 to +1", "The account's own brand stance: shrunk mean of its brand-directed sentiment."),
    ("stance_support", "integer", "interactions", "Brand-directed interactions behind stance."),
    ("fan_attitude", "number", "-1 to +1", "Mean signed attitude of core fans toward the account."),
    ("fan_attitude_pairs", "integer", "core fans", "Core fans with an attitude toward the account."),
    ("attitude_to_fans", "number", "-1 to +1", "Mean signed attitude of the account toward core fans."),
    ("attitude_to_fans_pairs", "integer", "core fans", "Core fans the account has an attitude toward."),
    ("fan_reactions", "integer", "interactions", "Core fans' replies and mentions of the account with known sentiment."),
    ("hostile_fan_reactions", "integer", "interactions", "Of fan_reactions, those with sentiment below hostile_below."),
    ("hostile_fan_share", "number", "share, 0-1", "hostile_fan_reactions / fan_reactions."),
    ("reactions", "integer", "interactions", "All replies and mentions the account received with known sentiment."),
    ("negative_reactions", "integer", "interactions", "Of reactions, those with sentiment below negative_below."),
    ("controversy", "number", "share, 0-1", "negative_reactions / reactions."),
    ("community", "integer", "community id", "The account's community (Leiden on the undirected projection)."),
    ("in_brand_community", "boolean", "yes/no", "The account's community is a brand community."),
    ("participation", "number", "0-1", "Participation coefficient: 1 - sum over communities of (k_c / k)^2."),
    ("betweenness", "number", "share of shortest paths, 0-1", "Normalised betweenness centrality."),
    ("bridge", "boolean", "yes/no", "Holds the bridge role (links communities)."),
    ("brand_bridge", "boolean", "yes/no", "Holds the brand-bridge role (links a brand community to another)."),
    ("roles", "text", "role tags, '|'-joined", "Every role the account holds (kol, critic, core_fan, ...)."),
    ("whatif_shift", "number", _SHIFT,
     "Predicted mean change of core fans' brand stance if the brand partners with the account (mean over runs)."),
    ("whatif_low", "number", _SHIFT, "Lower bound of the 90% interval of whatif_shift over the Monte Carlo runs."),
    ("whatif_high", "number", _SHIFT, "Upper bound of the 90% interval of whatif_shift."),
    ("whatif_runs", "integer", "runs", "Monte Carlo runs behind whatif_shift (0: not simulated)."),
)

#: Every column scoring writes, by name.
COLUMNS: dict[str, Column] = {r[0]: Column(*r) for r in _ROWS}
#: What happens to the input's own columns.
INPUT_COLUMNS_NOTE = ("The input list's own columns come back unchanged after input_row; a column named like one "
                      "of ours is renamed with the suffix _input.")


def columns_text() -> str:
    """The data dictionary as plain text (``kolgraph score --columns``)."""
    width = max(len(c) for c in COLUMNS)
    lines = ["Columns of `kolgraph score` output (definitions: docs/scoring.md, docs/methods.md section 5)",
             INPUT_COLUMNS_NOTE, ""]
    for c in COLUMNS.values():
        lines.append(f"{c.name:<{width}}  {c.type:<7}  [{c.unit}]  {c.definition}")
    return "\n".join(lines)


_JSON_TYPES = {"text": ["string", "null"], "integer": ["integer", "null"], "number": ["number", "null"],
               "boolean": ["boolean", "null"]}

#: JSON schema (draft 2020-12) of ``kolgraph score --json``.
SCORE_JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["command", "output", "counts", "parameters", "analysis_run_id", "columns", "rows"],
    "properties": {
        "command": {"const": "score"},
        "output": {"type": ["string", "null"]},
        "analysis_run_id": {"type": ["string", "null"]},
        "counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
        "parameters": {"type": "object"},
        "columns": {"type": "object", "additionalProperties": {"type": "string"}},
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "required": list(COLUMNS),
                "properties": {
                    **{c.name: {"type": _JSON_TYPES[c.type]} for c in COLUMNS.values()},
                    "status": {"enum": ["ok", "duplicate", "ambiguous", "unknown", "blank"]},
                    "risk_tier": {"enum": ["red", "amber", "grey", "green", None]},
                    "input_row": {"type": "integer", "minimum": 1},
                },
            },
        },
    },
}
