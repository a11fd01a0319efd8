//! Answers rendered as Markdown on a terminal, as they stream.
//!
//! Claude answers in Markdown. On a terminal the text is styled as it arrives, one character
//! at a time, and nothing already printed is ever rewritten: a line's kind (heading, list item,
//! quote, rule, fence, table) is decided from its first few characters, which are held back
//! only until they say; inline emphasis and code spans are styled as their markers arrive (a
//! `*` waits for the next character to tell `**` from `*` and emphasis from "2 * 3"); fenced
//! code is printed a whole line at a time, coloured by syntect with the fence's language; a
//! table is held until its last row and then drawn aligned (pulldown-cmark parses it). The
//! output is therefore the same however the answer is cut into pieces.
//!
//! Piped, with `NO_COLOR`, with `TERM=dumb` or with `--raw`, the answer is passed through
//! byte for byte ([`Renderer::plain`]).

use std::sync::OnceLock;

use syntect::easy::HighlightLines;
use syntect::highlighting::{Theme, ThemeSet};
use syntect::parsing::SyntaxSet;

const RESET: &str = "\x1b[0m";
const DIM: &str = "\x1b[2m";

/// Whether answers on this stdout should be rendered: a terminal, no `NO_COLOR` (any non-empty
/// value, as no-color.org says), not `TERM=dumb`, and not `--raw`.
pub fn wanted(stdout_is_terminal: bool, raw: bool) -> bool {
    stdout_is_terminal
        && !raw
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn theme() -> &'static Theme {
    static THEME: OnceLock<Theme> = OnceLock::new();
    THEME.get_or_init(|| {
        let mut themes = ThemeSet::load_defaults().themes;
        themes
            .remove("base16-ocean.dark")
            .or_else(|| themes.into_values().next())
            .unwrap_or_default()
    })
}

/// What the current line is, once its first characters said.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Line {
    Plain,
    Heading(usize),
    Quote,
}

enum Block {
    Text,
    /// Inside a fence: the current code line, and the highlighter (None: no grammar known).
    Code {
        fence: String,
        line: String,
        highlighter: Option<Box<HighlightLines<'static>>>,
    },
    /// Table rows so far, and the current line.
    Table {
        rows: Vec<String>,
        line: String,
    },
}

/// A streaming Markdown-to-terminal renderer (see the module's documentation).
pub struct Renderer {
    on: bool,
    block: Block,
    /// The current line's start, held until its kind is known.
    held: String,
    line: Option<Line>,
    bold: bool,
    italic: bool,
    code: bool,
    escaped: bool,
    /// A run of `*` or `_` waiting for the character after it.
    marker: String,
    prev: Option<char>,
    /// Some style is in force on the terminal (a reset is needed before plain text).
    styled: bool,
}

impl Renderer {
    /// A renderer that styles (`on`) or passes text through untouched.
    pub fn new(on: bool) -> Self {
        Self {
            on,
            block: Block::Text,
            held: String::new(),
            line: None,
            bold: false,
            italic: false,
            code: false,
            escaped: false,
            marker: String::new(),
            prev: None,
            styled: false,
        }
    }

    /// A renderer that passes text through untouched.
    pub fn plain() -> Self {
        Self::new(false)
    }

    /// What to print for the next piece of the answer.
    pub fn push(&mut self, text: &str) -> String {
        if !self.on {
            return text.to_string();
        }
        let mut out = String::new();
        for c in text.chars() {
            // Escape sequences and other controls in an answer would drive the terminal;
            // they are shown (`^[`), not obeyed. Newlines, tabs and CR stay.
            if c.is_control() && !matches!(c, '\n' | '\t' | '\r') {
                self.feed_visible(c, &mut out);
            } else {
                self.feed(c, &mut out);
            }
        }
        out
    }

    /// Feed a control character as its caret form, so it is printed, never interpreted.
    fn feed_visible(&mut self, c: char, out: &mut String) {
        let mut shown = String::new();
        push_visible(c, &mut shown);
        for v in shown.chars() {
            self.feed(v, out);
        }
    }

