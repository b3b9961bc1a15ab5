#!/usr/bin/env python3
"""Live-reload benchmark: time from saving a file to the `reload` event of `playbook serve`.

Not a test: it measures and reports. Python 3.11 standard library only.

For each site size N (--sizes, default 1000,10000), run one after the other:
  * The site is bench/build.py's synthetic playbook site (same generator, seed and pages; only
    the playbook part is written, into --work/nN/pristine, and reused while the generator is
    unchanged), copied afresh to --work/nN/site. Before the server starts, the site gets
    themes/default/templates/chapter.html, a copy of the built-in one (this repository's
    themes/default/templates/chapter.html), so the template edits below change an existing file.
  * `playbook serve --port 0 --root SITE --quiet` is started (target/release/playbook, built
    with `cargo build --release` if missing; a failed build, say while src/ is mid-edit, is
    retried), and /__playbook/events is read with http.client by a thread that timestamps each
    event as its `data:` line arrives.
  * Three kinds of edit, --edits (50) of each, on one chapter in the middle of the first book:
      body      append a sentence to the chapter's body (the fast path: one page re-rendered)
      title     change the chapter's `title:` (front matter: its collection is re-rendered)
      template  rewrite themes/default/templates/chapter.html as the built-in one plus a
                changing HTML comment (every chapter is re-rendered)
    Each edit is a plain rewrite of the file (open, write, close). Latency is the time from
    just before the write to the receipt of the first `reload` event whose paths include the
    chapter's URL (or `all`). The next edit starts --gap (0.3 s) after that event, so events
    of one edit (such as the book's print view, re-rendered after the reload goes out) never
    count for the next. Work the server defers until after the reload event still delays the
    next edit's rebuild when it takes longer than the gap: that is part of what is measured (an
    author saving again soon). For body edits the time to the book's print-view reload, which
    the server sends when that deferred work is done, is also recorded when it arrives before
    the next edit is due. For latencies without that overlap, use a long --gap (e.g. 10).
  * Prints p50, p95 (nearest rank) and max in ms per size and kind, the ratio of the largest
    size's body p50 to the smallest's, a markdown table, and writes bench/results/live-latest.json
    (every latency, start-up time, server memory, 1-min load, machine, binary).

Goal to compare against: body p50 under 50 ms at 10,000 pages, and at most 1.5x the 1,000-page p50.
The machine is small (2 cores) and may be shared: the 1-min load is recorded before each size.
"""
import argparse, datetime, http.client, json, math, os, platform, queue, random, re, shutil, \
    signal, statistics, subprocess, sys, threading, time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "live-latest.json"
BUILTIN_CHAPTER = REPO / "themes" / "default" / "templates" / "chapter.html"
KINDS = ["body", "title", "template"]
GOAL_P50_MS, GOAL_RATIO = 50.0, 1.5
STAMP_VERSION = 1  # bump when the way this script writes the site changes


# ---------------------------------------------------------------- the site
def load_generator():
    """bench/build.py's generator, read-only (it is the build benchmark's; not edited here)."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import build as gen  # noqa: E402
    finally:
        sys.path.pop(0)
    for name in ("plan", "body", "front", "sentence", "q", "SEED", "GEN_VERSION"):
        if not hasattr(gen, name):
            sys.exit(f"bench/build.py has no `{name}`: its generator changed; update bench/live.py")
    return gen


def generate(gen, n, pristine):
    """The playbook part of bench/build.py's site for n pages, as build.py writes it."""
    stamp = pristine / ".generator"
    want = f"live {STAMP_VERSION} / build.py {gen.GEN_VERSION} {gen.SEED} {n}"
    if stamp.exists() and stamp.read_text() == want:
        return
    t0 = time.perf_counter()
    shutil.rmtree(pristine, ignore_errors=True)
    home = "\n\n".join(" ".join(gen.sentence(random.Random(f"{gen.SEED}-h-{k}")) for _ in range(4))
                       for k in range(3)) + "\n"
    files = {"content/index.md": '---\ntitle: "Playbook bench"\ndescription: "A synthetic site."\n---\n\n' + home,
             "playbook.yaml": ("title: \"Playbook bench\"\ndescription: \"A synthetic site "
                               "for the build benchmark.\"\nbase_url: /\nlanguage: en\n")}
    colls = gen.plan(n)
    for w, (cdir, kind, title, pages) in enumerate(colls):
        intro = " ".join(gen.sentence(random.Random(f"{gen.SEED}-ci-{w}-{k}")) for k in range(4)) + "\n"
        desc = gen.q(gen.sentence(random.Random(f"{gen.SEED}-cd-{w}")))
        files[f"content/{cdir}/_index.md"] = (
            f"---\ntitle: {gen.q(title)}\ndescription: {desc}\nkind: {kind}\n---\n\n{intro}")
        for p in pages:
            files[f"content/{cdir}/{p['file']}"] = gen.front(p, random.Random(p["seed"] + "-fm")) + gen.body(p, colls)
    for rel, text in files.items():
        path = pristine / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    stamp.write_text(want)
    print(f"generated {n} pages in {pristine} ({time.perf_counter() - t0:.1f} s)", flush=True)


