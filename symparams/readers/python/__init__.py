"""Python itself, read without running it: the interpreter (its statements, expressions,
operators, formatting and calls), its builtins, values, scopes and limits, and what every
framework host shares (host.py, hostkit.py, base_host.py)."""