    /// What is still held back at the end of the answer; the renderer is ready for another.
    pub fn finish(&mut self) -> String {
        if !self.on {
            return String::new();
        }
        let mut out = String::new();
        match std::mem::replace(&mut self.block, Block::Text) {
            Block::Code {
                line,
                mut highlighter,
                ..
            } => {
                if !line.is_empty() {
                    out.push_str(&highlight_line(&mut highlighter, &line));
                }
            }
            Block::Table { mut rows, line } => {
                if !line.is_empty() {
                    rows.push(line);
                }
                self.table(rows, &mut out);
                // Lines that were not a table end like any text: held markers, open styles.
                self.end_line(&mut out);
            }
            Block::Text => {
                if self.line.is_none() && !self.held.is_empty() {
                    let held = std::mem::take(&mut self.held);
                    self.start_line(Line::Plain, &mut out);
                    for c in held.chars() {
                        self.inline(c, &mut out);
                    }
                }
                self.end_line(&mut out);
            }
        }
        *self = Self::new(true);
        out
    }

    fn feed(&mut self, c: char, out: &mut String) {
        match &mut self.block {
            Block::Code {
                fence,
                line,
                highlighter,
            } => {
                line.push(c);
                if c == '\n' {
                    let text = std::mem::take(line);
                    if text.trim() == fence.as_str() {
                        out.push_str(DIM);
                        out.push_str(text.trim_end_matches('\n'));
                        out.push_str(RESET);
                        out.push('\n');
                        self.block = Block::Text;
                    } else {
                        out.push_str(&highlight_line(highlighter, &text));
                    }
                }
            }
            Block::Table { rows, line } => {
                line.push(c);
                let start = line.trim_start();
                if start.starts_with('|') {
                    if c == '\n' {
                        rows.push(std::mem::take(line));
                    }
                } else if !start.is_empty() || c == '\n' {
                    // The table ended: draw it, then read this line afresh.
                    let rows = std::mem::take(rows);
                    let line = std::mem::take(line);
                    self.block = Block::Text;
                    self.table(rows, out);
                    for c in line.chars() {
                        self.feed(c, out);
                    }
                }
            }
            Block::Text if self.line.is_some() => self.inline(c, out),
            Block::Text => {
                self.held.push(c);
                self.classify(c == '\n', out);
            }
        }
    }

    /// Decide the held line start's kind if its characters say it.
    fn classify(&mut self, complete: bool, out: &mut String) {
        let held = self.held.clone();
        let indent = held.len() - held.trim_start_matches(' ').len();
        let s = &held[indent..];
        let Some(first) = s.chars().next() else {
            return;
        };
        if first == '\n' {
            // A blank line.
            self.held.clear();
            out.push_str(&held);
            return;
        }
        let same = |ch: char| s.trim_end_matches('\n').chars().all(|x| x == ch);
        match first {
            '`' | '~' => {
                let fence: String = s.chars().take_while(|&x| x == first).collect();
                if fence.len() >= 3 {
                    if !complete {
                        return;
                    }
                    let lang = s[fence.len()..].trim();
                    let highlighter =
                        syntax_for(lang).map(|syn| Box::new(HighlightLines::new(syn, theme())));
                    out.push_str(DIM);
                    out.push_str(held.trim_end_matches('\n'));
                    out.push_str(RESET);
                    out.push('\n');
                    self.held.clear();
                    self.block = Block::Code {
                        fence,
                        line: String::new(),
                        highlighter,
                    };
                    return;
                }
                if same(first) && !complete {
                    return;
                }
                self.plain_line(out);
            }
            '#' => {
                let level = s.chars().take_while(|&x| x == '#').count();
                match s[level..].chars().next() {
                    None if !complete => {}
                    Some(' ') if level <= 6 => {
                        self.held.clear();
                        self.start_line(Line::Heading(level), out);
                        for c in s[level + 1..].chars() {
                            self.inline(c, out);
                        }
                    }
                    _ => self.plain_line(out),
                }
            }
            '|' => {
                self.held.clear();
                self.block = Block::Table {
                    rows: Vec::new(),
                    line: String::new(),
                };
                for c in held.chars() {
                    self.feed(c, out);
                }
            }
            '>' => {
                // Wait for the character after `>`: the one space after it is not content.
                if s.len() == 1 && !complete {
                    return;
                }
                self.held.clear();
                out.push_str(&held[..indent]);
                out.push_str(DIM);
                out.push_str("│ ");
                out.push_str(RESET);
                self.start_line(Line::Quote, out);
                let rest = s[1..].strip_prefix(' ').unwrap_or(&s[1..]);
                for c in rest.chars() {
                    self.inline(c, out);
                }
            }
            '-' | '*' | '+' | '_' => {
                let second = s.chars().nth(1);
                if second.is_none() && !complete {
                    return;
                }
                if second == Some(' ') && first != '_' {
                    // A list item, unless the line turns out to be a rule (`- - -`).
                    if !complete && s.chars().all(|x| x == first || x == ' ') {
                        return;
                    }
                }
                let stripped: String = s
                    .trim_end_matches('\n')
                    .chars()
                    .filter(|&x| x != ' ')
                    .collect();
                if stripped.len() >= 3 && stripped.chars().all(|x| x == first) {
                    if !complete {
                        return;
                    }
                    self.held.clear();
                    out.push_str(&held[..indent]);
                    out.push_str(DIM);
                    out.push_str(&"─".repeat(40));
                    out.push_str(RESET);
                    out.push('\n');
                    return;
                }
                if !complete && s.chars().all(|x| x == first || x == ' ') {
                    return;
                }
                if second == Some(' ') && first != '_' {
                    self.held.clear();
                    out.push_str(&held[..indent]);
                    out.push_str("• ");
                    self.start_line(Line::Plain, out);
                    for c in s[2..].chars() {
                        self.inline(c, out);
                    }
                } else {
                    self.plain_line(out);
                }
            }
            _ => self.plain_line(out),
        }
    }

