"""Generate realistic submissions of any size (40 to 100,000+ entities) for the benchmarks.

A submission is the compliant county base of the rulebook (``rules/_bases/county.yaml``: a unit's project
with its components, collection items, catalogue, information resources, information system, service,
contract, ...) repeated as *groups*: every group is another unit with its own project and everything
that belongs to it, under the same authorities, unified platforms, plan and directory.  References stay
valid; about a third of the groups carry one violation (an item collected outside the catalogue, an own
data centre without approval, a re-collection of shared data, a system without a protection level, access
to sensitive data without auditing).  The same size and seed give the same submission.

    python benchmarks/generate.py --entities 40 --count 1000 --out /tmp/subs    # 1,000 YAML files
    python benchmarks/generate.py --entities 100000 --check                     # validate one
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "rules" / "_bases" / "county.yaml"

# entities of the base that belong to the reviewed unit: each group gets its own copy
PER_GROUP = {
    "units": {"unit.ct.mz"},
    "technical_service_units": {"tsu.vendor1"},
    "platforms": {"plat.ct.app"},
    "projects": {"prj.ex01"},
    "information_systems": {"sys.ex01"},
    "collection_catalogues": {"cat.ct.mz"},
    "collection_items": {"ci.01", "ci.02", "ci.03", "ci.04", "ci.05", "ci.06"},
    "info_resources": {"res.ct.dibao", "res.ct.dibao_stats"},
    "sharing_requests": {"sr.01"},
    "open_directory": {"od.01"},
    "services": {"svc.ex01"},
    "contracts": {"ctr.ex01"},
    "tsu_evaluations": {"ev.01"},
    "inspections": {"insp.01"},
}
GROUP_IDS = frozenset(i for ids in PER_GROUP.values() for i in ids)


@cache
def base() -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(BASE.read_text("utf-8"), Loader=yaml.CSafeLoader)
    return _strings(data)  # type: ignore[no-any-return]


def _strings(value: Any) -> Any:
    """Dates as ISO text, as the tool's own YAML loader gives them."""
    if isinstance(value, dict):
        return {k: _strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _rename(value: Any, suffix: str) -> Any:
    if isinstance(value, dict):
        return {k: _rename(v, suffix) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, suffix) for v in value]
    if isinstance(value, str) and value in GROUP_IDS:
        return value + suffix
    return value


def groups_for(entities: int) -> int:
    shared = sum(len(v) for v in base().values() if isinstance(v, list)) - len(GROUP_IDS)
    return max(1, round((entities - shared) / len(GROUP_IDS)))


def generate(entities: int = 40, seed: int = 0, violations: float = 0.35) -> dict[str, Any]:
    """A valid submission of about ``entities`` entities."""
    rng = random.Random(f"{entities}:{seed}")
    template = base()
    out: dict[str, Any] = {"submission": {**template["submission"], "id": f"bench-{entities}-{seed}"}}
    for coll, items in template.items():
        if isinstance(items, list):
            out[coll] = [copy.deepcopy(e) for e in items if e.get("id") not in GROUP_IDS]
    plan = next(p for p in out["plans"] if p["id"] == "plan.ly.egov")
    plan["includes_projects"] = []
    directory = out["apps_services_directory"][0]
    registrations = directory["unit_registrations"]
    directory["unit_registrations"] = []
    for g in range(groups_for(entities)):
        suffix = f".g{g}"
        for coll, ids in PER_GROUP.items():
            out[coll].extend(_rename(e, suffix) for e in template[coll] if e.get("id") in ids)
        plan["includes_projects"].append("prj.ex01" + suffix)
        directory["unit_registrations"].extend(_rename(r, suffix) for r in registrations)
        if rng.random() < violations:
            rng.choice(VIOLATIONS)(out, suffix)
    return out


# ------------------------------------------------------------------------------------------ violations
def _find(data: dict[str, Any], coll: str, ident: str) -> dict[str, Any]:
    # groups are appended in order: search from the end
    return next(e for e in reversed(data[coll]) if e["id"] == ident)


def outside_catalogue(data: dict[str, Any], suffix: str) -> None:
    item = {"id": "ci.99" + suffix, "unit": "unit.ct.mz" + suffix, "project": "prj.ex01" + suffix,
            "element": "person.marital_status", "source": "from_subject", "subject_type": "natural_person",
            "personal": True, "sensitive": True}
    data["collection_items"].append(item)
    _find(data, "projects", "prj.ex01" + suffix)["collection_items"].append(item["id"])


def own_data_centre(data: dict[str, Any], suffix: str) -> None:
    data["platforms"].append({
        "id": "plat.own_dc" + suffix, "kind": "data_centre", "unified": False, "owner": "unit.ct.mz" + suffix,
        "level": "county", "region": {"province": "Fujian", "city": "Longyan", "county": "Changting"},
        "status": "planned", "cloud_backup_compliant": True})
    _find(data, "projects", "prj.ex01" + suffix)["components"].append(
        {"kind": "data_centre", "mode": "build_own", "platform": "plat.own_dc" + suffix})


def recollection(data: dict[str, Any], suffix: str) -> None:
    _find(data, "collection_items", "ci.03" + suffix)["source"] = "from_subject"


def no_protection_level(data: dict[str, Any], suffix: str) -> None:
    _find(data, "information_systems", "sys.ex01" + suffix)["mlps_level"] = None


def unaudited_access(data: dict[str, Any], suffix: str) -> None:
    _find(data, "information_systems", "sys.ex01" + suffix)["access_audit"]["enabled"] = False


VIOLATIONS = [outside_catalogue, own_data_centre, recollection, no_protection_level, unaudited_access]


def entity_count(data: dict[str, Any]) -> int:
    return sum(len(v) for v in data.values() if isinstance(v, list))


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=200)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=40)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="directory for the YAML files (default: print one)")
    parser.add_argument("--check", action="store_true", help="validate what is generated")
    args = parser.parse_args(argv)
    for i in range(args.count):
        data = generate(args.entities, args.seed + i)
        if args.check:
            sys.path.insert(0, str(ROOT))
            from egov_rules.input.load import Document
            from egov_rules.input.validate import validate_document

            validate_document(Document(source="generated", data=data, positions={}, key_positions={}, format="data"))
            print(f"valid: {entity_count(data)} entities", file=sys.stderr)
        if args.out is None:
            sys.stdout.write(dump(data))
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"sub{i:05d}.yaml").write_text(dump(data), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
