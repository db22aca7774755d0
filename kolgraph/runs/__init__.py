"""Running algorithms over a workspace: read its tables, call the pure algorithms, write the results."""