def pick_chapter(gen, n):
    """(file relative to the site, its URL, its book's print view URL): the middle chapter of the
    first book."""
    cdir, _, _, pages = next(c for c in gen.plan(n) if c[1] == "book")
    p = pages[len(pages) // 2]
    return f"content/{cdir}/{p['file']}", f"/{cdir}/{p['file'][5:-3]}/", f"/{cdir}/print/"


# ---------------------------------------------------------------- the binary
def ensure_binary(given, tries=10, wait_s=60):
    if given:
        return Path(given).resolve()
    exe = REPO / "target" / "release" / "playbook"
    for i in range(tries):
        if exe.exists():
            return exe
        print("+ cargo build --release", flush=True)   # waits by itself while cargo is busy
        if subprocess.run(["cargo", "build", "--release"], cwd=REPO).returncode == 0 and exe.exists():
            return exe
        print(f"cargo build --release failed (src/ mid-edit?); retrying in {wait_s} s "
              f"({i + 1} of {tries})", flush=True)
        time.sleep(wait_s)
    sys.exit("could not build target/release/playbook")


def binary_info(exe, given):
    rev = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                         capture_output=True, text=True).stdout.strip()
    ver = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout.strip()
    st = exe.stat()
    return {"path": str(exe), "version": ver, "modified": datetime.datetime.fromtimestamp(st.st_mtime)
            .isoformat(timespec="seconds"),
            # A binary given with --playbook may have been built from other sources than the work tree's.
            "repo_git_at_run": rev, "given_with_--playbook": bool(given)}


