#!/usr/bin/env python3
"""Validates dsifuzz JSON output against docs/dsifuzz-output.schema.json.

    validate_json.py SCHEMA FILE...      exit 0 when every FILE is valid

Each error names the file, the path inside the document and what the schema
expected. `-` reads standard input.
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print("usage: validate_json.py SCHEMA FILE...", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    status = 0
    for path in argv[2:]:
        try:
            if path == "-":
                doc = json.load(sys.stdin)
            else:
                with open(path, encoding="utf-8") as f:
                    doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"{path}: not JSON: {e}", file=sys.stderr)
            status = 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors:
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            print(f"{path}: {where}: {e.message}", file=sys.stderr)
            # oneOf hides the branch's own errors: show the closest one.
            best = jsonschema.exceptions.best_match(e.context) if e.context else None
            if best is not None:
                inner = "/".join(str(p) for p in best.absolute_path) or "(top)"
                print(f"{path}:   {inner}: {best.message}", file=sys.stderr)
        if errors:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
