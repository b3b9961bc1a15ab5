#!/usr/bin/env python3
"""Makes the benchmark's `course` and `bilingual` sites from The Carpentries' lessons (CC BY 4.0).

Run once by hand; its output under bench/relevance/sites/ is committed, so the benchmark itself
never needs these repositories. Each source is a bare git directory (the `fetch` tool's mirror,
or any clone: `git clone --bare https://github.com/swcarpentry/shell-novice`), read at HEAD:

    python3 bench/relevance/import_carpentries.py [--mirror /work/.mirror]

What is kept and what is changed (the licence asks that changes be indicated; the sites'
attribution pages say the same):
  * Each episode's Markdown body is kept as the authors wrote it (CRLF line ends, in one file,
    made LF), including the
    `:::` fenced divs (objectives, questions, challenge, solution, callout, keypoints,
    instructor, spoiler, hint), fence info strings and image attributes (`{alt='…'}`).
  * Front matter is replaced by playbook's: `title`, `id`, `duration_minutes` (= the episode's
    `teaching` + `exercises`), `objectives` (the items of its `::: objectives` block). Spanish
    episodes get only `title` and `objectives` (the rest is inherited from the English file).
  * Link targets only: a link to another episode of the same lesson (`03-create.md`) points to
    its new place when it is in another module, and links to `../learners/setup.md` or
    `../learners/reference.md` point to the Setup and Glossary chapters of the site's
    `reference` book. Link text is untouched.
  * The figures an episode uses are copied next to it (`<module>/fig/`). Images given by an
    absolute URL are kept as written (the sites make no request outside themselves, so the
    browser shows their alt text).
  * Modules (the grouping of episodes) and the home, course, module and attribution pages are
    ours: the lessons have no modules. Course pages quote the lesson's own overview.
"""
import argparse, json, re, shutil, subprocess
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SITES = HERE / "sites"

# lesson repository -> course folder, course id, course title, modules [(folder, id, title, [episode files])]
COURSES = {
    "shell-novice": ("unix-shell", "unix-shell", "The Unix Shell", [
        ("01-files-and-directories", "files-and-directories", "Files and directories",
         ["01-intro.md", "02-filedir.md", "03-create.md"]),
        ("02-pipes-and-loops", "pipes-and-loops", "Pipes, filters and loops",
         ["04-pipefilter.md", "05-loop.md"]),
        ("03-scripts-and-finding", "scripts-and-finding", "Scripts and finding things",
         ["06-script.md", "07-find.md"]),
    ]),
    "git-novice": ("version-control-with-git", "git-novice", "Version Control with Git", [
        ("01-working-locally", "working-locally", "Version control on your own computer",
         ["01-basics.md", "02-setup.md", "03-create.md", "04-changes.md", "05-history.md", "06-ignore.md"]),
        ("02-remotes-and-collaboration", "remotes-and-collaboration", "Remotes and collaboration",
         ["07-github.md", "08-collab.md", "09-conflict.md"]),
        ("03-sharing-your-work", "sharing-your-work", "Open science, licences and hosting",
         ["10-open.md", "11-licensing.md", "12-citation.md", "13-hosting.md", "14-supplemental-rstudio.md"]),
    ]),
    "sql-novice-survey": ("databases-and-sql", "sql-novice", "Databases and SQL", [
        ("01-querying", "querying", "Querying a table",
         ["01-select.md", "02-sort-dup.md", "03-filter.md", "04-calc.md"]),
        ("02-missing-data-and-joins", "missing-data-and-joins", "Missing data, aggregation and joins",
         ["05-null.md", "06-agg.md", "07-join.md"]),
        ("03-managing-data", "managing-data", "Designing, changing and programming databases",
         ["08-hygiene.md", "09-create.md", "10-prog.md", "11-prog-R.md"]),
    ]),
}
ES = {"shell-novice": "shell-novice-es"}
ES_MODULE_TITLES = {
    "files-and-directories": "Archivos y directorios",
    "pipes-and-loops": "Pipes, filtros y bucles",
    "scripts-and-finding": "Scripts y búsqueda de archivos",
}


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", str(repo), *args], check=True,
                          capture_output=True).stdout