# ---------------------------------------------------------------- the server and its events
class Server:
    def __init__(self, exe, site, timeout_s=600):
        self.log = []
        t0 = time.perf_counter()
        self.proc = subprocess.Popen([str(exe), "serve", "--port", "0", "--root", str(site), "--quiet"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"})
        found = queue.Queue()

        def read_stderr():
            for line in self.proc.stderr:
                self.log.append(line.rstrip("\n"))
                m = re.search(r"Serving http://127\.0\.0\.1:(\d+)/", line)
                if m:
                    found.put(int(m.group(1)))
            found.put(None)
        threading.Thread(target=read_stderr, daemon=True).start()
        try:
            self.port = found.get(timeout=timeout_s)
        except queue.Empty:
            self.port = None
        if not self.port:
            self.stop()
            sys.exit("playbook serve did not start:\n" + "\n".join(self.log[-30:]))
        self.startup_s = time.perf_counter() - t0
        if any(l.startswith("error") or "build failed" in l for l in self.log):
            self.stop()
            sys.exit("the first build failed:\n" + "\n".join(self.log[-30:]))

    def get(self, path):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.request("GET", path)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def memory_mb(self):
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return {}
        kib = {k: int(v.split()[0]) for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(.*)$", status, re.M)}
        return {"rss_mb": round(kib.get("VmRSS", 0) / 1024, 1), "peak_rss_mb": round(kib.get("VmHWM", 0) / 1024, 1)}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Events:
    """Reads /__playbook/events on a thread; each event is (perf_counter at its data line, name, data)."""

    def __init__(self, port):
        self.q = queue.Queue()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=None)
        self.conn.request("GET", "/__playbook/events", headers={"Accept": "text/event-stream"})
        self.resp = self.conn.getresponse()   # the headers come once the server has subscribed us
        if self.resp.status != 200:
            sys.exit(f"/__playbook/events answered HTTP {self.resp.status}")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        name = "message"
        try:
            while line := self.resp.readline():
                t = time.perf_counter()
                line = line.decode("utf-8").rstrip("\r\n")
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    self.q.put((t, name, line[5:].strip()))
                elif line == "":
                    name = "message"
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            # The stream ends when the server stops (http.client may then fail on its closed
            # socket in several ways): that is the end of the events, not an error.
            pass
        self.q.put((time.perf_counter(), "closed", ""))

    def drain(self):
        while True:
            try:
                self.q.get_nowait()
            except queue.Empty:
                return

    def wait_reload(self, url, timeout_s):
        """Time of the first reload event for url (or all); None on time-out. Raises on build errors."""
        end = time.perf_counter() + timeout_s
        while (left := end - time.perf_counter()) > 0:
            try:
                t, name, data = self.q.get(timeout=left)
            except queue.Empty:
                return None
            if name == "closed":
                raise RuntimeError("the event stream closed")
            d = json.loads(data) if data else {}
            if name == "errors" and d.get("text"):
                raise RuntimeError("the edit made the build fail:\n" + d["text"])
            if name == "reload" and (d.get("all") or url in d.get("paths", [])):
                return t
        return None

    def close(self):
        try:
            self.conn.sock and self.conn.sock.shutdown(2)
        except OSError:
            pass
        self.conn.close()


# ---------------------------------------------------------------- edits
def edits(kind, site, rel, gen):
    """Yields (path, new text) for edit k = 0, 1, ... of the given kind."""
    if kind == "body":
        path, text, r = site / rel, (site / rel).read_text(), random.Random(f"live-{rel}")
        k = 0
        while True:
            text += f"\nEdit {k}: {gen.sentence(r)}\n"
            yield path, text
            k += 1
    elif kind == "title":
        path = site / rel
        text = path.read_text()
        m = re.search(r"^title: (.*)$", text, re.M)
        title = json.loads(m.group(1)) if m.group(1).startswith('"') else m.group(1)
        k = 0
        while True:
            yield path, text[:m.start()] + f"title: {json.dumps(f'{title} (edit {k})')}" + text[m.end():]
            k += 1
    else:
        path, builtin = site / "themes/default/templates/chapter.html", BUILTIN_CHAPTER.read_text()
        if "{% block main %}" not in builtin:
            sys.exit(f"{BUILTIN_CHAPTER} has no {{% block main %}} to put the comment in")
        k = 0
        while True:
            yield path, builtin.replace("{% block main %}", f"{{% block main %}}<!-- live bench edit {k} -->", 1)
            k += 1


def percentile(xs, p):
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def stats(lat_ms):
    if not lat_ms:
        return {"p50_ms": None, "p95_ms": None, "max_ms": None}
    return {"p50_ms": round(statistics.median(lat_ms), 1), "p95_ms": round(percentile(lat_ms, 95), 1),
            "max_ms": round(max(lat_ms), 1)}


def run_size(gen, exe, n, work, a):
    pristine, site = work / f"n{n}" / "pristine", work / f"n{n}" / "site"
    generate(gen, n, pristine)
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(pristine, site)
    tpl = site / "themes/default/templates/chapter.html"
    tpl.parent.mkdir(parents=True, exist_ok=True)
    tpl.write_text(BUILTIN_CHAPTER.read_text())
    rel, url, print_url = pick_chapter(gen, n)
    load = os.getloadavg()[0]
    print(f"[{n}] starting playbook serve (1-min load {load:.1f}) ...", flush=True)
    server = Server(exe, site)
    out = {"pages": n, "chapter": {"file": rel, "url": url}, "startup_s": round(server.startup_s, 2),
           "load1_before": load, "kinds": {}}
    try:
        status, html = server.get(url)
        if status != 200:
            sys.exit(f"{url} answered HTTP {status}")
        ev = Events(server.port)
        time.sleep(0.5)
        for kind in a.kinds:
            lat, print_lat, missed = [], [], 0
            gen_edit = edits(kind, site, rel, gen)
            for k in range(a.edits):
                path, text = next(gen_edit)
                ev.drain()
                t0 = time.perf_counter()
                with open(path, "w") as f:
                    f.write(text)
                t = ev.wait_reload(url, a.timeout)
                if t is None:
                    missed += 1
                    print(f"[{n}] {kind} edit {k}: no reload event within {a.timeout} s", flush=True)
                    time.sleep(a.gap)
                    continue
                lat.append((t - t0) * 1000)
                # After a body edit's reload the server does its deferred work (the print view of
                # the book, the search index) and then sends the print view's reload: recorded
                # when it comes before the next edit is due.
                due = t + a.gap
                if kind == "body":
                    tp = ev.wait_reload(print_url, max(0.0, due - time.perf_counter()))
                    if tp is not None:
                        print_lat.append((tp - t0) * 1000)
                time.sleep(max(0.0, due - time.perf_counter()))
            # The page really shows the last edit.
            status, html = server.get(url)
            marker = {"body": f"Edit {a.edits - 1}:", "title": f"(edit {a.edits - 1})",
                      "template": f"live bench edit {a.edits - 1}"}[kind]
            shown = status == 200 and marker in html.decode("utf-8", "replace")
            out["kinds"][kind] = {**stats(lat), "edits": a.edits, "missed": missed, "last_edit_served": shown,
                                  "latencies_ms": [round(x, 2) for x in lat]}
            if kind == "body":
                out["kinds"][kind]["print_view"] = {
                    "url": print_url, "seen_before_next_edit": len(print_lat),
                    **(stats(print_lat) if print_lat else {}), "latencies_ms": [round(x, 2) for x in print_lat]}
            s = out["kinds"][kind]
            print(f"[{n}] {kind:<8} p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, max {s['max_ms']} ms"
                  f"{f', {missed} missed' if missed else ''}{'' if shown else ', LAST EDIT NOT SERVED'}", flush=True)
        out["server_memory"] = server.memory_mb()
        ev.close()
    finally:
        server.stop()
    return out


def print_table(report):
    print("\n| pages | edit | edits | p50 ms | p95 ms | max ms | missed | print view reload p50 ms (seen) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for n, r in report["sizes"].items():
        for kind, s in r["kinds"].items():
            f = lambda v: "-" if v is None else f"{v:.1f}"
            pv = s.get("print_view")
            pv = f"{f(pv.get('p50_ms'))} ({pv['seen_before_next_edit']}/{s['edits']})" if pv else "-"
            print(f"| {int(n):,} | {kind} | {s['edits']} | {f(s['p50_ms'])} | {f(s['p95_ms'])} | "
                  f"{f(s['max_ms'])} | {s['missed']} | {pv} |")
    g = report.get("goal")
    if g:
        print(f"\nbody p50 at {g['large']:,} pages / at {g['small']:,} pages: {g['ratio']:.2f}x "
              f"(goal <= {GOAL_RATIO}x: {'met' if g['ratio_met'] else 'NOT met'}); "
              f"body p50 at {g['large']:,} pages {g['large_p50_ms']:.1f} ms "
              f"(goal < {GOAL_P50_MS:.0f} ms: {'met' if g['p50_met'] else 'NOT met'})")
    for n, r in report["sizes"].items():
        mem = r.get("server_memory", {})
        print(f"{int(n):,} pages: first build + start {r['startup_s']:.1f} s, server RSS "
              f"{mem.get('rss_mb', '?')} MB (peak {mem.get('peak_rss_mb', '?')} MB), 1-min load before "
              f"{r['load1_before']:.1f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--edits", type=int, default=50, help="edits of each kind (default 50)")
    ap.add_argument("--gap", type=float, default=0.3, help="seconds between an edit's reload and the next edit")
    ap.add_argument("--timeout", type=float, default=60, help="seconds to wait for one reload event")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--playbook", help="binary to use instead of target/release/playbook")
    ap.add_argument("--work", default="/tmp/playbook-bench/live", type=Path)
    ap.add_argument("--out", default=RESULTS, type=Path, help="where to write the JSON results")
    a = ap.parse_args()
    a.kinds = [k for k in KINDS if k in a.kinds.split(",")]
    gen = load_generator()
    exe = ensure_binary(a.playbook)
    report = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
              "machine": {"nproc": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version(),
                          "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                                       if l.startswith("model name")), ""),
                          "mem_gib": round(int(open("/proc/meminfo").readline().split()[1]) / 2**20, 1)},
              "binary": binary_info(exe, a.playbook),
              "method": {"edits": a.edits, "gap_s": a.gap, "kinds": a.kinds,
                         "generator": f"bench/build.py v{gen.GEN_VERSION} seed {gen.SEED}",
                         "latency": "perf_counter just before the file write -> receipt of the SSE data line "
                                    "of the first reload event naming the page (or all)"},
              "goal": None, "sizes": {}}
    for n in map(int, a.sizes.split(",")):
        report["sizes"][str(n)] = run_size(gen, exe, n, a.work, a)
    sizes = sorted(int(n) for n in report["sizes"])
    if len(sizes) > 1 and "body" in a.kinds:
        small, large = report["sizes"][str(sizes[0])]["kinds"]["body"], report["sizes"][str(sizes[-1])]["kinds"]["body"]
        if small["p50_ms"] and large["p50_ms"]:
            ratio = large["p50_ms"] / small["p50_ms"]
            report["goal"] = {"small": sizes[0], "large": sizes[-1], "ratio": round(ratio, 3),
                              "large_p50_ms": large["p50_ms"], "ratio_met": ratio <= GOAL_RATIO,
                              "p50_met": large["p50_ms"] < GOAL_P50_MS}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(report, indent=1) + "\n")
    print_table(report)
    print(f"\nraw latencies: {a.out}")


if __name__ == "__main__":
    main()
