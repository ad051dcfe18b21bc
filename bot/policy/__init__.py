"""Pure policy: plain data in, plain data out, an injected clock, no I/O.

Each module holds one policy (triage table, business hours, SLA clocks, assignment, and
others); the pipeline and handlers call them and persist what they return.
"""
