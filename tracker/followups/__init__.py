"""Follow-ups, one module per concern: routing (who), sla (by when), creation, history, digest."""
