#!/usr/bin/env python3
"""Write assets/hot-text.ld from callgrind profiles (see scripts/hot-text.sh).

    hot_text.py BINARY OUT.ld PROFILE [PROFILE ...]
    hot_text.py check [--min PERCENT] [--exact] BINARY OUT.ld

Each PROFILE is a callgrind output (--dump-instr=yes) of BINARY. Every
function of BINARY that executed at least one instruction is named in the
linker script, in the order of the profiles given (the first profile's
functions first), so the linker puts them next to each other at the start
of the text segment.

Why: the kernel maps a file's pages 64 KiB at a time around each page fault
("fault-around"), so a function run at start keeps its whole 64 KiB
neighbourhood resident. Put together, the code run at start fills a few
hundred KiB of neighbourhoods instead of spreading over the binary.

`check` prints how many of the list's patterns still name code of BINARY
and how many match a symbol exactly, and exits 1 when the first share (the
second with --exact) is under PERCENT (default 90). A generic function's
instance is named by its exact symbol, whose hash changes with any change
to the crate, so the exact share drops with every commit until the list is
remade; the named share drops only when the code run at start changes.
CI fails under 90% named; scripts/bench.sh warns under 90% exactly, since
start-up is measured with the list as the linker applies it.

Names: a Rust symbol with a hash (`..17h<16 hex>E`) is written with the hash
replaced by `*` when the binary has only one function of that path, so the
script keeps working when another toolchain changes the hash; a generic
function with several instances keeps its exact name. A `.llvm.<n>` suffix
(LTO) is dropped for a `*`. C functions are written as `name` and
`name.*` (GCC's `.constprop.0` and the like).
"""
import bisect
import collections
import os
import re
import subprocess
import sys

HASHED = re.compile(r'^(_ZN.*17h)[0-9a-f]{16}E(\.llvm\.\d+)?$')
LOCAL_COPY = re.compile(r'\.\d+$')


