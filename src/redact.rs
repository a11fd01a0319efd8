//! Redaction of personal data and secrets in messages, before they are stored or sent.
//!
//! Off by default; on for a context (`spec.redaction.enabled`) or for a run (`chat --redact`,
//! `batch --redact`). Built-in detectors find e-mail addresses, phone numbers, payment card
//! numbers (Luhn-checked), IBANs (mod-97-checked), IP addresses (when asked), and secrets: API
//! keys in the formats of Anthropic, OpenAI, AWS, GitHub, Slack and Google, JWTs, bearer tokens,
//! PEM private keys, and the `data:` values of Kubernetes Secret manifests; a context can add
//! its own patterns.
//!
//! A match becomes a typed placeholder, `[EMAIL_3fa91c]`: the tag is a keyed hash of the value
//! (the context's uid as the key), so the same address is the same placeholder in every turn and
//! from every process, without any mapping stored anywhere, and Claude can still refer to it.
//! The tag is short (24 bits) on purpose: it names a value within a conversation, and confirms
//! a guess only among the many values that share it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use regex::Regex;
use sha2::{Digest, Sha256};

use crate::model::resource::Redaction;

/// `--redact`: redaction for this run, whatever the contexts say.
static FORCED: AtomicBool = AtomicBool::new(false);

/// Turn redaction on for every context this process touches (`chat --redact`).
pub fn force() {
    FORCED.store(true, Ordering::Relaxed);
}

/// The redaction a context's turns get: its own settings, or the run's `--redact`.
pub fn policy(spec: Option<&Redaction>) -> Option<Redaction> {
    match spec {
        Some(r) if r.enabled => Some(r.clone()),
        _ if FORCED.load(Ordering::Relaxed) => Some(Redaction {
            enabled: true,
            ..spec.cloned().unwrap_or_default()
        }),
        _ => None,
    }
}

/// One kind of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A PEM private key block.
    PrivateKey,
    /// A value under `data:` in a Kubernetes Secret manifest.
    SecretData,
    /// A JSON Web Token.
    Jwt,
    /// An API key of a known format, or a bearer token.
    Secret,
    /// An e-mail address.
    Email,
    /// An IBAN.
    Iban,
    /// A payment card number.
    Card,
    /// A phone number.
    Phone,
    /// An IPv4 or IPv6 address.
    Ip,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::PrivateKey => "PRIVATE_KEY",
            Kind::SecretData => "SECRET_DATA",
            Kind::Jwt => "JWT",
            Kind::Secret => "SECRET",
            Kind::Email => "EMAIL",
            Kind::Iban => "IBAN",
            Kind::Card => "CARD",
            Kind::Phone => "PHONE",
            Kind::Ip => "IP",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Kind::PrivateKey => "private keys",
            Kind::SecretData => "Secret values",
            Kind::Jwt => "JWTs",
            Kind::Secret => "API keys or tokens",
            Kind::Email => "e-mail addresses",
            Kind::Iban => "IBANs",
            Kind::Card => "card numbers",
            Kind::Phone => "phone numbers",
            Kind::Ip => "IP addresses",
        }
    }
}

struct Detector {
    kind: Kind,
    re: Regex,
    /// Extra check on a match (Luhn, mod 97, digit counts…); the group to replace is 1 when the
    /// pattern has one, else the whole match.
    check: fn(&str) -> bool,
}

