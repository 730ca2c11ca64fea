"""The API's routes, one module per part: the experiments, the catalog as a whole, and its change events."""
