#!/usr/bin/env python3
"""Build benchmark: playbook vs Hugo vs mdBook on the same synthetic content.

Measures, for each site size N (--sizes, default 1000,10000), the wall time, CPU time (user+sys)
and peak RSS of one full build, for:
  playbook  `playbook build --out DIR --quiet`  (`cargo build --release` first, unless --playbook)
  hugo      `hugo --quiet --destination DIR`    (Debian package; minify off, no gzip)
  mdbook    `mdbook build -d DIR`               (N <= 1,000 only: its work grows as N squared)

How:
  * Sites are generated from a seeded PRNG into --work (default /tmp/playbook-bench) and reused
    when this generator version made them. All three get the SAME Markdown bodies (800-1,500
    words of English-like prose, ## and ### headings, lists, a table, a python or rust code
    block, footnotes, relative `.md` links to other pages, half with #anchors); only the
    wrapping differs: playbook.yaml + front matter; hugo.toml + layouts from bench/hugo-site
    (a render hook resolves the .md links; sidebars are windowed like playbook's); book.toml +
    SUMMARY.md. Collections of ~200 pages (kinds book, lessons, articles) plus one articles
    collection with 15% of the pages (1,500 at N = 10,000).
  * Every build goes into a new empty dir of its own (os.sync before the clock starts), and no
    output is deleted until every size is measured. Deleting is left out of the timed window on
    purpose: this machine's ext4 has no journal, and such a filesystem skips inodes deleted in the
    last 1-6 minutes when it allocates new ones, so deleting one run's 20,000 files made the next
    run's file creation (whichever tool it was) up to twice as slow, growing run by run. Outputs
    left by an earlier invocation are deleted first, followed by a 65 s pause. One warm-up build
    per tool, whose #anchor links are followed and checked, then --runs builds per tool,
    alternating tools. Wall: perf_counter around spawn..os.wait4; CPU and peak RSS (ru_maxrss,
    KiB) from os.wait4. A run must exit 0 and write about N HTML pages, or the script fails.
  * Prints medians and playbook/other ratios; writes bench/results/build-latest.json (raw runs,
    1-min load before each run, machine, versions). Hugo and mdBook are installed if missing.
"""
import argparse, datetime, html, json, os, platform, random, re, shutil, statistics, subprocess, sys, time
from pathlib import Path

GEN_VERSION = 6
SEED = 1729
REPO = Path(__file__).resolve().parent.parent
TOOLS_DIR = REPO / "bench" / ".tools"
RESULTS = REPO / "bench" / "results" / "build-latest.json"
HUGO_SITE = REPO / "bench" / "hugo-site"       # hugo.toml, layouts/ and static/ of the Hugo site
MDBOOK_MAX = 1000
ALL_TOOLS = ["playbook", "hugo", "mdbook"]

# ---------------------------------------------------------------- English-like text
NOUNS = ("teacher student family school classroom lesson practice community partner principal "
         "district curriculum identity culture language routine feedback question evidence "
         "rubric cycle inquiry goal outcome habit story voice trust relationship meeting plan "
         "project reading writing discussion assessment grade report survey coach mentor "
         "leader team neighborhood library garden schedule budget grant program workshop "
         "conversation agreement boundary strength value belief tradition history map "
         "notebook portfolio reflection decision").split()
ADJS = ("careful steady shared local honest patient clear public small early weekly "
        "responsive practical quiet open diverse useful common new familiar strong gentle "
        "visible long brief thoughtful regular real whole bilingual rural urban").split()
VERBS = ("supports shapes guides builds invites reveals changes strengthens needs follows "
         "reflects frames measures welcomes connects challenges extends protects informs "
         "sustains tests explains records reaches includes serves").split()
PREPS = "with for across in through beyond within around after before during".split()
DETS = "the the the each this our their one".split()
ADVS = "often rarely slowly quietly deliberately openly usually sometimes".split()
LINK_LEADS = ["For more on this, see {l}.", "The same idea appears in {l}.",
              "Compare {l}.", "We return to this in {l}.", "A worked example is in {l}."]
