#!/usr/bin/env python3
"""Editions benchmark: full and incremental build time of a 1,000-page site with 1, 3 and 10
editions (the latest in content/ plus 0, 2 or 9 older ones under versions/).

How:
  * The 1,000-page site is bench/build.py's generated playbook site (its generator, imported
    read-only; it reuses /tmp/playbook-bench/nN when its generator version made it). Each site
    here is a copy of it in --work (default /tmp/playbook-bench/editions/eE/site), made anew.
  * Older editions are made with `playbook version cut NAME` (names 2017, 2018, ... oldest cut
    first), and between cuts a few pages are edited so the editions differ: 4 pages get one more
    paragraph, 1 page a new title, and 1 new lesson is added. The latest edition is what is left
    in content/ after the last cut and its edits.
  * full: build into a new empty output folder of its own (os.sync before the clock starts).
    No full build's output is deleted until the end: this machine's ext4 has no journal, and
    such a filesystem skips inodes deleted in the last 1-6 minutes when it allocates new ones,
    so deleting the previous 10-edition output (30,000 files) slowed the very next builds that
    create files, and the more editions, the more was deleted (see bench/build.py).
  * incremental: after a build into OUT, append a few words to one prose line of one page of
    the latest edition (a different page and words each run), then build into OUT again. Older
    editions whose cache key did not change are carried over, not rendered again; the script
    checks that (an older edition's page keeps its mtime) and records it.
  * One warm-up build per site, then --runs rounds; each round runs full then incremental for
    every edition count, so slow spells of the machine spread over all of them. Wall time:
    perf_counter around the spawn of `playbook build --quiet` and its wait; CPU time (user+sys)
    and peak RSS from os.wait4. A build must exit 0 and write at least E x 1,000 HTML pages, or
    the script fails.
  * Prints a markdown table of medians and incremental(10)/incremental(1) (wall; CPU too)
    against the goal (<= 1.2x); writes bench/results/editions-latest.json (raw runs, 1-min load
    before each run, machine, playbook version and commit). On a machine busy with other work
    (load above its CPU count) wall times are inflated: the script says so.
Uses target/release/playbook (built with `cargo build --release` when missing or older than the
sources; a failed build is retried, in case the sources are mid-edit), or --playbook BIN.
Python 3.11 standard library only. Not a test: it measures and reports, it asserts nothing.
"""
import argparse, datetime, importlib.util, json, os, platform, random, re, shutil, statistics, subprocess, sys, time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "editions-latest.json"
GOAL = 1.2          # incremental(10 editions) / incremental(1 edition) must be at most this
SEED = 2718


def load_generator():
    """bench/build.py as a module (read-only use of its site generator)."""
    spec = importlib.util.spec_from_file_location("bench_build", REPO / "bench" / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------- playbook binary
def newest_source_mtime():
    paths = [REPO / "Cargo.toml", REPO / "Cargo.lock"]
    for d in ("src", "themes"):
        paths += [p for p in (REPO / d).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in paths if p.exists())


def ensure_playbook(explicit):
    if explicit:
        exe = Path(explicit).resolve()
        if not exe.is_file():
            sys.exit(f"--playbook {exe}: no such file")
        return exe
    exe = REPO / "target" / "release" / "playbook"
    if exe.is_file() and exe.stat().st_mtime >= newest_source_mtime():
        return exe
    for attempt in range(1, 6):
        print(f"+ cargo build --release (attempt {attempt})", flush=True)
        if subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO).returncode == 0 and exe.is_file():
            return exe
        print("cargo build --release failed (sources mid-edit?); retrying in 30 s", flush=True)
        time.sleep(30)
    if exe.is_file():
        print("WARNING: using the existing target/release/playbook, older than the sources", flush=True)
        return exe
    sys.exit("could not build target/release/playbook")


def playbook_version(exe):
    v = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "themes", "Cargo.toml"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    return {"version": v, "commit": commit + ("+dirty" if dirty else ""), "path": str(exe)}


# ---------------------------------------------------------------- sites
def pages_of(site):
    """Content pages (not _index.md) of the latest edition, sorted."""
    return sorted(p for p in (site / "content").rglob("*.md") if p.name not in ("_index.md", "index.md"))


def prose_line(text):
    """Index of the first body line that is a plain paragraph (not front matter, heading, list,
    table, code, footnote or link definition)."""
    lines = text.split("\n")
    fm = 0
    if lines and lines[0] == "---":
        fm = lines.index("---", 1) + 1
    fence = False
    for i in range(fm, len(lines)):
        ln = lines[i]
        if ln.startswith("```"):
            fence = not fence
            continue
        if not fence and ln[:1].isalpha() and ln.rstrip().endswith("."):
            return i
    raise ValueError("no prose line")


def append_to_line(path, words):
    text = path.read_text()
    lines = text.split("\n")
    i = prose_line(text)
    lines[i] = lines[i] + " " + words
    path.write_text("\n".join(lines))


