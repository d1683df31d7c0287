"""`stanza-lemma`: lemmatisation with stanza's Arabic pipeline (models from ``stanza.download``).

The text arrives tokenised (one space between tokens), so stanza runs with
``tokenize_pretokenized=True``: each text is one pre-split sentence. Models are read from
``model_dir`` (default: stanza's own, ``$STANZA_RESOURCES_DIR`` or ``~/stanza_resources``) and
never downloaded here; a missing model is an error that prints the command to fetch it.
"""
from __future__ import annotations

import os

from nlpzoo import Component, Param, ZooError, hookimpl


def default_model_dir() -> str:
    return os.environ.get("STANZA_RESOURCES_DIR") or os.path.expanduser("~/stanza_resources")


class StanzaLemmatizer:
    def __init__(self, model_dir: str = "", processors: str = "tokenize,pos,lemma", batch_size: int = 1000,
                 device: str = "cpu"):
        import stanza
        from stanza.resources.common import ResourcesFileNotFoundError

        self.model_dir = os.path.expanduser(model_dir or default_model_dir())
        fetch = f"python -c \"import stanza; stanza.download('ar', model_dir='{self.model_dir}')\""
        try:
            self.pipeline = stanza.Pipeline(
                "ar", dir=self.model_dir, processors=processors, tokenize_pretokenized=True,
                download_method=None, allow_unknown_language=True, device=device,
                lemma_batch_size=batch_size, pos_batch_size=batch_size, logging_level="WARN")
        except (ResourcesFileNotFoundError, FileNotFoundError, OSError) as error:
            raise ZooError(
                f"stanza-lemma: no stanza Arabic models in {self.model_dir} ({type(error).__name__}). Fetch them once"
                f" (needs internet): {fetch}  or point the step at a folder that has them with a preset"
                " ([preprocessors.NAME] base = \"stanza-lemma\", model_dir = \"...\") or STANZA_RESOURCES_DIR."
            ) from None

    def transform(self, texts: list[str]) -> list[str]:
        sentences = [text.split() for text in texts]
        nonempty = [s for s in sentences if s]
        lemmas = iter([])
        if nonempty:
            doc = self.pipeline(nonempty)
            lemmas = iter([[w.lemma or w.text for w in sentence.words] for sentence in doc.sentences])
        return [" ".join(next(lemmas)) if s else "" for s in sentences]


@hookimpl
def register_preprocessors(register):
    register(Component(
        name="stanza-lemma",
        description="Lemmatise with stanza's Arabic pipeline (models from stanza.download or model_dir).",
        factory=StanzaLemmatizer,
        params=[Param("model_dir", str, "", "Folder with stanza's resources.json and ar/ models"
                      " (default: $STANZA_RESOURCES_DIR or ~/stanza_resources)."),
                Param("processors", str, "tokenize,pos,lemma", "stanza processors to run."),
                Param("batch_size", int, 1000, "Words per stanza batch."),
                Param("device", str, "cpu", "Device for stanza's models (cpu, cuda).")],
        capabilities={"language": "ar", "needs_download": True},
    ))
