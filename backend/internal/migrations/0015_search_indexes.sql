-- Household search without visiting the table for rows it does not return (bench at 1.5 M
-- households, docs/benchmarks.md). The search first picks a page of keys from an index alone
-- (an index-only scan: every column the query and the row-level security policy read is in
-- the index), then fetches those rows by primary key.
--
-- By name prefix: the name range and the division range are both index conditions, so a
-- two-character prefix reads the few matching entries of the county, whatever the area.
CREATE INDEX households_head_name_area ON households (county_code, head_name text_pattern_ops, division_code) INCLUDE (id);
DROP INDEX households_head_name;
ALTER INDEX households_head_name_area RENAME TO households_head_name;

-- By area (and a one-character prefix, which matches too many heads of a county to start
-- from the name): the area's entries in order, the head's name checked in the index.
CREATE INDEX households_division_name ON households (county_code, division_code, id) INCLUDE (head_name);
DROP INDEX households_division;
ALTER INDEX households_division_name RENAME TO households_division;
