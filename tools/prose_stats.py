"""Count the long paragraphs and sentences in the markdown of the numbered notebooks (code blocks and tables aside).

Usage: python tools/prose_stats.py [--max-words 120] [--max-sentence 40] [--list] [--check]
Prints, per notebook, its words, its paragraphs over --max-words words and its sentences over --max-sentence words.
With --check (CI runs it so) it exits 1 when any paragraph is longer than --max-words, or when more than
--max-long-sentences (20) sentences in all are longer than --max-sentence.
"""
import argparse, json, re
from pathlib import Path

NBS = Path(__file__).resolve().parent.parent/"nbs"

def paragraphs(md:str) -> list:
    "The prose paragraphs of a markdown cell: no code blocks, tables, headings, block quotes or images."
    md = re.sub(r"```.*?```", "", md, flags=re.S)
    out = []
    for p in re.split(r"\n\s*\n", md):
        lines = [l for l in p.splitlines() if l.strip() and not l.lstrip().startswith(("|", "#", ">", "[![", "<"))]
        items = re.split(r"\n(?=\s*(?:[-*]|\d+\.) )", "\n".join(lines))  # each list item is a paragraph of its own
        out += [i.strip() for i in items if i.strip()]
    return out

def words(s:str) -> int: return len(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s).split())

def sentences(p:str) -> list:
    p = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", p)
    p = re.sub(r"\b(e\.g|i\.e|et al|vs|etc)\.", lambda m: m.group(0).replace(".", "\0"), p)  # not sentence ends
    return [s.replace("\0", ".") for s in re.split(r"(?<=[.!?])\s+", p) if s.strip()]

if __name__ == "__main__":
    ap = argparse.ArgumentParser(); ap.add_argument("--max-words", type=int, default=120)
    ap.add_argument("--max-sentence", type=int, default=40); ap.add_argument("--list", action="store_true")
    ap.add_argument("--check", action="store_true"); ap.add_argument("--max-long-sentences", type=int, default=20)
    a = ap.parse_args()
    tot_p = tot_s = 0
    for nb in sorted(NBS.glob("[0-9]*.ipynb")):
        md = ["".join(c["source"]) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "markdown"]
        ps = [p for m in md for p in paragraphs(m)]
        long_p = [p for p in ps if words(p) > a.max_words]
        long_s = [s for p in ps for s in sentences(p) if words(s) > a.max_sentence]
        tot_p += len(long_p); tot_s += len(long_s)
        print(f"{nb.name:<24} {sum(map(words, ps)):6,} words, {len(long_p):3} paragraphs > {a.max_words}, "
              f"{len(long_s):3} sentences > {a.max_sentence}")
        if a.list:
            for p in long_p: print(f"    [{words(p)} words] {p[:110]}")
    print(f"in all: {tot_p} paragraphs over {a.max_words} words, {tot_s} sentences over {a.max_sentence} words")
    if a.check and (tot_p or tot_s > a.max_long_sentences):
        raise SystemExit(f"prose check failed: at most {a.max_words} words a paragraph, and at most "
                         f"{a.max_long_sentences} sentences over {a.max_sentence} words (run with --list)")
