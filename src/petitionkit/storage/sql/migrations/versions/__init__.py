"""Migration revisions, oldest first: ``0001`` creates the schema, later ones change it."""
