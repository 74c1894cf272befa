-- Kilogram equivalents: how many kilograms one unit of a substance counts for, so seizures
-- measured in litres, tablets and pieces can be compared with weighed ones (UNODC's Individual
-- Drug Seizures and the Annual Report Questionnaire compare drugs in kilogram equivalents).
--
-- One row per substance (the option key reports keep) and normalised unit other than kg:
-- 'l' (kg per litre; millilitres are normalised to litres first, so 1 ml counts 0.001 of it),
-- 'tablets' and 'pieces' (kg per tablet or piece). Grams and kilograms need no row: they are
-- weights by definition (1 g = 0.001 kg). kg_per_unit is an exact decimal as text; NULL means
-- "no factor": such items are shown as reported and left out of every kilogram-equivalent
-- total. An admin changes a factor in the chat (/factors); the change is audited and applies
-- to reports filed after it, because each seizure item keeps the factor it was filed with
-- (seizure_items.kg_factor below).
--
-- Seed:
-- * litres at 1 kg per litre for every substance: the convention the programme's UNODC
--   reporting uses (a litre counts as a kilogram).
-- * methamphetamine tablets at 0.0001 kg (100 mg) per tablet. The published UNODC note gives a
--   bulk weight only for amphetamine-type stimulant tablets, 90 to 300 mg per tablet; of the
--   substances the forms list, only methamphetamine is an amphetamine-type stimulant (mephedrone
--   is a synthetic cathinone, the medicines are not ATS). 100 mg is taken from the low end of
--   that range because the methamphetamine tablets seized in the region are small ("yaba"-type
--   tablets of about 90 to 110 mg), and a low factor does not inflate totals or raise urgent
--   alerts on an assumed weight. The programme corrects it with /factors if it documents
--   another figure.
-- * every other tablet and piece factor starts empty ("no factor").
CREATE TABLE conversion_factors (
    substance    TEXT    NOT NULL,
    unit         TEXT    NOT NULL CHECK (unit IN ('l', 'tablets', 'pieces')),
    kg_per_unit  TEXT,
    updated_at   TEXT    NOT NULL,
    updated_by   BIGINT,
    PRIMARY KEY (substance, unit)
);

INSERT INTO conversion_factors (substance, unit, kg_per_unit, updated_at, updated_by)
SELECT key, 'l', '1', '2026-12-06T00:00:00+00:00', NULL
FROM reference_names WHERE kind = 'substance';

INSERT INTO conversion_factors (substance, unit, kg_per_unit, updated_at, updated_by)
SELECT key, 'tablets', CASE WHEN key = 'meth' THEN '0.0001' END,
       '2026-12-06T00:00:00+00:00', NULL
FROM reference_names WHERE kind = 'substance';

INSERT INTO conversion_factors (substance, unit, kg_per_unit, updated_at, updated_by)
SELECT key, 'pieces', NULL, '2026-12-06T00:00:00+00:00', NULL
FROM reference_names WHERE kind = 'substance';

-- The factor each seized item was filed with: kilograms per normalised unit (1 for kg items,
-- the table's factor for litres, tablets and pieces), NULL for "no factor". Its kilogram
-- equivalent is normalized_quantity × kg_factor. Stored with the item so a report keeps its
-- kilogram equivalent when a factor changes later.
ALTER TABLE seizure_items ADD COLUMN kg_factor TEXT;

-- Existing reports' items get the factor that applies now (the seed above), or none; their
-- quantities as reported are untouched.
UPDATE seizure_items SET kg_factor = '1' WHERE normalized_unit = 'kg';
UPDATE seizure_items SET kg_factor = (
    SELECT f.kg_per_unit FROM conversion_factors f
    WHERE f.substance = seizure_items.substance AND f.unit = seizure_items.normalized_unit
) WHERE normalized_unit IN ('l', 'tablets', 'pieces');
