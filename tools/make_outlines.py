"""Make bot/digest/data/outlines.json, the country outlines the digest's map draws.

Run by hand, never by the bot or the tests (the bot has no network and needs none):

    cd /tmp && npm pack world-atlas && tar xzf world-atlas-*.tgz
    python tools/make_outlines.py /tmp/package/countries-50m.json

The source is Natural Earth's 1:50m admin-0 countries (public domain), as TopoJSON in the npm
package ``world-atlas`` by Mike Bostock (ISC licence). Each country's polygons are decoded
from the topology, clipped to a box a little larger than the map (so no clipped edge shows),
simplified (Douglas–Peucker) and rounded to 0.01° (about a kilometre: finer than the map's
pixels on a phone). Holes are dropped: the map draws Uzbekistan last, over its neighbours,
and the only holes in this region are enclaves, which are countries of their own.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

Point = tuple[float, float]
Ring = list[Point]

#: The map shows longitude 50–81, latitude 34–48 (bot/places.py REGION); the clip box is wider.
CLIP = (46.0, 30.0, 85.0, 52.0)  # west, south, east, north
TOLERANCE = 0.02  # degrees, for Douglas–Peucker
DECIMALS = 2
#: ISO 3166-1 numeric codes (Natural Earth's ids in world-atlas) → the keys the bot uses.
COUNTRIES = {
    "860": "uz",
    "398": "kz",
    "417": "kg",
    "762": "tj",
    "795": "tm",
    "004": "af",
    "364": "ir",
    "586": "pk",
    "156": "cn",
    "356": "in",
    "643": "ru",
    "031": "az",
    "496": "mn",
}
OUTPUT = Path(__file__).resolve().parent.parent / "bot" / "digest" / "data" / "outlines.json"
ATTRIBUTION = (
    "Country outlines: Natural Earth 1:50m admin-0 countries, version 4.1.0, public domain "
    "(naturalearthdata.com), via the npm package world-atlas 2.0.2 by Mike Bostock (ISC "
    "licence); clipped to the region and simplified by tools/make_outlines.py."
)


def decode_arcs(topology: dict[str, object]) -> list[Ring]:
    """The topology's arcs in degrees (quantized, delta-encoded in the file)."""
    transform = topology["transform"]
    assert isinstance(transform, dict)
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    arcs = []
    raw_arcs = topology["arcs"]
    assert isinstance(raw_arcs, list)
    for raw in raw_arcs:
        x = y = 0
        points: Ring = []
        for dx, dy in raw:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(indexes: Iterable[int], arcs: Sequence[Ring]) -> Ring:
    """A ring from arc indexes; ``~i`` is arc ``i`` reversed. Shared ends are not repeated."""
    ring: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(arc[1:] if ring else arc)
    return ring


def clip(ring: Ring, box: tuple[float, float, float, float]) -> Ring:
    """Sutherland–Hodgman against the box (convex), fine for a concave ring to be filled."""
    west, south, east, north = box
    edges = (
        (lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north)),
    )
    points = ring
    for inside, cross in edges:
        if not points:
            break
        kept: Ring = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    kept.append(cross(previous, point))
                kept.append(point)
            elif inside(previous):
                kept.append(cross(previous, point))
            previous = point
        points = kept
    return points


def _at_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def simplify(points: Ring, tolerance: float) -> Ring:
    """Douglas–Peucker, iterative (long rings would overflow a recursive one)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, distance = first, 0.0
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > distance:
                farthest, distance = i, d
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _distance(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == dy == 0:
        return math.dist(p, a)
    return abs(dy * p[0] - dx * p[1] + b[0] * a[1] - b[1] * a[0]) / math.hypot(dx, dy)


def rounded(ring: Ring) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, DECIMALS), round(y, DECIMALS)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def outlines(topology: dict[str, Any]) -> list[dict[str, Any]]:
    arcs = decode_arcs(topology)
    objects = topology["objects"]
    assert isinstance(objects, dict)
    found = []
    for geometry in objects["countries"]["geometries"]:
        key = COUNTRIES.get(str(geometry.get("id")))
        if key is None:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = []
        for polygon in polygons:
            outer = clip(ring_points(polygon[0], arcs), CLIP)
            ring = rounded(simplify(outer, TOLERANCE)) if outer else []
            if len(ring) >= 4:
                rings.append(ring)
        if rings:
            found.append({"key": key, "name": geometry["properties"]["name"], "rings": rings})
    found.sort(key=lambda country: (country["key"] == "uz", str(country["key"])))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topojson", type=Path, help="world-atlas's countries-50m.json")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    topology = json.loads(args.topojson.read_text(encoding="utf-8"))
    countries = outlines(topology)
    data = {
        "attribution": ATTRIBUTION,
        "box": dict(zip(("west", "south", "east", "north"), CLIP, strict=True)),
        "countries": countries,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    points = sum(len(ring) for country in countries for ring in country["rings"])
    print(f"{args.output}: {len(countries)} countries, {points} points, {len(text)} bytes")


if __name__ == "__main__":
    main()