def show(repo, path):
    return git(repo, "show", f"HEAD:{path}")


def split_front_matter(text):
    text = text.replace("\r\n", "\n")  # git-novice's 11-licensing.md has CRLF line ends
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    return yaml.safe_load(m.group(1)), text[m.end():]


def div_items(body, name):
    """The list items of the first `::: name` fenced div, continuation lines joined."""
    m = re.search(r"^:{3,}\s*" + name + r"\s*\n(.*?)^:{3,}\s*$", body, re.S | re.M)
    items = []
    for line in (m.group(1) if m else "").splitlines():
        if re.match(r"\s*[-*] ", line):
            items.append(re.sub(r"^\s*[-*] ", "", line).strip())
        elif line.strip() and items:
            items[-1] += " " + line.strip()
    return items


def fm(d):
    """Front matter: YAML with every string double-quoted (JSON strings are YAML)."""
    out = ["---"]
    for k, v in d.items():
        if isinstance(v, list):
            out.append(f"{k}:")
            out += [f"  - {json.dumps(x, ensure_ascii=False)}" for x in v]
        elif isinstance(v, str):
            out.append(f"{k}: {json.dumps(v, ensure_ascii=False)}")
        else:
            out.append(f"{k}: {v}")
    return "\n".join(out) + "\n---\n"


def rewrite_links(body, here_module, where, book_rel):
    """Link targets to moved files (see the module docstring); text untouched."""
    def repl(m):
        target = m.group(2)
        path, _, frag = target.partition("#")
        frag = "#" + frag if frag else ""
        if path in where and where[path] != here_module:
            return f"{m.group(1)}../{where[path]}/{path}{frag})"
        if path == "../learners/setup.md":
            return f"{m.group(1)}{book_rel['setup']}{frag})"
        if path == "../learners/reference.md":
            return f"{m.group(1)}{book_rel['reference']}{frag})"
        return m.group(0)
    return re.sub(r"(\]\()([^)\s]+)\)", repl, body)


# Two changes the build needs, each to one line of one episode (see the attribution page).
EPISODE_FIXES = {
    # a backslash-escaped ")" that made the link's target `#query)`: the parenthesis goes after the link
    ("sql-novice-survey", "01-select.md"): [("reference.md#query\\))", "reference.md#query))")],
    # an image from another website, which playbook does not allow (the page would load it
    # from imgs.xkcd.com): the line is dropped
    ("sql-novice-survey", "11-prog-R.md"): [("![](https://imgs.xkcd.com/comics/exploits_of_a_mom.png){alt='relevant XKCD'}\n", "")],
}


def apply_fixes(repo_name, ep, body):
    for old, new in EPISODE_FIXES.get((repo_name, ep), []):
        if old not in body:
            raise SystemExit(f"{repo_name}/{ep}: the text to fix is not there any more: {old!r}")
        body = body.replace(old, new)
    return body


def figures(body):
    return sorted(set(re.findall(r"\]\((fig/[^)\s]+)\)", body)))


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def lesson_overview(repo, book_slot):
    """The lesson's own landing text (index.md minus its front matter), its links to the
    lesson's glossary, setup page and downloads pointed at their places in the reference book."""
    _, body = split_front_matter(show(repo, "index.md").decode())
    book = {"learners/setup.md": "../../" + book_slot["setup"],
            "learners/reference.md": "../../" + book_slot["reference"]}
    def repl(m):
        path, _, frag = m.group(2).partition("#")
        frag = "#" + frag if frag else ""
        if path in book:
            return f"{m.group(1)}{book[path]}{frag})"
        if path.startswith("episodes/files/"):
            return f"{m.group(1)}../../reference/{path[len('episodes/'):]}{frag})"
        return m.group(0)
    return re.sub(r"(\]\()([^)\s]+)\)", repl, body).strip() + "\n"


