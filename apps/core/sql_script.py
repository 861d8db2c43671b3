"""Split a migration's SQL script into its statements, for `RunSQL([...])`.

Django splits a script given as one string with sqlparse, which keeps a plpgsql function
and the statements after it together when the body ends `END $$;`. Plain PostgreSQL runs
such a string anyway; a Citus coordinator forwards the function to its workers as one
prepared statement, which refuses several commands. Giving RunSQL a list avoids both.
"""

from __future__ import annotations


def sql_statements(script: str) -> list[str]:
    """Return the statements of `script`: each ends with `;` at the end of a line outside
    a `$$`-quoted body (the convention of this project's migrations)."""
    statements: list[str] = []
    current: list[str] = []
    in_body = False
    for line in script.splitlines():
        current.append(line)
        if line.count("$$") % 2:
            in_body = not in_body
        if not in_body and line.rstrip().endswith(";"):
            statement = "\n".join(current).strip()
            if statement != ";":
                statements.append(statement)
            current = []
    rest = "\n".join(current).strip()
    if rest:
        statements.append(rest)
    return statements
