"""Unit dependency graph within a stage: validation (exists, no self-reference, no cycle)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def find_cycle(graph: Mapping[str, Sequence[str]]) -> list[str] | None:
    """Return one cycle as a path [a, b, ..., a], or None. Edges to unknown nodes are ignored."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in graph.get(node, ()):
            if dep not in graph:
                continue
            if state.get(dep) == 1:
                return [*stack[stack.index(dep) :], dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def dependency_problems(graph: Mapping[str, Sequence[str]]) -> list[str]:
    """Every problem with the graph as one sentence each, in a stable order."""
    problems: list[str] = []
    for node in sorted(graph):
        for dep in graph[node]:
            if dep == node:
                problems.append(f"unit {node!r} depends on itself")
            elif dep not in graph:
                problems.append(f"unit {node!r} depends on unknown unit {dep!r}")
    cycle = find_cycle({n: [d for d in deps if d != n] for n, deps in graph.items()})
    if cycle:
        problems.append("dependency cycle: " + " → ".join(cycle))
    return problems
