//! `completions/` and `man/` are generated from the CLI definition and committed. This test fails
//! when they are stale; `UPDATE_GENERATED=1 cargo test --test generated_files` rewrites them.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;
use kubectl_mcp::cli::Cli;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn expected() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for (shell, file) in [
        (Shell::Bash, "kubectl-mcp.bash"),
        (Shell::Zsh, "_kubectl-mcp"),
        (Shell::Fish, "kubectl-mcp.fish"),
        (Shell::PowerShell, "_kubectl-mcp.ps1"),
        (Shell::Elvish, "kubectl-mcp.elv"),
    ] {
        files.push((
            root().join("completions").join(file),
            kubectl_mcp::commands::render_completions(shell),
        ));
    }
    // One page per (sub)command: kubectl-mcp.1, kubectl-mcp-create.1, …
    for (name, page) in kubectl_mcp::commands::man::pages() {
        files.push((root().join("man").join(name), page));
    }
    files
}

#[test]
fn committed_completions_and_man_pages_are_up_to_date() {
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    let expected = expected();
    // A page for a command that no longer exists is stale too.
    for entry in std::fs::read_dir(root().join("man"))
        .into_iter()
        .flatten()
        .flatten()
    {
        if !expected.iter().any(|(p, _)| *p == entry.path()) {
            if update {
                std::fs::remove_file(entry.path()).unwrap();
            } else {
                stale.push(format!("{} (no longer generated)", entry.path().display()));
            }
        }
    }
    for (path, want) in expected {
        let have = std::fs::read(&path).unwrap_or_default();
        if have != want {
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &want).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run `UPDATE_GENERATED=1 cargo test --test generated_files`):\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_completions_command_prints_the_same_script() {
    // `completion` too, as kubectl spells it (issue #25 item 6).
    for command in ["completions", "completion"] {
        let out = assert_cmd::Command::cargo_bin("kubectl-mcp")
            .unwrap()
            .args([command, "bash"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{command}");
        assert_eq!(
            out.stdout,
            kubectl_mcp::commands::render_completions(Shell::Bash)
        );
    }
}

/// Issue #14 item 4: every command's help teaches by example, each example is a command line
/// this very CLI accepts, and usage lines say `kubectl mcp` (how users run it).
#[test]
fn every_command_has_examples_that_parse() {
    use clap::Parser;
    let root = Cli::command();
    let mut checked = 0;
    for sub in root.get_subcommands() {
        let help = sub
            .get_after_help()
            .map(|h| h.to_string())
            .unwrap_or_default();
        assert!(
            help.contains("Examples:"),
            "`{}` has no Examples in its help",
            sub.get_name()
        );
        for line in help
            .lines()
            .skip_while(|l| !l.starts_with("Examples:"))
            .skip(1)
        {
            // The kubectl-mcp part of the line: after a pipe from another command, before a
            // pipe, redirection or comment.
            let mut part = line.trim();
            if let Some(i) = part.find("| kubectl mcp ") {
                part = &part[i + 2..];
            }
            // (A comment follows two spaces: `#42` in a quoted session ID is not one.)
            for stop in [" |", " >", "  #"] {
                if let Some(i) = part.find(stop) {
                    part = &part[..i];
                }
            }
            let words = shlex::split(part).unwrap_or_else(|| panic!("unquotable: {line}"));
            let args: Vec<&str> = match words.first().map(String::as_str) {
                Some("kubectl") => {
                    assert_eq!(words.get(1).map(String::as_str), Some("mcp"), "{line}");
                    words[2..].iter().map(String::as_str).collect()
                }
                Some("kubectl-mcp") => words[1..].iter().map(String::as_str).collect(),
                _ => panic!("an example that is not a kubectl mcp command: {line}"),
            };
            if let Err(e) = Cli::try_parse_from(std::iter::once("kubectl-mcp").chain(args)) {
                panic!("example `{line}` does not parse: {e}");
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked} examples");
    let mut cmd = Cli::command();
    cmd.build();
    let usage = cmd
        .find_subcommand_mut("delete")
        .unwrap()
        .render_usage()
        .to_string();
    assert!(usage.contains("kubectl mcp delete"), "{usage}");
    // Global flags under their own heading, after the command's own.
    let help = cmd
        .find_subcommand_mut("get")
        .unwrap()
        .render_help()
        .to_string();
    let (own, global) = help
        .split_once("Global options:")
        .expect("a Global options heading");
    assert!(
        own.contains("--output") && !own.contains("--kubeconfig"),
        "{help}"
    );
    assert!(
        global.contains("--kubeconfig") && global.contains("--namespace"),
        "{help}"
    );
}

/// Issue #25 item 3: a mistyped `-o` is answered with the format meant, as clap does for flags.
#[test]
fn a_mistyped_output_format_suggests_the_one_meant() {
    for (args, meant) in [
        (&["list", "-o", "yml"][..], "yaml"),
        (&["get", "demo", "-o", "jsn"][..], "json"),
    ] {
        let out = assert_cmd::Command::cargo_bin("kubectl-mcp")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("did you mean \"{meant}\"?")),
            "{args:?}: {err}"
        );
    }
}

/// Issue #25 item 7: each committed man page renders with `man -l` (groff) into the sections a
/// man page has, its examples laid out as typed (not justified into one paragraph), and the
/// REPL's commands on the chat page.
#[test]
fn man_pages_render_with_the_sections_of_a_man_page() {
    let have_man = std::process::Command::new("man")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    // A test that skipped itself would prove nothing: `.ci/run` installs man-db and groff.
    assert!(
        have_man,
        "`man` is needed to render the pages: apt-get install man-db groff-base"
    );
    let pages: Vec<PathBuf> = std::fs::read_dir(root().join("man"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(pages.len() > 20);
    for page in &pages {
        // The roff itself, whether or not `man` is here to render it.
        let roff = std::fs::read_to_string(page).unwrap();
        for section in [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH ENVIRONMENT",
            ".SH FILES",
            ".SH \"EXIT STATUS\"",
            ".SH \"SEE ALSO\"",
        ] {
            assert!(roff.contains(section), "{}: {section}", page.display());
        }
        let out = std::process::Command::new("man")
            .arg("-l")
            .arg(page)
            .env("MANWIDTH", "100")
            .env("MAN_KEEP_FORMATTING", "0")
            .env("PAGER", "cat")
            .env("MANPAGER", "cat")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", page.display());
        // Bold and underline as overstrikes, removed.
        let text: String = {
            let raw = String::from_utf8_lossy(&out.stdout);
            let mut s = String::new();
            for c in raw.chars() {
                if c == '\u{8}' {
                    s.pop();
                } else {
                    s.push(c);
                }
            }
            s
        };
        for heading in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "ENVIRONMENT",
            "FILES",
            "EXIT STATUS",
            "SEE ALSO",
        ] {
            assert!(
                text.lines().any(|l| l == heading),
                "{}: {heading} not rendered:\n{text}",
                page.display()
            );
        }
        assert!(!text.lines().any(|l| l == "EXTRA"), "{}", page.display());
        let name = page.file_name().unwrap().to_string_lossy();
        if name == "kubectl-mcp-create.1" {
            // Each example on its own line, as typed.
            let examples = &text[text.find("\nEXAMPLES\n").expect("EXAMPLES")..];
            let lines: Vec<&str> = examples
                .lines()
                .skip(1)
                .take_while(|l| !l.is_empty() || l.starts_with(' '))
                .filter(|l| l.trim_start().starts_with("kubectl mcp create"))
                .collect();
            assert!(lines.len() >= 2, "{examples}");
        }
        if name == "kubectl-mcp-chat.1" {
            assert!(text.lines().any(|l| l == "REPL COMMANDS"), "{text}");
            assert!(text.contains("/history"), "{text}");
        }
    }
}