HEAD_PATTERNS = ["{A} {N}", "Why {N} Matters", "{N}, {N} and {N}", "The {N}'s Role",
                 "Building {A} {N}", "When {N} Meets {N}", "From {N} to {N}", "Notes on {A} {N}",
                 "How {N} {V} {N}", "A {A} Start"]
KINDS = {"book": "guide", "lessons": "lessons", "articles": "research"}
FIRST = "Ana Ben Chioma Dmitri Elena Farah Gustavo Hana Ines Jamal Kai Lena Mateo Nia Omar".split()
LAST = "Alvarez Baker Chen Diallo Evans Fischer Garcia Haddad Ito Jones Kim Lopez Mensah".split()
PLACES = ["Oakland, CA", "Tucson, AZ", "Detroit, MI", "El Paso, TX", "Newark, NJ", "Fresno, CA"]
ROLES = ["teacher", "principal", "researcher", "coach", "parent organizer"]


def sentence(r):
    words = [r.choice(DETS), *([r.choice(ADJS)] * (r.random() < .5)), r.choice(NOUNS),
             *([r.choice(ADVS)] * (r.random() < .2)), r.choice(VERBS), r.choice(DETS),
             *([r.choice(ADJS)] * (r.random() < .5)), r.choice(NOUNS)]
    if r.random() < .6:
        words += [r.choice(PREPS), r.choice(DETS), r.choice(NOUNS)]
    if r.random() < .35:
        words[-1] += ","
        words += [r.choice(["and", "because", "while", "so"]), r.choice(DETS), r.choice(NOUNS),
                  r.choice(VERBS), r.choice(DETS), r.choice(ADJS), r.choice(NOUNS)]
    s = " ".join(words)
    return s[0].upper() + s[1:] + "."


def heading(r):
    t = r.choice(HEAD_PATTERNS)
    for k, pool in (("{A}", ADJS), ("{N}", NOUNS), ("{V}", VERBS)):
        while k in t:
            t = t.replace(k, r.choice(pool).capitalize(), 1)
    return t


def anchor(text):
    """lowercase, spaces -> hyphens, punctuation dropped (playbook, Hugo 'github', mdBook)."""
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def q(s):  # a JSON string is a valid YAML double-quoted scalar
    return json.dumps(s, ensure_ascii=False)

