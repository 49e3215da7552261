#!/usr/bin/env python3
"""Compare gazette's versions and statuses on the shared corpus with the
corpus's own laws.tsv (`expired` = 1: repealed, replaced or an older version).

Usage: bench/corpus_versions.py OUTPUT_DIR [CONTENT_DIR]
OUTPUT_DIR is a build of the corpus (`gazette build --root SITE`), CONTENT_DIR
its content folder (default ../shared/corpus/lawrefbook). Prints counts and
every disagreement with its category.
"""
import csv, json, os, re, sys, urllib.parse
from collections import Counter

out = sys.argv[1]
content = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(__file__), "../../shared/corpus/lawrefbook")
docs = {d["id"]: d for d in json.load(open(os.path.join(out, "catalogue.json")))}

def shown_as(file_id):
    """(document, version date or None) a corpus file is published as."""
    if file_id in docs:
        return docs[file_id], None
    page = os.path.join(out, "docs", file_id, "index.html")
    if not os.path.exists(page):
        return None, None
    m = re.search(r'url=/docs/(.+?)/(?:(\d{4}-\d\d-\d\d)/)?"', open(page).read())
    return docs.get(urllib.parse.unquote(m.group(1))), m.group(2)

def in_force(doc, date):
    if doc["status"] not in ("current", "amended"):
        return False
    if date is None:
        return True
    texts = [v for v in doc["versions"] if v["effective"] <= AS_OF]
    return bool(texts) and texts[-1]["date"] == date

versions = [v for d in docs.values() for v in d["versions"]]
print(f"documents {len(docs)}, with versions {sum(1 for d in docs.values() if d['versions'])}, "
      f"versions {len(versions)}, with text {sum(v['has_text'] for v in versions)}, "
      f"from history lines only {sum(not v['has_text'] for v in versions)}")
print("statuses", dict(Counter(d["status"] for d in docs.values())))
AS_OF = max(e["date"] for d in docs.values() for e in d["events"])
rows = list(csv.DictReader(open(os.path.join(content, "laws.tsv")), delimiter="\t"))
tally, cases = Counter(), []
for r in rows:
    stem = f"{r['folder']}/{r['name']}"
    file_id = next((c for c in (f"{stem}({r['published']})", stem)
                    if os.path.exists(os.path.join(content, c + ".md"))), None)
    doc, date = shown_as(file_id) if file_id else (None, None)
    if doc is None:
        tally["row without a matching file"] += 1
        continue
    ours, theirs = in_force(doc, date), r["expired"] != "1"
    if ours == theirs:
        tally["agree"] += 1
    elif ours:
        kind = "tsv: expired, gazette: in force (no repeal or successor in the texts)"
        tally[kind] += 1
        cases.append((kind, file_id))
    else:
        kind = "tsv: in force, gazette: older version or not in force"
        tally[kind] += 1
        cases.append((kind, file_id, doc["id"], date))
for k, v in tally.most_common():
    print(f"{v:5}  {k}")
for c in cases:
    print("  ", *c)