def edit_between_cuts(site, k, rng):
    """Makes the latest edition differ from the edition just cut: 4 pages get a paragraph, one
    a new title, and a new lesson is added."""
    pages = pages_of(site)
    for p in rng.sample(pages, 4):
        text = p.read_text()
        p.write_text(text.rstrip("\n") + f"\n\nRevised after cut {k}: the team added this paragraph.\n")
    retitle = rng.choice(pages)
    text = retitle.read_text()
    retitle.write_text(re.sub(r'^title: .*$', f'title: "Revised title {k}"', text, count=1, flags=re.M))
    lessons = sorted(d for d in (site / "content").iterdir() if d.is_dir() and d.name.startswith("lessons-"))
    (lessons[0] / f"9{k:03d}-added-after-cut-{k}.md").write_text(
        f'---\ntitle: "Added after cut {k}"\nobjectives:\n  - "Notice what edition {k} added."\n---\n\n'
        f"This lesson was added after cut {k}. It is short.\n")


def make_site(base_site, work, editions, exe):
    """A copy of the generated site with editions-1 older editions cut from it."""
    site = work / f"e{editions}" / "site"
    shutil.rmtree(site.parent, ignore_errors=True)
    shutil.copytree(base_site, site)
    rng = random.Random(f"{SEED}-{editions}")
    names = [str(2026 - editions + 1 + k) for k in range(editions - 1)]   # oldest first
    for k, name in enumerate(names, 1):
        r = subprocess.run([exe, "--root", site, "version", "cut", name, "--label", f"{name} edition"],
                           capture_output=True, text=True)
        if r.returncode:
            sys.exit(f"playbook version cut {name} failed:\n{r.stderr}{r.stdout}")
        edit_between_cuts(site, k, rng)
    return site, names


# ---------------------------------------------------------------- runs
def html_count(out):
    return sum(1 for _ in out.rglob("*.html"))


def build(exe, site, out, min_pages):
    """One `playbook build` into out: wall time, CPU time (user+sys) and peak RSS of the build."""
    os.sync()
    load = os.getloadavg()[0]
    log = out.parent / "build.log"
    with open(log, "wb") as f:
        t0 = time.perf_counter()
        proc = subprocess.Popen([exe, "build", "--quiet", "--root", site, "--out", out], stdout=f, stderr=f)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"playbook build of {site} failed ({proc.returncode}):\n{log.read_text()}")
    n = html_count(out)
    if n < min_pages:
        sys.exit(f"playbook build of {site} wrote {n} HTML pages, expected at least {min_pages}")
    return {"wall_s": round(wall, 4), "cpu_s": round(ru.ru_utime + ru.ru_stime, 4), "max_rss_kib": ru.ru_maxrss,
            "load1": round(load, 2), "html_pages": n}


def sample_older_page(out, names):
    """One page of each older edition, to tell whether the edition was carried over."""
    found = []
    for name in names:
        d = out / "editions" / name
        found.append(next(p for p in sorted(d.rglob("index.html")) if p.parent != d))
    return found


def full_run(exe, site, work, editions, run_no):
    out = work / f"e{editions}" / f"out-full-{run_no}"
    shutil.rmtree(out, ignore_errors=True)
    return build(exe, site, out, editions * 1000)


