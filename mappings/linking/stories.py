"""One story once: articles that publish the same story again (another site, a byline, a caption or a sentence
apart) are found by MinHash over their word 5-grams and locality-sensitive hashing (datasketch), near-linear in
the corpus: each article is compared only with those that share a band of its signature.

A story's copies are linked with `vk:sameStoryAs`; its first copy (the earliest published, then the first by
identifier) is its original, whose meeting the copies report: one meeting, not one per copy.

    >>> text = " ".join(f"Đoạn {i}: hội nghị tổng kết thực hiện Chỉ thị số 39-CT/TW tại huyện thứ {i}." for i in range(40))
    >>> copies = {"a": fingerprint(text), "b": fingerprint(text + " Ảnh: Minh Hà."), "c": fingerprint(text[:900])}
    >>> stories(copies, {"a": "2024-05-27", "b": "2024-05-28", "c": None})
    {'a': ('a', 'b'), 'b': ('a', 'b')}
"""
from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

PERMUTATIONS = 64
SHINGLE = 5            # words per shingle
SAME_STORY = 0.8       # estimated Jaccard similarity of shingles above which two articles are one story
SCHEME = "affine32"    # datasketch's hashing scheme: signatures made with one are compared with the same


def fingerprint(text: str) -> bytes:
    """The MinHash signature of the text's word 5-grams (case folded: the text is NFC already), as bytes."""
    words = text.casefold().split()
    shingles = {" ".join(words[i:i + SHINGLE]).encode() for i in range(max(1, len(words) - SHINGLE + 1))}
    minhash = MinHash(num_perm=PERMUTATIONS, seed=1, scheme=SCHEME, hashfunc=zlib.crc32)   # C-fast, stable
    minhash.update_batch(list(shingles))   # a minimum: the order does not matter
    return bytes(minhash.hashvalues.astype(np.uint64).tobytes())


def stories(fingerprints: Mapping[str, bytes], published: Mapping[str, str | None]) -> dict[str, tuple[str, ...]]:
    """Article → the copies of its story (the original first), for every article that has a copy."""
    # Lean: made from the hash values alone (a MinHash draws its permutations again, 0.2 ms an article)
    signatures = {article: LeanMinHash(seed=1, scheme=SCHEME, hashvalues=np.frombuffer(value, dtype=np.uint64))
                  for article, value in fingerprints.items()}
    index = MinHashLSH(threshold=SAME_STORY, num_perm=PERMUTATIONS)
    for article in sorted(signatures):
        index.insert(article, signatures[article])
    parent = {article: article for article in signatures}

    def root(article: str) -> str:
        while parent[article] != article:
            parent[article] = parent[parent[article]]
            article = parent[article]
        return article

    for article in sorted(signatures):
        for other in index.query(signatures[article]):
            if other != article and signatures[article].jaccard(signatures[other]) >= SAME_STORY:
                parent[max(root(article), root(other))] = min(root(article), root(other))
    groups: dict[str, list[str]] = {}
    for article in signatures:
        groups.setdefault(root(article), []).append(article)
    out: dict[str, tuple[str, ...]] = {}
    for members in groups.values():
        if len(members) > 1:
            ordered = tuple(sorted(members, key=lambda a: (published.get(a) or "9999", a)))
            out.update((member, ordered) for member in ordered)
    return out
