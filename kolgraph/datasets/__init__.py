"""Seeded generator of Weibo-style brand events with planted structure, and the shipped sample.

The generator invents a brand event around a fictional phone/car/home ecosystem maker, 岚柚 (Lanyou),
whose shapes follow the motivating case (``shared/design/case.md``): an account matrix that reposts
itself, friendly tech KOLs, ONE long-time critic KOL whose feud with the fan base is mutual, a tiered
fan base (core fans, active fans), a general tech audience, the critic's community, bridges, mass
reposting amplifiers and an outer public. Every name (brand, products, people, media) is invented.

What is planted, and how the roles of ``methods.md`` section 3 can find it:

- **KOLs** (``is_kol``): the ~1% "hub" accounts that hold most of the attention (at least 20):
  the 11 brand accounts, the critic KOL, a few media accounts, and tech KOLs filling the rest.
  Non-hubs receive far fewer distinct engagers, so the top 1% by PageRank are the hubs.
- **Core fans** (``is_core_fan``): brand stance about +0.6..+0.95, at least 4 clearly warm
  brand-directed interactions (mean about 7 plus warm chat naming the brand), dense ties among
  themselves. Active fans are warm too but have only 1-2 brand-directed interactions (support < 3).
- **Critics** (``is_critic``): the critic KOL and minor critics, stance about -0.6..-0.95 with at least
  4 cold brand-directed interactions; the critic's followers repost him but address the brand 0-2 times.
- **Bridges** (``is_bridge``): tech KOLs, media accounts and "bridge" users who split their ties
  between the fan community, the tech community and the public; every other group keeps most of
  its ties inside its home community (participation coefficient mostly below 0.5). The brand
  accounts and the critic KOL also sit between communities (top betweenness) but are not tagged.
- **Amplifiers** (``is_amplifier``): mass-repost brand posts without comment (empty text, so no
  text sentiment) and are never engaged with.
- Heavy tails: the hubs (1% of accounts) receive about 40% of all interactions; the median user
  acts about 6 times; followers are lognormal by group, the company account has the most.
- Signed behaviour: fans reply to the critic KOL with hostility and he answers with contempt;
  his followers reply coldly to the brand. Tone per interaction is ``clip(mu + noise, -1, 1)`` where
  ``mu`` is the source's latent attitude to the target (brand stance, attitude to the critic) or a
  channel constant; the text is drawn from the pool of that tone's bin, so a character n-gram model
  can read it. Text names a brand keyword only where it is meant to be brand-directed. Texts are
  combined from template and fragment pools (emoji codes like [赞] [怒] [微笑], hashtags #...#).

Output columns:

- ``interactions``: src, dst, kind ("repost"/"reply"/"mention"), timestamp (ISO 8601 UTC string,
  ``2026-01-05T08:31:12Z``), text, post_id (int64, unique, increasing with time), and ``sentiment``
  (the true tone in [-1, 1]) only with ``with_sentiment=True``. Rows are sorted by timestamp.
- ``users``: user_id, display_name, followers, verified.
- ``truth``: user_id, group (the generating group, see :data:`GROUPS`), brand_account (company,
  founder, phone, ... or ""), community (planted: brand, tech, critic, media, or general-N for a
  circle of ordinary users), roles ("|"-joined tags as in the analysis output), is_brand_account,
  is_kol, is_core_fan, is_critic, is_critic_kol, is_bridge, is_amplifier, stance (latent brand stance
  in [-1, 1]), critic_attitude (latent attitude toward the critic KOL in [-1, 1]; NaN for the critic
  himself), brand_support (number of brand-directed interactions generated) and realized_stance
  (the shrunk mean ``sum(tone) / (n + 2)`` of the true tones of those interactions).

The shipped sample (``data/sample``, package ``kolgraph.sample`` when installed) was made with::

    kolgraph generate -o data/sample --users 3000 --interactions 30000 --seed 0 --aftermath critic

and has no sentiment column: the analysis reads stance from the text. ``--aftermath critic``
adds the aftermath of announcing a partnership with the critic KOL at the end of the window,
simulated by an agent-based process (:mod:`kolgraph.datasets.aftermath`, a different mechanism
than the what-if's model) with its own random stream, so the before-slice (interactions.csv) is
the same with or without it: truth.csv gains stance_after, aware, revolted, turned_against and
aftermath_candidate, and aftermath.csv holds the first day after the announcement.

Structure (the hook for the what-if simulator): :func:`plant_population` draws the users and their
latent attitudes, :func:`draw_interactions` draws who acts on whom with which tone from a
population, and :func:`render_interactions` turns that into the interactions frame. A before/after
simulation can shift a population's ``stance`` (``dataclasses.replace``) with known parameters and
draw again from the same generator.
"""


from .event import SAMPLE_COMMAND, BrandEvent, SamplePaths, generate_event, load_sample, write_event
from .interactions import draw_interactions
from .population import EventParams, Population, RawInteractions, plant_population
from .partnership import PartnershipEvent, simulate_partnership_event
from .render import render_interactions
from .vocabulary import BRAND_ACCOUNTS, BRAND_KEYWORDS, BRAND_NAME, CRITIC_KOL, GROUPS, MEDIA_NAMES, ROLE_TAGS

__all__ = [
    "GROUPS",
    "ROLE_TAGS",
    "SAMPLE_COMMAND",
    "BRAND_ACCOUNTS",
    "BRAND_KEYWORDS",
    "BRAND_NAME",
    "CRITIC_KOL",
    "MEDIA_NAMES",
    "EventParams",
    "Population",
    "RawInteractions",
    "BrandEvent",
    "SamplePaths",
    "generate_event",
    "plant_population",
    "draw_interactions",
    "render_interactions",
    "write_event",
    "load_sample",
    "PartnershipEvent",
    "simulate_partnership_event",
]
