"""The zoo's own exception types (the CLI turns each into one red line and exit code 2), and how an error
raised inside a plugin's code is attributed to that plugin."""
from __future__ import annotations

import difflib
from contextlib import contextmanager
from typing import Callable


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


class BrokenCheckError(ParameterError):
    """Parameter values that break one of the component's declared ``Check`` rules over several
    parameters (each value fine on its own); ``zoo tune`` prunes such a trial instead of failing it."""


class RegistryError(ZooError):
    """registry.toml (built-in or the user's) is invalid: the message names the file and key."""


class DataError(ZooError):
    """A dataset that cannot be used as given: the message names the file, row or column."""


class RunDirError(ZooError):
    """A run directory that is missing, corrupted or was written by something else."""


class DownloadError(ZooError):
    """A dataset download failed or did not match its checksum; nothing was left behind."""


class TrainingDivergedError(ZooError):
    """The training loss became NaN or infinite."""


class PluginError(Exception):
    """A plugin's own code raised: the message names the plugin and its distribution, so its bug is
    reported to its authors rather than taken for the zoo's. The original exception is ``__cause__``."""

    def __init__(self, kind: str, name: str, plugin: str, distribution: str, version: str, action: str,
                 error: BaseException):
        self.kind, self.name, self.plugin, self.distribution, self.version = kind, name, plugin, distribution, version
        self.action, self.error = action, error
        first = (str(error).strip().splitlines() or [""])[0]
        origin = f"preset '{name}' from {distribution}" if plugin == "registry" else \
            f"plugin '{plugin}' ({distribution} {version})".rstrip()
        super().__init__(f"{kind} '{name}' failed in {action}: {type(error).__name__}: {first} [{origin}]")


_FROM_CALLER = "_nlpzoo_raised_by_caller"


def caller_callback(callback: Callable | None) -> Callable | None:
    """Wrap a callback the caller hands to plugin code (``FitSettings.on_epoch``): what it raises
    (a pruning signal, say) reaches the caller unchanged instead of being blamed on the plugin."""
    if callback is None:
        return None

    def call(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except Exception as error:
            setattr(error, _FROM_CALLER, True)
            raise

    return call


@contextmanager
def plugin_code(component, action: str):   # component: an nlpzoo.Component
    """Run a plugin's code; an exception that is not the zoo's own names the plugin and its
    distribution, so a plugin's bug is not reported as the zoo's."""
    try:
        yield
    except (ZooError, PluginError, KeyboardInterrupt):
        raise
    except Exception as error:  # noqa: BLE001 - re-raised with the plugin named
        if getattr(error, _FROM_CALLER, False):
            raise
        raise PluginError(component.kind, component.name, component.plugin, component.distribution,
                          component.version, action, error) from error
