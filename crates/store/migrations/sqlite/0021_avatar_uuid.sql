-- Issue 25: accounts and users show the avatar set with `avatar_uuid` (bunq's
-- `PUT …/monetary-account-bank/{id}`, `PUT /user-person/{id}`, `PUT /user-company/{id}`).
-- NULL shows the default avatar. Removing the avatar's owner sets the references back to NULL
-- in the removal's transaction.
ALTER TABLE monetary_accounts ADD COLUMN avatar_uuid TEXT REFERENCES avatars (uuid);
ALTER TABLE users ADD COLUMN avatar_uuid TEXT REFERENCES avatars (uuid);

-- An avatar's image size, read from the image's header when the avatar is made, so showing it
-- on an account or a user never reads the image. NULL on avatars made before this migration:
-- they are measured when read.
ALTER TABLE avatars ADD COLUMN width BIGINT;
ALTER TABLE avatars ADD COLUMN height BIGINT;