def incremental_run(exe, site, work, editions, names, run_no):
    out = work / f"e{editions}" / "out-incr"
    if not (out / "index.html").exists():
        build(exe, site, out, editions * 1000)
    pages = pages_of(site)
    page = pages[(run_no * 97 + 13) % len(pages)]
    append_to_line(page, f"Edited in run {run_no} at {time.time():.0f}.")
    older = sample_older_page(out, names)
    before = [p.stat().st_mtime_ns for p in older]
    r = build(exe, site, out, editions * 1000)
    after = [p.stat().st_mtime_ns for p in older]
    r["edited"] = str(page.relative_to(site))
    r["older_rerendered"] = sum(a != b for a, b in zip(before, after))
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--playbook", help="the playbook binary (default: target/release/playbook, built if stale)")
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--editions", default="1,3,10", help="edition counts, comma-separated (1 = the latest only)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/playbook-bench/editions"))
    ap.add_argument("--gen-work", type=Path, default=Path("/tmp/playbook-bench"),
                    help="where bench/build.py's generator keeps its sites")
    ap.add_argument("--results", type=Path, default=RESULTS)
    ap.add_argument("--incremental-only", action="store_true",
                    help="skip the full builds (more incremental runs in the same time); full columns are then empty")
    a = ap.parse_args()
    counts = [int(x) for x in a.editions.split(",")]
    a.work, a.gen_work, a.results = a.work.resolve(), a.gen_work.resolve(), a.results.resolve()

    exe = ensure_playbook(a.playbook)
    gen = load_generator()
    gen_site = a.gen_work / f"n{a.pages}"
    gen.generate(a.pages, gen_site)
    base = a.work / "base"
    shutil.rmtree(base, ignore_errors=True)
    shutil.copytree(gen_site / "playbook", base)       # a private copy: the generator's may be regenerated

    sites = {}
    for e in counts:
        t0 = time.perf_counter()
        sites[e] = make_site(base, a.work, e, exe)
        print(f"site with {e} edition(s): {len(sites[e][1])} cut(s) in {time.perf_counter() - t0:.1f} s", flush=True)

    res = {e: {"full": [], "incremental": []} for e in counts}
    for e in counts:                                   # warm-up: the first build of out-incr
        site, names = sites[e]
        shutil.rmtree(a.work / f"e{e}" / "out-incr", ignore_errors=True)
        w = build(exe, site, a.work / f"e{e}" / "out-incr", e * 1000)
        print(f"warm-up {e:>2} edition(s): {w['wall_s']:.2f} s, {w['html_pages']} pages", flush=True)
    print("waiting 65 s: the sites made above replaced earlier ones (see the docstring) ...", flush=True)
    os.sync()
    time.sleep(65)
    for run_no in range(1, a.runs + 1):
        for e in counts:
            site, names = sites[e]
            f = None if a.incremental_only else full_run(exe, site, a.work, e, run_no)
            i = incremental_run(exe, site, a.work, e, names, run_no)
            if f:
                res[e]["full"].append(f)
            res[e]["incremental"].append(i)
            full = f"full {f['wall_s']:.2f} s wall, {f['cpu_s']:.2f} s CPU (load {f['load1']})" if f else "full skipped"
            print(f"run {run_no} {e:>2} edition(s): {full}; "
                  f"incremental {i['wall_s']:.2f} s wall, {i['cpu_s']:.2f} s CPU (load {i['load1']}; older editions re-rendered: "
                  f"{i['older_rerendered']}/{len(names)})", flush=True)

    KINDS = ("full", "incremental")
    med = {e: {f"{k}_{m}": statistics.median(r[m] for r in res[e][k]) if res[e][k] else None
               for k in KINDS for m in ("wall_s", "cpu_s")} for e in counts}
    lo, hi = min(counts), max(counts)
    ratio = med[hi]["incremental_wall_s"] / med[lo]["incremental_wall_s"] if len(counts) > 1 else None
    ratio_cpu = med[hi]["incremental_cpu_s"] / med[lo]["incremental_cpu_s"] if len(counts) > 1 else None
    loads = [r["load1"] for e in counts for k in KINDS for r in res[e][k]]
    cores = os.cpu_count()

    print()
    print(f"Editions benchmark: {a.pages}-page site, median of {a.runs} runs, {playbook_version(exe)['version']}, "
          f"{cores} CPUs")
    print()
    print("| editions | HTML pages (full) | full build: wall s | full: CPU s | incremental build: wall s | incremental: CPU s "
          "| incremental wall vs 1 edition | older editions re-rendered by the incremental build |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for e in counts:
        rer = max(r["older_rerendered"] for r in res[e]["incremental"])
        m = med[e]
        fmt = lambda x: "-" if x is None else f"{x:.2f}"
        print(f"| {e} | {res[e]['full'][0]['html_pages'] if res[e]['full'] else '-'} | {fmt(m['full_wall_s'])} | {fmt(m['full_cpu_s'])} | "
              f"{m['incremental_wall_s']:.2f} | {m['incremental_cpu_s']:.2f} | "
              f"{m['incremental_wall_s'] / med[lo]['incremental_wall_s']:.2f}x | {rer} of {e - 1} |")
    if ratio is not None:
        verdict = "meets" if ratio <= GOAL else "MISSES"
        print()
        print(f"incremental({hi}) / incremental({lo}) = {ratio:.2f}x wall ({ratio_cpu:.2f}x CPU): {verdict} the goal <= {GOAL}x")
    if max(loads) > cores:
        print(f"\nNOTE: the 1-min load average reached {max(loads):.1f} on {cores} CPUs during the runs (median "
              f"{statistics.median(loads):.1f}): other work was running, so wall times are inflated and noisy; "
              "CPU times and ratios are the steadier numbers.")

    a.results.parent.mkdir(parents=True, exist_ok=True)
    for e in counts:
        for run_no in range(1, a.runs + 1):
            shutil.rmtree(a.work / f"e{e}" / f"out-full-{run_no}", ignore_errors=True)
    a.results.write_text(json.dumps({
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": cores, "python": platform.python_version()},
        "playbook": playbook_version(exe),
        "pages": a.pages, "runs": a.runs, "goal_incremental_ratio": GOAL,
        "generator": {"file": "bench/build.py", "version": gen.GEN_VERSION, "seed": gen.SEED},
        "medians_s": {str(e): med[e] for e in counts},
        "incremental_ratio": ratio,
        "incremental_ratio_cpu": ratio_cpu,
        "meets_goal": ratio is not None and ratio <= GOAL,
        "load1": {"max": max(loads), "median": statistics.median(loads)},
        "raw": {str(e): res[e] for e in counts},
    }, indent=2) + "\n")
    print(f"\nwrote {a.results.relative_to(REPO) if a.results.is_relative_to(REPO) else a.results}")


if __name__ == "__main__":
    main()
