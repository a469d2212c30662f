"""The lead lists: their table and filters (the models are in ``tracker.models.leads``)."""
