//! How release builds of the server are linked, for a smaller idle footprint
//! (docs/benchmarks.md, "2026-12-05 (a fresh machine, later)"). Debug builds link as they
//! always did.
//!
//! - The code `provisio serve` runs until it idles goes first, together (`link/startup-order.ld`,
//!   written by `link/generate.py`, which says why): an idle server then has ~3 MB of its code
//!   resident instead of ~11 MB.
//! - Where the C library can read them (glibc 2.36 and later), the loader's relocations are
//!   packed (`-z pack-relative-relocs`): 12 KB that every start reads instead of 0.8 MB.
//!
//! The integration test `release_link` links a small program with the same arguments
//! (`PROVISIO_LINK_SCRIPT`, `PROVISIO_LINK_RELR`), so a script this toolchain's linker cannot
//! read fails the test suite, not only a release build.

use std::{path::Path, process::Command};

fn main() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("link/startup-order.ld");
    println!("cargo::rerun-if-changed={}", script.display());
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let linux = var("CARGO_CFG_TARGET_OS") == "linux";
    // `-Wl,` splits its argument at commas.
    let script = (linux && script.is_file())
        .then(|| script.display().to_string())
        .filter(|path| !path.contains(','));
    // Only for a binary that runs where it is built: one linked so does not start on an older
    // glibc. Anything else (musl, a cross build, a glibc this cannot read) keeps the classic
    // relocations.
    let native = var("HOST") == var("TARGET") && var("CARGO_CFG_TARGET_ENV") == "gnu";
    let relr = linux && native && glibc_version().is_some_and(|version| version >= (2, 36));
    println!(
        "cargo::rustc-env=PROVISIO_LINK_SCRIPT={}",
        script.as_deref().unwrap_or_default()
    );
    println!("cargo::rustc-env=PROVISIO_LINK_RELR={relr}");
    if var("PROFILE") != "release" {
        return;
    }
    if let Some(script) = script {
        // A script that only adds an output section (`INSERT BEFORE .text`) augments the
        // linker's default layout instead of replacing it; GNU ld and lld both read it.
        println!("cargo::rustc-link-arg-bin=provisio=-Wl,-T,{script}");
    }
    if relr {
        println!("cargo::rustc-link-arg-bin=provisio=-Wl,-z,pack-relative-relocs");
    }
}

/// The version of this machine's glibc (`getconf GNU_LIBC_VERSION`: "glibc 2.36").
fn glibc_version() -> Option<(u32, u32)> {
    let out = Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let (major, rest) = text.trim().strip_prefix("glibc ")?.split_once('.')?;
    let minor: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((major.parse().ok()?, minor.parse().ok()?))
}
