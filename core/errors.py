"""The zoo's own exception types. The CLI turns each into one red line and exit code 2."""
from __future__ import annotations

import difflib


class ZooError(Exception):
    """Base class: an error whose message already tells the user what to do next."""


class UnknownComponentError(ZooError):
    def __init__(self, kind: str, name: str, known: list[str]):
        self.kind, self.name, self.known = kind, name, sorted(known)
        close = difflib.get_close_matches(name, self.known, n=3, cutoff=0.6)
        message = f"Unknown {kind} '{name}'."
        if close:
            message += f" Did you mean: {', '.join(close)}?"
        message += f"\nKnown {kind}s: {', '.join(self.known) or '(none installed)'}."
        listing = "zoo list" if kind == "component" else f"zoo list {kind}s"
        message += f" Run '{listing}' to see them all."
        super().__init__(message)


class ComponentConflictError(ZooError):
    """Two plugins registered the same name for the same kind."""


class ParameterError(ZooError):
    """A parameter name or value that the component does not accept."""


class RegistryError(ZooError):
    """registry.toml (built-in or the user's) is invalid: the message names the file and key."""


class DataError(ZooError):
    """A dataset that cannot be used as given: the message names the file, row or column."""


class RunDirError(ZooError):
    """A run directory that is missing, corrupted or was written by something else."""


class DownloadError(ZooError):
    """A dataset download failed or did not match its checksum; nothing was left behind."""
