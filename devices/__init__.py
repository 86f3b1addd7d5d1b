"""Device families (gloves, trackers, cameras, hands, tactile, body), their sample type and backends."""
