"""Admin of scenario assumptions and runs (filled by the scenario-runs work)."""
