"""Reading: the paths given → sources → `Article`, its header fields and its body normalised (NFC, offsets kept).

In: paths (folders, files). Out: the sources found and what was skipped with why (`sources.py`, over `files.py`,
which alone opens input files: regular files only, sizes checked first), each source's `Article`: a text article
(`article.py`), a saved web page (`pages.py`: trafilatura, htmldate), a web archive's record (`archives.py`:
warcio); identifiers (`identifiers.py`). `text.py` holds the normalisation steps that keep character offsets, and
the folding later stages use for keys and slugs.
May import: nothing else of vankien (the first stage).
"""
