//! Release builds link with `link/startup-order.ld` and, on glibc 2.36 or later, packed
//! relocations (`build.rs`); the test suite builds in debug, so this links a small program with
//! the same arguments and runs it: a script this toolchain's linker cannot read, or a flag it
//! refuses, fails here instead of in the README's `cargo run --release`.

use std::{fs, process::Command};

#[test]
fn a_program_links_and_runs_with_the_release_link_arguments() {
    let script = env!("PROVISIO_LINK_SCRIPT");
    if script.is_empty() {
        // Not Linux, or a checkout path the linker's `-Wl,` cannot carry: build.rs adds nothing.
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let source = dir.path().join("hello.rs");
    fs::write(
        &source,
        "fn main() { std::thread::spawn(|| println!(\"linked\")).join().unwrap(); }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let program = dir.path().join("hello");
    let mut rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()));
    rustc
        .args([
            "--edition",
            "2021",
            "-O",
            "-C",
            "symbol-mangling-version=v0",
        ])
        .arg("-C")
        .arg(format!("link-arg=-Wl,-T,{script}"));
    if env!("PROVISIO_LINK_RELR") == "true" {
        rustc.args(["-C", "link-arg=-Wl,-z,pack-relative-relocs"]);
    }
    let built = rustc
        .arg(&source)
        .arg("-o")
        .arg(&program)
        .output()
        .unwrap_or_else(|e| panic!("rustc: {e}"));
    assert!(
        built.status.success(),
        "linking with the release arguments failed:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    // std's start-up (`lang_start_internal`, the thread spawn) is in the script: the linker
    // made the section, so the script's patterns match this toolchain's names.
    let binary = fs::read(&program).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        binary
            .windows(b".text.provisio_start".len())
            .any(|w| w == b".text.provisio_start"),
        "no .text.provisio_start section: the script's patterns matched none of std's functions"
    );
    let ran = Command::new(&program)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ran.status.success(), "{ran:?}");
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "linked\n");
}
