//! `provisio completions SHELL` and `provisio man`, made from the commands' own definitions,
//! and the help of every command, in one spelling (`authorize`, as bunq's routes spell it).

mod common;

use std::process::Command;

use common::provisio;

fn stdout(args: &[&str]) -> String {
    let out = provisio(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Commands every completion script and the manual must name.
const COMMANDS: &[&str] = &[
    "serve",
    "partner",
    "provision",
    "user",
    "account",
    "card",
    "list",
];

fn has(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

#[test]
fn completions_name_the_commands_and_parse() {
    let bash = stdout(&["completions", "bash"]);
    for command in COMMANDS {
        assert!(bash.contains(command), "bash: no {command}");
    }
    // bash -n: the script parses.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (shell, name) in [
        ("bash", "provisio.bash"),
        ("zsh", "_provisio"),
        ("fish", "provisio.fish"),
    ] {
        let script = stdout(&["completions", shell]);
        let path = dir.path().join(name);
        std::fs::write(&path, &script).unwrap_or_else(|e| panic!("{e}"));
        assert!(script.contains("provisio"), "{shell}");
        if has(shell) {
            let checked = Command::new(shell)
                .arg("-n")
                .arg(&path)
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(
                checked.status.success(),
                "{shell} -n: {}",
                String::from_utf8_lossy(&checked.stderr)
            );
        }
    }
    assert!(stdout(&["completions", "zsh"]).starts_with("#compdef provisio"));
    assert!(stdout(&["completions", "fish"]).contains("complete -c provisio"));
    assert!(!provisio(&["completions", "tcsh"]).status.success());
}

#[test]
fn the_manual_page_is_roff_naming_every_command() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH provisio 1"), "{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "no {section}");
    }
    for command in [
        "serve",
        "partner",
        "provision",
        "user",
        "account",
        "card",
        "completions",
    ] {
        assert!(
            page.contains(&format!("provisio\\-{command}(1)")),
            "no {command}"
        );
    }
    // groff reads it without a warning, where groff is installed.
    if has("groff") {
        let mut child = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write as _;
            stdin
                .write_all(page.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // One page per command, list commands included.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out_dir = dir.path().join("man1");
    stdout(&["man", "--out-dir", &out_dir.to_string_lossy()]);
    for name in [
        "provisio.1",
        "provisio-serve.1",
        "provisio-card-list.1",
        "provisio-user-list.1",
    ] {
        assert!(out_dir.join(name).is_file(), "no {name}");
    }
}

/// The words of `text` spelt the British way, except bunq's names: a field (with `_`) or a
/// value (in capitals).
fn british(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| word.to_lowercase().contains("authoris"))
        .filter(|word| !word.contains('_') && *word != word.to_uppercase())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_commands_help_spells_authorize_one_way() {
    assert_eq!(
        british("an authorisation, Authorise; AUTHORISED"),
        ["authorisation", "Authorise"]
    );
    let mut seen = 0;
    let mut todo: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = todo.pop() {
        let mut call: Vec<&str> = path.iter().map(String::as_str).collect();
        call.push("--help");
        let help = stdout(&call);
        assert!(british(&help).is_empty(), "{call:?}: {:?}", british(&help));
        seen += 1;
        for command in subcommands(&help) {
            let mut next = path.clone();
            next.push(command);
            todo.push(next);
        }
    }
    // Every command: the top, its groups and their commands (list, approve, authorize…).
    assert!(seen > 40, "only {seen} commands");
    let page = stdout(&["man"]);
    assert!(british(&page).is_empty(), "{:?}", british(&page));
}

/// The commands a `--help` lists under `Commands:`, `help` left out.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| line.trim() != "Commands:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}
