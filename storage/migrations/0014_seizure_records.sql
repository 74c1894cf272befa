-- Seizure records the programme can hand on: each report's route and how closely its
-- coordinates place it. SQL kept to what PostgreSQL also accepts (column CHECKs, subqueries).
--
-- latitude/longitude (0002) were set only for a shared location; from now on every report with
-- a place has them as place_precision says: 'exact' (a shared location), 'point' (the chosen
-- crossing point's), 'unit' (the unit's: a typed place, or a point without coordinates),
-- 'none' (nothing known). NULL for a form without a place.
--
-- The route: country keys of bot/forms/definitions.py (or 'unknown', the officer's answer);
-- route_transit is the chosen keys joined by commas, '' when none. route_asked = 0: the form
-- did not ask it (another form, or a report filed before this migration).
ALTER TABLE reports ADD COLUMN place_precision TEXT
    CHECK (place_precision IN ('exact', 'point', 'unit', 'none'));
ALTER TABLE reports ADD COLUMN route_asked INTEGER NOT NULL DEFAULT 0
    CHECK (route_asked IN (0, 1));
ALTER TABLE reports ADD COLUMN route_origin TEXT;
ALTER TABLE reports ADD COLUMN route_departure TEXT;
ALTER TABLE reports ADD COLUMN route_transit TEXT;
ALTER TABLE reports ADD COLUMN route_destination TEXT;
-- 1: filed before this migration; its record says so (the route was never asked, and its
-- coordinates are its unit's unless the officer shared a location). Nothing else is changed:
-- its answers, items, photos and versions stay as filed.
ALTER TABLE reports ADD COLUMN filed_before_routes INTEGER NOT NULL DEFAULT 0
    CHECK (filed_before_routes IN (0, 1));

UPDATE reports SET filed_before_routes = 1;

-- The forms that ask a place (seizure and incident) get the unit's coordinates unless a
-- location was shared (a crossing point's are not read out of the answers' JSON here).
UPDATE reports SET place_precision = 'exact'
    WHERE form IN ('seizure', 'incident') AND latitude IS NOT NULL AND longitude IS NOT NULL;
UPDATE reports SET
    latitude = (SELECT u.latitude FROM units u WHERE u.id = reports.unit_id),
    longitude = (SELECT u.longitude FROM units u WHERE u.id = reports.unit_id),
    place_precision = CASE
        WHEN (SELECT u.latitude FROM units u WHERE u.id = reports.unit_id) IS NULL THEN 'none'
        ELSE 'unit'
    END
    WHERE form IN ('seizure', 'incident') AND place_precision IS NULL;

-- Countries a route can name besides the nationalities: names an admin corrects (/names).
INSERT INTO reference_names (kind, key, name_uz, name_ru, name_en, updated_at, updated_by) VALUES
    ('country', 'ir', 'Eron', 'Иран', 'Iran', '2026-12-06T00:00:00+00:00', NULL),
    ('country', 'pk', 'Pokiston', 'Пакистан', 'Pakistan', '2026-12-06T00:00:00+00:00', NULL),
    ('country', 'ru', 'Rossiya', 'Россия', 'Russia', '2026-12-06T00:00:00+00:00', NULL),
    ('country', 'cn', 'Xitoy', 'Китай', 'China', '2026-12-06T00:00:00+00:00', NULL),
    ('country', 'tr', 'Turkiya', 'Турция', 'Türkiye', '2026-12-06T00:00:00+00:00', NULL),
    ('country', 'eu', 'Yevropa Ittifoqi', 'Европейский союз', 'European Union', '2026-12-06T00:00:00+00:00', NULL);