def symbols(binary):
    out = subprocess.run(['nm', '-S', '--defined-only', binary],
                         capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in 'tTwW':
            syms.append((int(f[0], 16), int(f[1], 16), f[3]))
    syms.sort()
    return syms


def executed(profile, binary):
    """Instruction addresses callgrind saw run in `binary` (in file order)."""
    names, cur_ob, last, in_call = {}, None, 0, False
    seen = []
    for line in open(profile, encoding='utf-8', errors='replace'):
        line = line.rstrip('\n')
        if not line:
            continue
        m = re.match(r'(c?ob|c?fn|c?fl|fi|fe)=\((\d+)\)(?: (.*))?', line)
        if m:
            kind, ident, name = m.groups()
            if kind.endswith('ob'):
                if name:
                    names[ident] = name
                if kind == 'ob':
                    cur_ob = names.get(ident)
            continue
        if line.startswith('calls='):
            in_call = True
            continue
        tok = line.split()[0]
        if tok.startswith('0x'):
            addr = int(tok, 16)
        elif tok[0] == '+':
            addr = last + int(tok[1:])
        elif tok[0] == '-':
            addr = last - int(tok[1:])
        elif tok == '*':
            addr = last
        else:
            continue
        last = addr
        if in_call:
            in_call = False
            continue
        if cur_ob == binary:
            seen.append(addr)
    return seen


def hashed_paths(syms):
    """How many functions share each hashed Rust path (`..17h`)."""
    paths = collections.Counter()
    for _, _, n in syms:
        m = HASHED.match(n)
        if m:
            paths[m.group(1)] += 1
    return paths


def patterns(name, paths):
    m = HASHED.match(name)
    if m:
        prefix = m.group(1)
        if paths[prefix] == 1:
            return [prefix + '*']
        return [name.split('.llvm.')[0] + '*' if '.llvm.' in name else name]
    if name.startswith('_R'):  # v0 mangling (the standard library)
        # A local copy carries a number (`.5526`) that moves from build to
        # build: name the function, and its copies by `.*`.
        base = LOCAL_COPY.sub('', name)
        return [base, base + '.*']
    base = name.split('.')[0]
    return [base, base + '.*']


def check(binary, script, minimum=90, exact_only=False):
    """How much of the list still names code of the binary: prints the
    share and returns 1 under `minimum` percent.

    A generic function's instances are listed by their exact names, whose
    hash changes with any change to the crate that instantiates them (and
    with a toolchain or dependency update). By default such a pattern
    counts when its function's path is still in the binary: the list is
    stale only when the code it names is gone or renamed (what CI checks).
    With `exact_only`, only patterns that match a symbol exactly count:
    what the linker will place, for scripts/bench.sh before it measures
    start-up."""
    for path in (binary, script):
        if not os.path.isfile(path):
            print(f'hot_text.py check: no such file: {path}', file=sys.stderr)
            return 2
    syms = symbols(binary)
    names = [n for _, _, n in syms]
    exact = set(names)
    paths = hashed_paths(syms)
    pats = re.findall(r'\*\(\.text\.(\S+) ', open(script).read())
    # A C or standard library function is written twice, `f` and `f.*`:
    # count it once, matched by either.
    pats = [p for p in pats if not p.endswith('.*')]
    if not pats:
        print(f'hot_text.py check: no patterns in {script}', file=sys.stderr)
        return 1
    placed = live = 0
    for p in pats:
        instance = HASHED.match(p)
        if p.endswith('17h*'):
            hit = p[:-1] in paths
        elif p.endswith('*'):
            hit = any(n.startswith(p[:-1]) for n in names)
        elif instance:
            hit = p in exact
            live += not hit and instance.group(1) in paths
        else:
            hit = p in exact or any(n.startswith(p + '.') for n in names)
            # A v0 name listed with its local copy's number: the function
            # is there under another number.
            local = LOCAL_COPY.sub('', p)
            live += not hit and p.startswith('_R') and local != p and (
                local in exact or any(n.startswith(local + '.') for n in names))
        placed += hit
    live += placed
    share = 100 * (placed if exact_only else live) / len(pats)
    ok = share >= minimum
    print(f'{script}: {live} of {len(pats)} patterns name code of {binary} '
          f'({100 * live / len(pats):.1f}%), {placed} match a symbol exactly '
          f'({100 * placed / len(pats):.1f}%); {"at least" if ok else "UNDER"} {minimum:g}% '
          f'{"exactly" if exact_only else "named"}')
    if not ok:
        print('hot_text.py check: the list is stale: remake it with scripts/hot-text.sh',
              file=sys.stderr)
    return 0 if ok else 1


def main():
    if len(sys.argv) > 1 and sys.argv[1] == 'check':
        args, minimum, exact_only = sys.argv[2:], 90.0, False
        while args and args[0] in ('--min', '--exact'):
            if args[0] == '--exact':
                exact_only, args = True, args[1:]
                continue
            if len(args) < 2:
                sys.exit(__doc__)
            try:
                minimum = float(args[1])
            except ValueError:
                sys.exit(f'hot_text.py check: --min wants a number, not {args[1]!r}')
            args = args[2:]
        if len(args) != 2 or not 0 <= minimum <= 100:
            sys.exit(__doc__)
        sys.exit(check(args[0], args[1], minimum, exact_only))
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    binary, out, profiles = sys.argv[1], sys.argv[2], sys.argv[3:]
    syms = symbols(binary)
    starts = [s[0] for s in syms]
    paths = hashed_paths(syms)
    aliases = collections.defaultdict(list)
    for a, _, n in syms:
        aliases[a].append(n)
    order, placed, total = [], set(), 0
    for profile in profiles:
        for addr in executed(profile, binary):
            i = bisect.bisect_right(starts, addr) - 1
            if i < 0:
                continue
            a, size, name = syms[i]
            if a <= addr < a + size and name not in placed:
                total += size
                # Every name at that address: LLVM merges identical
                # functions into one, and the section carries one of the
                # names (which one is not known here).
                for other in aliases[a]:
                    if other not in placed:
                        placed.add(other)
                        order.append(other)
    lines, done = [], set()
    for name in order:
        for p in patterns(name, paths):
            if p not in done:
                done.add(p)
                # LLVM puts a cold function in `.text.unlikely.<name>`.
                lines.append(f'    *(.text.{p} .text.unlikely.{p})')
    with open(out, 'w') as f:
        f.write(
            '/* The functions upexport runs at start, first in the text segment:\n'
            '   fewer pages resident (see BENCHMARKS.md, "What was changed").\n'
            '   Generated by scripts/hot-text.sh; do not edit by hand.\n'
            f'   {len(order)} names, {total // 1024} KiB of code. */\n'
            'SECTIONS\n{\n  .text.hot :\n  {\n')
        f.write('\n'.join(lines))
        f.write('\n  }\n}\nINSERT BEFORE .text;\n')
    print(f'{out}: {len(order)} names, {total // 1024} KiB, {len(lines)} patterns')


if __name__ == '__main__':
    main()
