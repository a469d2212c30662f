"""Staff-facing pages; thin: scoping in tracker.tenancy, sums in model querysets and tracker.analytics.costs."""