fn detectors() -> &'static [Detector] {
    static D: OnceLock<Vec<Detector>> = OnceLock::new();
    D.get_or_init(|| {
        let d = |kind, re: &str, check: fn(&str) -> bool| Detector {
            kind,
            re: Regex::new(re).unwrap_or_else(|e| panic!("built-in pattern {re}: {e}")),
            check,
        };
        let any: fn(&str) -> bool = |_| true;
        vec![
            d(
                Kind::PrivateKey,
                r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----",
                any,
            ),
            d(
                Kind::Jwt,
                r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
                any,
            ),
            d(
                Kind::Secret,
                concat!(
                    r"\b(?:sk-ant-[A-Za-z0-9_-]{20,}",
                    r"|sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{32,}",
                    r"|(?:AKIA|ASIA)[0-9A-Z]{16}",
                    r"|gh[pousr]_[A-Za-z0-9]{36,}",
                    r"|github_pat_[A-Za-z0-9_]{60,}",
                    r"|xox[abprs]-[A-Za-z0-9-]{10,}",
                    r"|AIza[0-9A-Za-z_-]{35})",
                ),
                any,
            ),
            d(
                Kind::Secret,
                r"(?i)\bbearer\s+([A-Za-z0-9._~+/-]{16,}=*)",
                any,
            ),
            d(
                Kind::Secret,
                r#"(?i)\baws_secret_access_key\s*[=:]\s*"?([A-Za-z0-9/+]{40})\b"#,
                any,
            ),
            d(
                Kind::Email,
                r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
                any,
            ),
            d(
                Kind::Iban,
                r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b",
                iban_ok,
            ),
            d(Kind::Card, r"\b[0-9](?:[ -]?[0-9]){12,18}\b", card_ok),
            d(
                Kind::Phone,
                concat!(
                    r"(?:\+[0-9]{1,3}[ .-]?(?:\(?[0-9]{1,4}\)?[ .-]?){2,5}[0-9]{2,4}",
                    r"|\(?\b[0-9]{3}\)?[ .-][0-9]{3}[ .-][0-9]{4}\b)",
                ),
                phone_ok,
            ),
        ]
    })
}

fn ip_detectors() -> &'static [Detector] {
    static D: OnceLock<Vec<Detector>> = OnceLock::new();
    D.get_or_init(|| {
        vec![
            Detector {
                kind: Kind::Ip,
                re: Regex::new(r"\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b").expect("ipv4 pattern"),
                check: |s| {
                    s.split('.')
                        .all(|o| o.parse::<u16>().is_ok_and(|n| n <= 255))
                },
            },
            Detector {
                kind: Kind::Ip,
                re: Regex::new(r"(?i)(?:\b|::)(?:[0-9a-f]{1,4}:){2,7}(?::|[0-9a-f]{1,4})\b")
                    .expect("ipv6 pattern"),
                check: |s| s.parse::<std::net::Ipv6Addr>().is_ok(),
            },
        ]
    })
}

fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

/// A card number: 13–19 digits starting as the card networks' numbers do (2–6: Mastercard,
/// Amex, Diners, JCB, Visa, Discover, UnionPay), Luhn-valid, and not one digit repeated. The
/// prefix keeps order numbers and IDs (a tenth of random digit strings pass Luhn) out.
fn card_ok(s: &str) -> bool {
    let d = digits(s);
    if !(13..=19).contains(&d.len()) || d.iter().all(|x| *x == d[0]) || !(2..=6).contains(&d[0]) {
        return false;
    }
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                x
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The IBAN check: move the first four characters to the end, letters to numbers, mod 97 = 1.
fn iban_ok(s: &str) -> bool {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let rearranged = format!("{}{}", &compact[4..], &compact[..4]);
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let v = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        for d in v.to_string().chars() {
            rem = (rem * 10 + d.to_digit(10).unwrap_or(0)) % 97;
        }
    }
    rem == 1
}

/// 10–15 digits, and not something that only looks like a number with separators (a date or a
/// time has other shapes and is not matched by the pattern).
fn phone_ok(s: &str) -> bool {
    (10..=15).contains(&digits(s).len())
}

/// The placeholder for `value` of `kind` in the context `key`.
fn placeholder(kind_tag: &str, value: &str, key: &str) -> String {
    let mut h = Sha256::new();
    h.update(key.as_bytes());
    h.update([0]);
    h.update(kind_tag.as_bytes());
    h.update([0]);
    h.update(value.as_bytes());
    let digest = h.finalize();
    format!(
        "[{kind_tag}_{:02x}{:02x}{:02x}]",
        digest[0], digest[1], digest[2]
    )
}

