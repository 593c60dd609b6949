"""Policy packs: targets, norms and parameters as YAML, each citing its clause."""
