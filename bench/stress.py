#!/usr/bin/env python3
"""Stress benchmark: `playbook build` on pages far larger than usual, and on very many pages.

Cases (the goals are from the performance issue):
  code-5mb       one page holding one ```python block of 5 MiB (79-character lines of code):
                 highlighted like any code block              goal: < 2 s and < 300 MiB
  table-5000     one page holding one table of 5,000 columns: a header row and 20 rows of
                 short cells                                  goal: < 2 s and < 300 MiB
  lines-100k     one page of exactly 100,000 lines: prose, one sentence a line, paragraphs of
                 four lines, a ## heading every 1,000 lines   goal: < 2 s and < 300 MiB
  pages-50k      50,000 one-paragraph pages (3-6 sentences) in 250 collections of 200 (book,
                 lessons and articles in turn)                goal: < 10 s (memory recorded)
Each single-page site is playbook.yaml, a home page and one book with that one chapter (so its
print view renders the page a second time, as every build does).

How: sites are generated into --work (default /tmp/playbook-bench/stress) and reused while this
generator version made them. Every build goes into a new empty folder (os.sync first) and
nothing is deleted until all are measured (this machine's journal-less ext4 is slow to create
files for minutes after many deletions: see bench/build.py); outputs of an earlier invocation
are deleted first, then 65 s pause. One warm-up per case, then --runs rounds, each running every
case once. Wall: perf_counter around spawn..wait; CPU and peak RSS (ru_maxrss) from wait4 in
bench/floor's `peak` launcher (see bench/build.py); the 1-min load before each run and the CPU
the rest of the machine used during it.
A build must exit 0 and its output must hold the page's last words (or 50,000 pages).
PLAYBOOK_TIMINGS=1 phase times are recorded. Writes bench/results/stress-latest.json.
bench/build.py runs this too (unless --no-stress) and puts the result in its own report.
Typical: `python3 bench/stress.py` (about 5 minutes on 2 quiet cores).
"""
import argparse, datetime, importlib.util, json, os, random, shutil, statistics, sys, time
from pathlib import Path

STRESS_VERSION = 1
REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
RESULTS = BENCH / "results" / "stress-latest.json"
CASES = ["code-5mb", "table-5000", "lines-100k", "pages-50k"]
GOALS = {"code-5mb": (2.0, 300), "table-5000": (2.0, 300), "lines-100k": (2.0, 300), "pages-50k": (10.0, None)}
MIB = 1024