# ---------------------------------------------------------------- site plan and pages
def plan(n):
    """Collections [(dir, kind, title, [page, ...])]; pages carry title, file and headings."""
    big = max(1, round(n * .15))
    k = max(1, round((n - big) / 200))
    sizes = [big] + [(n - big) // k + (j < (n - big) % k) for j in range(k)]
    colls = []
    for j, size in enumerate(sizes):
        kind = "articles" if j == 0 else ["book", "lessons", "articles"][(j - 1) % 3]
        cdir = "monographs" if j == 0 else f"{KINDS[kind]}-{j:02d}"
        r = random.Random(f"{SEED}-c-{j}")
        title = "Monographs" if j == 0 else f"{KINDS[kind].capitalize()} {j}: {heading(r)}"
        pages, seen = [], set()
        for i in range(size):
            r = random.Random(f"{SEED}-p-{j}-{i}")
            title_p = heading(r)
            slug = slugify(title_p)
            while slug in seen:
                slug += "-" + str(r.randint(2, 99))
            seen.add(slug)
            heads, used = [], set()
            for _ in range(r.randint(3, 5)):
                for level in [2] + [3] * r.randint(0, 2):
                    h = heading(r)
                    while anchor(h) in used:
                        h = heading(r)
                    used.add(anchor(h))
                    heads.append((level, h))
            pages.append({"coll": cdir, "kind": kind, "i": i, "title": title_p, "heads": heads,
                          "file": f"{i + 1:04d}-{slug}.md", "seed": f"{SEED}-b-{j}-{i}"})
        colls.append((cdir, kind, title, pages))
    return colls


def body(page, colls):
    """The Markdown body shared by all three generators."""
    r = random.Random(page["seed"])
    target = r.randint(560, 1100)  # prose; the page totals 800-1,500 words
    paras = [[sentence(r) for _ in range(r.randint(3, 6))]]   # every paragraph: list of sentences
    sections = [[("text", paras[0])]]
    extras = r.sample(["ul", "ol", "table", "code"], 4)
    for level, text in page["heads"]:
        sections.append([("raw", "#" * level + " " + text)])
        for _ in range(r.randint(1, 2)):
            paras.append([sentence(r) for _ in range(r.randint(3, 6))])
            sections[-1].append(("text", paras[-1]))
        if level == 2 and extras:
            sections[-1].append(("raw", block(r, extras.pop())))
    while extras:
        sections[-1].append(("raw", block(r, extras.pop())))
    words = sum(len(s.split()) for p in paras for s in p)
    while words < target:
        p = [sentence(r) for _ in range(r.randint(3, 6))]
        words += sum(len(s.split()) for s in p)
        paras.append(p)
        r.choice(sections[1:]).insert(1, ("text", p))
    own = next(c[3] for c in colls if c[0] == page["coll"])
    for _ in range(r.randint(3, 6)):                              # links to other pages
        roll = r.random()    # half to the same collection, some to the large one, some anywhere
        pages = own if roll < .5 else colls[0][3] if roll < .6 else r.choice(colls)[3]
        t = r.choice(pages)
        href = t["file"] if t["coll"] == page["coll"] else f"../{t['coll']}/{t['file']}"
        text = t["title"]
        if r.random() < .5:
            text = r.choice(t["heads"])[1]
            href += "#" + anchor(text)
        r.choice(paras).append(r.choice(LINK_LEADS).format(l=f"[{text}]({href})"))
    notes = r.randint(2, 3)                                        # footnotes, in order
    texts = [p for sec in sections for kind, p in sec if kind == "text"]
    for k, i in enumerate(sorted(r.sample(range(len(texts)), notes)), 1):
        texts[i][0] = texts[i][0][:-1] + f"[^{k}]."
    out = "\n\n".join("\n\n".join(" ".join(p) if kind == "text" else p for kind, p in sec)
                      for sec in sections)
    return out + "\n\n" + "\n".join(f"[^{k}]: {sentence(r)}" for k in range(1, notes + 1)) + "\n"


def block(r, kind):
    if kind in ("ul", "ol"):
        return "\n".join(f"{'-' if kind == 'ul' else f'{i}.'} {sentence(r)}"
                         for i in range(1, r.randint(3, 6) + 1))
    if kind == "table":
        rows = ["| Practice | Who | How often | Evidence |", "|---|---|---|---:|"]
        rows += [f"| {r.choice(ADJS)} {r.choice(NOUNS)} | {r.choice(NOUNS)} | "
                 f"{r.choice(['weekly', 'daily', 'monthly', 'each term'])} | {r.randint(1, 99)}% |"
                 for _ in range(r.randint(3, 6))]
        return "\n".join(rows)
    a, b, n = r.choice(NOUNS), r.choice(NOUNS), r.randint(2, 9)
    if r.random() < .5:
        return (f"```python\ndef share_of_{a}s(records, threshold={n}):\n"
                f'    """Return the share of {a} records whose {b} score reaches the threshold."""\n'
                f"    kept = [r for r in records if r.{b} >= threshold]\n"
                f"    return len(kept) / max(len(records), 1)\n```")
    return (f"```rust\n/// Share of {a} scores that reach the threshold.\n"
            f"fn share_of_{a}s(scores: &[u32], threshold: u32) -> f64 {{\n"
            f"    let kept = scores.iter().filter(|&&s| s >= threshold).count();\n"
            f"    kept as f64 / scores.len().max(1) as f64 // {b}\n}}\n```")


def front(page, r, extra=()):
    fm = [f"title: {q(page['title'])}", f"description: {q(sentence(r))}", *extra]
    if page["kind"] == "articles":
        fm.append(f"date: {datetime.date(2012, 1, 1) + datetime.timedelta(days=page['i'] * 2)}")
        fm.append("authors:")
        for _ in range(r.randint(1, 3)):
            fm += [f"  - name: {q(r.choice(FIRST) + ' ' + r.choice(LAST))}",
                   f"    role: {q(r.choice(ROLES))}", f"    place: {q(r.choice(PLACES))}"]
    if page["kind"] == "lessons":
        fm += ["objectives:"] + [f"  - {q(sentence(r))}" for _ in range(r.randint(2, 4))]
    return "---\n" + "\n".join(fm) + "\n---\n\n"


def generate(n, site):
    """Write site/{playbook,hugo,mdbook} for n pages, unless this generator version did already."""
    stamp = site / ".generator"
    if not (stamp.exists() and stamp.read_text() == f"{GEN_VERSION} {SEED} {n}"):
        write_sites(n, site)
        stamp.write_text(f"{GEN_VERSION} {SEED} {n}")
    shutil.copytree(HUGO_SITE, site / "hugo", dirs_exist_ok=True)   # config, layouts, css


def write_sites(n, site):
    t0 = time.perf_counter()
    shutil.rmtree(site, ignore_errors=True)
    pb, hu, md = site / "playbook", site / "hugo" / "content", site / "mdbook" / "src"
    home = "\n\n".join(" ".join(sentence(random.Random(f"{SEED}-h-{k}")) for _ in range(4))
                       for k in range(3)) + "\n"
    head = '---\ntitle: "Playbook bench"\n'
    files = {pb / "content/index.md": head + 'description: "A synthetic site."\n---\n\n' + home,
             hu / "_index.md": head + "---\n\n" + home, md / "index.md": home}
    summary = ["# Summary\n", "[Home](index.md)\n"]
    for w, (cdir, kind, title, pages) in enumerate(colls := plan(n)):
        intro = " ".join(sentence(random.Random(f"{SEED}-ci-{w}-{k}")) for k in range(4)) + "\n"
        desc = q(sentence(random.Random(f"{SEED}-cd-{w}")))
        files[pb / "content" / cdir / "_index.md"] = (
            f"---\ntitle: {q(title)}\ndescription: {desc}\nkind: {kind}\nweight: {w + 1}\n---\n\n{intro}")
        files[hu / cdir / "_index.md"] = (
            f"---\ntitle: {q(title)}\ndescription: {desc}\nweight: {w + 1}\n---\n\n{intro}")
        files[md / cdir / "index.md"] = intro
        summary.append(f"- [{title}]({cdir}/index.md)")
        for p in pages:
            text = body(p, colls)
            r = random.Random(p["seed"] + "-fm")
            files[pb / "content" / cdir / p["file"]] = front(p, r) + text
            r = random.Random(p["seed"] + "-fm")
            slug = p["file"][5:-3]
            files[hu / cdir / p["file"]] = front(p, r, [f"slug: {slug}", f"weight: {p['i'] + 1}"]) + text
            files[md / cdir / p["file"]] = text
            summary.append(f"  - [{p['title']}]({cdir}/{p['file']})")
    files[md / "SUMMARY.md"] = "\n".join(summary) + "\n"
    files[pb / "playbook.yaml"] = ("title: \"Playbook bench\"\ndescription: \"A synthetic site "
                                   "for the build benchmark.\"\nbase_url: /\nlanguage: en\n")
    files[site / "mdbook/book.toml"] = '[book]\ntitle = "Playbook bench"\nlanguage = "en"\nsrc = "src"\n'
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(f"generated {n} pages x 3 tools in {site} ({time.perf_counter() - t0:.1f} s)")


# ---------------------------------------------------------------- tools
def sh(cmd, **kw):
    print("+", " ".join(map(str, cmd)), flush=True)
    if subprocess.run(cmd, **kw).returncode:
        sys.exit(f"FAILED: {' '.join(map(str, cmd))}")


def ensure_tools(tools, playbook):
    bins = {}
    if "playbook" in tools:
        if playbook is None:        # cargo decides whether the binary is stale
            sh(["cargo", "build", "--release"], cwd=REPO)
            playbook = REPO / "target" / "release" / "playbook"
        bins["playbook"] = str(Path(playbook).resolve())
    if "hugo" in tools:
        if not shutil.which("hugo"):
            sudo = [] if os.geteuid() == 0 else ["sudo"]
            apt = sudo + ["apt-get", "-o", "DPkg::Lock::Timeout=1800"]
            if subprocess.run(apt + ["install", "-y", "hugo"]).returncode:
                sh(apt + ["update"]), sh(apt + ["install", "-y", "hugo"])
        bins["hugo"] = shutil.which("hugo")
    if "mdbook" in tools:
        local = TOOLS_DIR / "bin" / "mdbook"
        if not local.exists() and not shutil.which("mdbook"):
            sh(["nice", "cargo", "install", "mdbook", "--locked", "--root", str(TOOLS_DIR)])
        bins["mdbook"] = str(local) if local.exists() else shutil.which("mdbook")
    return bins


def version(tool, exe):
    args = {"playbook": ["--version"], "hugo": ["version"], "mdbook": ["--version"]}[tool]
    p = subprocess.run([exe, *args], capture_output=True, text=True)
    v = (p.stdout or p.stderr).strip().splitlines()[:1] if p.returncode == 0 else []
    if tool == "playbook":
        rev = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                             capture_output=True, text=True).stdout.strip()
        v.append(f"git {rev}")
    return " / ".join(v)


