"""``zoo list``, ``zoo info`` and ``zoo plugins``: what is installed, without importing any model."""
from __future__ import annotations

import json

import click

from nlpzoo import PLUGIN_API, ZooError, kind_names

from . import main, zoo_from
from .output import print_table


KIND_CHOICES = [*kind_names(), *[k + "s" for k in kind_names()]]


def _component_row(c) -> dict:
    return {"name": c.name, "kind": c.kind, "plugin": c.plugin, "distribution": c.distribution,
            "version": c.version, "base": c.base, "description": c.description,
            "capabilities": c.capabilities}


@main.command("list")
@click.argument("kind", required=False, type=click.Choice(KIND_CHOICES))
@click.option("--pattern", default="*", help="Shell-style filter on names, e.g. '*gru*'.")
@click.option("--where", "where", multiple=True, metavar="KEY=VALUE",
              help="Keep components whose capability KEY equals VALUE (e.g. bidirectional=true).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def list_command(ctx, kind, pattern, where, as_json):
    """List components: name, kind, plugin/distribution, description."""
    kind = kind[:-1] if kind and kind.endswith("s") else kind
    components = zoo_from(ctx).list(kind, pattern)
    for condition in where:
        key, equals, value = condition.partition("=")
        if not equals or not key.strip():
            raise ZooError(f"--where {condition!r}: give KEY=VALUE, e.g. --where bidirectional=true"
                           " ('zoo info NAME' shows a component's capabilities).")
        components = [c for c in components if str(c.capabilities.get(key, "")).lower() == value.lower()]
    rows = [_component_row(c) for c in components]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    print_table(["name", "kind", "plugin", "distribution", "description"],
                [[r["name"], r["kind"], r["plugin"], r["distribution"] if r["plugin"] != "registry"
                  else f"preset of {r['base']}", r["description"]] for r in rows],
                title=f"{len(rows)} component{'' if len(rows) == 1 else 's'}", drop_first=("plugin", "distribution"))


@main.command("info")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def info_command(ctx, name, as_json):
    """Parameters, defaults, types and origin of a component."""
    from nlpzoo import api

    zoo = zoo_from(ctx)
    found = zoo.find(name)
    if not found:
        api.info(name, ctx.obj.get("registry") if ctx.obj else None)  # the unknown-name error, with close names
    entries = []
    for c in found:
        row = _component_row(c)
        row["params"] = api.describe(c)["params"]
        row["conflict"] = len(zoo.find(name)) > 1 and sum(x.kind == c.kind for x in found) > 1
        entries.append(row)
    if as_json:  # one component: an object; a name several kinds share: a list of them
        click.echo(json.dumps(entries[0] if len(entries) == 1 else entries, ensure_ascii=False, indent=2))
        return
    for row in entries:
        origin = (f"preset of '{row['base']}' from {row['distribution']}" if row["plugin"] == "registry"
                  else f"plugin '{row['plugin']}' from {row['distribution']} {row['version']}")
        click.secho(f"{row['name']} ({row['kind']})", bold=True)
        click.echo(f"  {row['description']}\n  source: {origin}")
        if row["capabilities"]:
            click.echo("  capabilities: " + ", ".join(f"{k}={v}" for k, v in row["capabilities"].items()))
        if row["conflict"]:
            click.secho("  conflict: another plugin registers the same name; building it fails until one"
                        " is disabled (ZOO_DISABLE_PLUGINS).", fg="yellow")
        print_table(["parameter", "type", "default", "allowed", "tune searches", "help"],
                    [[p["name"], p["type"], _shown(p["default"]), _allowed(p), p["search"] or "", p["help"]]
                     for p in row["params"]], drop_first=("tune searches",))


def _shown(value) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else repr(value)


def _allowed(param: dict) -> str:
    if param["choices"]:
        return " | ".join(map(str, param["choices"]))
    low, high = param["min"], param["max"]
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    return f">= {low:g}" if low is not None else f"<= {high:g}" if high is not None else ""


@main.command("plugins")
@click.option("--check", is_flag=True, help="Also import every component's factory and check its declaration and methods against its kind's contract.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def plugins_command(ctx, check, as_json):
    """Installed plugins: distribution, version, status and load errors."""
    if check:
        zoo = zoo_from(ctx)
        from nlpzoo import api

        rows = api.check_plugins(ctx.obj.get("registry") if ctx.obj else None)
        failed = [p for p in zoo.plugins if p.error] + [r for r in rows if not r["ok"]]
        if as_json:
            click.echo(json.dumps({"components": rows, "plugin_errors": [
                {"plugin": p.name, "distribution": p.distribution, "error": p.error} for p in zoo.plugins if p.error]},
                ensure_ascii=False, indent=2))
        else:
            print_table(["component", "kind", "plugin", "distribution", "check"],
                        [[r["component"], r["kind"], r["plugin"], r["distribution"], "ok" if r["ok"] else r["error"]]
                         for r in rows] + [[p.name, "-", p.name, p.distribution, p.error] for p in zoo.plugins if p.error],
                        title=f"{len(rows)} components checked, {len(failed)} problem(s)")
        if failed:
            ctx.exit(1)
        return
    plugins = zoo_from(ctx).plugins
    rows = [{"plugin": p.name, "module": p.module, "distribution": p.distribution, "version": p.version,
             "api": p.api, "status": p.status, "components": p.components, "error": p.error} for p in plugins]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    print_table(["plugin", "distribution", "version", "status", "components / error"],
                [[r["plugin"], r["distribution"], r["version"],
                  r["status"] + (f" (API {r['api']})" if r["api"] and r["api"] < PLUGIN_API else ""),
                  r["error"] or ", ".join(r["components"])] for r in rows],
                title=f"{len(rows)} plugin{'' if len(rows) == 1 else 's'}")
