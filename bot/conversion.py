"""Conversion factors to kilogram equivalents as reference data: who may see and change them.

The conversions themselves are plain functions (bot/equivalents.py). A change applies to
reports filed after it (each item keeps the factor it was filed with) and is audited with the
old and the new value.
"""

from __future__ import annotations

from decimal import Decimal

from bot.authority import Operation, Refused, acting
from bot.equivalents import CONVERTIBLE_UNITS, parse_factor
from bot.forms.definitions import SUBSTANCES
from storage import ConversionFactor, Repositories

SUBSTANCE_KEYS = tuple(option.key for option in SUBSTANCES)


def is_known(substance: str, unit: str) -> bool:
    """A substance of the forms and a unit a factor converts (callback data is not trusted)."""
    return substance in SUBSTANCE_KEYS and unit in CONVERTIBLE_UNITS


async def factors_list(
    repos: Repositories, actor_telegram_id: int | None
) -> dict[tuple[str, str], ConversionFactor | None] | Refused:
    """Every substance of the forms with each unit, its factor row or None (never stored)."""
    actor = await acting(repos, actor_telegram_id, Operation.FACTOR_LIST)
    if isinstance(actor, Refused):
        return actor
    stored = {(row.substance, row.unit): row for row in await repos.factors.list()}
    return {
        (substance, unit): stored.get((substance, unit))
        for substance in SUBSTANCE_KEYS
        for unit in CONVERTIBLE_UNITS
    }


async def factor_view(
    repos: Repositories, actor_telegram_id: int | None, substance: str, unit: str
) -> tuple[str, str, Decimal | None] | Refused | None:
    """The factor an admin is about to change: (substance, unit, kg per unit or None); None
    for a substance or unit the forms do not have."""
    actor = await acting(
        repos, actor_telegram_id, Operation.FACTOR_LIST, target=f"{substance}:{unit}"
    )
    if isinstance(actor, Refused):
        return actor
    if not is_known(substance, unit):
        return None
    row = await repos.factors.get(substance, unit)
    return substance, unit, row.kg_per_unit if row else None


async def set_factor(
    repos: Repositories,
    actor_telegram_id: int | None,
    substance: str,
    unit: str,
    typed: str | None,
) -> ConversionFactor | Refused | None:
    """Set the factor of ``substance`` per ``unit`` from what the admin typed (kg per L, mg per
    tablet, g per piece; :func:`bot.equivalents.parse_factor` raises ``BadFactor``), or remove
    it (``typed`` None: "no factor"). The actor is read again here; the audit keeps the old and
    new kilograms per unit; the same value again changes and audits nothing. None: no such
    substance or unit."""
    target = f"{substance}:{unit}"
    actor = await acting(repos, actor_telegram_id, Operation.FACTOR_CHANGE, target=target)
    if isinstance(actor, Refused):
        return actor
    if not is_known(substance, unit):
        return None
    value = parse_factor(typed, unit) if typed is not None else None
    before = await repos.factors.get(substance, unit)
    if before is not None and before.kg_per_unit == value:
        # The same factor again (a second admin's stale question, "Remove" of one already
        # removed): nothing changed, so neither the row's author nor the audit says it did.
        return before
    after = await repos.factors.set(substance, unit, value, updated_by=actor.telegram_id)
    await repos.audit.add(
        "factor.changed",
        actor_telegram_id=actor.telegram_id,
        target=target,
        details={
            "before": _text(before.kg_per_unit if before else None),
            "after": _text(after.kg_per_unit),
        },
    )
    return after


def _text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None
