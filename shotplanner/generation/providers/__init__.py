"""One module per HTTP API; each class implements ``generation.base.Provider``."""
