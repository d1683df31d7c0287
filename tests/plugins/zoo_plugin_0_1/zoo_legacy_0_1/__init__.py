"""Written for nlp-zoo 0.1 and left unchanged since."""
