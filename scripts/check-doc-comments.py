#!/usr/bin/env python3
"""Checks that every `///` doc comment sits on its declaration, where DocC and Xcode read it:
directly above the declaration (attributes may come between), after the file's imports.
A block followed by an import, a blank line, a plain `//` comment, a closing brace or the
end of the file documents nothing. `scripts/check-doc-comments.py [DIR...]` (default
Sources Tests Fuzz bench) prints each misplaced block as `path:line: why` and exits 1 when
there is one. Reads text line by line: good enough to hold the rule, not a Swift parser."""
import os
import re
import sys

IMPORT = re.compile(r'^\s*(?:@[\w()]+\s+)*import\s')
DOC = re.compile(r'^\s*///')


def misplaced(lines):
    """(line number, reason) for each doc block of `lines` that documents no declaration."""
    last_import = max((i for i, line in enumerate(lines) if IMPORT.match(line)), default=-1)
    i = 0
    while i < len(lines):
        if not DOC.match(lines[i]):
            i += 1
            continue
        start = i
        while i < len(lines) and DOC.match(lines[i]):
            i += 1
        following = lines[i].strip() if i < len(lines) else None
        if start < last_import:
            yield start + 1, 'above the imports'
        elif following is None:
            yield start + 1, 'at the end of the file'
        elif following == '':
            yield start + 1, 'followed by a blank line'
        elif following.startswith('//'):
            yield start + 1, 'followed by a plain comment'
        elif following.startswith('}'):
            yield start + 1, 'followed by a closing brace'


def main():
    roots = sys.argv[1:] or [root for root in ['Sources', 'Tests', 'Fuzz', 'bench'] if os.path.isdir(root)]
    found = 0
    for root in roots:
        for directory, _, names in os.walk(root):
            for name in sorted(names):
                if not name.endswith('.swift'):
                    continue
                path = os.path.join(directory, name)
                with open(path, encoding='utf-8') as f:
                    lines = f.read().split('\n')
                for line, reason in misplaced(lines):
                    print(f'{path}:{line}: doc comment {reason}')
                    found += 1
    if found:
        print(f'{found} misplaced doc comment(s): put each `///` block directly on its declaration', file=sys.stderr)
        sys.exit(1)


main()
