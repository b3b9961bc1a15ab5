#!/usr/bin/env python3
"""Highlighting benchmark: one playbook binary against another on a site with much code.

Used to choose syntect's regex backend (`regex-onig`, Oniguruma in C, against `regex-fancy`,
pure Rust): build two binaries that differ only in that feature, then

    python3 bench/highlight.py --a ONIG_BIN --b FANCY_BIN [--pages 1000] [--runs 5]

The site is bench/build.py's generator at --pages pages (prose, headings, a python or rust block
per page), and every page gets --extra-blocks (8) more code blocks (JavaScript, HTML, CSS, YAML, shell, SQL, JSON,
C, Go, Java, TOML, Markdown, picked per page from a seeded PRNG): about 9 blocks and 150 lines of
code a page. Each binary builds it --runs times into fresh folders, alternating; the script prints
median wall and CPU (user+sys) time of each, and fails unless the two outputs are byte-identical
(every file, same list). Writes nothing into the repository.
"""
import argparse, filecmp, os, random, statistics, subprocess, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build as bench  # noqa: E402  (the build benchmark's site generator)

SNIPPETS = {
    "js": "export function total(items, rate = 0.2) {\n  // sum with tax\n  const sum = items.reduce((a, b) => a + b.price * b.qty, 0);\n  return Math.round(sum * (1 + rate) * 100) / 100;\n}\nconst el = document.querySelector(`#out-${id}`);\nel.textContent = `Total: ${total([{ price: 3, qty: 2 }])}`;\n",
    "html": "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Roster</title></head>\n<body>\n  <table class=\"roster\">\n    <tr><th scope=\"col\">Name</th><th>Grade</th></tr>\n    <tr><td>Ana</td><td>7</td></tr>\n  </table>\n  <script src=\"app.js\" defer></script>\n</body>\n</html>\n",
    "css": ".roster th, .roster td {\n  padding: 0.25rem 0.5rem;\n  border-bottom: 1px solid #d0d4da;\n}\n@media (prefers-color-scheme: dark) {\n  .roster { color: #e6e8eb; background: #15181d; }\n}\n",
    "yaml": "title: District plan\nterms:\n  - name: Fall\n    weeks: 16\n    goals: [reading, writing]\n  - name: Spring\n    weeks: 18\nowner: &lead {name: Ana, role: coach}\nreview: *lead\n",
    "bash": "#!/usr/bin/env bash\nset -euo pipefail\nfor f in reports/*.csv; do\n  n=$(wc -l < \"$f\")\n  echo \"${f##*/}: $((n - 1)) rows\"\ndone | sort -t: -k2 -n\n",
    "sql": "SELECT s.name, AVG(g.score) AS mean\nFROM students s\nJOIN grades g ON g.student_id = s.id\nWHERE g.term = 'fall' AND g.score IS NOT NULL\nGROUP BY s.name\nHAVING COUNT(*) > 3\nORDER BY mean DESC;\n",
    "json": "{\n  \"course\": \"rccp-foundations\",\n  \"lessons\": [\"who-am-i\", \"the-iceberg\"],\n  \"passMark\": 80,\n  \"published\": true,\n  \"owner\": null\n}\n",
    "c": "#include <stdio.h>\n\nstatic double mean(const int *xs, size_t n) {\n    long sum = 0;\n    for (size_t i = 0; i < n; i++) sum += xs[i];\n    return n ? (double)sum / n : 0.0;\n}\n\nint main(void) { int xs[] = {3, 5, 8}; printf(\"%.2f\\n\", mean(xs, 3)); }\n",
    "go": "package main\n\nimport \"fmt\"\n\ntype Student struct {\n\tName  string\n\tScore int\n}\n\nfunc main() {\n\tfor _, s := range []Student{{\"Ana\", 90}} {\n\t\tfmt.Printf(\"%s: %d\\n\", s.Name, s.Score)\n\t}\n}\n",
    "java": "public final class Roster {\n    private final java.util.List<String> names = new java.util.ArrayList<>();\n\n    @Override\n    public String toString() {\n        return String.join(\", \", names); // e.g. \"Ana, Ben\"\n    }\n}\n",
    "toml": "[site]\ntitle = \"Playbook\"\nlanguages = [\"en\", \"es\"]\n\n[site.brand]\naccent = \"#1d4ed8\"\n",
    "markdown": "# Week 1\n\n- [ ] Read *chapter 2*\n- [x] Write a **reflection**\n\n> Quote from `notes.md`\n\n[More](https://example.org)\n",
}


