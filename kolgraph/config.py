"""Brand configuration and analysis parameters, from arguments or a TOML file.

A config file looks like::

    [brand]
    name = "Lumio"
    accounts = ["lumio_official", "lumio_founder"]
    keywords = ["Lumio", "流明"]

    [roles]          # any field of kolgraph.algorithms.roles.RoleParams
    core_fan_min_stance = 0.3

    [whatif]         # any field of the what-if scenario priors
    [scoring]        # tier thresholds

Each algorithm module owns a frozen parameter dataclass; :func:`params_from_mapping` fills it from
one section and rejects unknown keys, so a typo in a config file is an error, not a silent default.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, TypeVar

from .errors import ConfigError

__all__ = ["BrandConfig", "KolgraphConfig", "load_config", "params_from_mapping", "as_config", "resolve_brand"]

P = TypeVar("P")


@dataclass(frozen=True)
class BrandConfig:
    """The brand: its accounts (official, executives, product lines) and the keywords that name it."""

    accounts: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "accounts", tuple(dict.fromkeys(str(a).strip() for a in self.accounts if str(a).strip())))
        object.__setattr__(self, "keywords", tuple(dict.fromkeys(str(k).strip() for k in self.keywords if str(k).strip())))

    def merged(self, accounts: tuple[str, ...] = (), keywords: tuple[str, ...] = ()) -> "BrandConfig":
        """This brand with extra accounts and keywords (from the command line) added."""
        return BrandConfig(self.accounts + tuple(accounts), self.keywords + tuple(keywords), self.name)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "accounts": list(self.accounts), "keywords": list(self.keywords)}


@dataclass(frozen=True)
class KolgraphConfig:
    """A parsed config file: the brand plus raw parameter sections keyed by name."""

    brand: BrandConfig = field(default_factory=BrandConfig)
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    path: str | None = None

    def section(self, name: str) -> Mapping[str, Any]:
        return self.sections.get(name, {})


def load_config(path: str | os.PathLike | None) -> KolgraphConfig:
    """Read a TOML config file; ``None`` gives an empty config."""
    if path is None:
        return KolgraphConfig()
    p = Path(path)
    try:
        with p.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{p}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    brand_raw = raw.pop("brand", {})
    if not isinstance(brand_raw, dict):
        raise ConfigError(f"{p}: [brand] must be a table")
    unknown = set(brand_raw) - {"name", "accounts", "keywords"}
    if unknown:
        raise ConfigError(f"{p}: unknown key(s) in [brand]: {', '.join(sorted(unknown))}")
    for key in ("accounts", "keywords"):
        if not isinstance(brand_raw.get(key, []), list):
            raise ConfigError(f"{p}: [brand] {key} must be a list of strings")
    brand = BrandConfig(
        accounts=tuple(brand_raw.get("accounts", [])),
        keywords=tuple(brand_raw.get("keywords", [])),
        name=str(brand_raw.get("name", "")),
    )
    for name, section in raw.items():
        if not isinstance(section, dict):
            raise ConfigError(f"{p}: top-level key {name!r} must be a table like [{name}]")
    return KolgraphConfig(brand=brand, sections=raw, path=str(p))


def params_from_mapping(cls: type[P], mapping: Mapping[str, Any], section: str = "", **overrides: Any) -> P:
    """Build the frozen parameter dataclass ``cls`` from a config section plus keyword overrides.

    Unknown keys raise :class:`ConfigError` naming the section; ``None`` overrides are ignored, so a
    CLI option left unset keeps the config file's (or the default) value.
    """
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(mapping) - names
    if unknown:
        where = f"[{section}]" if section else cls.__name__
        raise ConfigError(f"unknown parameter(s) in {where}: {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(sorted(names))}")
    values = dict(mapping)
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"invalid parameters for [{section or cls.__name__}]: {exc}") from None


def as_config(config: "KolgraphConfig | str | os.PathLike | None") -> KolgraphConfig:
    """A :class:`KolgraphConfig` from one, a TOML path, or ``None`` (defaults)."""
    if config is None:
        return KolgraphConfig()
    if isinstance(config, KolgraphConfig):
        return config
    return load_config(config)


def resolve_brand(brand: "BrandConfig | Mapping[str, Any] | None", config: KolgraphConfig, *,
                  fallback: "Mapping[str, Any] | None" = None) -> BrandConfig:
    """The brand to use: ``brand`` (accounts/keywords) added to the config's ``[brand]``; when both are
    empty, ``fallback`` (e.g. the brand an existing analysis used); else :class:`ConfigError`.

    The one place every command turns its brand options into a :class:`BrandConfig`.
    """
    if isinstance(brand, Mapping):
        brand = BrandConfig(tuple(brand.get("accounts", ())), tuple(brand.get("keywords", ())),
                            str(brand.get("name", "")))
    merged = config.brand if brand is None else BrandConfig(
        config.brand.accounts + brand.accounts, config.brand.keywords + brand.keywords, brand.name or config.brand.name)
    if not merged.accounts and not merged.keywords and fallback:
        merged = BrandConfig(tuple(fallback.get("accounts", ())), tuple(fallback.get("keywords", ())),
                             str(fallback.get("name", "")))
    if not merged.accounts and not merged.keywords:
        raise ConfigError("no brand given: name its accounts and/or keywords with --brand-account ID and "
                          "--brand-keyword K (repeatable), or a [brand] section with accounts = [...] and "
                          "keywords = [...] in a --config file")
    return merged
