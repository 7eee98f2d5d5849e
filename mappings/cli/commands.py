"""The `vankien` command: build | explain | serve | rollback."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mappings.build.pipeline import ARTICLE_TIMEOUT_S, DEFAULT_BASE, build
from mappings.cli.explain import explain_lines
from mappings.extraction.mentions import extract
from mappings.publishing.publish import PublishError, rollback
from mappings.publishing.remote import publish_remote
from mappings.publishing.sparql_http import Endpoint, StoreError
from mappings.reading.article import MAX_BYTES, MAX_HEADER, ArticleFormatError, file_text
from mappings.reading.sources import find_sources, parse_source, read_source

PROJECT = Path(__file__).resolve().parents[2]
PUBLISH_TIMEOUT_S = 3600.0  # one update request to a remote store (the switch moves every changed graph)
EXIT_REJECTED = 3   # published, but some articles were left out (bad input, SHACL violations, an error of theirs)
EXIT_PIPE = 141     # stdout closed by the reader (`| head`): 128 + SIGPIPE, as a shell reports it
INPUTS = f"""inputs: each PATH is a folder (walked recursively) or a file; extensions in any case.
  .txt         a text article, UTF-8 (or UTF-16 with its byte-order mark), at most {MAX_BYTES} bytes: optional
               header lines first, in any order, then the body (its first line is the title unless a title
               header is given):
                 date 2024-05-27         publication date, YYYY-MM-DD or YYYY-MM (a title may follow on the line)
                 url https://...         the source, http(s) only
                 title ...               the headline
               each header value at most {MAX_HEADER} characters; the identifier is the file name without .txt
  .html .htm   a saved web page: its main text (never menus, related-news boxes, share bars, footers), the
               headline as title, the canonical URL as source, the publication date of its metadata
  .warc .warc.gz
               a web archive: each HTML response with status 200 is an article (its target URI the source);
               images, scripts, redirects, errors are skipped and counted
  A page's or a record's identifier comes from its canonical URL. Any other file, one that cannot be read,
  and a symbolic link leading outside the folder are named on stderr with the reason (exit 3)."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except BrokenPipeError:  # the reader stopped reading (`vankien explain FILE | head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so that the exit's flush does not fail
        return EXIT_PIPE
    except (ArticleFormatError, FileNotFoundError, PublishError, StoreError, ValueError) as err:
        print(f"vankien: {err}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vankien", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    cmd = commands.add_parser("build", help="extract, validate and publish the articles of folders and files",
                              epilog=INPUTS, formatter_class=argparse.RawDescriptionHelpFormatter)
    cmd.add_argument("--articles", type=Path, nargs="+", default=[PROJECT / "seeds"], metavar="PATH",
                     help="folders and files of articles: .txt, .html, .htm, .warc, .warc.gz (see below; "
                          "default: seeds/)")
    cmd.add_argument("--out", type=Path, default=PROJECT / "data", help="data directory (builds, store, dumps)")
    cmd.add_argument("--base-uri", default=DEFAULT_BASE, help="IRI prefix of every resource")
    cmd.add_argument("--keep", type=int, default=3, help="complete builds kept for rollback")
    cmd.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per CPU)")
    cmd.add_argument("--article-timeout", type=float, default=ARTICLE_TIMEOUT_S, metavar="S",
                     help="seconds one article may take to be read, extracted and linked; an article that takes "
                          f"longer is left out and named (exit 3), the others go on (default {ARTICLE_TIMEOUT_S:g}; "
                          "0: no limit)")
    cmd.add_argument("--anew", action="store_true",
                     help="build everything anew; by default a build is made from the published one and pays only "
                          "for the articles added, changed or removed (the result is the same)")
    cmd.add_argument("--store", metavar="URL", help="also publish into this remote SPARQL store (its query URL)")
    cmd.add_argument("--store-update", metavar="URL", help="the store's SPARQL Update URL (default: --store)")
    cmd.add_argument("--store-union-graph", metavar="IRI",
                     help="write the union of the graphs into this graph, not the default graph (Virtuoso)")
    cmd.set_defaults(run=_build)
    cmd = commands.add_parser("explain", help="print each mention of an article (.txt, .html, .warc ...) with "
                                              "its rule and context")
    cmd.add_argument("file", type=Path)
    cmd.set_defaults(run=_explain)
    cmd = commands.add_parser("serve", help="serve the published data (or one RDF file) over HTTP")
    source = cmd.add_mutually_exclusive_group()
    source.add_argument("--data", type=Path, help=f"data directory of `vankien build` (default {PROJECT / 'data'})")
    source.add_argument("--dataset", type=Path,
                        help="serve this file instead: TriG, N-Quads, Turtle, N-Triples or RDF/XML, by extension")
    source.add_argument("--store", metavar="URL",
                        help="serve what `vankien build --store` published into this SPARQL store (its query URL)")
    cmd.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    cmd.add_argument("--port", type=int, help="port (default 8000)")
    cmd.add_argument("--base-uri", metavar="URL",
                     help="the public address behind a proxy, http(s)://host[:port]/, for canonical URLs, VoID and "
                          "dump links (default: the address each request came to); the IRIs stay the data's")
    cmd.add_argument("--dataset-base", metavar="URI",
                     help="what the IRIs of --dataset or --store start with (<URI>id/...; default: --base-uri, "
                          f"else {DEFAULT_BASE}); a build's manifest says it")
    cmd.add_argument("--keep-default-graph", action="store_true",
                     help="serve the --dataset file's own default graph even when it is empty (by default an "
                          "empty one is the union of the named graphs, as in a build)")
    cmd.add_argument("--workers", type=int, metavar="N",
                     help="processes that make the resource pages of a build, so first visits use every core "
                          "(default: one per CPU; 0: in the server process)")
    cmd.set_defaults(run=_serve)
    cmd = commands.add_parser("rollback", help="publish the previous kept build again")
    cmd.add_argument("--out", type=Path, default=PROJECT / "data")
    cmd.set_defaults(run=lambda a: print(f"current -> {rollback(a.out)}") or 0)
    return parser


