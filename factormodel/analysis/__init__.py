"""Per-area analysis: profiles, goals, scoring, recommendations, portfolios, uncertainty."""
