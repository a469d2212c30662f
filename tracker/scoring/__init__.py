"""Lead scoring against a sponsor's Ideal Customer Profile."""