    /// The held characters are ordinary text.
    fn plain_line(&mut self, out: &mut String) {
        let held = std::mem::take(&mut self.held);
        self.start_line(Line::Plain, out);
        for c in held.chars() {
            self.inline(c, out);
        }
    }

    fn start_line(&mut self, kind: Line, out: &mut String) {
        self.line = Some(kind);
        self.restyle(out);
    }

    /// Close every style at the end of a line (emphasis does not run across lines here).
    fn end_line(&mut self, out: &mut String) {
        if !self.marker.is_empty() {
            self.resolve_marker(None, out);
        }
        if self.escaped {
            // A backslash at the end of a line escapes nothing: it is text.
            self.emit('\\', out);
        }
        if self.styled {
            out.push_str(RESET);
            self.styled = false;
        }
        self.bold = false;
        self.italic = false;
        self.code = false;
        self.escaped = false;
        self.line = None;
        self.prev = None;
    }

    /// The escape sequence for every style now in force.
    fn restyle(&mut self, out: &mut String) {
        let mut codes: Vec<&str> = Vec::new();
        match self.line {
            Some(Line::Heading(1)) => codes.extend(["1", "4", "35"]),
            Some(Line::Heading(2)) => codes.extend(["1", "35"]),
            Some(Line::Heading(_)) => codes.push("1"),
            Some(Line::Quote) => codes.push("3"),
            _ => {}
        }
        if self.bold {
            codes.push("1");
        }
        if self.italic {
            codes.push("3");
        }
        if self.code {
            codes.push("36");
        }
        if self.styled {
            out.push_str(RESET);
        }
        self.styled = !codes.is_empty();
        if self.styled {
            out.push_str(&format!("\x1b[{}m", codes.join(";")));
        }
    }

    fn emit(&mut self, c: char, out: &mut String) {
        push_visible(c, out);
        self.prev = Some(c);
    }

    fn inline(&mut self, c: char, out: &mut String) {
        if c == '\n' {
            self.end_line(out);
            out.push('\n');
            return;
        }
        if self.code {
            if c == '`' {
                self.code = false;
                self.restyle(out);
                self.prev = Some(c);
            } else {
                self.emit(c, out);
            }
            return;
        }
        if self.escaped {
            // Markdown escapes ASCII punctuation only: `\d+` and `C:\Users` keep their backslash.
            self.escaped = false;
            if !c.is_ascii_punctuation() {
                self.emit('\\', out);
            }
            self.emit(c, out);
            return;
        }
        if (c == '*' || c == '_') && (self.marker.is_empty() || self.marker.starts_with(c)) {
            self.marker.push(c);
            return;
        }
        if !self.marker.is_empty() {
            self.resolve_marker(Some(c), out);
        }
        match c {
            '\\' => self.escaped = true,
            '`' => {
                self.code = true;
                self.restyle(out);
                self.prev = Some(c);
            }
            '*' | '_' => self.marker.push(c),
            _ => self.emit(c, out),
        }
    }

