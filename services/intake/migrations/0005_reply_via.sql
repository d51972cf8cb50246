-- How each petitioner wants to hear of the answer and of the commitment made on it
-- (ReplyVia): '' when they did not say, and the contact decides (SMS to a phone number,
-- e-mail to an address with "@").
ALTER TABLE intake.opinions ADD COLUMN reply_via text NOT NULL DEFAULT '';
