-- An assignment set in a forum channel with a tag: a member's post there carrying the tag is
-- their hand-in.
ALTER TABLE assignments ADD COLUMN forum_tag INTEGER;