def load_build():
    """bench/build.py: its text generator and its measuring helpers."""
    spec = importlib.util.spec_from_file_location("bench_build", BENCH / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------- the sites
CONFIG = 'title: "Stress"\ndescription: "A stress case for the build benchmark."\nbase_url: /\nlanguage: en\n'
HOME = '---\ntitle: "Stress"\ndescription: "A stress case."\n---\n\nOne page, built to see how playbook copes.\n'
BOOK = '---\ntitle: "Stress"\ndescription: "One chapter."\nkind: book\n---\n\nThe chapter below.\n'


def code_5mb(b, r):
    lines, size, i = ["```python"], 0, 0
    while size < 5 * 2**20:
        a, c = r.choice(b.NOUNS), r.choice(b.NOUNS)
        line = [f"def {a}_{i}(records, threshold={i % 97}):",
                f'    """Share of {a} records whose {c} reaches the threshold."""',
                f"    kept = [r for r in records if r.{c} >= threshold and r.id != {i}]",
                f"    return len(kept) / max(len(records), 1)  # {r.choice(b.ADJS)} {c}", ""][i % 5]
        lines.append(line)
        size += len(line) + 1
        i += 1
    lines.append("end_of_stress_case = True")
    return "\n".join(lines) + "\n```\n", "end_of_stress_case"


def table_5000(b, r, cols=5000, rows=20):
    out = ["| " + " | ".join(f"{r.choice(b.NOUNS)} {k}" for k in range(cols)) + " |",
           "|" + "---|" * cols]
    for j in range(rows):
        cells = [r.choice(b.ADJS) if (j + k) % 3 else str(r.randint(1, 999)) for k in range(cols)]
        if j == rows - 1:
            cells[-1] = "lastcellofstress"
        out.append("| " + " | ".join(cells) + " |")
    return "Before the table.\n\n" + "\n".join(out) + "\n", "lastcellofstress"


def lines_100k(b, r, total=100_000):
    lines, next_heading = [], 0
    while len(lines) < total - 1:
        if len(lines) >= next_heading:
            lines += [f"## {b.heading(r)} {next_heading // 1000 + 1}", ""]
            next_heading += 1000
        else:
            lines += [b.sentence(r) for _ in range(4)] + [""]
    lines = lines[:total - 1] + ["The last line of the stress case."]
    return "\n".join(lines) + "\n", "The last line of the stress case"


def write(files):
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def generate(b, case, site):
    """Writes the case's site unless this generator version did; returns (page file, marker)."""
    stamp = site / ".generator"
    want = f"stress {STRESS_VERSION} / build.py {b.GEN_VERSION} {b.SEED} {case}"
    meta = site / ".marker"
    if stamp.exists() and stamp.read_text() == want:
        return json.loads(meta.read_text())
    t0 = time.perf_counter()
    shutil.rmtree(site, ignore_errors=True)
    r = random.Random(f"{b.SEED}-stress-{case}")
    files = {site / "playbook.yaml": CONFIG, site / "content/index.md": HOME}
    if case == "pages-50k":
        for j in range(250):
            kind = ["book", "lessons", "articles"][j % 3]
            cdir = f"{b.KINDS[kind]}-{j + 1:03d}"
            files[site / "content" / cdir / "_index.md"] = (
                f"---\ntitle: {b.q(b.heading(r))}\ndescription: {b.q(b.sentence(r))}\nkind: {kind}\n---\n\n"
                + b.sentence(r) + "\n")
            seen = set()
            for i in range(200):
                title = b.heading(r)
                slug = b.slugify(title)
                while slug in seen:
                    slug += "-" + str(r.randint(2, 99))
                seen.add(slug)
                page = {"kind": kind, "i": i, "title": title}
                files[site / "content" / cdir / f"{i + 1:04d}-{slug}.md"] = (
                    b.front(page, r) + " ".join(b.sentence(r) for _ in range(r.randint(3, 6))) + "\n")
        found = {"page": None, "marker": None, "pages": 50_000}
    else:
        text, marker = {"code-5mb": code_5mb, "table-5000": table_5000, "lines-100k": lines_100k}[case](b, r)
        files[site / "content/stress/_index.md"] = BOOK
        files[site / "content/stress/0001-case.md"] = f'---\ntitle: "The {case} case"\n---\n\n' + text
        found = {"page": "stress/case/index.html", "marker": marker, "bytes": len(text.encode()),
                 "lines": text.count("\n")}
    write(files)
    meta.write_text(json.dumps(found))
    stamp.write_text(want)
    print(f"generated {case} in {site} ({time.perf_counter() - t0:.1f} s)", flush=True)
    return found


# ---------------------------------------------------------------- measuring
def run(b, exe, case, site, meta, work, label):
    out = work / "out" / f"{case}-{label}"
    log = work / "logs" / f"{case}-{label}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    os.sync()
    x = b.timed([exe, "build", "--out", str(out), "--quiet"], site, log,
                {"PLAYBOOK_TIMINGS": "1", "NO_COLOR": "1"})
    text = log.read_text(errors="replace")
    x["phases"] = b.phases(text)
    if x["exit"]:
        sys.exit(f"FAILED {case} ({label}): exit {x['exit']}\n{text[-3000:]}")
    if meta["page"]:
        page = out / meta["page"]
        if not (page.exists() and meta["marker"] in page.read_text()):
            sys.exit(f"FAILED {case} ({label}): {page} lacks the page's last words {meta['marker']!r}")
    else:
        pages = len(b.html_files(out))
        if pages < meta["pages"]:
            sys.exit(f"FAILED {case} ({label}): {pages} HTML pages, expected {meta['pages']:,}")
        x["html_pages"] = pages
    return x


def measure(exe, work, runs, cases=CASES, b=None):
    """Every case: a warm-up, then `runs` interleaved rounds. Returns the report's "cases".
    b: bench/build.py as loaded by the caller (its settings, such as the quiet wait, apply)."""
    b = b or load_build()
    work = Path(work)
    outs = work / "out"
    if outs.exists() and any(outs.iterdir()):
        print("stress: deleting earlier outputs, then waiting 65 s (see bench/build.py) ...", flush=True)
        shutil.rmtree(outs, ignore_errors=True)
        os.sync()
        time.sleep(65)
    metas = {c: generate(b, c, work / c) for c in cases}
    res = {c: [] for c in cases}
    for c in cases:
        x = run(b, exe, c, work / c, metas[c], work, "warm-up")
        print(f"[stress] warm-up {c:<11} {b.brief(x)}", flush=True)
    for i in range(runs):
        k = i % len(cases)
        for c in cases[k:] + cases[:k]:
            res[c].append(run(b, exe, c, work / c, metas[c], work, f"run{i + 1}"))
            print(f"[stress] run {i + 1} {c:<11} {b.brief(res[c][-1])}", flush=True)
    shutil.rmtree(outs, ignore_errors=True)
    out = {}
    for c, rs in res.items():
        s = b.summary(rs)
        ph = [r["phases"] for r in rs]
        s["median_phases_s"] = {k: round(statistics.median(p.get(k, 0) for p in ph), 4) for k in ph[0]}
        s["site"] = {k: v for k, v in metas[c].items() if k != "marker"}
        t, m = GOALS[c]
        s["goal"] = {"wall_s_below": t, "maxrss_mib_below": m,
                     "pass": s["median_wall_s"] < t and (m is None or s["median_maxrss_mib"] < m)}
        out[c] = s
    return out


def goal_rows(cases):
    rows = []
    for c, s in cases.items():
        t, m = GOALS[c]
        target = f"< {t:g} s" + (f" and < {m} MiB" if m else "")
        rows.append({"goal": f"stress {c}", "measured": [s["median_wall_s"], s["median_maxrss_mib"]],
                     "text": f"{s['median_wall_s']:.2f} s, {s['median_maxrss_mib']:.0f} MiB",
                     "target": target, "pass": s["goal"]["pass"]})
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--playbook", help="binary to use instead of building target/release/playbook")
    ap.add_argument("--work", default="/tmp/playbook-bench/stress", type=Path)
    ap.add_argument("--out", default=RESULTS, type=Path)
    b = load_build()
    b.add_quiet_args(ap)
    a = ap.parse_args()
    b.set_quiet(a)
    exe = b.ensure_playbook(a.playbook)
    b.ensure_floor()                          # builds the `peak` launcher every run goes through
    cases = [c for c in CASES if c in a.cases.split(",")]
    t0 = time.perf_counter()
    report = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "machine": b.machine(),
              "playbook": b.version("playbook", exe), "runs": a.runs,
              "cases": measure(exe, a.work, a.runs, cases, b)}
    report["seconds_total"] = round(time.perf_counter() - t0, 1)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(report, indent=1) + "\n")
    print("\n| case | median s | cpu s | peak MiB | goal | pass | max load | noisy runs |\n|---|---:|---:|---:|---|---|---:|---:|")
    for row, (c, s) in zip(goal_rows(report["cases"]), report["cases"].items()):
        print(f"| {c} | {s['median_wall_s']:.2f} | {s['median_cpu_s']:.2f} | {s['median_maxrss_mib']:.0f} | "
              f"{row['target']} | {'pass' if row['pass'] else 'FAIL'} | {s['max_load1_before']:.1f} | "
              f"{s['noisy_runs']}/{len(s['runs'])} |")
    print(f"\nwhole run {report['seconds_total']:.0f} s; raw runs: {a.out}")


if __name__ == "__main__":
    main()
