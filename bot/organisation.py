"""Units and crossing points as operations, each in the caller's transaction: read, add, rename,
deactivate or reactivate a unit, add or remove a crossing point.

Who acts is read again here (bot/authority.py). A unit's answers are typed over several
messages; the admin may lose the role meanwhile, and the last answer must not still create or
rename anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot import administration, places
from bot.authority import Operation, Refused, acting
from storage import Coordinates, CrossingPoint, Repositories, Role, Unit, UnitKind


class Outcome(StrEnum):
    DONE = "done"
    UNCHANGED = "unchanged"  # already so: a repeated tap
    GONE = "gone"  # no such unit or point (any more)
    CODE_TAKEN = "code_taken"
    DUPLICATE = "duplicate"  # the unit already has a crossing point of that name
    NOT_BLO = "not_blo"  # only border liaison offices have crossing points


@dataclass(frozen=True)
class Done:
    outcome: Outcome
    unit: Unit | None = None
    point: CrossingPoint | None = None


@dataclass(frozen=True)
class UnitView:
    """A unit's card: the unit, how many officers it has, its active crossing points."""

    unit: Unit
    officers: int
    points: list[CrossingPoint]


async def all_units(repos: Repositories, actor_telegram_id: int | None) -> list[Unit] | Refused:
    actor = await acting(repos, actor_telegram_id, Operation.UNIT_LIST)
    if isinstance(actor, Refused):
        return actor
    return await repos.units.list()


async def unit_view(
    repos: Repositories, actor_telegram_id: int | None, unit_id: int
) -> UnitView | Refused | None:
    """The unit as it is now; None: no such unit."""
    actor = await acting(repos, actor_telegram_id, Operation.UNIT_LIST, target=str(unit_id))
    if isinstance(actor, Refused):
        return actor
    unit = await repos.units.get(unit_id)
    if unit is None:
        return None
    officers = await repos.users.count(role=Role.OFFICER, unit_id=unit.id)
    points = await repos.crossing_points.list_for_unit(unit.id)
    return UnitView(unit, officers, points)


async def create_unit(
    repos: Repositories,
    actor_telegram_id: int | None,
    *,
    code: str,
    kind: UnitKind,
    names: Mapping[str, str],
) -> Done | Refused:
    """A new active unit; CODE_TAKEN when another admin took the code meanwhile."""
    actor = await acting(repos, actor_telegram_id, Operation.UNIT_CREATE, target=code)
    if isinstance(actor, Refused):
        return actor
    # This process is the only writer and the transaction holds the lock: read, then insert.
    if await repos.units.get_by_code(code) is not None:
        return Done(Outcome.CODE_TAKEN)
    unit = await repos.units.create(
        code=code, kind=kind, name_uz=names["uz"], name_ru=names["ru"], name_en=names["en"]
    )
    await repos.audit.add(
        "unit.created",
        actor_telegram_id=actor.telegram_id,
        target=unit.code,
        details={"kind": kind.value, **{f"name_{k}": v for k, v in names.items()}},
    )
    return Done(Outcome.DONE, unit)


async def rename_unit(
    repos: Repositories, actor_telegram_id: int | None, unit_id: int, names: Mapping[str, str]
) -> Done | Refused:
    actor = await acting(repos, actor_telegram_id, Operation.UNIT_RENAME, target=str(unit_id))
    if isinstance(actor, Refused):
        return actor
    before = await repos.units.get(unit_id)
    if before is None:
        return Done(Outcome.GONE)
    await repos.units.rename(
        before.id, name_uz=names["uz"], name_ru=names["ru"], name_en=names["en"]
    )
    await repos.audit.add(
        "unit.renamed",
        actor_telegram_id=actor.telegram_id,
        target=before.code,
        details={
            "before": {"uz": before.name_uz, "ru": before.name_ru, "en": before.name_en},
            "after": dict(names),
        },
    )
    return Done(Outcome.DONE, before)