/// `text` with every secret in it replaced by `<redacted>`: the key this process holds, and
/// what the secret detectors find (API keys and tokens, bearer tokens, JWTs, private keys).
/// Not personal data: this is for the tool's own files (log lines), which must never hold a
/// key, whatever a context's redaction settings say.
pub fn mask_secrets(text: &str) -> String {
    let mut out = crate::claude::mask_known(text);
    for d in secret_detectors() {
        if !d.re.is_match(&out) {
            continue;
        }
        out =
            d.re.replace_all(&out, |caps: &regex::Captures| {
                let whole = &caps[0];
                match caps.get(1) {
                    Some(g) => {
                        let m0 = caps.get(0).map_or(0, |m| m.start());
                        format!(
                            "{}{}{}",
                            &whole[..g.start() - m0],
                            crate::claude::REDACTED,
                            &whole[g.end() - m0..]
                        )
                    }
                    None => crate::claude::REDACTED.to_string(),
                }
            })
            .into_owned();
    }
    out
}

/// Whether `text` holds a secret: the key this process holds, or what the secret detectors
/// find. The REPL keeps such a line out of its line history.
pub fn holds_secret(text: &str) -> bool {
    crate::claude::holds_known(text) || secret_detectors().any(|d| d.re.is_match(text))
}

/// The detectors of secrets (not of personal data).
fn secret_detectors() -> impl Iterator<Item = &'static Detector> {
    detectors()
        .iter()
        .filter(|d| matches!(d.kind, Kind::PrivateKey | Kind::Jwt | Kind::Secret))
}

/// What was masked, by kind, for the note shown to the user.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Masked {
    counts: BTreeMap<String, usize>,
}

impl Masked {
    /// Nothing was masked.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    fn add(&mut self, what: &str) {
        *self.counts.entry(what.to_string()).or_default() += 1;
    }
}

impl std::fmt::Display for Masked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .counts
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

/// `text` with what `policy` finds replaced by placeholders keyed by `key` (the context's uid),
/// and what was masked. A user pattern that does not compile is an error naming it.
pub fn mask(text: &str, policy: &Redaction, key: &str) -> Result<(String, Masked), String> {
    let mut masked = Masked::default();
    let mut out = mask_secret_data(text, key, &mut masked);
    let mut run =
        |out: &mut String, kind_tag: &str, plural: &str, re: &Regex, check: fn(&str) -> bool| {
            let mut result = String::with_capacity(out.len());
            let mut last = 0;
            for caps in re.captures_iter(out) {
                let Some(m) = caps.get(1).or_else(|| caps.get(0)) else {
                    continue;
                };
                // An empty match (a user pattern like `x*`) masks nothing.
                if m.as_str().is_empty()
                    || !check(m.as_str())
                    || m.as_str().starts_with('[') && m.as_str().ends_with(']')
                {
                    continue;
                }
                result.push_str(&out[last..m.start()]);
                result.push_str(&placeholder(kind_tag, m.as_str(), key));
                masked.add(plural);
                last = m.end();
            }
            result.push_str(&out[last..]);
            *out = result;
        };
    let user: Vec<(Regex, String, String)> = policy
        .patterns
        .iter()
        .map(|p| {
            let re = Regex::new(&p.regex)
                .map_err(|e| format!("spec.redaction.patterns {}: {e}", p.name))?;
            let tag: String = p
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            Ok((re, tag, format!("{} matches", p.name)))
        })
        .collect::<Result<_, String>>()?;
    // A placeholder can make a neighbour detectable (`…0132GB82…` gains a word boundary once
    // the phone number before it is a placeholder): passes repeat until nothing changes, so
    // masked text never holds a value a later pass would find.
    for _ in 0..4 {
        let before = out.clone();
        for d in detectors() {
            run(&mut out, d.kind.tag(), d.kind.plural(), &d.re, d.check);
        }
        if policy.ip_addresses {
            for d in ip_detectors() {
                run(&mut out, d.kind.tag(), d.kind.plural(), &d.re, d.check);
            }
        }
        for (re, tag, plural) in &user {
            run(&mut out, tag, plural, re, |_| true);
        }
        if out == before {
            break;
        }
    }
    Ok((out, masked))
}

