"""The one exception tree of camaudit.

    CamauditError
    ├── ScopeError            a target is malformed, or outside what the user allowed (public ranges)
    ├── InputError            bad input from a person or a file; the message names file and line
    │   ├── BadImportFile     an import file (nmap XML, CSV register, pcap, …) cannot be read
    │   ├── DataFileError     a shipped or user data file (fingerprints, CVEs, packs) fails validation
    │   └── CredentialsError  a credentials file is malformed (its contents are never echoed)
    ├── ProtocolError         bytes from a device do not parse (malformed, truncated, oversized, hostile)
    │   └── MessageTooLarge   more bytes than the codec's cap
    └── LabError              the emulated lab cannot start or stop (ports taken, no namespaces)

Failures while probing a device are not raised to the caller: they become
`camaudit.model.ProbeAttempt` records (sslyze's "errors as data").
"""

from __future__ import annotations


class CamauditError(Exception):
    """Base of every error camaudit raises on purpose."""


class ScopeError(CamauditError):
    """A target cannot be parsed, or is not allowed by the scope rules."""


class InputError(CamauditError):
    """Bad input from a person or a file."""


class BadImportFile(InputError):
    """An import file cannot be read."""


class DataFileError(InputError):
    """A data file fails validation; the message names the file, line and key."""


class CredentialsError(InputError):
    """A credentials file is malformed; the message never contains a secret."""


class ProtocolError(CamauditError):
    """Bytes from a device do not parse."""


class MessageTooLarge(ProtocolError):
    """A message is larger than the codec's cap."""


class LabError(CamauditError):
    """The emulated lab cannot start or stop."""
