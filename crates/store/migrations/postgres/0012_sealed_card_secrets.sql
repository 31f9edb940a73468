-- Card secrets at rest (see core::sealing): cards.pan and card_cvc2s.cvc2 hold sealed values
-- from now on. The key is out of SQL's reach, so rows written before this are sealed by the
-- store in Rust when the server starts (SqlStore::seal_card_secrets, idempotent).
-- pan_digest is the PAN's keyed hash (HMAC): each seal has a fresh nonce, so uniqueness of PANs
-- is kept on the hash. pan_last_four is what a card shows of its PAN, read without the key.
ALTER TABLE cards ADD COLUMN pan_digest TEXT;
ALTER TABLE cards ADD COLUMN pan_last_four TEXT;
UPDATE cards SET pan_last_four = substr(pan, length(pan) - 3);
CREATE UNIQUE INDEX cards_by_pan_digest ON cards (pan_digest);
