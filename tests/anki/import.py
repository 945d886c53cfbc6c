"""Imports casebook's Anki text files into a collection with the real Anki
backend (PyPI `anki`, pinned by scripts/test.sh) and prints what it holds as
JSON, for tests/anki.rs.

    python import.py COLLECTION FILE...

COLLECTION is an `.anki2` file, created when missing (a fresh, empty
collection) and reused otherwise, so that importing a second file, or the same
file again after an edit, shows whether notes are updated or duplicated. Each
FILE is imported in turn exactly as Anki's File > Import does with a text file:
`get_csv_metadata` reads the file's headers (separator, HTML, note type,
columns), and `import_csv` imports with that metadata, unchanged. Offline: no
sync, no network.

Prints one JSON object:

    {"anki_version": "26.9.3",
     "imports": [{"file": ..., "metadata": {...}, "log": {"new": n, "updated": n,
                  "duplicate": n, "conflicting": n, "first_field_match": n,
                  "missing_notetype": n, "missing_deck": n, "empty_first_field": n}}],
     "note_count": n,
     "notes": [{"guid": ..., "notetype": ..., "decks": [...], "tags": [...],
                "fields": {"Front": ..., "Back": ...}}]}

with notes sorted by GUID. Exits with status 2 and a message on stderr when
the `anki` module cannot be imported, so the Rust test fails with a clear cause.
"""

import importlib.metadata
import json
import sys

try:
    from anki.collection import Collection, ImportCsvRequest
except Exception as e:  # noqa: BLE001 - any failure to load the backend is fatal
    print(
        f"import.py: the `anki` package (PyPI anki==26.9.3) cannot be imported with {sys.executable}: {e}; "
        "run `bash scripts/test.sh`, which installs it into target/tools/anki-venv",
        file=sys.stderr,
    )
    sys.exit(2)


def metadata_json(md):
    return {
        "delimiter": md.delimiter,
        "force_delimiter": md.force_delimiter,
        "is_html": md.is_html,
        "force_is_html": md.force_is_html,
        "column_labels": list(md.column_labels),
        "deck_column": md.deck_column if md.WhichOneof("deck") == "deck_column" else None,
        "tags_column": md.tags_column,
        "guid_column": md.guid_column,
        "notetype": md.global_notetype.id if md.WhichOneof("notetype") == "global_notetype" else None,
        "field_columns": list(md.global_notetype.field_columns) if md.WhichOneof("notetype") == "global_notetype" else None,
        "dupe_resolution": md.dupe_resolution,
    }


def main(argv):
    if len(argv) < 3:
        print("usage: import.py COLLECTION FILE...", file=sys.stderr)
        return 2
    col = Collection(argv[1])
    try:
        imports = []
        for path in argv[2:]:
            md = col.get_csv_metadata(path, None)
            log = col.import_csv(ImportCsvRequest(path=path, metadata=md)).log
            imports.append(
                {
                    "file": path,
                    "metadata": metadata_json(md),
                    "log": {
                        k: len(getattr(log, k))
                        for k in (
                            "new",
                            "updated",
                            "duplicate",
                            "conflicting",
                            "first_field_match",
                            "missing_notetype",
                            "missing_deck",
                            "empty_first_field",
                        )
                    },
                }
            )
        notes = []
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            decks = sorted({col.decks.name(card.did) for card in note.cards()})
            notes.append(
                {
                    "guid": note.guid,
                    "notetype": note.note_type()["name"],
                    "decks": decks,
                    "tags": sorted(note.tags),
                    "fields": dict(note.items()),
                }
            )
        notes.sort(key=lambda n: n["guid"])
        print(json.dumps({"anki_version": importlib.metadata.version("anki"), "imports": imports, "note_count": col.note_count(), "notes": notes}, ensure_ascii=False, indent=1))
    finally:
        col.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