/// The values under `data:` (and `stringData:`) of Kubernetes Secret manifests in `text`, as
/// YAML (block scalars included) or JSON (`kubectl get secret -o json`).
fn mask_secret_data(text: &str, key: &str, masked: &mut Masked) -> String {
    let text = mask_secret_json(text, key, masked);
    if !text.contains("kind: Secret") {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut in_data: Option<usize> = None;
    // Inside a block scalar (`key: |`) of a data entry: lines deeper than this are its value.
    let mut in_block: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        let trimmed = body.trim_start();
        if let Some(level) = in_block {
            if trimmed.is_empty() || indent > level {
                if !trimmed.is_empty() {
                    out.push_str(&body[..indent]);
                    out.push_str(&placeholder(Kind::SecretData.tag(), trimmed, key));
                    out.push_str(&line[body.len()..]);
                    masked.add(Kind::SecretData.plural());
                } else {
                    out.push_str(line);
                }
                continue;
            }
            in_block = None;
        }
        if let Some(level) = in_data {
            if !trimmed.is_empty() && indent <= level {
                in_data = None;
            } else if let Some((k, v)) = trimmed.split_once(':') {
                let v = v.trim();
                let placeholder_already = v.starts_with('[') && v.ends_with(']');
                // A Secret's data keys are [-._a-zA-Z0-9]+ (Kubernetes' rule).
                let key_ok = !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
                if key_ok && (v.starts_with('|') || v.starts_with('>')) {
                    in_block = Some(indent);
                } else if !v.is_empty() && key_ok && !placeholder_already {
                    out.push_str(&body[..indent]);
                    out.push_str(k);
                    out.push_str(": ");
                    out.push_str(&placeholder(Kind::SecretData.tag(), v, key));
                    out.push_str(&line[body.len()..]);
                    masked.add(Kind::SecretData.plural());
                    continue;
                }
            }
        }
        if trimmed == "data:" || trimmed == "stringData:" {
            in_data = Some(indent);
        }
        out.push_str(line);
    }
    out
}

