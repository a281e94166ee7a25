"""Admin of partners, their API tokens, releases and questions (filled by the publication work)."""
