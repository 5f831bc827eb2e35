"""Prefect flows for ytclaims. They orchestrate; the work is in the ``ytclaims`` library."""


def split_db_arg(args: list[str]) -> tuple[list[str], str | None]:
    """``python -m flows.X ARGS... --db FILE``: the other arguments and the --db value."""
    args = list(args)
    if "--db" in args:
        i = args.index("--db")
        db = args[i + 1] if i + 1 < len(args) else None
        del args[i : i + 2]
        return args, db
    return args, None
