-- Reserved: number 0014 is the routes' and seizure coordinates' migration, made on another
-- branch at the same time as 0015. This placeholder keeps the numbering without gaps until they
-- meet; it does nothing, and is deleted when the two branches are merged.
SELECT 1;