def import_course(site, repo_name, mirror, langs, book_slot):
    """Writes one lesson as a course under site/content/courses/. Returns source notes."""
    folder, cid, ctitle, modules = COURSES[repo_name]
    repo = mirror / f"swcarpentry+{repo_name}" / "repo"
    es_repo = mirror / f"swcarpentry+{ES[repo_name]}" / "repo" if "es" in langs else None
    base = site / "content" / "courses" / folder
    where = {ep: mod for mod, _, _, eps in modules for ep in eps}
    note = {"repo": f"swcarpentry/{repo_name}", "commit": git(repo, "rev-parse", "HEAD").decode().strip(),
            "episodes": [], "figures_missing": []}
    if es_repo:
        note["es"] = {"repo": f"swcarpentry/{ES[repo_name]}",
                      "commit": git(es_repo, "rev-parse", "HEAD").decode().strip(), "episodes": []}
    cfg = yaml.safe_load(show(repo, "config.yaml"))
    write(base / "_index.md", fm({"title": ctitle, "description": f"Software Carpentry's lesson “{cfg['title']}”, as a self-paced course.",
                                  "kind": "course", "id": cid})
          + f"\nThis course is Software Carpentry's lesson [{cfg['title']}]({cfg['source']}), "
            "used under the Creative Commons Attribution 4.0 licence; see [the attribution page]"
            f"(../../{book_slot['attribution']}). What follows is the lesson's own overview.\n\n"
          + lesson_overview(repo, book_slot))
    if es_repo:
        es_cfg = yaml.safe_load(show(es_repo, "config.yaml"))
        write(base / "_index.es.md", fm({"title": es_cfg["title"]})
              + f"\nEste curso es la lección de Software Carpentry [{es_cfg['title']}]({es_cfg['source']}), "
                "traducción de la lección en inglés, usada bajo la licencia Creative Commons Atribución 4.0; "
                f"véase [la página de atribución](../../{book_slot['attribution_es']}). "
                "Sigue la presentación de la propia lección.\n\n" + lesson_overview(es_repo, book_slot))
    for mod, mid, mtitle, eps in modules:
        mdir = base / mod
        lines, lines_es = [], []
        for ep in eps:
            meta, body = split_front_matter(show(repo, f"episodes/{ep}").decode())
            slug = re.sub(r"^\d+-", "", ep[:-3]).lower()
            objectives = div_items(body, "objectives")
            questions = div_items(body, "questions")
            book_rel = {k: "../../../" + v for k, v in book_slot.items()}
            out = rewrite_links(apply_fixes(repo_name, ep, body), mod, where, book_rel)
            write(mdir / ep, fm({"title": meta["title"], "id": slug,
                                 "duration_minutes": int(meta.get("teaching", 0)) + int(meta.get("exercises", 0)),
                                 "objectives": objectives}) + out)
            used = figures(body)
            for f in used:
                try:
                    write_bytes(mdir / f, show(repo, f"episodes/{f}"))
                except subprocess.CalledProcessError:
                    note["figures_missing"].append(f"{ep}: {f}")
            note["episodes"].append({"file": ep, "module": mod, "figures": used})
            lines.append(f"- [{meta['title']}]({ep}): {' '.join(questions)}")
            if es_repo:
                try:
                    es_meta, es_body = split_front_matter(show(es_repo, f"episodes/{ep}").decode())
                except subprocess.CalledProcessError:
                    continue
                es_out = rewrite_links(es_body, mod, where, {k: "../../../" + v for k, v in book_slot.items()})
                write(mdir / ep.replace(".md", ".es.md"),
                      fm({"title": es_meta["title"], "objectives": div_items(es_body, "objectives")}) + es_out)
                for f in figures(es_body):
                    if not (mdir / f).exists():
                        try:
                            write_bytes(mdir / f, show(es_repo, f"episodes/{f}"))
                        except subprocess.CalledProcessError:
                            note["figures_missing"].append(f"es {ep}: {f}")
                note["es"]["episodes"].append(ep)
                lines_es.append(f"- [{es_meta['title']}]({ep.replace('.md', '.es.md')}): "
                                f"{' '.join(div_items(es_body, 'questions'))}")
        write(mdir / "_index.md", fm({"title": mtitle, "id": mid})
              + "\nThe episodes of this module, with the questions each one answers:\n\n" + "\n".join(lines) + "\n")
        if es_repo and lines_es:
            write(mdir / "_index.es.md", fm({"title": ES_MODULE_TITLES[mid]})
                  + "\nLos episodios de este módulo, con las preguntas que responde cada uno:\n\n"
                  + "\n".join(lines_es) + "\n")
    return note


