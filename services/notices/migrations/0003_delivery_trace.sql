-- Each delivery remembers the trace of the request that queued it (its W3C traceparent),
-- so that the webhook's POST, sent later by the delivery worker, joins that trace.
ALTER TABLE notices.deliveries ADD COLUMN traceparent text NOT NULL DEFAULT '';