def _build(args: argparse.Namespace) -> int:
    endpoint = Endpoint(args.store, args.store_update or args.store, PUBLISH_TIMEOUT_S) if args.store else None
    try:
        result = build(args.articles, args.out, base=args.base_uri, keep=args.keep, jobs=args.jobs,
                       article_timeout=args.article_timeout, anew=args.anew)
    except FileNotFoundError:
        raise
    except OSError as error:  # a full disk, a directory that cannot be written
        raise PublishError(f"{args.out}: the build stopped, the published dataset is unchanged: {error}") from None
    assert result.published is not None
    if result.unchanged:
        print(f"nothing changed: build {result.published.build_id} stays published, {result.articles} articles "
              f"-> {result.published.path}")
    else:
        print(f"published build {result.published.build_id}: {result.articles} articles "
              f"({result.extracted} extracted anew) -> {result.published.path}")
        if result.reused:
            print(f"made from the previous build: {result.reused} article graphs taken as they were, "
                  f"{result.articles - result.reused} written anew")
    if endpoint is not None:
        try:
            sent = publish_remote(result.published.path, endpoint, args.base_uri, args.store_union_graph)
        except StoreError as error:
            raise StoreError(f"{error}\nthe store keeps the graphs it held before this build") from None
        print(f"published build {sent.build_id} into {args.store}: {sent.sent} graphs sent, "
              f"{sent.unchanged} unchanged, {sent.dropped} dropped")
    if result.left_out:
        print(f"{sum(map(len, result.left_out.values()))} fact(s) left out of {len(result.left_out)} published "
              f"article(s), SHACL rejects them: {', '.join(sorted(result.left_out))}", file=sys.stderr)
    if result.skipped:
        print(f"{len(result.skipped)} file(s) not read: {', '.join(sorted(result.skipped))}", file=sys.stderr)
    if result.rejected:
        print(f"{len(result.rejected)} article(s) not published: {', '.join(sorted(result.rejected))}", file=sys.stderr)
    return EXIT_REJECTED if result.rejected or result.skipped else 0


def _explain(args: argparse.Namespace) -> int:
    """Each article of the file (a web archive has many: each is headed by its record), its mentions."""
    if args.file.is_dir():
        raise ValueError(f"{file_text(str(args.file))}: a folder; explain reads one file")
    found = find_sources([args.file])
    for line in found.skipped.values():
        raise ValueError(line)
    for source in found.sources:
        if len(found.sources) > 1:
            print(f"== {source.shown}")
        try:
            article = parse_source(source, read_source(source))
        except OSError as err:
            raise ValueError(f"{source.shown}: {err.strerror if err.filename else err}") from None
        for line in explain_lines(article, extract(article)):
            print(line)
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Flags over `VANKIEN_*` variables (limits and timeouts are set only there) over the defaults;
    without `--dataset`, the latest build, made from the seeds first if there is none."""
    import os
    from dataclasses import replace

    from server.http.config import Settings
    from server.main import serve

    flags = {"data_dir": args.data, "dataset": args.dataset, "store": args.store, "host": args.host,
             "port": args.port, "base_uri": args.base_uri, "dataset_base": args.dataset_base,
             "keep_default_graph": args.keep_default_graph or None, "page_workers": args.workers}
    environ = {"VANKIEN_DATA_DIR": str(PROJECT / "data"), **os.environ}
    settings = replace(Settings.from_env(environ), **{k: v for k, v in flags.items() if v is not None})
    if args.data is not None:
        settings = replace(settings, dataset=None, store=None)  # an explicit --data wins over VANKIEN_DATASET, _STORE
    data = settings.data_dir
    if settings.dataset is None and settings.store is None and not (data / "current").exists():
        print(f"no published build in {data}: building {PROJECT / 'seeds'} first", file=sys.stderr)
        build(PROJECT / "seeds", data, base=settings.dataset_base or settings.base_uri or DEFAULT_BASE)
    serve(settings)
    return 0
