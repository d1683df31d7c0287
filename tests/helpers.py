"""Small settings that keep model tests fast while running the real code paths."""
TINY = {"embedding_dim": 16, "hidden_size": 16, "epochs": 3, "batch_size": 16, "lr": 0.01, "patience": 10,
        "dropout": 0.1, "min_freq": 1}
