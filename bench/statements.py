#!/usr/bin/env python3
"""Writes the statements one call made, as PostgreSQL logged them, as a pgbench script.

Usage: statements.py SERVER_LOG FIRST_LINE TABLE > call.sql

Reads the log from FIRST_LINE on (log_statement = 'all', the default log_line_prefix),
finds the backend that queried TABLE, and prints its transaction around that query, from
its BEGIN to its COMMIT, one command per line with each parameter put in its place.
Several statements sent as one message stay one command (joined by pgbench's "\\;"), so
the script makes the same round trips the call made. Run it with pgbench -M simple.
"""
import re
import sys

LINE = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] (LOG|DETAIL):  (.*)$")
PARAM = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")


def split_outside_quotes(sql):
    """The statements of one message, split at semicolons that are not inside quotes."""
    parts, current, quoted = [], "", False
    for ch in sql:
        if ch == "'":
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def main():
    log, first, table = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    by_backend = {}
    with open(log, encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            m = LINE.match(text.rstrip("\n"))
            if number < first or not m:
                continue
            pid, kind, rest = m.groups()
            sent = by_backend.setdefault(pid, [])
            if kind == "LOG" and (rest.startswith("statement: ") or rest.startswith("execute ")):
                sent.append(rest.split(": ", 1)[1])
            elif kind == "DETAIL" and rest.startswith("parameters: ") and sent:
                values = dict(PARAM.findall(rest))
                sent[-1] = re.sub(r"\$(\d+)", lambda p: values[p.group(1)], sent[-1])
    for sent in by_backend.values():
        hit = next((i for i, s in enumerate(sent) if table in s), None)
        if hit is None:
            continue
        start = max(i for i in range(hit + 1) if sent[i].startswith("BEGIN"))
        end = next(i for i in range(hit, len(sent)) if sent[i].endswith("COMMIT"))
        for message in sent[start:end + 1]:
            print(" \\; ".join(split_outside_quotes(message)) + ";")
        return 0
    sys.exit(f"no statement on {table} in {log} from line {first}")


if __name__ == "__main__":
    sys.exit(main())
