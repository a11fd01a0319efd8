//! Exact sizes of what the apiserver will store, measured before anything is sent or paid for
//! (SPEC §5, issue #9 item 3).
//!
//! The apiserver re-encodes every object with Go's `encoding/json` before it goes to etcd, and
//! Go escapes more than serde does: `<`, `>`, `&`, U+2028 and U+2029 become six-byte `\uXXXX`
//! escapes, and so does every control character other than `\n`, `\r` and `\t` (Go before 1.22
//! has no short form for `\b` and `\f`; six bytes is the upper bound either way). A message of
//! 270,000 `\x01` is 270 kB on the terminal and 1.6 MB in etcd. Guessing ("JSON doubles a
//! message") let Claude be paid for a turn that etcd then refused; this module counts instead.

use serde::Serialize;

/// The size of `value` as Go's `encoding/json` writes it (compact, HTML-escaped), in bytes.
pub fn stored_len<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut counter = Counter(0);
    let mut ser = serde_json::Serializer::with_formatter(&mut counter, GoEscapes);
    // Writing into a counter cannot fail; a value that cannot be serialized has no stored size,
    // and the apiserver would refuse it anyway.
    if value.serialize(&mut ser).is_err() {
        return usize::MAX;
    }
    counter.0
}

/// The size of `s` as a JSON string in Go's encoding, quotes included.
pub fn stored_str_len(s: &str) -> usize {
    2 + s.chars().map(char_len).sum::<usize>()
}

/// Bytes one character takes inside a Go-encoded JSON string.
fn char_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' => 2,
        '\u{0}'..='\u{1f}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => 6,
        c => c.len_utf8(),
    }
}

/// The longest text this tool keeps of one answer, as stored (Go-encoded) bytes, for an answer
/// cap of `max_tokens`. The API's `max_tokens` bounds real answers far below this (a token is a
/// few bytes); a server that ignores it is cut off here, so an endless stream can neither fill
/// memory nor produce a turn that cannot be stored.
pub fn answer_cap(max_tokens: u32) -> usize {
    (max_tokens as usize)
        .saturating_mul(BYTES_PER_TOKEN)
        .clamp(MIN_ANSWER_CAP, MAX_ANSWER_CAP)
}

/// Generous stored bytes per answer token (plain text averages about four).
const BYTES_PER_TOKEN: usize = 32;
/// The smallest answer cap, whatever `max_tokens` says.
const MIN_ANSWER_CAP: usize = 64 * 1024;
/// The largest answer cap: with the question, one turn must fit one object.
pub const MAX_ANSWER_CAP: usize = 512 * 1024;

/// Raw bytes of an answer stream allowed for a text cap of `text_cap`: the SSE framing of one
/// small delta is ~150 bytes around a few bytes of text, so this is far above any real stream.
pub fn raw_stream_cap(text_cap: usize) -> usize {
    text_cap.saturating_mul(48).saturating_add(1 << 20)
}

/// The longest prefix of `s` (at a character boundary) whose Go-encoded size, without quotes,
/// is at most `budget`.
pub fn prefix_within(s: &str, budget: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += char_len(c);
        if used > budget {
            return &s[..i];
        }
    }
    s
}

struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// serde_json's compact formatter, plus the escapes Go adds: serde hands string fragments that
/// need no JSON escape to `write_string_fragment`, and Go escapes some of those.
struct GoEscapes;

impl serde_json::ser::Formatter for GoEscapes {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> std::io::Result<()> {
        use serde_json::ser::CharEscape;
        // Go writes \b and \f as \u0008 and \u000c (before 1.22): count the longer form.
        let s: &[u8] = match escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::Solidus => b"/",
            CharEscape::Backspace => b"\\u0008",
            CharEscape::FormFeed => b"\\u000c",
            CharEscape::AsciiControl(b) => return write!(writer, "\\u{b:04x}"),
        };
        writer.write_all(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn go_escapes_are_counted() {
        assert_eq!(stored_len("abc"), 5);
        assert_eq!(stored_len("\u{1}"), 8);
        assert_eq!(stored_len("<a&b>"), 2 + 6 + 1 + 6 + 1 + 6);
        assert_eq!(stored_len("\u{2028}"), 8);
        assert_eq!(stored_len("\n\t\"\\"), 10);
        assert_eq!(stored_len("\u{8}\u{c}"), 14);
        assert_eq!(stored_len("é"), 4);
        let control = "\u{1}".repeat(270_000);
        assert_eq!(stored_len(&control), 270_000 * 6 + 2);
        assert_eq!(
            stored_len(&serde_json::json!({"a": [1, "<"]})),
            r#"{"a":[1,"\u003c"]}"#.len()
        );
    }

    #[test]
    fn answer_caps_are_bounded_both_ways() {
        assert_eq!(answer_cap(1), MIN_ANSWER_CAP);
        assert_eq!(answer_cap(4096), 4096 * 32);
        assert_eq!(answer_cap(u32::MAX), MAX_ANSWER_CAP);
        assert_eq!(prefix_within("ab<c", 2), "ab");
        assert_eq!(prefix_within("ab<c", 8), "ab<");
        assert_eq!(prefix_within("ab<c", 100), "ab<c");
    }

    proptest! {
        #[test]
        fn the_formatter_and_the_string_count_agree(s in any::<String>()) {
            prop_assert_eq!(stored_len(&s), stored_str_len(&s));
            prop_assert!(stored_len(&s) >= serde_json::to_string(&s).unwrap().len());
        }
    }
}
