"""The result views: one MongoDB document per collected item, built from ResultsCollected events."""
