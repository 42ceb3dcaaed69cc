"""Ordered records of the process map (a diagram's stages, a programme's moments of contact): their ``position``
numbers 1, 2, 3… in order, and moving one a place earlier or later."""


def renumber(items: list) -> None:
    """Number ``items`` 1, 2, 3… in their order, touching only those whose position changes (fewer audit rows)."""
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position


def move(items: list, item, offset: int) -> bool:
    """Move ``item`` of ``items`` (in order) earlier (-1) or later (+1) and renumber; False when it is already at
    that end."""
    index = items.index(item)
    target = index + offset
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    renumber(items)
    return True
