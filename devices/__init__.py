"""Device families (gloves, trackers, cameras, hands, tactile, body), samples and backends."""
