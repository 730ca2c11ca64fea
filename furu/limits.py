"""What furu can store: the limits every value in a config must respect.

A config furu accepts must survive ``to_dict`` -> ``metadata.json`` ->
``from_dict`` unchanged. Hashing (:mod:`furu.identity`) counts against these
limits on its fast path; the careful walk (:mod:`furu.unhashable`) names the
value that breaks one.
"""

# The longest int furu stores, as text with its sign: pydantic's JSON reader stops there,
# whatever Python's own limit (sys.get_int_max_str_digits, PYTHONINTMAXSTRDIGITS) is.
MAX_INT_CHARS = 4300
# JSON nesting furu accepts in a config. pydantic reads JSON only up to ~200 levels, and
# metadata.json and bundle manifests wrap the config in a few levels of their own.
MAX_JSON_DEPTH = 180
# JSON levels each kind of value opens (an upper bound of what serialization writes:
# a tuple is {"__tuple__": [...]}, a dict may become {"__dict__": [[key, value], ...]}).
SEQUENCE_LEVELS = 2
SET_LEVELS = 2
MAPPING_LEVELS = 3
MODEL_LEVELS = 1
