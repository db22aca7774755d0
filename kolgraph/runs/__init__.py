"""The layer that runs things over a workspace (analyze, what-if, score, ...) and owns its files."""
