"""Reading: the bytes of an article file → `Article`, its header fields and its body normalised (NFC, offsets kept).

In: a path. Out: `Article` (`article.py`, the only module that reads article files). `text.py` holds the
normalisation steps that keep character offsets, and the folding later stages use for keys and slugs.
May import: nothing else of vankien (the first stage).
"""
