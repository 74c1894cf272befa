-- Reference data an admin corrects without a release: the names of agencies, substances and
-- countries (agencies were renamed in recent years; the programme tells which names are current).
--
-- ``key`` is the option key the forms store in reports (bot/forms/definitions.py), never
-- renamed: a corrected name is shown everywhere, old reports included. Uzbek in Cyrillic is
-- not stored: it is transliterated from name_uz when shown (bot/translit.py). The seed is the
-- catalogs' translations at the time of this migration.
CREATE TABLE reference_names (
    kind        TEXT    NOT NULL CHECK (kind IN ('agency', 'substance', 'country')),
    key         TEXT    NOT NULL,
    name_uz     TEXT    NOT NULL,
    name_ru     TEXT    NOT NULL,
    name_en     TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    updated_by  BIGINT,
    PRIMARY KEY (kind, key)
);

INSERT INTO reference_names (kind, key, name_uz, name_ru, name_en, updated_at, updated_by) VALUES
    ('agency', 'sss', 'Davlat xavfsizlik xizmati', 'Служба государственной безопасности', 'State Security Service', '2026-12-06T00:00:00+00:00', NULL),
    ('agency', 'mia', 'Ichki ishlar vazirligi', 'Министерство внутренних дел', 'Ministry of Internal Affairs', '2026-12-06T00:00:00+00:00', NULL),
    ('agency', 'customs', 'Bojxona qo‘mitasi', 'Таможенный комитет', 'State Customs Committee', '2026-12-06T00:00:00+00:00', NULL),
    ('agency', 'ncdc', 'Narkotiklarni nazorat qilish milliy markazi', 'Национальный центр по контролю за наркотиками', 'NCDC', '2026-12-06T00:00:00+00:00', NULL),
    ('agency', 'border', 'Chegara qo‘shinlari', 'Пограничные войска', 'Border Troops', '2026-12-06T00:00:00+00:00', NULL),
    ('agency', 'prosecutor', 'Bosh prokuratura', 'Генеральная прокуратура', 'General Prosecutor''s Office', '2026-12-06T00:00:00+00:00', NULL),
    ('substance', 'heroin', 'Geroin', 'Героин', 'Heroin', '2026-12-06T00:00:00+00:00', NULL),
    ('substance', 'opium', 'Afyun', 'Опий', 'Opium', '2026-12-06T00:00:00+00:00', NULL),
    ('substance', 'hashish', 'Gashish', 'Гашиш', 'Hashish', '2026-12-06T00:00:00+00:00', NULL),
    ('substance', 'cannabis', 'Kannabis (marixuana)', 'Каннабис (марихуана)', 'Cannabis (marijuana)', '2026-12-06T00:00:00+00:00', NULL),
    ('substance', 'meth', 'Metamfetamin', 'Метамфетамин', 'Methamphetamine', '2026-12-06T00:00:00+00:00', NULL),
    ('substance', 'mephedrone', 'Mefedron', 'Мефедрон', 'Mephedrone', '2026-12-06T00:00:00+00:00', NULL),
    ('substance', 'synth_cann', 'Sintetik kannabinoidlar', 'Синтетические каннабиноиды', 'Synthetic cannabinoids', '2026-12-06T00:00:00+00:00', NULL),
    ('substance', 'tramadol', 'Tramadol', 'Трамадол', 'Tramadol', '2026-12-06T00:00:00+00:00', NULL),
    ('substance', 'pregabalin', 'Pregabalin', 'Прегабалин', 'Pregabalin', '2026-12-06T00:00:00+00:00', NULL),
    ('substance', 'psych_other', 'Boshqa psixotrop dori vositasi', 'Другой психотропный препарат', 'Other psychotropic medicine', '2026-12-06T00:00:00+00:00', NULL),
    ('substance', 'precursor', 'Prekursor (sirka angidridi va boshqalar)', 'Прекурсор (уксусный ангидрид и др.)', 'Precursor (acetic anhydride etc.)', '2026-12-06T00:00:00+00:00', NULL),
    ('substance', 'other', 'Boshqa modda', 'Другое вещество', 'Other substance', '2026-12-06T00:00:00+00:00', NULL),
    ('country', 'uz', 'O‘zbekiston', 'Узбекистан', 'Uzbekistan', '2026-12-06T00:00:00+00:00', NULL),
    ('country', 'af', 'Afg‘oniston', 'Афганистан', 'Afghanistan', '2026-12-06T00:00:00+00:00', NULL),
    ('country', 'tj', 'Tojikiston', 'Таджикистан', 'Tajikistan', '2026-12-06T00:00:00+00:00', NULL),
    ('country', 'kg', 'Qirg‘iziston', 'Кыргызстан', 'Kyrgyzstan', '2026-12-06T00:00:00+00:00', NULL),
    ('country', 'kz', 'Qozog‘iston', 'Казахстан', 'Kazakhstan', '2026-12-06T00:00:00+00:00', NULL),
    ('country', 'tm', 'Turkmaniston', 'Туркменистан', 'Turkmenistan', '2026-12-06T00:00:00+00:00', NULL),
    ('country', 'other', 'Boshqa davlat', 'Другая страна', 'Other country', '2026-12-06T00:00:00+00:00', NULL);