    /// Turn a held run of `*`/`_` into a style change or literal text, knowing what follows.
    fn resolve_marker(&mut self, next: Option<char>, out: &mut String) {
        let marker = std::mem::take(&mut self.marker);
        let m = marker.chars().next().unwrap_or('*');
        let n = marker.chars().count();
        let prev_word = self.prev.is_some_and(char::is_alphanumeric);
        let next_space = next.is_none_or(char::is_whitespace);
        let prev_space = self.prev.is_none_or(char::is_whitespace);
        // snake_case and 2*3*4 stay as they are.
        if prev_word
            && next.is_some_and(char::is_alphanumeric)
            && (m == '_' || n == 1 && !self.italic)
        {
            out.push_str(&marker);
            self.prev = Some(m);
            return;
        }
        let mut changed = false;
        let mut left = n;
        if left >= 2 {
            if self.bold && !prev_space {
                self.bold = false;
                changed = true;
                left -= 2;
            } else if !self.bold && !next_space {
                self.bold = true;
                changed = true;
                left -= 2;
            }
        }
        if left == 1 {
            if self.italic && !prev_space {
                self.italic = false;
                changed = true;
                left = 0;
            } else if !self.italic && !next_space {
                self.italic = true;
                changed = true;
                left = 0;
            }
        }
        if left > 0 {
            out.push_str(&m.to_string().repeat(left));
            self.prev = Some(m);
        }
        if changed {
            self.restyle(out);
        }
    }

    /// Draw a held table, or print its lines as text when they are not one.
    fn table(&mut self, rows: Vec<String>, out: &mut String) {
        let text: String = rows.concat();
        match parse_table(&text) {
            Some((header, body)) => {
                let mut t = comfy_table::Table::new();
                t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
                    .set_content_arrangement(comfy_table::ContentArrangement::Disabled)
                    .set_header(header.into_iter().map(|h| {
                        comfy_table::Cell::new(h).add_attribute(comfy_table::Attribute::Bold)
                    }));
                for row in body {
                    t.add_row(row);
                }
                for line in t.lines() {
                    out.push_str(&line);
                    out.push('\n');
                }
            }
            None => {
                for c in text.chars() {
                    if self.line.is_none() {
                        self.start_line(Line::Plain, out);
                    }
                    self.inline(c, out);
                }
            }
        }
    }
}

/// `c`, or its caret form (`^[` for ESC, `^?` for DEL) when it is a control character other
/// than newline, tab and CR.
fn push_visible(c: char, out: &mut String) {
    match c {
        '\n' | '\t' | '\r' => out.push(c),
        '\u{7f}' => out.push_str("^?"),
        c if (c as u32) < 0x20 => {
            out.push('^');
            out.push(char::from_u32(c as u32 + 0x40).unwrap_or('?'));
        }
        c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
        c => out.push(c),
    }
}

/// A Markdown table's header and rows, as text, if `text` is one.
fn parse_table(text: &str) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut header = Vec::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut in_head = false;
    let mut cell: Option<String> = None;
    let mut seen = false;
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => seen = true,
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                let c = cell.take().unwrap_or_default();
                if in_head {
                    header.push(c);
                } else if let Some(r) = rows.last_mut() {
                    r.push(c);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    seen.then_some((header, rows))
}

fn syntax_for(lang: &str) -> Option<&'static syntect::parsing::SyntaxReference> {
    let lang = lang.split([' ', ',', '{']).next().unwrap_or_default();
    if lang.is_empty() {
        return None;
    }
    let set = syntaxes();
    set.find_syntax_by_token(lang)
        .or_else(|| set.find_syntax_by_extension(lang))
}

