#!/usr/bin/env python3
"""Lists the longest functions (func, init, deinit, subscript, accessors' bodies) in Swift
sources, longest first: `scripts/longest-functions.py [N] [DIR...]` (default 10, Sources).
`--max N` instead lists only the functions longer than N lines and exits 1 when there is
one (`make test` holds the 80-line rule with it). Counts lines from the declaration to its closing brace, by brace matching that skips
strings and comments; good enough to hold the 80-line rule, not a Swift parser."""
import os
import re
import sys

DECL = re.compile(r'^\s*(?:@[\w()., ]+\s+)*(?:(?:public|private|fileprivate|internal|package|open|static|class|final|override|mutating|nonmutating|convenience|required|nonisolated|@inline\(__always\)|@discardableResult)\s+)*(func\s+[^\s(<]+|init[?!]?|deinit|subscript)\b')


def code_only(line, state):
    """The line without string contents and comments; `state` carries block comments and
    multi-line strings across lines."""
    out = []
    i = 0
    while i < len(line):
        if state['block']:
            end = line.find('*/', i)
            if end < 0:
                return ''.join(out)
            state['block'] = False
            i = end + 2
        elif state['multiline']:
            end = line.find('"""', i)
            if end < 0:
                return ''.join(out)
            state['multiline'] = False
            i = end + 3
        elif line.startswith('//', i):
            break
        elif line.startswith('/*', i):
            state['block'] = True
            i += 2
        elif line.startswith('"""', i):
            state['multiline'] = True
            i += 3
        elif line[i] == '"':
            i += 1
            while i < len(line) and line[i] != '"':
                i += 2 if line[i] == '\\' else 1
            i += 1
        else:
            out.append(line[i])
            i += 1
    return ''.join(out)


def functions(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    state = {'block': False, 'multiline': False}
    code = [code_only(line, state) for line in lines]
    for start, line in enumerate(code):
        match = DECL.match(line)
        if not match:
            continue
        depth = 0
        opened = False
        for end in range(start, len(code)):
            depth += code[end].count('{') - code[end].count('}')
            opened = opened or '{' in code[end]
            if opened and depth <= 0:
                yield end - start + 1, start + 1, match.group(1)
                break
            if not opened and end > start and code[end].strip() == '':
                break  # a protocol requirement: no body


def main():
    args = sys.argv[1:]
    limit = None
    if args[:1] == ['--max']:
        limit = int(args[1])
        args = args[2:]
    count = int(args.pop(0)) if args and args[0].isdigit() else 10
    roots = args or ['Sources']
    found = []
    for root in roots:
        for directory, _, names in os.walk(root):
            for name in names:
                if name.endswith('.swift'):
                    path = os.path.join(directory, name)
                    found += [(length, f'{path}:{line}', what) for length, line, what in functions(path)]
    if limit is not None:
        over = sorted((entry for entry in found if entry[0] > limit), reverse=True)
        for length, where, what in over:
            print(f'{where}: {what} is {length} lines, more than {limit}')
        sys.exit(1 if over else 0)
    for length, where, what in sorted(found, reverse=True)[:count]:
        print(f'{length:4d}  {where}  {what}')


main()
