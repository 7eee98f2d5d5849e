"""The `vankien` command: `build`, `explain`, `serve`, `rollback` (`commands.py`); `explain.py` prints each
mention of an article with its rule, span and context.

In: the command line. Out: exit codes and messages (0 all published, 3 some articles left out, 2 an error).
May import: everything, `server` included (for `serve`); nothing imports it.
"""
