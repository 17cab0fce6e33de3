-- The content key of each plain input file by its path, size and modification
-- time: importing an unchanged folder again recognises its files without
-- reading them. A file modified within two seconds of being read is not
-- remembered, since its time may not change when it changes again.
CREATE TABLE file_contents (
    path         VARCHAR PRIMARY KEY,
    size         BIGINT NOT NULL,
    modified_ms  DOUBLE NOT NULL,
    content      VARCHAR NOT NULL
);

-- Whose import each remembered file was: removing an athlete forgets their
-- files, so importing them again reads them. Files remembered before are not
-- known by athlete and are forgotten: each is read once more.
ALTER TABLE imported_files ADD COLUMN athlete_id VARCHAR;
DELETE FROM imported_files;
