-- The day the agency first reported on a commitment, so that a late report stays counted
-- as late after it has come (Commitment.report_date, report_late). Reports recorded before
-- this column existed have no date here and are not counted either way.
ALTER TABLE supervision.commitments ADD COLUMN report_date date;
