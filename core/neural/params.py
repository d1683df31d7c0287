"""Parameters every neural model built on :mod:`nlpzoo.neural` shares, in groups kept apart.

Declared here, apart from :mod:`nlpzoo.neural`, so a plugin's declaration imports no torch::

    from nlpzoo.neural.params import NEURAL_PARAMS             # a classifier's: vocabulary + training + classification
    from nlpzoo.neural.params import NEURAL_REGRESSION_PARAMS  # a regressor's: vocabulary + training + regression

A plugin lists its own architecture parameters (embedding size, hidden size, ...) beside them.
Every range is checked by the core before a run starts; ``search`` is the space ``zoo tune``
searches by default (a user's space file overrides it).
"""
from ..machinery.components import Param, Search


VOCABULARY_PARAMS = (
    Param("units", str, "word", "Token units: 'word' (whitespace tokens after preprocessing), 'subword' (a BPE"
          " tokenizer trained on the training split) or 'pretrained' (the 'tokenizer' parameter's).",
          choices=("word", "subword", "pretrained")),
    Param("tokenizer", str, "", "units=pretrained: a Hugging Face tokenizer (hub id or local folder)."),
    Param("vocab_size", int, 30000, "Largest vocabulary (words) or BPE vocabulary size (subwords).", min=10),
    Param("min_freq", int, 2, "Words seen fewer times in the training split map to <unk>.", min=1,
          search=Search.range(1, 3)),
    Param("max_len", int, 200, "Tokens kept per text (the rest is cut).", min=1),
    Param("embeddings", str, "", "Word vectors the embedding rows start from: a folder written by 'zoo embed', or"
          " a word2vec .vec/.bin file (fastText cc.ar.300.vec, AraVec); embedding_dim must match."),
    Param("freeze_embeddings", bool, False, "Keep the starting word vectors fixed while training (with embeddings)."),
)

TRAINING_PARAMS = (
    Param("epochs", int, 8, "Most epochs; early stopping may end sooner.", min=1, budget=True),
    Param("batch_size", int, 32, "Texts per batch (batches group texts of similar length).", min=1,
          search=Search.among(16, 32, 64)),
    Param("lr", float, 0.002, "AdamW learning rate.", min=1e-7, max=1.0, search=Search.range(3e-4, 1e-2, log=True)),
    Param("weight_decay", float, 0.0, "AdamW weight decay.", min=0.0, search=Search.among(0.0, 1e-4, 1e-2)),
    Param("clip_norm", float, 1.0, "Gradient-norm clipping (0 turns it off).", min=0.0),
    Param("patience", int, 3, "Epochs without a better validation score before stopping.", min=1,
          budget=True),
    Param("max_steps", int, 0, "Stop after this many optimizer steps in total (0: no limit).", min=0,
          budget=True),
)

CLASSIFICATION_PARAMS = (
    Param("class_weights", bool, True, "Weight the loss by inverse class frequency.",
          search=Search.among(True, False)),
)

REGRESSION_PARAMS = (
    Param("loss", str, "huber", "Loss on standardised scores.", choices=("huber", "mse")),
    Param("select_by", str, "spearman", "Validation score that picks the best epoch and stops early.",
          choices=("spearman", "rmse")),
)

DISTILLATION_PARAMS = (
    Param("teacher", str, "", "Learn from a finished run of the same kind (encoder, ensemble, tfidf-logreg, ...):"
          " its folder. The teacher's outputs for the training texts (and distill_texts) are computed once."),
    Param("distill_alpha", float, 0.5, "teacher: the gold labels' share of the loss (0: the teacher's alone).",
          min=0.0, max=1.0, search=Search.among(0.0, 0.25, 0.5)),
    Param("distill_temperature", float, 2.0, "teacher: the temperature softening both distributions"
          " (classifiers).", min=0.05, max=100.0, search=Search.among(1.0, 2.0, 4.0)),
    Param("distill_texts", str, "", "teacher: unlabelled texts it labels softly (a text file, CSV/TSV, or a"
          " scrape's JSON Lines), added to the training texts."),
)

NEURAL_PARAMS = VOCABULARY_PARAMS + TRAINING_PARAMS + CLASSIFICATION_PARAMS + DISTILLATION_PARAMS
NEURAL_REGRESSION_PARAMS = VOCABULARY_PARAMS + TRAINING_PARAMS + REGRESSION_PARAMS + DISTILLATION_PARAMS
NEURAL_TRAINING_PARAMS = NEURAL_PARAMS  # the name nlp-zoo 0.1 used
