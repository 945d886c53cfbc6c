#!/usr/bin/env python3
"""Generate a large, deterministic casebook workspace for benchmarks.

Usage: bench/generate.py OUT_DIR [--cases 2100] [--guides 10] [--seed 1]

The same arguments always give byte-identical files. Every case is cited by
at least one guide; every guide has chapters with citations of every form,
callouts, a diagram, footnotes and key terms, so that `check`, `build` and
the EPUB writer do representative work.
"""
import argparse
import os
import random
import shutil

WORDS = ("duty breach causation remoteness intention recklessness omission consent dishonesty "
         "appropriation property contract tort negligence statute sovereignty review rationality "
         "proportionality fairness legitimate expectation standing remedy declaration jurisdiction "
         "immunity treaty custom practice opinio principle exception rule liability defence").split()
SURNAMES = ("Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
            "Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips "
            "Mason Mitchell Rose Davis Rodriguez Cox Alexander Morden Carter Ward").split()
COURTS = [("UKSC", "UKSC", "AC"), ("UKHL", "HL", "AC"), ("EWCA Civ", "CA", "QB"), ("EWCA Crim", "CA", "WLR"), ("EWHC", "HC", "WLR")]


def sentence(rng, n=14):
    w = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(w).capitalize() + "."


def paragraph(rng, k=4):
    return " ".join(sentence(rng, rng.randint(8, 20)) for _ in range(k))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--cases", type=int, default=2100)
    ap.add_argument("--guides", type=int, default=10)
    ap.add_argument("--chapters", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(os.path.join(a.out, "cases"))
    os.makedirs(os.path.join(a.out, "legislation"))

    def write(rel, text):
        path = os.path.join(a.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)

    write("casebook.toml", '[workspace]\npublisher = "Bench Press"\nlanguage = "en-GB"\nout-dir = "dist"\n\n'
          '[defaults]\ncitations = "inline"\ncase-summaries = "appendix"\n')

    ids = []
    for i in range(a.cases):
        p1, p2 = rng.choice(SURNAMES), rng.choice(SURNAMES)
        cid = f"{p1.lower()}-v-{p2.lower()}-{i:04d}"
        ids.append(cid)
        year = rng.randint(2002, 2025)
        code, court, series = rng.choice(COURTS)
        num = rng.randint(1, 999)
        if code == "EWHC":
            neutral = f"[{year}] EWHC {num} (Admin)"
        else:
            neutral = f"[{year}] {code} {num}"
        vol = rng.randint(1, 3)
        cit = f"{neutral}, [{year + rng.randint(0, 1)}] {vol} {series} {rng.randint(1, 1500)}"
        write(f"cases/{cid}.md",
              f'+++\nname = "{p1} v {p2} (No {i})"\ncitation = "{cit}"\ncourt = "{court}"\n'
              f'decided = {year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\nshort-name = "{p1} ({i})"\n'
              f'subjects = ["{rng.choice(WORDS)}"]\n+++\n\n'
              f"## Facts\n{paragraph(rng, 3)}\n\n## Issue\n{sentence(rng)}\n\n## Held\n{paragraph(rng, 2)}\n\n"
              f"## Principle\n{paragraph(rng, 2)}\n")

    acts = []
    for i in range(20):
        aid = f"{rng.choice(WORDS)}-act-{1950 + i}"
        if aid in acts:
            aid = f"{aid}-{i}"
        acts.append(aid)
        secs = "\n\n".join(f"## s {s} {rng.choice(WORDS).capitalize()}\n(1) {paragraph(rng, 2)}" for s in range(1, 13))
        write(f"legislation/{aid}.md", f'+++\ntitle = "{aid.replace("-", " ").title().replace("Act", "Act")}"\nkind = "act"\n+++\n\n{secs}\n')

    terms = [f"Term {w} {i}" for i, w in enumerate(rng.choice(WORDS) for _ in range(200))]
    write("glossary.md", "# Glossary\n\n" + "\n".join(f"{t}\n: {sentence(rng)}\n" for t in terms))

    per_guide = (a.cases + a.guides - 1) // a.guides
    for g in range(a.guides):
        gid = f"guide-{g:02d}"
        mine = ids[g * per_guide:(g + 1) * per_guide]
        chapters = []
        per_ch = (len(mine) + a.chapters - 1) // a.chapters
        for c in range(a.chapters):
            name = f"chapter-{c:02d}.md"
            chapters.append(name)
            cited = mine[c * per_ch:(c + 1) * per_ch]
            kt = ", ".join(f'"{t}"' for t in rng.sample(terms, 4))
            body = [f'+++\ntitle = "Chapter {c + 1}: {rng.choice(WORDS).capitalize()}"\nkey-terms = [{kt}]\n+++\n',
                    f"# Chapter {c + 1}\n", paragraph(rng, 3) + "[^n1]\n", f"[^n1]: {sentence(rng)}\n"]
            for k, cid in enumerate(cited):
                if k % 10 == 0:
                    body.append(f"## Section {k // 10 + 1}\n")
                form = k % 4
                if form == 0:
                    cite = f"[@{cid}]"
                elif form == 1:
                    cite = f"[@{cid}, [{rng.randint(1, 90)}]]"
                elif form == 2:
                    cite = f"[@{cid}, {rng.randint(100, 900)}]"
                else:
                    cite = f"[@{cid}; @{rng.choice(acts)}, s {rng.randint(1, 12)}({rng.randint(1, 3)})]"
                body.append(f"{paragraph(rng, 2)} {cite} {sentence(rng)} Later, again {cite}.\n")
                if k % 25 == 5:
                    body.append(f"> [!rule] {sentence(rng, 4)}\n> {sentence(rng)}\n\n> [!exception] {sentence(rng, 3)}\n> {sentence(rng)} [@{cid}]\n")
                if k % 25 == 12:
                    body.append(f"> [!case] {cid}\n> {sentence(rng)}\n")
                if k % 25 == 20:
                    body.append(f"> [!exam-tip]\n> {sentence(rng)}\n")
            body.append("```mermaid\nflowchart TD\n  accTitle: Decision path\n  accDescr: A decision about liability.\n"
                        "  A[Start] --> B{Duty?}\n  B -->|Yes| C([Liable])\n  B -->|No| D([Not liable])\n```\n")
            write(f"{gid}/{name}", "\n".join(body))
        chap_list = ",\n  ".join(f'"{c}"' for c in chapters)
        write(f"{gid}/guide.toml", f'title = "Bench guide {g}"\ndate = 2026-09-01\nauthors = ["Bench"]\nchapters = [\n  {chap_list},\n]\n')


if __name__ == "__main__":
    main()
