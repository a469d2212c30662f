"""What the booth figures add up to: costs in one currency, the ROI funnel, the live booth board."""
