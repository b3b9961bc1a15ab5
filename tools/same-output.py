#!/usr/bin/env python3
"""Byte identity: the output of `playbook` built from a git revision (default `main`) and from the
working tree, on the same sites, compared file by file. A refactor must change no byte.

    python3 tools/same-output.py [REV] [--pages N] [--keep]

Sites (every one built by both binaries from the same source files):
  default        this repository's site (playbook.yaml, content/), with
                 --base-url https://district.example/pd/playbook/
  bench          bench/build.py's generated site of --pages pages (default 1,000), seeded, so the
                 same every time
  bench-2lang    the same site with a Spanish sibling of every page (bench/build.py's 2-language case)
  course         the Carpentries course in bench/relevance/sites/course
and, from the default site, `export zip`, `export scorm rccp-foundations` and `export facilitator`
(archives are compared by their members' bytes, names and order, not by their timestamps).

REV is checked out into a temporary git worktree and built there (debug) with a target dir of its
own, kept in target/same-output/ so a second run is incremental; the working tree is built with
plain `cargo build`. Each build writes into a new empty folder. Prints every file that differs or
exists on one side only, then the number of files compared; exits 1 on any difference. A
build's exit code and what it prints count as one more file: a site a build refuses (the
two-language bench site has keys translations do not take) compares its error messages.
"""
import argparse, hashlib, importlib.util, os, subprocess, sys, tempfile, zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASE_URL = "https://district.example/pd/playbook/"


def sh(cmd, **kw):
    print("+ " + " ".join(str(c) for c in cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, **kw)


def build_binary(src, target):
    env = dict(os.environ, CARGO_TARGET_DIR=str(target)) if target else None
    sh(["cargo", "build", "--quiet", "--bin", "playbook"], cwd=src, env=env)
    return (target or REPO / "target") / "debug" / "playbook"


def revision_binary(rev, tmp):
    """Builds `rev` in a temporary worktree; its target dir is target/same-output/ (reused)."""
    tree = tmp / "rev"
    sh(["git", "worktree", "add", "--detach", "--quiet", str(tree), rev], cwd=REPO)
    try:
        exe = build_binary(tree, REPO / "target" / "same-output")
        kept = tmp / "playbook-rev"
        kept.write_bytes(exe.read_bytes())
        kept.chmod(0o755)
        return kept
    finally:
        sh(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO)


def bench_sites(tmp, pages):
    """bench/build.py's generator: {name: site folder}."""
    spec = importlib.util.spec_from_file_location("bench_build", REPO / "bench" / "build.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    site = tmp / "bench"
    bench.write_sites(pages, site)
    return {"bench": site / "playbook", "bench-2lang": site / "playbook-2lang"}


def runs(sites):
    """(name, site folder, playbook arguments with OUT where the output goes, output is a zip)."""
    default = sites["default"]
    out = [("default", default, ["build", "--out", "OUT", "--base-url", BASE_URL, "--quiet"], False)]
    out += [(n, s, ["build", "--out", "OUT", "--quiet"], False)
            for n, s in sites.items() if n != "default"]
    out += [
        ("export-zip", default, ["export", "zip", "--output", "OUT", "--base-url", BASE_URL, "--quiet"], True),
        ("export-scorm", default, ["export", "scorm", "rccp-foundations", "--output", "OUT", "--quiet"], True),
        ("export-facilitator", default, ["export", "facilitator", "--output", "OUT", "--base-url", BASE_URL, "--quiet"], False),
    ]
    return out


def produce(exe, run, dest):
    """Runs one build or export into `dest`: {name: digest} of its files, plus its exit code
    and what it printed (the errors of a build that fails are output too), with `dest` written
    as OUT."""
    name, site, args, is_zip = run
    target = dest / (name + (".zip" if is_zip else ""))
    cmd = [str(exe), "-C", str(site)] + [str(target) if a == "OUT" else a for a in args]
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    p = subprocess.run(cmd, capture_output=True)
    printed = (p.stdout + b"\n--- stderr\n" + p.stderr).replace(str(dest).encode(), b"OUT")
    found = digests(target) if target.exists() else {}
    found["(exit code, stdout and stderr)"] = hashlib.blake2b(
        str(p.returncode).encode() + b"\n" + printed, digest_size=16).hexdigest()
    return found


def digests(path):
    """{relative name: blake2 of the bytes} of a folder's files or of a zip's members (with their
    order, which a zip reader sees)."""
    h = lambda b: hashlib.blake2b(b, digest_size=16).hexdigest()
    if path.is_file():
        with zipfile.ZipFile(path) as z:
            return {f"{i:05}:{info.filename}": h(z.read(info)) for i, info in enumerate(z.infolist())}
    return {str(p.relative_to(path)): h(p.read_bytes()) for p in sorted(path.rglob("*")) if p.is_file()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rev", nargs="?", default="main", help="the revision to compare with (default: main)")
    ap.add_argument("--pages", type=int, default=1000, help="pages of the generated bench site")
    ap.add_argument("--keep", action="store_true", help="keep the outputs (their folder is printed)")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="same-output-"))
    rev_exe = revision_binary(a.rev, tmp)
    tree_exe = build_binary(REPO, None)
    sites = {"default": REPO, **bench_sites(tmp, a.pages),
             "course": REPO / "bench" / "relevance" / "sites" / "course"}
    compared, differences = 0, []
    for run in runs(sites):
        sides = []
        for label, exe in ((a.rev, rev_exe), ("working tree", tree_exe)):
            dest = tmp / "out" / label.replace("/", "_")
            dest.mkdir(parents=True, exist_ok=True)
            sides.append(produce(exe, run, dest))
        before, after = sides
        for f in sorted(before.keys() | after.keys()):
            if f not in after:
                differences.append(f"{run[0]}: {f}: only in {a.rev}")
            elif f not in before:
                differences.append(f"{run[0]}: {f}: only in the working tree")
            elif before[f] != after[f]:
                differences.append(f"{run[0]}: {f}: differs")
        compared += len(before.keys() | after.keys())
        print(f"{run[0]}: {len(before.keys() | after.keys())} files", flush=True)
    for d in differences:
        print(d)
    print(f"{compared} files compared ({', '.join(r[0] for r in runs(sites))}); "
          f"{len(differences)} differ from {a.rev}")
    if a.keep:
        print(f"outputs kept in {tmp}/out")
    else:
        subprocess.run(["rm", "-rf", str(tmp)])
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
