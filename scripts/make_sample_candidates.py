"""Write data/sample/candidates.csv: an agency's list of KOL candidates for the sample event.

The list is what an agency would hand over: the event's non-brand influential accounts (tech KOLs,
media and the critic KOL, as planted by the generator) typed the way people type handles (some as
``@display name``, some as upper-case ids with stray spaces), with fee, category and notes columns,
plus a handle nobody knows, a duplicate and a blank row. Deterministic:

    python scripts/make_sample_candidates.py
"""

from pathlib import Path

import numpy as np
import pandas as pd

from kolgraph._io import write_table

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def main() -> None:
    truth = pd.read_csv(SAMPLE / "truth.csv")
    users = pd.read_csv(SAMPLE / "users.csv").set_index("user_id")
    rng = np.random.default_rng(7)
    picked = truth[truth["group"].isin(["tech_kol", "media", "critic_kol"])].sample(frac=1.0, random_state=7)
    rows = []
    for i, (user_id, group) in enumerate(zip(picked["user_id"], picked["group"])):
        style = i % 3
        handle = (f"@{users.loc[user_id, 'display_name']}" if style == 0 else
                  f"  {user_id.upper()} " if style == 1 else user_id)
        rows.append({"handle": handle, "category": {"tech_kol": "digital reviewer", "media": "tech media",
                                                      "critic_kol": "commentary"}[group],
                     "fee_cny": int(rng.integers(5, 60)) * 10_000, "agency_note": ""})
    rows[0]["agency_note"] = "first in the deck"
    rows.append({"handle": "@not_on_weibo_2026", "category": "lifestyle", "fee_cny": 80_000,
                 "agency_note": "new to the platform"})
    rows.append(dict(rows[1], agency_note="listed twice by the agency"))
    rows.append({"handle": "", "category": "", "fee_cny": None, "agency_note": "blank row from the spreadsheet"})
    frame = pd.DataFrame(rows)
    frame["fee_cny"] = frame["fee_cny"].astype("Int64")
    write_table(frame, SAMPLE / "candidates.csv")


if __name__ == "__main__":
    main()
