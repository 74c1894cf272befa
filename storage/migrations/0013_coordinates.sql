-- Where units and crossing points are, for the digest's map and (later) the seizure records:
-- latitude and longitude in decimal degrees (WGS 84), both NULL while unknown. The repositories
-- write the two together. SQL kept to what PostgreSQL also accepts (REAL, column CHECKs).
--
-- Seeded for the 13 mobile teams at their cities' centres (Sirdaryo's team at Guliston, the
-- region's centre). Crossing points get theirs from the admin who adds them.

ALTER TABLE units ADD COLUMN latitude REAL CHECK (latitude BETWEEN -90 AND 90);
ALTER TABLE units ADD COLUMN longitude REAL CHECK (longitude BETWEEN -180 AND 180);
ALTER TABLE crossing_points ADD COLUMN latitude REAL CHECK (latitude BETWEEN -90 AND 90);
ALTER TABLE crossing_points ADD COLUMN longitude REAL CHECK (longitude BETWEEN -180 AND 180);

UPDATE units SET latitude = 40.7821, longitude = 72.3442 WHERE code = 'IMT-AND';
UPDATE units SET latitude = 39.7747, longitude = 64.4286 WHERE code = 'IMT-BUK';
UPDATE units SET latitude = 40.1158, longitude = 67.8422 WHERE code = 'IMT-JIZ';
UPDATE units SET latitude = 38.8606, longitude = 65.7891 WHERE code = 'IMT-KAR';
UPDATE units SET latitude = 40.9983, longitude = 71.6726 WHERE code = 'IMT-NAM';
UPDATE units SET latitude = 40.0844, longitude = 65.3792 WHERE code = 'IMT-NAV';
UPDATE units SET latitude = 41.5500, longitude = 60.6333 WHERE code = 'IMT-URG';
UPDATE units SET latitude = 41.2995, longitude = 69.2401 WHERE code = 'IMT-TAS';
UPDATE units SET latitude = 39.6542, longitude = 66.9597 WHERE code = 'IMT-SAM';
UPDATE units SET latitude = 42.4531, longitude = 59.6103 WHERE code = 'IMT-NUK';
UPDATE units SET latitude = 37.2242, longitude = 67.2783 WHERE code = 'IMT-TER';
UPDATE units SET latitude = 40.3864, longitude = 71.7864 WHERE code = 'IMT-FER';
UPDATE units SET latitude = 40.4897, longitude = 68.7842 WHERE code = 'IMT-SIR';
