"""Publication: the OCDS release builder, immutable releases, partner tokens, questions."""
