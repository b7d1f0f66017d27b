"""Built-in backends, registered as plugins through the public hooks."""