/// The string values of `"data"` / `"stringData"` objects in JSON Secrets.
fn mask_secret_json(text: &str, key: &str, masked: &mut Masked) -> String {
    static KIND: OnceLock<Regex> = OnceLock::new();
    static DATA: OnceLock<Regex> = OnceLock::new();
    static ENTRY: OnceLock<Regex> = OnceLock::new();
    let kind = KIND.get_or_init(|| Regex::new(r#""kind"\s*:\s*"Secret""#).expect("kind pattern"));
    if !kind.is_match(text) {
        return text.to_string();
    }
    let data = DATA.get_or_init(|| {
        Regex::new(r#""(?:data|stringData)"\s*:\s*\{([^{}]*)\}"#).expect("data pattern")
    });
    let entry = ENTRY.get_or_init(|| {
        Regex::new(r#""([-._a-zA-Z0-9]+)"\s*:\s*"((?:[^"\\]|\\.)*)""#).expect("entry pattern")
    });
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for caps in data.captures_iter(text) {
        let Some(body) = caps.get(1) else { continue };
        out.push_str(&text[last..body.start()]);
        let mut inner_last = 0;
        let inner = body.as_str();
        for e in entry.captures_iter(inner) {
            let Some(v) = e.get(2) else { continue };
            if v.as_str().is_empty() || v.as_str().starts_with('[') && v.as_str().ends_with(']') {
                continue;
            }
            out.push_str(&inner[inner_last..v.start()]);
            out.push_str(&placeholder(Kind::SecretData.tag(), v.as_str(), key));
            masked.add(Kind::SecretData.plural());
            inner_last = v.end();
        }
        out.push_str(&inner[inner_last..]);
        last = body.end();
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::resource::RedactionPattern;

    #[test]
    fn log_lines_and_history_lose_every_secret_but_keep_the_rest() {
        crate::claude::remember(["plainkey-0123456789-zz".to_string()]);
        let line = r#"TRACE rmcp: {"arguments":{"message":"my key is plainkey-0123456789-zz and sk-ant-api03-abcdefghijklmnopqrstuvwxyz, header Authorization: Bearer abcdefghijklmnop0123, mail bob@example.com"}}"#;
        let masked = mask_secrets(line);
        assert!(!masked.contains("plainkey-0123456789-zz"), "{masked}");
        assert!(!masked.contains("sk-ant-api03"), "{masked}");
        assert!(!masked.contains("abcdefghijklmnop0123"), "{masked}");
        assert!(masked.contains("Bearer <redacted>"), "{masked}");
        assert!(
            masked.contains("bob@example.com"),
            "personal data is not a secret: {masked}"
        );
        assert!(masked.starts_with("TRACE rmcp: {\"arguments\""), "{masked}");
        assert!(holds_secret("use plainkey-0123456789-zz please"));
        assert!(holds_secret(
            "token eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4f"
        ));
        assert!(!holds_secret("kubectl get pods -n kube-system"));
        assert_eq!(mask_secrets("nothing here"), "nothing here");
    }

    fn on() -> Redaction {
        Redaction {
            enabled: true,
            ..Default::default()
        }
    }

    fn m(text: &str) -> String {
        mask(text, &on(), "uid-1").unwrap().0
    }

    #[test]
    fn every_detector_finds_its_kind() {
        let cases = [
            ("write to jane.doe+ops@example.co.uk today", "EMAIL"),
            ("call +44 20 7946 0958 now", "PHONE"),
            ("call (415) 555-0132 now", "PHONE"),
            ("call 415-555-0132 now", "PHONE"),
            ("card 4111 1111 1111 1111 exp", "CARD"),
            ("card 5500-0000-0000-0004 exp", "CARD"),
            ("iban GB82 WEST 1234 5698 7654 32 ok", "IBAN"),
            ("iban DE89370400440532013000 ok", "IBAN"),
            ("key sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345 ok", "SECRET"),
            ("key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD ok", "SECRET"),
            ("aws AKIAIOSFODNN7EXAMPLE ok", "SECRET"),
            ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "SECRET"),
            ("gh ghp_abcdefghijklmnopqrstuvwxyz0123456789AB ok", "SECRET"),
            ("slack xoxb-1234567890-abcdefghij ok", "SECRET"),
            ("google AIzaSyA-abcdefghijklmnopqrstuvwxyz012345 ok", "SECRET"),
            ("Authorization: Bearer abcdef0123456789abcdef0123456789", "SECRET"),
            ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "JWT"),
            ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----", "PRIVATE_KEY"),
        ];
        for (text, tag) in cases {
            let out = m(text);
            assert!(
                out.contains(&format!("[{tag}_")),
                "{tag} not found in {text:?}: {out}"
            );
        }
        let manifest = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: cGFzc3dvcmQxMjM=\n  user: YWRtaW4=\ntype: Opaque\n";
        let out = m(manifest);
        assert!(
            !out.contains("cGFzc3dvcmQxMjM=") && !out.contains("YWRtaW4="),
            "{out}"
        );
        assert!(
            out.contains("  password: [SECRET_DATA_") && out.contains("type: Opaque"),
            "{out}"
        );
    }

    #[test]
    fn look_alikes_are_left_alone() {
        for text in [
            "order #1234567890123 shipped",
            "order 1234567890128 and ticket 9876543210987658 (Luhn-valid, not card prefixes)",
            "version 1.26.3 and v2.10.0-rc.1",
            "uuid 123e4567-e89b-12d3-a456-426614174000",
            "at 2026-11-26T14:12:21Z and 2026-11-26 14:12:21",
            "pod web-7f9c8d6b5-x2x4z restarted 12 times",
            "the build 20261126141221 finished",
            "resourceVersion 144732 and 0000 0000 0000 0000",
            "10.0.0.1 and fe80::1 (IPs are kept unless asked)",
            "snake_case_name and user@localhost",
            "sk-short and AKIA123",
        ] {
            assert_eq!(m(text), text, "{text}");
        }
    }

    #[test]
    fn placeholders_are_stable_within_a_context_and_differ_between_contexts() {
        let a = m("mail jane@example.com and jane@example.com");
        let tag: Vec<&str> = a.matches("[EMAIL_").collect();
        assert_eq!(tag.len(), 2);
        let first = &a[a.find("[EMAIL_").unwrap()..][..14];
        assert_eq!(a.matches(first).count(), 2, "{a}");
        assert_eq!(m("again jane@example.com"), format!("again {first}"));
        let other = mask("again jane@example.com", &on(), "uid-2").unwrap().0;
        assert_ne!(other, format!("again {first}"));
        // Masking masked text changes nothing.
        assert_eq!(m(&a), a);
    }

    #[test]
    fn ip_addresses_and_user_patterns_when_asked() {
        let policy = Redaction {
            enabled: true,
            ip_addresses: true,
            patterns: vec![RedactionPattern {
                name: "ticket".into(),
                regex: r"\bTCK-[0-9]{5}\b".into(),
            }],
        };
        let (out, masked) = mask(
            "from 10.1.2.3 and 2001:db8::8a2e:370:7334 about TCK-12345",
            &policy,
            "k",
        )
        .unwrap();
        assert!(
            !out.contains("10.1.2.3") && !out.contains("2001:db8") && !out.contains("TCK-12345"),
            "{out}"
        );
        assert!(out.contains("[TICKET_"), "{out}");
        assert_eq!(masked.to_string(), "2 IP addresses, 1 ticket matches");
        assert!(mask(
            "x",
            &Redaction {
                patterns: vec![RedactionPattern {
                    name: "bad".into(),
                    regex: "(".into()
                }],
                ..policy
            },
            "k"
        )
        .is_err());
        assert_eq!(m("999.1.1.1"), "999.1.1.1");
    }
}

/// Redaction against arbitrary input: any text is masked without a panic, and masking what was
/// masked changes nothing (no value is left for a second pass to find). A bounded run here;
/// `PROPTEST_CASES=100000 cargo test --lib redact_fuzz` for a long one.
#[cfg(test)]
mod redact_fuzz {
    use super::*;
    use proptest::prelude::*;

    fn pieces() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "(?s).{0,30}",
            Just("jane@example.com".to_string()),
            Just("4111 1111 1111 1111".to_string()),
            Just("+1 415 555 0132".to_string()),
            Just("GB82 WEST 1234 5698 7654 32".to_string()),
            Just("sk-ant-api03-abcdefghijklmnopqrstuvwxyz".to_string()),
            Just("10.0.0.1".to_string()),
            Just("kind: Secret\ndata:\n  k: dmFsdWU=\n".to_string()),
            Just("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----".to_string()),
            "[0-9 .+()-]{0,24}",
            "[A-Za-z0-9@._-]{0,24}",
        ];
        prop::collection::vec(piece, 0..12).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_text_is_masked_once_and_for_all(text in pieces(), ip in any::<bool>()) {
            let policy = Redaction { enabled: true, ip_addresses: ip, ..Default::default() };
            let (once, _) = mask(&text, &policy, "k").unwrap();
            let (twice, again) = mask(&once, &policy, "k").unwrap();
            prop_assert_eq!(&twice, &once);
            prop_assert!(again.is_empty(), "a second pass found {} in {:?}", again, once);
        }
    }
}