def add_code(site_dir, n):
    """Appends n seeded code blocks to every page under content/ (not _index.md)."""
    for md in sorted((site_dir / "content").rglob("*.md")):
        if md.name in ("_index.md", "index.md"):
            continue
        r = random.Random(md.name)
        blocks = [f"```{lang}\n{SNIPPETS[lang]}```" for lang in (r.choice(list(SNIPPETS)) for _ in range(n))]
        md.write_text(md.read_text() + "\n\n## Code\n\n" + "\n\n".join(blocks) + "\n")


def build(exe, site_dir, out):
    os.sync()
    t0 = time.perf_counter()
    proc = subprocess.Popen([exe, "build", "--out", str(out), "--quiet"], cwd=site_dir)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"FAILED: {exe} build exited {status}")
    return wall, ru.ru_utime + ru.ru_stime


def same_tree(a, b):
    """Returns a list of differences between folders a and b (names and bytes)."""
    diffs = []
    cmp = filecmp.dircmp(a, b)
    stack = [(cmp, Path())]
    while stack:
        c, rel = stack.pop()
        diffs += [f"only in a: {rel / n}" for n in c.left_only] + [f"only in b: {rel / n}" for n in c.right_only]
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        diffs += [f"differs: {rel / n}" for n in mismatch + errors]
        stack += [(sub, rel / name) for name, sub in c.subdirs.items()]
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--a", required=True, help="first binary (e.g. regex-onig)")
    ap.add_argument("--b", required=True, help="second binary (e.g. regex-fancy)")
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--extra-blocks", type=int, default=8, help="code blocks added to each page (0: the build benchmark's site as it is)")
    ap.add_argument("--work", default="/tmp/playbook-highlight-bench", type=Path)
    args = ap.parse_args()
    site = args.work / f"site-{args.pages}-{args.extra_blocks}"
    bench.generate(args.pages, site)
    site_dir = site / "playbook"
    stamp = site_dir / ".code-added"
    if not stamp.exists():
        add_code(site_dir, args.extra_blocks)
        stamp.write_text("1")
    out = args.work / "out"
    times = {"a": [], "b": []}
    for run in range(args.runs + 1):                 # run 0 warms the page cache, not counted
        for key in ("a", "b") if run % 2 == 0 else ("b", "a"):
            dest = out / f"{key}-{run}"
            subprocess.run(["rm", "-rf", str(dest)], check=True)
            wall, cpu = build(getattr(args, key), site_dir, dest)
            print(f"  run {run} {key}: {wall:.2f} s wall, {cpu:.2f} s CPU, load {os.getloadavg()[0]:.1f}", flush=True)
            if run:
                times[key].append((wall, cpu))
    diffs = same_tree(out / "a-0", out / "b-0")
    for key in ("a", "b"):
        w = statistics.median(t[0] for t in times[key])
        c = statistics.median(t[1] for t in times[key])
        print(f"{key} ({getattr(args, key)}): median {w:.2f} s wall, {c:.2f} s CPU over {args.runs} runs")
    files = sum(len(fs) for _, _, fs in os.walk(out / "a-0"))
    if diffs:
        sys.exit(f"OUTPUTS DIFFER ({len(diffs)} of {files} files):\n  " + "\n  ".join(diffs[:20]))
    print(f"outputs byte-identical: {files} files")


if __name__ == "__main__":
    main()
