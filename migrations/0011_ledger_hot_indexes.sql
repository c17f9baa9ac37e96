-- Chat awards are most of the ledger, and a per-member index over them dirtied one page per
-- member in every batch: the commit's cost grew with the ledger (bench: 70k → 29k rows/s from
-- 100k to 500k rows). Members' own views list everything but chat row by row and show chat as
-- a total, so the per-member index leaves chat out; the time, reference and id indexes stay
-- append-only.
DROP INDEX points_ledger_by_member;
CREATE INDEX points_ledger_by_member ON points_ledger (member_id, id DESC) WHERE kind <> 'chat';
