"""Parameters every neural classifier shares (token units, vocabulary, training budget).

Declared once here so each family's plugin lists them without importing torch.
"""
from .components import Param

NEURAL_TRAINING_PARAMS = (
    Param("units", str, "word", "Token units: 'word' (whitespace tokens after preprocessing) or"
          " 'subword' (a BPE tokenizer trained on the training split).", choices=("word", "subword")),
    Param("vocab_size", int, 30000, "Largest vocabulary (words) or BPE vocabulary size (subwords)."),
    Param("min_freq", int, 2, "Words seen fewer times in the training split map to <unk>."),
    Param("max_len", int, 200, "Tokens kept per text (the rest is cut)."),
    Param("epochs", int, 8, "Most epochs; early stopping may end sooner."),
    Param("batch_size", int, 32, "Texts per batch (batches group texts of similar length)."),
    Param("lr", float, 0.002, "AdamW learning rate."),
    Param("weight_decay", float, 0.0, "AdamW weight decay."),
    Param("clip_norm", float, 1.0, "Gradient-norm clipping (0 turns it off)."),
    Param("patience", int, 3, "Epochs without a better validation macro-F1 before stopping."),
    Param("class_weights", bool, True, "Weight the loss by inverse class frequency."),
    Param("max_steps", int, 0, "Stop after this many optimizer steps in total (0: no limit)."),
)
