"""Snapshots are small and keep updates that wait for a missing dependency."""

from pycrdt import Doc, Text

from invoicer.storage.updates import compact_state


def typed_updates(count: int) -> list[bytes]:
    doc: Doc = Doc()
    text = doc.get("t", type=Text)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for _ in range(count):
        text.insert(len(text), "x")
    for _ in range(count // 2):
        del text[0]
    return updates


def text_of(*updates: bytes) -> str:
    doc: Doc = Doc()
    for update in updates:
        doc.apply_update(update)
    return str(doc.get("t", type=Text))


def test_snapshot_is_much_smaller_than_the_history_and_equivalent():
    updates = typed_updates(2000)
    snapshot = compact_state(updates)
    assert text_of(snapshot) == text_of(*updates) == "x" * 1000
    assert len(snapshot) * 10 < sum(len(u) for u in updates)


def test_updates_missing_a_dependency_survive_compaction():
    updates = typed_updates(200)
    later = compact_state(updates[5:])  # the first five keystrokes have not arrived yet
    assert text_of(later) == ""
    assert text_of(later, *updates[:5]) == "x" * 100