def command(tool, exe, out):
    return {"playbook": [exe, "build", "--out", str(out), "--quiet"],
            "hugo": [exe, "--quiet", "--destination", str(out)],
            "mdbook": [exe, "build", "-d", str(out)]}[tool]

# ---------------------------------------------------------------- measuring
def html_files(out):
    return [Path(d, f) for d, _, fs in os.walk(out) for f in fs if f.endswith(".html")]


def run(tool, exe, site, work, n, label):
    out, log = work / "out" / f"{n}-{tool}-{label}", work / f"{tool}.log"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    os.sync()
    load = os.getloadavg()[0]                       # other work on the machine skews wall time
    with open(log, "wb") as f:
        t0 = time.perf_counter()
        proc = subprocess.Popen(command(tool, exe, out), cwd=site / tool, stdout=f,
                                stderr=subprocess.STDOUT)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    pages = len(html_files(out))
    if code != 0 or not n <= pages <= 1.1 * n + 100:
        tail = log.read_text(errors="replace")[-3000:]
        sys.exit(f"FAILED {tool} at {n} pages: exit {code}, {pages} HTML pages\n{tail}")
    return {"wall_s": round(wall, 4), "maxrss_kib": ru.ru_maxrss, "user_s": round(ru.ru_utime, 3),
            "sys_s": round(ru.ru_stime, 3), "html_pages": pages, "load1_before": load, "out": out}


