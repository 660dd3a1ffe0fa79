"""The only code that opens sockets to devices: scope, rate, concurrency, timeouts and byte caps.

    limits.py     Limits, and the Gate every connection or datagram passes (scope, concurrency, rate)
    connector.py  Connector: TCP, TLS and UDP exchanges of ReadOnlyRequests, failures as ProbeAttempts
    tcp.py udp.py one exchange on each transport, bounded
    outcome.py    errors as data: an exception becomes a status and a reason
    readonly.py   ReadOnlyRequest, the one request type anything may send
    web.py        the HTTP helpers shared by probes and verifications (Host value, completion, parsing)

Probes (`sources/probes`) and verifications (`assess/verify`, `assess/authenticated`) use these; multicast
discovery (`sources/multicast`) is the one other place that sends, to groups rather than hosts.
"""
