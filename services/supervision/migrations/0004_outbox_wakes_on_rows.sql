-- supervision's outbox wakes its relay only when an insert added rows (planning's 0016).
SELECT tenancy.wake_relay_on_rows('supervision');
