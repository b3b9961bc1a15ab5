#!/usr/bin/env python3
"""Judged relevance benchmark: playbook's search (client API and header box) vs Pagefind.

    python3 bench/relevance.py                 # everything: ~20-40 min on 2 busy cores
    PLAYBOOK_BIN=/path/to/playbook python3 bench/relevance.py
    python3 bench/relevance.py --sites course --no-cold     # rankings only, one site
    python3 bench/relevance.py --table          # print the tables of the last report again

For each site (bench/relevance/README.md: `default` is the repository's own site, `course` and
`bilingual` are under bench/relevance/sites/), with the judged queries of
bench/relevance/queries/<site>.json:
  1. builds it once with playbook (`build --root SITE --out bench/relevance/out/<site>`; a site
     that fails to build gets a "site failed to build" row and the rest carries on);
  2. runs Pagefind (npm package pinned in bench/relevance/package.json) on that same output:
     its pages not marked noindex (so not the print views, which hold whole books), each
     page's <main> minus its <nav>s, as bench/search.py does;
  3. serves the output on 127.0.0.1 (bench/search.py's server: gzip for text, max-age=600);
then bench/relevance/probe.mjs runs every engine on every query of every site in one headless
Chromium at 4x CPU throttling, from a page of the query's language (`/` for English, `/es/`
for Spanish): playbook-api (our Index, first 10), playbook-box (the header box typed key by
key; it shows at most 5), pagefind (its JS API, first 10), and pagefind-mainthread (latency
only: Pagefind with its Web Worker removed, since Chromium's throttling slows the page's main
thread but not a worker). Rankings come from the warm pass (one page per language, queries in
order); first-query bytes, requests and latency from the cold pass (a fresh browser context per
query).

A result is relevant when its URL path, without #fragment and ?query, equals a judged path.
Per engine and site: R@1, R@5 and R@10 (share of queries with a relevant result at rank <= k),
MRR (mean of 1/rank of the first relevant result, 0 when none is listed), first-query bytes
and requests (median, p95), later-query bytes (median, p95: warm queries after the first of
each page) and ms from the last response byte to results shown (median, p95: cold queries).
Writes bench/results/relevance.json and bench/results/relevance-queries.txt (each query's
rank of the first relevant result per engine, and what each engine put first); prints a
summary table. Never edit the query files to suit a result (bench/relevance/README.md).
"""
import argparse, datetime, hashlib, importlib.util, json, os, platform, re, shutil, subprocess, sys, time
from pathlib import Path
from urllib.parse import urlsplit, unquote

REPO = Path(__file__).resolve().parent.parent
HERE = REPO / "bench" / "relevance"
QUERIES = HERE / "queries"
OUT = HERE / "out"
RESULTS = REPO / "bench" / "results" / "relevance.json"
PER_QUERY = REPO / "bench" / "results" / "relevance-queries.txt"
BROWSER_TESTS = REPO / "tests" / "browser"
SITES = {"default": REPO, "course": HERE / "sites" / "course", "bilingual": HERE / "sites" / "bilingual"}
PAGES = {"en": "", "es": "es/"}          # where a reader of each language searches from
ENGINES = ["playbook-api", "playbook-box", "pagefind", "pagefind-mainthread"]
RANKED = ["playbook-api", "playbook-box", "pagefind"]    # engines whose rankings are scored
SHOWN = {"playbook-api": 10, "playbook-box": 5, "pagefind": 10}
PAGEFIND_ROOT, PAGEFIND_EXCLUDE = "main", ["nav"]


def sh(cmd, **kw):
    print("+", " ".join(map(str, cmd)), flush=True)
    return subprocess.run(cmd, **kw)


