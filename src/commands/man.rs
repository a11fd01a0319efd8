//! The man pages under `man/`: clap_mangen's sections (NAME, SYNOPSIS, DESCRIPTION, OPTIONS,
//! SUBCOMMANDS, VERSION) from the CLI definition, and ours, as man pages of kubectl's world have
//! them: EXAMPLES (each command's `Examples:`, laid out as typed, never justified), the REPL's
//! commands (on `kubectl-mcp` and `kubectl-mcp-chat`), ENVIRONMENT, FILES, EXIT STATUS and SEE
//! ALSO. A test compares the committed pages with [`pages`].

use clap::CommandFactory;
use roff::{bold, italic, roman, Roff};

use crate::cli::Cli;

/// What clap_mangen writes before every page's first line (the apostrophe string); our own
/// sections go into the same page, so their copy of it is dropped.
const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";

/// Environment variables the tool reads, and what for.
const ENVIRONMENT: &[(&str, &str)] = &[
    ("KUBECONFIG", "The kubeconfig files, as kubectl reads them (--kubeconfig wins)."),
    ("ANTHROPIC_API_KEY", "The Claude API key (or --api-key-secret to read it from a Kubernetes Secret)."),
    ("ANTHROPIC_AUTH_TOKEN", "A bearer token, for gateways that take one instead of a key."),
    ("ANTHROPIC_BASE_URL", "The Messages API endpoint (default https://api.anthropic.com): a gateway, a local model server, or a test fake."),
    ("KUBECTL_MCP_MODEL", "The model of new contexts when --model is not given."),
    ("KUBECTL_MCP_MAX_TOKENS", "The prompt budget of new contexts when --max-tokens is not given."),
    ("KUBECTL_MCP_MAX_OUTPUT_TOKENS", "The answer cap of new contexts when --max-output-tokens is not given."),
    ("KUBECTL_MCP_STRATEGY", "The summarization strategy of new contexts when --strategy is not given."),
    ("KUBECTL_MCP_NAMESPACE", "The namespace when neither -n nor the kubeconfig gives one."),
    ("KUBECTL_MCP_CONFIG", "The configuration file (default $XDG_CONFIG_HOME/kubectl-mcp/config.yaml)."),
    ("KUBECTL_MCP_STATE_DIR", "The state directory (default $XDG_STATE_HOME/kubectl-mcp, else ~/.local/state/kubectl-mcp)."),
    ("KUBECTL_MCP_MAX_RETRIES", "Retries of a failed Claude call (default 2)."),
    ("KUBECTL_MCP_CONNECT_TIMEOUT", "Connecting to the Claude API (default 10s)."),
    ("KUBECTL_MCP_FIRST_BYTE_TIMEOUT", "An answer's headers, per attempt (default 30s)."),
    ("KUBECTL_MCP_STALL_TIMEOUT", "Silence between two events of an answer (default 60s)."),
    ("KUBECTL_MCP_CALL_TIMEOUT", "One Claude call, every retry and wait included, unless an answer is arriving (default 80s)."),
    ("KUBECTL_MCP_MAX_INPUT", "The largest message or attached file read (default 4MiB)."),
    ("NO_COLOR", "Any value: no colour, and answers printed as they are, not rendered."),
    ("RUST_LOG", "Log filter, instead of the one -v chooses."),
];

/// Files the tool reads and writes.
const FILES: &[(&str, &str)] = &[
    ("$XDG_CONFIG_HOME/kubectl-mcp/config.yaml", "Defaults (model, budgets, strategy, namespace) and prices; `kubectl mcp config view` shows what is in force."),
    ("$XDG_STATE_HOME/kubectl-mcp/history", "The REPL's line history (mode 0600; lines holding a key or another secret are not kept)."),
    ("$XDG_STATE_HOME/kubectl-mcp/journal/", "Turns Claude answered while the cluster could not store them, written back when it answers again."),
    ("$XDG_STATE_HOME/kubectl-mcp/segments/", "A cache of sealed history segments, checked against their digests."),
    ("$XDG_STATE_HOME/kubectl-mcp/models/", "What an endpoint's Models API said of a model, kept a day."),
];

/// Every page: the top command's and each visible subcommand's, by file name.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    collect(&cmd, &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn collect(cmd: &clap::Command, out: &mut Vec<(String, Vec<u8>)>) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, out);
    }
    out.push(page(cmd));
}

