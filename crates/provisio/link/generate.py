#!/usr/bin/env python3
"""Writes startup-order.ld: the functions `provisio serve` runs until it idles, to be linked first.

Why: the kernel maps a binary's code a whole page-cache folio (at least 64 KiB) around each page
a process touches. The code `provisio serve` runs at start (clap's command tree, the migrations,
tokio's set-up, the router's, the server key's first signature in aws-lc) is ~2.5 MB spread
over the whole 19 MB text, so an idle server had ~11 MB of code resident; linked together, ~3 MB
(docs/benchmarks.md, "2026-12-05 (a fresh machine, later)").

How: run a release build under valgrind's callgrind until it listens and idles, take every
function of the binary it ran, and write each as a section pattern of the linker script that
crates/provisio/build.rs gives release links. The names are Rust's v0 symbol names
(.cargo/config.toml), with the crates' hashes made wildcards, so the script keeps matching
after a toolchain or dependency update; a function renamed or added since is simply not moved.
valgrind's CPU lacks AVX-512, so the C half of aws-lc's AVX-512 RSA (the code a real CPU runs
for the server key's self-check) is added by name; its assembly half sits in the plain `.text`
of its object and cannot be moved.

Run it after start-up changed much (the bench's idle memory says when):
    cargo build --release -p provisio
    python3 crates/provisio/link/generate.py target/release/provisio [--database-url URL]
    cargo build --release -p provisio   # relinks with the new order
Needs valgrind and binutils' nm; only this script does, not the build.
"""

import argparse
import glob
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "startup-order.ld")
ADMIN_TOKEN = "startup-order-admin-token-0123456789"
# Long enough for the periodic tasks (rate-limit windows, the worker's and dispatcher's polls)
# to run a few times under valgrind's slowdown.
IDLE_SECONDS = 10.0
# Runs per database, their functions together: what runs at start depends on timing a little.
RUNS = 2
# aws-lc picks its code by CPUID; under valgrind it takes the AVX2 paths. These are the C
# functions of the AVX-512 path a real CPU takes at start (seen with `perf record -e page-faults`).
CPU_VARIANTS = re.compile(r"RSAZ_mod_exp_avx512_x2|to_words52|from_words52")


def functions_of(binary):
    """The binary's code symbols: {name: (address, size)}."""
    out = subprocess.run(["nm", "-S", "--defined-only", binary],
                         capture_output=True, text=True, check=True).stdout
    functions = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            functions[parts[3]] = (int(parts[0], 16), int(parts[1], 16))
    return functions


def with_aliases(names, functions):
    """`names` and every other symbol at the same address: LLVM merges identical functions
    into one body and keeps the others' names as aliases, and valgrind reports one name of a
    body that may not be the one its section is named after."""
    by_address = {}
    for name, (address, _) in functions.items():
        by_address.setdefault(address, []).append(name)
    out = []
    for name in names:
        out.extend(sorted(by_address[functions[name][0]], key=lambda alias: alias != name))
    return out


def run_under_callgrind(binary, storage, out_file):
    """Starts `provisio serve`, lets it idle, and has callgrind write what ran so far; the
    shutdown's code is not in it (an idle server does not run it)."""
    command = ["valgrind", "--tool=callgrind", "--demangle=no",
               f"--callgrind-out-file={out_file}", binary, "serve",
               "--listen", "127.0.0.1:0", "--step-delay", "0s",
               "--admin-token", ADMIN_TOKEN, *storage]
    env = dict(os.environ, RUST_LOG="warn")
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, env=env)
    listening = threading.Event()

    def watch():
        for line in server.stdout:
            if line.startswith("provisio listening on "):
                listening.set()
    threading.Thread(target=watch, daemon=True).start()
    try:
        if not listening.wait(timeout=300):
            sys.exit("provisio serve did not start under valgrind within 5 minutes")
        time.sleep(IDLE_SECONDS)
        subprocess.run(["callgrind_control", "--dump", str(server.pid)],
                       capture_output=True, check=True)
    finally:
        server.kill()
        server.wait()