async def switch_unit(
    repos: Repositories, actor_telegram_id: int | None, unit_id: int, *, active: bool
) -> Done | Refused:
    """Deactivate (``active`` False) or reactivate a unit."""
    actor = await acting(repos, actor_telegram_id, Operation.UNIT_SWITCH, target=str(unit_id))
    if isinstance(actor, Refused):
        return actor
    unit = await repos.units.get(unit_id)
    if unit is None:
        return Done(Outcome.GONE)
    if not await repos.units.set_active(unit.id, active):
        return Done(Outcome.UNCHANGED, unit)
    await repos.audit.add(
        "unit.reactivated" if active else "unit.deactivated",
        actor_telegram_id=actor.telegram_id,
        target=unit.code,
    )
    return Done(Outcome.DONE, unit)


async def crossing_point_name_taken(repos: Repositories, unit_id: int, name: str) -> bool:
    """Whether the unit already has an active point of that name: asked before the admin types
    the coordinates, so a duplicate is told at once (:func:`add_crossing_point` checks again)."""
    existing = await repos.crossing_points.list_for_unit(unit_id)
    return administration.is_duplicate(name, (p.name for p in existing))


async def add_crossing_point(
    repos: Repositories,
    actor_telegram_id: int | None,
    unit_id: int,
    name: str,
    coordinates: Coordinates | None = None,
) -> Done | Refused:
    """Add the point with its ``coordinates`` (None: the admin skipped them; the digest's map
    and the seizure records then fall back to the unit's own place). Coordinates are checked
    again here (:func:`bot.places.check_place` raises ``InvalidPlace``), not only as typed."""
    actor = await acting(
        repos, actor_telegram_id, Operation.CROSSING_POINT_ADD, target=str(unit_id)
    )
    if isinstance(actor, Refused):
        return actor
    if coordinates is not None:
        places.check_place(coordinates)
    unit = await repos.units.get(unit_id)
    if unit is None:
        return Done(Outcome.GONE)
    if not administration.may_have_crossing_points(unit):
        return Done(Outcome.NOT_BLO, unit)
    existing = await repos.crossing_points.list_for_unit(unit.id)
    if administration.is_duplicate(name, (p.name for p in existing)):
        return Done(Outcome.DUPLICATE, unit)
    point = await repos.crossing_points.add(unit.id, name, coordinates=coordinates)
    if point is None:  # the same name was added meanwhile
        return Done(Outcome.DUPLICATE, unit)
    details: dict[str, object] = {"id": point.id, "name": point.name}
    if point.coordinates is not None:  # as the admin typed them, latitude first
        where = point.coordinates
        details["coordinates"] = f"{where.latitude}, {where.longitude}"
    await repos.audit.add(
        "crossing_point.added",
        actor_telegram_id=actor.telegram_id,
        target=unit.code,
        details=details,
    )
    return Done(Outcome.DONE, unit, point)


async def crossing_point(
    repos: Repositories, actor_telegram_id: int | None, point_id: int, *, remove: bool
) -> Done | Refused:
    """The point (and its unit) an admin is about to remove, or (``remove``) remove it; a
    removed point stays on record as inactive, so reports that name it keep it."""
    actor = await acting(
        repos, actor_telegram_id, Operation.CROSSING_POINT_REMOVE, target=str(point_id)
    )
    if isinstance(actor, Refused):
        return actor
    point = await repos.crossing_points.get(point_id)
    unit = await repos.units.get(point.unit_id) if point else None
    if point is None or unit is None:
        return Done(Outcome.GONE)
    if not remove:
        return Done(Outcome.DONE if point.active else Outcome.UNCHANGED, unit, point)
    if not await repos.crossing_points.deactivate(point.id):
        return Done(Outcome.UNCHANGED, unit, point)
    await repos.audit.add(
        "crossing_point.removed",
        actor_telegram_id=actor.telegram_id,
        target=unit.code,
        details={"id": point.id, "name": point.name},
    )
    return Done(Outcome.DONE, unit, point)