def write_bytes(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def learners_page(repo, name, title, book_dir):
    """learners/setup.md or learners/reference.md as a chapter of the reference book: the
    authors' body and our title. Two changes: a glossary term written as a pandoc span with an
    id (`[commit]{#commit}` above its `:   definition`) becomes a `### commit {#commit}` heading
    over the definition's paragraph, because playbook gives ids only to headings and the
    episodes link to these terms; and the figures and downloads the page links to (which the
    lesson keeps under episodes/) are copied next to it."""
    _, body = split_front_matter(show(repo, f"learners/{name}.md").decode())
    body = re.sub(r"^\[([^\]\n]+)\]\{#([^}\s]+)\}\n:\s+", r"### \1 {#\2}\n\n", body, flags=re.M)
    targets = re.findall(r"\]\(([^)\s#]+)\)", body) + re.findall(r"^\[[^\]]+\]:\s*(\S+)", body, re.M)
    for t in targets:
        if re.match(r"[a-z]+:|/|\.\./|#", t) or t.endswith(".md"):
            continue
        try:
            write_bytes(book_dir / t, show(repo, f"episodes/{t}"))
        except subprocess.CalledProcessError:
            pass
    for old, new in LEARNERS_FIXES.get(repo.parent.name, []):
        body = body.replace(old, new)
    return fm({"title": title}) + body


# In-page links of the Spanish glossary to terms whose ids differ (the translation's own slips;
# playbook's anchor check rejects them): each pointed at the heading the build suggests.
LEARNERS_FIXES = {"swcarpentry+shell-novice-es": [
    ("(#salida-estándar-1)", "(#salida-estándar)"), ("(#entrada-estándar-1)", "(#entrada-estándar)"),
    ("(#directorio-raíz-1)", "(#directorio-raíz)"),
    ("(#interfaz-gráfica-de-usuario)", "(#interfaz-gráfica-del-usuario)"),
    ("(#interfaz-de-línea-de-comandos-1)", "(#interfaz-de-línea-de-comando)"),
    ("(#interfaz-de-línea-de-comandos)", "(#interfaz-de-línea-de-comando)"),
]}


def authors(repo):
    return [a.strip() for a in show(repo, "AUTHORS").decode().splitlines() if a.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    a = ap.parse_args()
    for name in ["course", "bilingual"]:
        shutil.rmtree(SITES / name / "content", ignore_errors=True)
    notes = {}

    # ------------------------------------------------------------ course: three lessons
    site = SITES / "course"
    slots = {}
    chapters = []
    for i, repo_name in enumerate(COURSES, start=1):
        folder, _, ctitle, _ = COURSES[repo_name]
        repo = a.mirror / f"swcarpentry+{repo_name}" / "repo"
        setup = f"{2 * i - 1:02d}-{folder}-setup.md"
        ref = f"{2 * i:02d}-{folder}-reference.md"
        ref_title = yaml.safe_load(re.match(r"---\n(.*?)\n---", show(repo, "learners/reference.md").decode(), re.S).group(1))["title"]
        book = site / "content" / "reference"
        write(book / setup, learners_page(repo, "setup", f"{ctitle}: setup", book))
        write(book / ref, learners_page(repo, "reference", f"{ctitle}: {ref_title}", book))
        slots[repo_name] = {"setup": f"reference/{setup}", "reference": f"reference/{ref}",
                            "attribution": "about/01-attribution.md"}
    write(site / "content" / "reference" / "_index.md", fm({"title": "Setup and reference", "kind": "book", "weight": 2})
          + "\nWhat to install before each course, and each lesson's own summary of commands and glossary.\n")
    for repo_name in COURSES:
        notes[repo_name] = import_course(site, repo_name, a.mirror, ["en"], slots[repo_name])
    write(site / "content" / "courses" / "_index.md", fm({"title": "Courses", "kind": "section", "weight": 1})
          + "\nThree Software Carpentry lessons, each as a self-paced course in modules:\n\n"
          + "\n".join(f"- [{COURSES[r][2]}]({COURSES[r][0]}/_index.md)" for r in COURSES) + "\n")
    write(site / "content" / "index.md", fm({"title": "Research computing skills"})
          + "\nSelf-paced courses in the foundations of research computing: working in the Unix shell, "
            "keeping track of your work with Git, and asking questions of data with SQL. They are "
            "Software Carpentry's lessons, used under the Creative Commons Attribution 4.0 licence.\n\n"
          + "\n".join(f"- [{COURSES[r][2]}](courses/{COURSES[r][0]}/_index.md)" for r in COURSES)
          + "\n\nBefore you start, see [Setup and reference](reference/_index.md) for what to install, "
            "and [the attribution page](about/01-attribution.md) for where the material comes from.\n")
    write_about(site, {r: a.mirror / f"swcarpentry+{r}" / "repo" for r in COURSES}, notes, "en")
    write(site / "playbook.yaml", "title: Research computing skills\nbase_url: /\nlanguage: en\n")

    # ------------------------------------------------------------ bilingual: the shell lesson in en and es
    site = SITES / "bilingual"
    repo = a.mirror / "swcarpentry+shell-novice" / "repo"
    es_repo = a.mirror / "swcarpentry+shell-novice-es" / "repo"
    write(site / "content" / "reference" / "_index.md", fm({"title": "Setup and reference", "kind": "book", "weight": 2})
          + "\nWhat to install before the course, and a summary of its commands.\n")
    write(site / "content" / "reference" / "_index.es.md", fm({"title": "Preparación y referencia"})
          + "\nQué instalar antes del curso y un resumen de sus comandos.\n")
    book = site / "content" / "reference"
    write(book / "01-setup.md", learners_page(repo, "setup", "Setup", book))
    write(book / "02-reference.md", learners_page(repo, "reference", "Summary of Basic Commands", book))
    for name, file, title in [("setup", "01-setup.es.md", "Preparación"), ("reference", "02-reference.es.md", "Referencia")]:
        try:
            write(book / file, learners_page(es_repo, name, title, book))
        except subprocess.CalledProcessError:
            pass
    slot = {"setup": "reference/01-setup.md", "reference": "reference/02-reference.md",
            "attribution": "about/01-attribution.md", "attribution_es": "about/01-attribution.es.md"}
    bnotes = {"shell-novice": import_course(site, "shell-novice", a.mirror, ["en", "es"], slot)}
    write(site / "content" / "courses" / "_index.md", fm({"title": "Courses", "kind": "section", "weight": 1})
          + "\n- [The Unix Shell](unix-shell/_index.md)\n")
    write(site / "content" / "courses" / "_index.es.md", fm({"title": "Cursos"})
          + "\n- [La Terminal de Unix](unix-shell/_index.es.md)\n")
    write(site / "content" / "index.md", fm({"title": "The Unix Shell, in English and Spanish"})
          + "\nSoftware Carpentry's lesson [The Unix Shell](courses/unix-shell/_index.md) as a self-paced course, "
            "with its Spanish translation. The material is used under the Creative Commons Attribution 4.0 "
            "licence; see [the attribution page](about/01-attribution.md).\n")
    write(site / "content" / "index.es.md", fm({"title": "La Terminal de Unix, en inglés y en español"})
          + "\nLa lección de Software Carpentry [La Terminal de Unix](courses/unix-shell/_index.es.md) como curso "
            "a tu ritmo, con el original en inglés. El material se usa bajo la licencia Creative Commons "
            "Atribución 4.0; véase [la página de atribución](about/01-attribution.es.md).\n")
    write_about(site, {"shell-novice": repo, "shell-novice-es": es_repo}, bnotes, "en+es")
    write(site / "playbook.yaml", "title: The Unix Shell\nbase_url: /\nlanguage: en\nlanguages:\n"
          "  - code: en\n    title: English\n  - code: es\n    title: Español\n")
    (HERE / "sites" / "SOURCES.json").write_text(json.dumps({"course": notes, "bilingual": bnotes}, indent=1) + "\n")


def write_about(site, repos, notes, langs):
    """The attribution page the licence requires: sources, authors, licence, changes."""
    parts = []
    for r, repo in repos.items():
        cfg = yaml.safe_load(show(repo, "config.yaml"))
        commit = git(repo, "rev-parse", "HEAD").decode().strip()
        try:
            cite = show(repo, "CITATION").decode().strip()
        except subprocess.CalledProcessError:
            cite = ""
        parts.append(
            f"## {cfg['title']}\n\n"
            f"- Source: <{cfg['source']}> (commit `{commit[:12]}`), published at <{cfg['url'] if 'url' in cfg else cfg['source']}>.\n"
            f"- Copyright © The Carpentries (<https://carpentries.org/>) and the lesson's authors.\n"
            f"- Licence: [Creative Commons Attribution 4.0 International (CC BY 4.0)](https://creativecommons.org/licenses/by/4.0/).\n"
            f"- Authors, as listed in the lesson's `AUTHORS` file: {', '.join(authors(repo))}.\n"
            + (f"- How the authors ask to be cited:\n\n```text\n{cite}\n```\n" if cite else ""))
    changes = (
        "## What we changed\n\n"
        "The episodes' text, code and figures are the authors'. We changed: each episode's front matter "
        "(a title, an id, its teaching and exercise minutes added into one duration, and its objectives "
        "copied into a list); link targets to episodes now in another module and to the setup and "
        "glossary pages, which are now chapters of the Setup and reference book; and we grouped the "
        "episodes into modules and wrote the home, course listing, module and this page. The course "
        "pages quote each lesson's own overview.\n")
    write(site / "content" / "about" / "_index.md", fm({"title": "About", "kind": "book", "weight": 9})
          + "\nWhere this site's material comes from, and the licence it is used under.\n")
    write(site / "content" / "about" / "01-attribution.md", fm({"title": "Attribution and licence"})
          + "\nThe courses on this site are lessons of [Software Carpentry](https://software-carpentry.org/), "
            "a lesson program of The Carpentries, used under the Creative Commons Attribution 4.0 "
            "International licence (CC BY 4.0). You may share and adapt them, for any purpose, as long "
            "as you give appropriate credit, link to the licence and say what was changed.\n\n"
          + "\n".join(parts) + "\n" + changes)
    if "es" in langs:
        write(site / "content" / "about" / "_index.es.md", fm({"title": "Acerca de"})
              + "\nDe dónde viene el material de este sitio y la licencia con la que se usa.\n")
        write(site / "content" / "about" / "01-attribution.es.md", fm({"title": "Atribución y licencia"})
              + "\nEl curso de este sitio es una lección de [Software Carpentry](https://software-carpentry.org/), "
                "un programa de lecciones de The Carpentries, y su traducción al español, usadas bajo la "
                "licencia Creative Commons Atribución 4.0 Internacional (CC BY 4.0). La página en inglés "
                "nombra las fuentes, sus autores y los cambios que hicimos.\n\n" + "\n".join(parts))


if __name__ == "__main__":
    main()
