"""The daemon's module graph has no cycles.

Reads the symbols each object file of ffcd's core defines and uses (with
nm), draws an edge from module A to module B when A uses a function or
object B defines, and fails naming every cycle found with the symbols on
its edges. A cycle means two modules each need the other: one of them is
doing the other's job, or a helper shared by both belongs beneath them.

usage: module_graph.py OBJECT_DIR
"""

import collections
import glob
import os
import subprocess
import sys


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
        elif len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
    return defined, used


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main():
    objs = sorted(glob.glob(os.path.join(sys.argv[1], "*.o")))
    if not objs:
        print("no object files in %s" % sys.argv[1])
        return 1
    owner, uses = {}, {}
    for obj in objs:
        module = os.path.basename(obj).split(".")[0]
        defined, used = symbols(obj)
        for s in defined:
            owner[s] = module
        uses[module] = used
    graph = collections.defaultdict(set)
    for module, used in uses.items():
        graph[module]
        for s in used:
            if owner.get(s, module) != module:
                graph[module].add(owner[s])
    found = cycles(graph)
    edges = sum(len(v) for v in graph.values())
    for comp in found:
        print("cycle: " + ", ".join(comp))
        for a in comp:
            for b in comp:
                if b in graph[a]:
                    syms = sorted(s for s in uses[a] if owner.get(s) == b)
                    print("  %s -> %s: %s" % (a, b, ", ".join(syms[:5])))
    print("%d modules, %d edges, %d cycles" % (len(graph), edges, len(found)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