/// One page: clap_mangen's, with its EXTRA section (the help's after-text, justified) replaced
/// by the prose in DESCRIPTION and the examples in EXAMPLES, then our sections.
fn page(cmd: &clap::Command) -> (String, Vec<u8>) {
    let man = clap_mangen::Man::new(cmd.clone());
    let name = man.get_filename();
    let mut text = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = man.render(&mut text);
    let mut text = String::from_utf8_lossy(&text).into_owned();
    if let Some(at) = text.find(".SH EXTRA\n") {
        let end = text[at + 1..]
            .find("\n.SH ")
            .map_or(text.len(), |e| at + 1 + e + 1);
        text.replace_range(at..end, "");
    }
    let after = cmd
        .get_after_help()
        .map(|h| h.to_string())
        .unwrap_or_default();
    let (prose, examples) = match after.split_once("Examples:\n") {
        Some((p, e)) => (p.trim(), e),
        None => (after.trim(), ""),
    };
    if !prose.is_empty() {
        let mut r = Roff::new();
        for para in prose.split("\n\n") {
            r.control("PP", []).text([roman(para.replace('\n', " "))]);
        }
        insert_before_next_section(&mut text, ".SH DESCRIPTION\n", &body(&r));
    }
    let mut r = Roff::new();
    if !examples.trim().is_empty() {
        r.control("SH", ["EXAMPLES"])
            .control("nf", [])
            .control("RS", ["4"]);
        for line in examples.lines().map(str::trim).filter(|l| !l.is_empty()) {
            r.text([roman(line)]);
        }
        r.control("RE", []).control("fi", []);
    }
    let path = cmd.get_display_name().unwrap_or(cmd.get_name()).to_string();
    if path == "kubectl-mcp" || path == "kubectl-mcp-chat" {
        repl_commands(&mut r);
    }
    r.control("SH", ["ENVIRONMENT"]);
    for (var, what) in ENVIRONMENT {
        r.control("TP", []).text([bold(*var)]).text([roman(*what)]);
    }
    r.control("SH", ["FILES"]);
    r.text([roman(
        "$XDG_STATE_HOME is ~/.local/state and $XDG_CONFIG_HOME ~/.config when unset; KUBECTL_MCP_STATE_DIR and KUBECTL_MCP_CONFIG override them.",
    )]);
    for (file, what) in FILES {
        r.control("TP", [])
            .text([italic(*file)])
            .text([roman(*what)]);
    }
    r.control("SH", ["EXIT STATUS"]);
    for (code, what) in [
        ("0", "Success."),
        ("1", "A failure at run time: the cluster or Claude refused or could not be reached, a context was not found, a turn could not be stored (it is kept in the journal)."),
        ("2", "A usage error: a flag, value or input file the command cannot take; nothing was changed."),
    ] {
        r.control("TP", []).text([bold(code)]).text([roman(what)]);
    }
    r.control("SH", ["SEE ALSO"]);
    let mut see: Vec<String> = vec!["kubectl(1)".into()];
    if path != "kubectl-mcp" {
        see.push("kubectl-mcp(1)".into());
    }
    see.extend(
        cmd.get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| format!("{}-{}(1)", path, s.get_name())),
    );
    r.text([roman(see.join(", "))]);
    text.push_str(&body(&r));
    (name, text.into_bytes())
}

/// The REPL's slash commands, from the table its /help and completion read.
fn repl_commands(r: &mut Roff) {
    r.control("SH", ["REPL COMMANDS"]);
    r.text([roman(
        "On a terminal, chat opens a REPL. A line is a message to Claude; a line that starts with / is one of these commands (a unique prefix is enough; //text sends a message starting with /). A lone exit or quit leaves; a lone clear or help asks whether the command was meant. Ctrl-C cancels an answer (nothing is stored) or clears the line; Ctrl-D leaves.",
    )]);
    for c in crate::ui::repl::COMMANDS {
        let mut head = vec![bold(format!("/{}", c.name))];
        if !c.args.is_empty() {
            head.push(roman(" "));
            head.push(italic(c.args));
        }
        r.control("TP", []).text(head).text([roman(c.help)]);
    }
}

/// A Roff's lines without the preamble the page already has.
fn body(r: &Roff) -> String {
    let text = r.render();
    text.strip_prefix(PREAMBLE).unwrap_or(&text).to_string()
}

/// Put `what` at the end of the section that starts with `heading`.
fn insert_before_next_section(text: &mut String, heading: &str, what: &str) {
    let Some(at) = text.find(heading) else {
        return;
    };
    let from = at + heading.len();
    let end = text[from..]
        .find("\n.SH ")
        .map_or(text.len(), |e| from + e + 1);
    text.insert_str(end, what);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_the_sections_of_a_man_page_and_examples_are_not_filled() {
        let pages = pages();
        assert!(pages.len() > 20, "{}", pages.len());
        for (name, page) in &pages {
            let page = String::from_utf8_lossy(page);
            for section in [
                ".SH NAME",
                ".SH SYNOPSIS",
                ".SH DESCRIPTION",
                ".SH ENVIRONMENT",
                ".SH FILES",
                ".SH \"EXIT STATUS\"",
                ".SH \"SEE ALSO\"",
            ] {
                assert_eq!(page.matches(section).count(), 1, "{name}: {section}");
            }
            assert!(!page.contains(".SH EXTRA"), "{name}");
            assert_eq!(page.matches(PREAMBLE).count(), 1, "{name}");
            if let Some(at) = page.find(".SH EXAMPLES\n") {
                assert!(page[at..].starts_with(".SH EXAMPLES\n.nf\n"), "{name}");
            }
        }
        let create = &pages
            .iter()
            .find(|(n, _)| n == "kubectl-mcp-create.1")
            .unwrap()
            .1;
        let create = String::from_utf8_lossy(create);
        assert!(
            create.contains(".SH EXAMPLES\n.nf\n.RS 4\nkubectl mcp create"),
            "{create}"
        );
        let chat = String::from_utf8_lossy(
            &pages
                .iter()
                .find(|(n, _)| n == "kubectl-mcp-chat.1")
                .unwrap()
                .1,
        )
        .into_owned();
        assert!(chat.contains(".SH \"REPL COMMANDS\""), "{chat}");
        assert!(chat.contains("\\fB/history\\fR"), "{chat}");
    }
}