def load_search_bench():
    """bench/search.py, for its static server and percentile (imported, not changed)."""
    spec = importlib.util.spec_from_file_location("bench_search", REPO / "bench" / "search.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------- tools
def ensure_playbook(given):
    given = given or os.environ.get("PLAYBOOK_BIN")
    if given:
        p = Path(given).resolve()
        if not p.is_file():
            sys.exit(f"PLAYBOOK_BIN / --playbook: {p} is not a file")
        return str(p)
    if sh(["nice", "cargo", "build", "--release"], cwd=REPO).returncode != 0:
        sys.exit("cargo build --release failed (or set PLAYBOOK_BIN to a playbook binary)")
    return str(REPO / "target" / "release" / "playbook")


def ensure_node():
    pw = BROWSER_TESTS / "node_modules" / "playwright-core" / "index.mjs"
    if not pw.exists() or not shutil.which("chromium"):
        sh(["bash", str(BROWSER_TESTS / "install.sh")], check=True)
    if not (HERE / "node_modules" / ".bin" / "pagefind").exists():
        sh(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True)
    return pw


def version(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return (p.stdout or p.stderr).strip().splitlines()[0] if p.returncode == 0 and (p.stdout or p.stderr).strip() else "?"


# ---------------------------------------------------------------- build and index
def build_site(pb, name, root, out):
    """Builds one site into `out` (emptied first, so a failed build leaves nothing behind)."""
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    p = subprocess.run([pb, "build", "--root", str(root), "--out", str(out), "--quiet"],
                       capture_output=True, text=True)
    secs = round(time.perf_counter() - t, 2)
    if p.returncode != 0 or not (out / "index.html").exists():
        err = (p.stderr or p.stdout).strip()
        errors = [l for l in err.splitlines() if l.startswith("error")]
        print(f"[{name}] site failed to build ({len(errors)} errors): {errors[0] if errors else err[-300:]}", flush=True)
        return {"built": False, "seconds": secs, "error": (errors[:5] or [err[-1500:]]), "error_count": len(errors)}
    pages = sum(1 for _ in out.rglob("index.html"))
    print(f"[{name}] built in {secs} s ({pages} index.html files)", flush=True)
    return {"built": True, "seconds": secs, "index_html_files": pages}


def indexable_pages(out):
    """The output's HTML pages a search engine may index: every page but those marked
    <meta name="robots" content="noindex"> (print views, My learning, the search page, 404,
    offline). These are the pages of the sitemap, and the pages our own index holds."""
    pages = []
    for p in sorted(out.rglob("*.html")):
        if p.is_relative_to(out / "pagefind"):
            continue
        head = p.read_text(errors="replace")[:20000]
        if not re.search(r'<meta name="robots" content="[^"]*noindex', head):
            pages.append(p.relative_to(out))
    return pages


def run_pagefind(name, out):
    """Pagefind's CLI on the same output, limited to its indexable pages (linked into a staging
    folder: Pagefind has no switch to skip the pages a site marks noindex, and a site using it
    would keep the print views, which hold whole books, out of its index), reading each page's
    <main> minus its <nav>s. The bundle is written to OUT/pagefind/, as `--site OUT` would."""
    exe = HERE / "node_modules" / ".bin" / "pagefind"
    stage = out.parent / f"{name}.pagefind-pages"
    shutil.rmtree(stage, ignore_errors=True)
    pages = indexable_pages(out)
    for rel in pages:
        (stage / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(out / rel, stage / rel)
    cmd = [str(exe), "--site", str(stage), "--output-path", str(out / "pagefind"), "--root-selector", PAGEFIND_ROOT]
    for sel in PAGEFIND_EXCLUDE:
        cmd += ["--exclude-selectors", sel]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    secs = round(time.perf_counter() - t, 2)
    shutil.rmtree(stage, ignore_errors=True)
    text = p.stdout + p.stderr
    if p.returncode != 0:
        print(f"[{name}] pagefind failed: {text[-500:]}", flush=True)
        return {"ok": False, "seconds": secs, "log_tail": text[-1500:]}
    summary = {k: int(v) for v, k in re.findall(r"Indexed (\d+) (languages|pages|words)", text)}
    print(f"[{name}] pagefind in {secs} s on {len(pages)} indexable pages: {summary}", flush=True)
    return {"ok": True, "seconds": secs, "indexable_pages": len(pages), **summary}


def search_page(out, lang):
    """The page a reader of `lang` searches from: PAGES[lang] if built, else the first page
    whose <html lang> is that language."""
    rel = PAGES.get(lang, "")
    if (out / rel / "index.html").exists():
        return rel
    for p in sorted(out.rglob("index.html")):
        if re.search(rf'<html[^>]*\blang="{lang}', p.read_text(errors="replace")[:2000]):
            return str(p.parent.relative_to(out)) + "/"
    return None


# ---------------------------------------------------------------- scoring
def norm(url):
    """A result's URL as a judged path: path only, no #fragment or ?query, index.html dropped."""
    if not url:
        return None
    path = unquote(urlsplit(url).path)
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path if path.endswith("/") or "." in path.rsplit("/", 1)[-1] else path + "/"


def first_relevant(top, relevant):
    rel = set(relevant)
    for k, u in enumerate(top or [], start=1):
        if norm(u) in rel:
            return k
    return None


def score(ranks, n):
    """R@1, R@5, R@10 and MRR of a list of first-relevant ranks (None: not found)."""
    if not n:
        return None
    at = lambda k: round(sum(1 for r in ranks if r and r <= k) / n, 3)
    return {"R@1": at(1), "R@5": at(5), "R@10": at(10),
            "MRR": round(sum(1 / r for r in ranks if r) / n, 3), "queries": n,
            "not_found": sum(1 for r in ranks if not r)}


def dist(xs, pct):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": round(pct(xs, 50), 1), "p95": round(pct(xs, 95), 1), "max": max(xs)}


def summarise(engine, raw, queries, pct):
    """One engine on one site: relevance from the warm pass, cost from both passes."""
    s = {}
    warm, cold = raw.get("warm", []), raw.get("cold", [])
    if engine in RANKED and warm:
        by_i = {r["i"]: r for r in warm}
        ranks = [first_relevant(by_i.get(q["i"], {}).get("top"), q["relevant"]) for q in queries]
        s["relevance"] = score(ranks, len(queries))
        s["relevance"]["errors"] = sum(1 for r in warm if r.get("error"))
        by_lang = {}
        for q, r in zip(queries, ranks):
            by_lang.setdefault(q["lang"], []).append(r)
        if len(by_lang) > 1:
            s["relevance_by_lang"] = {l: score(rs, len(rs)) for l, rs in by_lang.items()}
        # The same query, run cold, should rank the same pages (a check on the harness).
        cold_by_i = {r["i"]: r for r in cold}
        s["cold_warm_rank_differs"] = [
            q["q"] for q in queries if q["i"] in cold_by_i and q["i"] in by_i
            and [norm(u) for u in cold_by_i[q["i"]].get("top") or []] != [norm(u) for u in by_i[q["i"]].get("top") or []]]
    firsts = [r for r in cold if not r.get("error")]
    if firsts:
        s["first_query"] = {"bytes": dist([r["bytes"] for r in firsts], pct),
                            "requests": dist([r["requests"] for r in firsts], pct),
                            "after_last_byte_ms": dist([r["after_last_byte_ms"] for r in firsts], pct),
                            "query_to_results_ms": dist([r["query_to_results_ms"] for r in firsts], pct),
                            "queries": len(firsts)}
    # Later queries: every warm query but the first of its page (one page per language).
    seen, later = set(), []
    for r in warm:
        if r.get("lang") in seen and not r.get("error"):
            later.append(r)
        seen.add(r.get("lang"))
    if later:
        s["later_query"] = {"bytes": dist([r["bytes"] for r in later], pct),
                            "requests": dist([r["requests"] for r in later], pct),
                            "query_to_results_ms": dist([r["query_to_results_ms"] for r in later], pct),
                            "fetched_nothing": sum(1 for r in later if not r["requests"]),
                            "queries": len(later)}
    errs = [r for r in warm + cold if r.get("error")]
    s["query_errors"] = [f"{r.get('q')}: {r['error']}" for r in errs][:10]
    s["failed_requests"] = sorted({f for r in warm + cold for f in r.get("failed") or []})[:10]
    s["page_errors"] = raw.get("errors", [])[:10]
    return s


# ---------------------------------------------------------------- tables
def fmt(x, kb=False):
    if x is None:
        return "-"
    return f"{x / 1000:.1f}" if kb else (f"{x:.3f}".rstrip("0").rstrip(".") if isinstance(x, float) and x < 1.0001 else f"{x:g}")


def summary_table(report):
    lines = ["| site | engine | R@1 | R@5 | MRR | first query KB (median / p95) | requests | later KB (median / p95) | ms after last byte, 4x CPU (median / p95) | ms query to results, first query (median) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for site, sr in report["sites"].items():
        if not sr["build"]["built"]:
            lines.append(f"| {site} | site failed to build | - | - | - | - | - | - | - | - |")
            continue
        for eng, s in sr["engines"].items():
            rel = s.get("relevance") or {}
            fq, lq = s.get("first_query") or {}, s.get("later_query") or {}
            b, rq, lb, ab = fq.get("bytes") or {}, fq.get("requests") or {}, lq.get("bytes") or {}, fq.get("after_last_byte_ms") or {}
            qr = fq.get("query_to_results_ms") or {}
            lines.append(" | ".join([f"| {site}", eng, fmt(rel.get("R@1")), fmt(rel.get("R@5")), fmt(rel.get("MRR")),
                                     f"{fmt(b.get('median'), True)} / {fmt(b.get('p95'), True)}",
                                     fmt(rq.get("median")),
                                     f"{fmt(lb.get('median'), True)} / {fmt(lb.get('p95'), True)}",
                                     f"{fmt(ab.get('median'))} / {fmt(ab.get('p95'))}",
                                     fmt(qr.get("median"))]) + " |")
    return "\n".join(lines)


def per_query_table(report):
    out = ["Rank of the first relevant result per engine (warm pass); '-' = not among the results",
           f"the engine lists (playbook-api and pagefind: 10, playbook-box: the 5 the box shows).",
           f"Report of {report['date']}, playbook {report['versions']['playbook']}.", ""]
    for site, sr in report["sites"].items():
        out.append(f"== {site}")
        if not sr["build"]["built"]:
            out += ["   site failed to build: " + "; ".join(sr["build"]["error"][:3]), ""]
            continue
        engs = [e for e in RANKED if e in sr["engines"]]
        w = max([len(q["q"]) for q in sr["queries"]] + [10]) + 2
        out.append(f"   {'query':<{w}}{'lang':<6}" + "".join(f"{e:>14}" for e in engs) + "   judged")
        for q in sr["queries"]:
            ranks = [q["ranks"].get(e) for e in engs]
            flag = "  <-- " + ",".join(e for e, r in zip(engs, ranks) if r != 1) if any(r != 1 for r in ranks) else ""
            out.append(f"   {q['q']:<{w}}{q['lang']:<6}" + "".join(f"{(r if r else '-'):>14}" for r in ranks)
                       + f"   {' '.join(q['relevant'])}{flag}")
        out.append("")
        out.append("   First result of each engine where it is not relevant:")
        for q in sr["queries"]:
            for e in engs:
                if q["ranks"].get(e) != 1:
                    out.append(f"     {q['q']!r} {e}: {q['first'].get(e) or '(no results)'}")
        out.append("")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sites", default="default,course,bilingual")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--playbook", help="playbook binary (default: $PLAYBOOK_BIN, else cargo build --release)")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold pass (no first-query bytes or latency)")
    ap.add_argument("--cpu-throttle", type=float, default=4)
    ap.add_argument("--key-delay-ms", type=int, default=100)
    ap.add_argument("--results", type=Path, default=RESULTS)
    ap.add_argument("--per-query", type=Path, default=PER_QUERY)
    ap.add_argument("--first", type=int, help="only the first N queries of each site (a smoke test)")
    ap.add_argument("--table", action="store_true", help="print the tables of --results again and stop")
    a = ap.parse_args()
    if a.table:
        report = json.loads(a.results.read_text())
        print(per_query_table(report))
        print(summary_table(report))
        return
    sb = load_search_bench()
    t_all = time.perf_counter()
    engines = [e for e in ENGINES if e in a.engines.split(",")]
    pb = ensure_playbook(a.playbook)
    ensure_node()
    report = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {"nproc": os.cpu_count(), "platform": platform.platform(),
                    "load1_start": round(os.getloadavg()[0], 2)},
        "versions": {
            "playbook": version([pb, "--version"]) + " / binary " + pb
                + " / sha256 " + hashlib.sha256(Path(pb).read_bytes()).hexdigest()[:12],
            "harness_git": subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                                          capture_output=True, text=True).stdout.strip(),
            "pagefind": version([str(HERE / "node_modules" / ".bin" / "pagefind"), "--version"]),
            "node": version(["node", "--version"])},
        "settings": {"cpu_throttle": a.cpu_throttle, "key_delay_ms": a.key_delay_ms, "results_listed": SHOWN,
                     "pages": PAGES, "pagefind_args": {"root_selector": PAGEFIND_ROOT, "exclude_selectors": PAGEFIND_EXCLUDE},
                     "server": "bench/search.py's: python http.server, gzip level 6 for text types, Cache-Control: max-age=600",
                     "cold_pass": not a.no_cold},
        "sites": {},
    }
    servers, probe_sites, raw = [], [], {"sites": {}}
    try:
        for name in a.sites.split(","):
            queries = json.loads((QUERIES / f"{name}.json").read_text())[: a.first]
            for i, q in enumerate(queries):
                q["i"] = i
            out = OUT / name
            sr = report["sites"][name] = {"root": str(SITES[name].relative_to(REPO)) or ".",
                                          "build": build_site(pb, name, SITES[name], out), "queries": queries}
            if not sr["build"]["built"]:
                continue
            sr["pagefind"] = run_pagefind(name, out) if any(e.startswith("pagefind") for e in engines) else None
            site_engines = [e for e in engines if not e.startswith("pagefind") or (sr["pagefind"] or {}).get("ok")]
            pages = {}
            for lang in sorted({q["lang"] for q in queries}):
                pages[lang] = search_page(out, lang)
            missing = [l for l, p in pages.items() if p is None]
            if missing:
                sr["build"]["note"] = f"no page in {missing}: those queries are not run"
            sr["pages"] = pages
            base, stop = sb.serve(out.resolve())
            servers.append(stop)
            probe_sites.append({"name": name, "base": base, "pages": {l: p for l, p in pages.items() if p is not None},
                                "engines": site_engines,
                                "queries": [{"i": q["i"], "q": q["q"], "lang": q["lang"]} for q in queries
                                            if pages.get(q["lang"]) is not None]})
        if probe_sites:
            cfg = OUT / "probe-config.json"
            raw_path = OUT / "probe-out.json"
            cfg.write_text(json.dumps({"sites": probe_sites, "cpuThrottle": a.cpu_throttle,
                                       "keyDelayMs": a.key_delay_ms, "limit": 10, "cold": not a.no_cold}))
            t = time.perf_counter()
            sh(["node", str(HERE / "probe.mjs"), str(cfg), str(raw_path)], check=True)
            report["probe_seconds"] = round(time.perf_counter() - t, 1)
            raw = json.loads(raw_path.read_text())
            report["versions"]["chromium"] = raw.get("chromium")
    finally:
        for stop in servers:
            stop()
    report["machine"]["load1_end"] = round(os.getloadavg()[0], 2)
    for name, sr in report["sites"].items():
        if not sr["build"]["built"] or name not in raw["sites"]:
            continue
        rs = raw["sites"][name]
        sr["engines"] = {e: summarise(e, rs[e], sr["queries"], sb.pct) for e in rs}
        for q in sr["queries"]:
            q["ranks"], q["first"], q["top"] = {}, {}, {}
            for e in RANKED:
                w = {r["i"]: r for r in rs.get(e, {}).get("warm", [])}.get(q["i"])
                if w is None:
                    continue
                q["ranks"][e] = first_relevant(w.get("top"), q["relevant"])
                q["first"][e] = norm((w.get("top") or [None])[0])
                q["top"][e] = [norm(u) for u in w.get("top") or []]
        sr["raw"] = {e: {"warm": [{k: v for k, v in r.items() if k != "files"} for r in d["warm"]],
                         "cold": [{k: v for k, v in r.items() if k != "files"} for r in d["cold"]],
                         "cold_files_first": d["cold"][0].get("files") if d["cold"] else None}
                     for e, d in rs.items()}
    report["seconds_total"] = round(time.perf_counter() - t_all, 1)
    a.results.parent.mkdir(parents=True, exist_ok=True)
    a.results.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    a.per_query.write_text(per_query_table(report))
    print()
    print(summary_table(report))
    print(f"\nper query: {a.per_query}; full report: {a.results}; "
          f"{report['seconds_total']:.0f} s in all (load {report['machine']['load1_start']} -> {report['machine']['load1_end']})")


if __name__ == "__main__":
    main()
