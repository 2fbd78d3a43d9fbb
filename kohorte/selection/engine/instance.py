"""Instance parsing and validation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .errors import InstanceError
from .ranking import round_score

# --------------------------------------------------------------------------
# Instance parsing
# --------------------------------------------------------------------------

_TOP_KEYS = {
    "places",
    "seed",
    "regions",
    "max_per_organisation",
    "max_per_site",
    "use_priority",
    "applicants",
    "fixed",
    "excluded",
}
_APPLICANT_KEYS = {"id", "tier", "priority", "score", "region", "organisation", "site"}
_REQUIRED_APPLICANT_KEYS = ("id", "tier", "score", "region", "organisation", "site")


def _nonneg_int(value, what):
    if type(value) is not int or value < 0:
        raise InstanceError(f"{what} must be a non-negative integer, got {value!r}")
    return value


def _optional_cap(instance, key):
    value = instance.get(key)
    if value is None:
        return None
    return _nonneg_int(value, key)


def _id_list(instance, key, known):
    value = instance.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InstanceError(f"{key} must be a list of applicant ids")
    seen = set()
    for item in value:
        if not isinstance(item, str):
            raise InstanceError(f"{key} must contain applicant ids (strings), got {item!r}")
        if item not in known:
            raise InstanceError(f"{key} names {item!r}, which is not an applicant")
        if item in seen:
            raise InstanceError(f"{key} names {item!r} twice")
        seen.add(item)
    return value


class _Instance:
    """Validated instance; applicants as parallel lists indexed 0..n-1."""

    def __init__(self, raw: Any):
        if not isinstance(raw, dict):
            raise InstanceError("instance must be a JSON object")
        unknown = set(raw) - _TOP_KEYS
        if unknown:
            raise InstanceError(f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
        if "places" not in raw:
            raise InstanceError("places is required")
        self.places = _nonneg_int(raw["places"], "places")
        seed = raw.get("seed")
        if not isinstance(seed, str) or not seed:
            raise InstanceError("seed is required and must be a non-empty string")
        self.seed = seed
        use_priority = raw.get("use_priority", False)
        if type(use_priority) is not bool:
            raise InstanceError("use_priority must be true or false")
        self.use_priority = use_priority
        self.max_org = _optional_cap(raw, "max_per_organisation")
        self.max_site = _optional_cap(raw, "max_per_site")

        regions = raw.get("regions")
        if regions is None:
            regions = {}
        if not isinstance(regions, dict):
            raise InstanceError("regions must be an object {name: {min, max}}")
        self.region_min: dict[str, int] = {}
        self.region_max: dict[str, int] = {}
        for name, bounds in regions.items():
            if not isinstance(name, str) or not name:
                raise InstanceError("region names must be non-empty strings")
            if not isinstance(bounds, dict):
                raise InstanceError(f"regions[{name!r}] must be an object with min and/or max")
            extra = set(bounds) - {"min", "max"}
            if extra:
                raise InstanceError(f"regions[{name!r}] has unknown key(s): {', '.join(sorted(extra))}")
            if bounds.get("min") is not None:
                self.region_min[name] = _nonneg_int(bounds["min"], f"regions[{name!r}].min")
            if bounds.get("max") is not None:
                self.region_max[name] = _nonneg_int(bounds["max"], f"regions[{name!r}].max")

        apps = raw.get("applicants")
        if not isinstance(apps, list):
            raise InstanceError("applicants must be a list")
        n = len(apps)
        self.n = n
        ids: list[str] = [""] * n
        tiers = [0] * n
        prios = [False] * n
        scores: list[Decimal] = [Decimal(0)] * n
        app_region = [""] * n
        app_org = [""] * n
        app_site = [""] * n
        index: dict[str, int] = {}
        site_org: dict[str, str] = {}
        site_region: dict[str, str] = {}
        for i, item in enumerate(apps):
            if type(item) is not dict:
                raise InstanceError(f"applicants[{i}] must be an object")
            for key in _REQUIRED_APPLICANT_KEYS:
                if key not in item:
                    raise InstanceError(f"applicants[{i}] lacks {key}")
            if len(item) > 6 and not _APPLICANT_KEYS.issuperset(item):
                bad = sorted(map(str, set(item) - _APPLICANT_KEYS))
                raise InstanceError(f"applicants[{i}] has unknown key(s): {', '.join(bad)}")
            ident = item["id"]
            if type(ident) is not str or not ident:
                raise InstanceError(f"applicants[{i}].id must be a non-empty string")
            if ident in index:
                raise InstanceError(f"duplicate applicant id {ident!r}")
            index[ident] = i
            ids[i] = ident
            tier = item["tier"]
            if type(tier) is not int or tier < 1:
                raise InstanceError(f"applicant {ident!r}: tier must be an integer >= 1")
            tiers[i] = tier
            priority = item.get("priority", False)
            if type(priority) is not bool:
                raise InstanceError(f"applicant {ident!r}: priority must be true or false")
            prios[i] = priority
            try:
                scores[i] = round_score(item["score"])
            except InstanceError as exc:
                raise InstanceError(f"applicant {ident!r}: {exc}") from None
            region = item["region"]
            org = item["organisation"]
            site = item["site"]
            if type(region) is not str or not region:
                raise InstanceError(f"applicant {ident!r}: region must be a non-empty string")
            if type(org) is not str or not org:
                raise InstanceError(f"applicant {ident!r}: organisation must be a non-empty string")
            if type(site) is not str or not site:
                raise InstanceError(f"applicant {ident!r}: site must be a non-empty string")
            known_org = site_org.get(site)
            if known_org is None:
                site_org[site] = org
                site_region[site] = region
            else:
                if known_org != org:
                    raise InstanceError(
                        f"site {site!r} belongs to two organisations ({known_org!r}, {org!r})"
                    )
                if site_region[site] != region:
                    raise InstanceError(
                        f"site {site!r} lies in two regions ({site_region[site]!r}, {region!r})"
                    )
            app_region[i] = region
            app_org[i] = org
            app_site[i] = site
        self.ids = ids
        self.index = index
        self.tiers = tiers
        self.prios = prios
        self.scores = scores
        self.app_region = app_region
        self.app_org = app_org
        self.app_site = app_site
        self.fixed = _id_list(raw, "fixed", index)
        self.excluded = _id_list(raw, "excluded", index)
        both = set(self.fixed) & set(self.excluded)
        if both:
            raise InstanceError(f"id(s) both fixed and excluded: {', '.join(sorted(both))}")
