"""Every kind of audit, end to end; the CLI, the demo and (later) the web only call these.

    scan.py     the active audit: probe, identify, assess, record host by host (`run_scan`, `scan`)
    traffic.py  the passive audit of captures and logs: identify, egress, record
    policy.py   policy's inputs from the register or a scan file, and its verdicts recorded

Engines never print: progress goes to callbacks, results come back as values.
"""