def check_links(out, tool, sample=60):
    """Follow the #anchor links of some pages; every one must reach an element with that id."""
    files = sorted(html_files(out))
    checked, bad, ids = 0, [], {}
    for page in files[:: max(1, len(files) // sample)]:
        for href in map(html.unescape, re.findall(r'<a [^>]*?href="([^"]+)"', page.read_text())):
            path, _, frag = href.partition("#")
            if not path or not frag or ":" in path:
                continue
            target = (out / path.lstrip("/")) if path.startswith("/") else page.parent / path
            if target.is_dir() or path.endswith("/"):
                target = target / "index.html"
            target = target.resolve()
            if target not in ids:
                ids[target] = set(map(html.unescape, re.findall(r'\bid="?([^"\s>]+)', target.read_text()))
                                  if target.exists() else [])
            checked += 1
            if frag not in ids[target]:
                bad.append(f"{page.relative_to(out)} -> {path}#{frag}")
    if bad or not checked:
        sys.exit(f"FAILED {tool}: {len(bad)} of {checked} anchor links broken:\n" + "\n".join(bad[:10]))
    print(f"  {tool}: {checked} anchor links checked, all resolve")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--playbook", help="binary to use instead of building target/release/playbook")
    ap.add_argument("--tools", default=",".join(ALL_TOOLS))
    ap.add_argument("--work", default="/tmp/playbook-bench", type=Path)
    a = ap.parse_args()
    tools = [t for t in ALL_TOOLS if t in a.tools.split(",")]
    bins = ensure_tools(tools, a.playbook)
    info = {"nproc": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), ""),
            "mem_gib": round(int(open("/proc/meminfo").readline().split()[1]) / 2**20, 1),
            "versions": {t: version(t, e) for t, e in bins.items()}}
    report = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "machine": info,
              "generator": {"version": GEN_VERSION, "seed": SEED}, "runs": a.runs, "sizes": {}}
    outs = a.work / "out"
    if outs.exists() and any(outs.iterdir()):
        print("deleting earlier outputs, then waiting 65 s (see the docstring) ...", flush=True)
        shutil.rmtree(outs, ignore_errors=True)
        os.sync()
        time.sleep(65)
    for n in map(int, a.sizes.split(",")):
        t_size = time.perf_counter()
        site = a.work / f"n{n}"
        generate(n, site)
        active = [t for t in tools if t != "mdbook" or n <= MDBOOK_MAX]
        res = {t: [] for t in active}
        for t in active:
            print(f"[{n}] warm-up {t} ...", flush=True)
            check_links(run(t, bins[t], site, a.work, n, "warm-up").pop("out"), t)
        for i in range(a.runs):
            for t in active:
                res[t].append(run(t, bins[t], site, a.work, n, f"run{i + 1}"))
                res[t][-1].pop("out")
                print(f"[{n}] run {i + 1} {t}: {res[t][-1]['wall_s']:.2f} s, "
                      f"{res[t][-1]['maxrss_kib'] / 1024:.0f} MB", flush=True)
        med = lambda rs, f: statistics.median(map(f, rs))
        report["sizes"][n] = {t: {"median_wall_s": med(rs, lambda r: r["wall_s"]),
                                  "median_cpu_s": med(rs, lambda r: r["user_s"] + r["sys_s"]),
                                  "median_maxrss_mb": med(rs, lambda r: r["maxrss_kib"]) / 1024,
                                  "runs": rs} for t, rs in res.items()}
        if "mdbook" in tools and n > MDBOOK_MAX:
            report["sizes"][n]["mdbook"] = "skipped (quadratic)"
        report["sizes"][n]["ratios"] = ratios(report["sizes"][n])
        report["sizes"][n]["seconds_total"] = round(time.perf_counter() - t_size, 1)
    shutil.rmtree(outs, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    print_table(report, tools)
    print(f"\nraw runs: {RESULTS}")


def ratios(res):
    pb = res.get("playbook")
    return {f"playbook/{o}": {"time": round(pb["median_wall_s"] / res[o]["median_wall_s"], 3),
                              "memory": round(pb["median_maxrss_mb"] / res[o]["median_maxrss_mb"], 3)}
            for o in ("hugo", "mdbook") if isinstance(pb, dict) and isinstance(res.get(o), dict)}


def print_table(report, tools):
    print(f"\n{'pages':>6}  {'tool':<9} {'median s':>9} {'cpu s':>7} {'peak RSS MB':>12}   "
          f"{'pb/hugo time, mem':>18}   {'pb/mdbook time, mem':>19}")
    for n, res in report["sizes"].items():
        for t in tools:
            r = res.get(t)
            if not isinstance(r, dict):
                print(f"{n:>6}  {t:<9} {'skipped (quadratic)':>22}")
                continue
            rat = [f"{x['time']:.2f}x, {x['memory']:.2f}x" if t == "playbook" and x else ""
                   for x in (res["ratios"].get("playbook/hugo"), res["ratios"].get("playbook/mdbook"))]
            print(f"{n:>6}  {t:<9} {r['median_wall_s']:>9.2f} {r['median_cpu_s']:>7.2f} "
                  f"{r['median_maxrss_mb']:>12.0f}   {rat[0]:>18}   {rat[1]:>19}")
        loads = [x["load1_before"] for r in res.values() if isinstance(r, dict) and "runs" in r
                 for x in r["runs"]]
        busy = f"; machine busy (1-min load up to {max(loads, default=0):.1f})" if max(loads, default=0) > 0.7 else ""
        print(f"{'':>6}  whole size took {res['seconds_total']:.0f} s{busy}")


if __name__ == "__main__":
    main()