def ran(out_file):
    """Every function name callgrind saw run (the `fn=` and `cfn=` lines of its dumps)."""
    names = set()
    pattern = re.compile(r"^c?fn=\((\d+)\)(?: (.*))?$")
    for dump in glob.glob(glob.escape(out_file) + "*"):
        by_id = {}
        with open(dump) as lines:
            for line in lines:
                match = pattern.match(line.rstrip("\n"))
                if match:
                    if match.group(2):
                        by_id[match.group(1)] = match.group(2)
                    names.add(by_id.get(match.group(1)))
    names.discard(None)
    return names


def section_patterns(name):
    """Where a function's code sits: its section's name with the crates' hashes (`Cs<hash>_`)
    and LLVM's module suffix (`.llvm.<hash>`) wild, in each of the sections a compiler may have
    put it in (`unlikely` for a cold function; GCC's `startup` and `hot` for C)."""
    if name.startswith("_ZN"):
        # A legacy Rust name: its hash is the whole instance's, no wildcard can stand for it.
        return None
    name = re.sub(r"\.llvm\.\d+$", "", name)
    if name.startswith("_R"):
        name = re.sub(r"Cs[0-9A-Za-z]*_(?=\d)", "Cs*_", name)
        prefixes = ["", "unlikely."]
    else:
        prefixes = ["", "unlikely.", "startup.", "hot."]
    # Only letters, digits, `_`, `.` and `$` can be written into a linker script unquoted.
    if not re.fullmatch(r"[A-Za-z0-9_.$*]+", name):
        return None
    return " ".join(f".text.{prefix}{name}*" for prefix in prefixes)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary", help="a release build of provisio (target/release/provisio)")
    parser.add_argument("--database-url",
                        help="also order PostgreSQL's start-up (after SQLite's)")
    args = parser.parse_args()
    functions = functions_of(args.binary)
    if not any(name.startswith("_R") for name in functions):
        sys.exit("no v0 symbol names in the binary: build it with .cargo/config.toml in place")
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        storages = [["--data-dir", os.path.join(scratch, "data")]]
        if args.database_url:
            storages.append(["--database-url", args.database_url])
        for n, storage in enumerate(storages):
            # As the bench starts it: a partner made by the CLI, so `serve` finds its database
            # created and migrated (a fresh one runs the migrations' other half).
            subprocess.run([args.binary, "partner", "create", "--name", "Startup order BV",
                            *storage], capture_output=True, check=True)
            names = set()
            for attempt in range(RUNS):
                out_file = os.path.join(scratch, f"callgrind.{n}.{attempt}")
                run_under_callgrind(args.binary, storage, out_file)
                names |= ran(out_file)
            runs.append(names)
    ordered, seen = [], set()
    for names in runs:
        for name in with_aliases(sorted(n for n in names if n in functions), functions):
            if name not in seen:
                seen.add(name)
                ordered.append(name)
    variants = sorted(name for name in functions
                      if CPU_VARIANTS.search(name) and name not in seen)
    # Names that differ only in a hash make one pattern; a dict keeps the first's place.
    found = [section_patterns(name) for name in ordered + variants]
    dropped = found.count(None)
    patterns = list(dict.fromkeys(pattern for pattern in found if pattern is not None))
    size = sum(dict(functions[name] for name in ordered + variants).values())
    with open(OUT, "w") as script:
        script.write(
            "/* Generated by crates/provisio/link/generate.py: the functions `provisio serve`\n"
            "   ran until it idled, linked before the rest of the code (see the generator).\n"
            f"   {len(ordered)} functions ran, {len(variants)} CPU variants added, {size // 1024} KiB. */\n"
            "SECTIONS\n{\n  .text.provisio_start :\n  {\n")
        for pattern in patterns:
            script.write(f"    *({pattern})\n")
        script.write("  }\n}\nINSERT BEFORE .text;\n")
    print(f"{OUT}: {len(patterns)} patterns, {len(ordered)} functions ran, "
          f"{len(variants)} CPU variants, {size // 1024} KiB; {dropped} names left out (legacy "
          "Rust names, or characters a script cannot hold)")


if __name__ == "__main__":
    main()
