"""A border liaison office with one crossing point placed on the map, and the officer who files
there: what the seizure-record and /ids tests share."""

from __future__ import annotations

from pathlib import Path

from bot.standin import TgUser
from storage import Coordinates, Database, UnitKind

AYRITOM = Coordinates(37.2361, 67.2014)

OFFICER = TgUser(id=8101, first_name="Dilnoza", language_code="uz")


async def border_office_with_a_point(path: Path) -> int:
    """A border liaison office with one crossing point its admin placed; the point's id."""
    db = await Database.open(path)
    try:
        async with db.transaction() as repos:
            unit = await repos.units.create(
                code="BLO-TER",
                kind=UnitKind.BLO,
                name_uz="Termiz chegara aloqa idorasi",
                name_ru="Пограничный офис связи Термез",
                name_en="Termez BLO",
                coordinates=Coordinates(37.25, 67.25),
            )
            point = await repos.crossing_points.add(unit.id, "Ayritom", coordinates=AYRITOM)
            assert point is not None
            return point.id
    finally:
        await db.close()