/// One code line, coloured when a grammar is known, dim otherwise.
fn highlight_line(highlighter: &mut Option<Box<HighlightLines<'static>>>, line: &str) -> String {
    match highlighter {
        Some(h) => match h.highlight_line(line, syntaxes()) {
            Ok(ranges) => {
                let body = line.trim_end_matches('\n');
                let mut s = syntect::util::as_24_bit_terminal_escaped(&ranges, false);
                // Keep the newline outside the colours.
                if s.ends_with('\n') && body.len() < line.len() {
                    s.pop();
                }
                format!("{s}{RESET}{}", &line[body.len()..])
            }
            Err(_) => line.to_string(),
        },
        None => format!(
            "{DIM}{}{RESET}{}",
            line.trim_end_matches('\n'),
            &line[line.trim_end_matches('\n').len()..]
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str) -> String {
        let mut r = Renderer::new(true);
        let mut out = r.push(text);
        out.push_str(&r.finish());
        out
    }

    /// What a reader sees: the rendering without escape sequences.
    fn visible(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    fn golden(name: &str) -> (String, std::path::PathBuf) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/markdown");
        (
            std::fs::read_to_string(dir.join(format!("{name}.md"))).unwrap(),
            dir.join(format!("{name}.ansi")),
        )
    }

    #[test]
    fn the_golden_answers_render_as_recorded_however_they_are_cut() {
        for name in ["answer", "edge-cases"] {
            let (input, expected_path) = golden(name);
            let whole = render(&input);
            if std::env::var_os("UPDATE_GENERATED").is_some() {
                std::fs::write(&expected_path, &whole).unwrap();
            }
            let expected = std::fs::read_to_string(&expected_path).unwrap();
            assert_eq!(
                whole, expected,
                "{name}: run with UPDATE_GENERATED=1 and review the diff"
            );
            // Streaming: any cut gives the same bytes.
            let chars: Vec<char> = input.chars().collect();
            for size in 1..=9 {
                let mut r = Renderer::new(true);
                let mut out = String::new();
                for piece in chars.chunks(size) {
                    out.push_str(&r.push(&piece.iter().collect::<String>()));
                }
                out.push_str(&r.finish());
                assert_eq!(out, whole, "{name}: cut into pieces of {size} characters");
            }
            // Piped: byte for byte.
            let mut plain = Renderer::plain();
            assert_eq!(plain.push(&input) + &plain.finish(), input);
        }
    }

    #[test]
    fn markers_become_styles_and_ordinary_text_stays() {
        let v = |s: &str| visible(&render(s));
        assert_eq!(v("# Title\n"), "Title\n");
        assert_eq!(
            v("some **bold** and *it* and `code`\n"),
            "some bold and it and code\n"
        );
        assert_eq!(v("- one\n- two\n"), "• one\n• two\n");
        assert_eq!(
            v("2 * 3 * 4 = 24, snake_case_name, a*b\n"),
            "2 * 3 * 4 = 24, snake_case_name, a*b\n"
        );
        assert_eq!(v("> quoted\n"), "│ quoted\n");
        assert_eq!(v("---\n"), format!("{}\n", "─".repeat(40)));
        assert_eq!(v("#hashtag\n"), "#hashtag\n");
        assert_eq!(v(r"\*literal\*"), "*literal*");
        assert_eq!(v(r"use \d+ in C:\Users\me"), r"use \d+ in C:\Users\me");
        // An answer ending on a line that looks like a table but is not one: closed like text.
        assert_eq!(render("| see **note"), "| see \x1b[1mnote\x1b[0m");
        assert_eq!(v("| a *"), "| a *");
        assert_eq!(render("**bold** x\n"), "\x1b[1mbold\x1b[0m x\n");
        // Code keeps every character, and a table is drawn.
        assert_eq!(
            v("```rust\nfn main() {}\n```\n"),
            "```rust\nfn main() {}\n```\n"
        );
        let t = v("| a | bb |\n|---|---|\n| 1 | 2 |\n\nafter\n");
        assert!(
            t.contains("│ a ") && t.contains("│ 1 ") && t.ends_with("\nafter\n"),
            "{t}"
        );
    }

    #[test]
    fn no_color_and_dumb_terminals_get_plain_text() {
        assert!(!wanted(false, false));
        assert!(!wanted(true, true));
    }
}
