-- A provision's end now cancels its user's cards in the same transaction (see
-- crates/store/src/cards/ending.rs). Cards of provisions that ended before that rule are
-- cancelled here the same way, so no card of an ended provision can pay. (Their PENDING 3DS
-- challenges expire on their own timers, which now run for ended users too.)
UPDATE cards SET status = 'CANCELLED', cancellation_reason = 'OTHER'
WHERE status IN ('ACTIVE', 'DEACTIVATED', 'PIN_TRIES_EXCEEDED')
  AND user_id IN (
    SELECT user_id FROM provisions
    WHERE status IN ('CANCELLED', 'CLOSED', 'FAILED') AND user_id IS NOT NULL
  );
