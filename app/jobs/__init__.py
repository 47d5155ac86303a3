"""Work off the request path: the worker processes and their periodic sweeps."""
