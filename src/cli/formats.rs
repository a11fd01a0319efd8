//! `-o`: the output formats of each command, kubectl's `jsonpath=` and `custom-columns=` among
//! them, parsed and completed from one list, and `--sort-by`.

use super::*;

/// `-o` for commands that print one object.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectFormat {
    /// The object as JSON.
    Json,
    /// The object as YAML.
    Yaml,
    /// `claudemodelcontext.mcp.dev/NAME`.
    Name,
    /// `jsonpath=…`, `custom-columns=…` and their `-file` forms, as kubectl has them.
    Template(Printer),
}

impl Formats for ObjectFormat {
    const FIXED: &'static [(&'static str, &'static str)] = &[
        ("json", "The object as JSON"),
        ("yaml", "The object as YAML"),
        ("name", "claudemodelcontext.mcp.dev/NAME"),
    ];
    fn fixed(name: &str) -> Option<Self> {
        Some(match name {
            "json" => Self::Json,
            "yaml" => Self::Yaml,
            "name" => Self::Name,
            _ => return None,
        })
    }
    fn template(p: Printer) -> Self {
        Self::Template(p)
    }
}

/// `-o` for `list`.
#[derive(Debug, Clone, PartialEq)]
pub enum ListFormat {
    /// The default table.
    Table,
    /// The table plus strategy, budget, history size and expiry.
    Wide,
    /// A kubectl-style `List` as JSON.
    Json,
    /// A kubectl-style `List` as YAML.
    Yaml,
    /// One `claudemodelcontext.mcp.dev/NAME` per line.
    Name,
    /// `jsonpath=…`, `custom-columns=…` and their `-file` forms, as kubectl has them.
    Template(Printer),
}

impl Formats for ListFormat {
    const FIXED: &'static [(&'static str, &'static str)] = &[
        ("table", "The default table"),
        (
            "wide",
            "The table plus strategy, budget, history size and expiry",
        ),
        ("json", "A kubectl-style List as JSON"),
        ("yaml", "A kubectl-style List as YAML"),
        ("name", "One claudemodelcontext.mcp.dev/NAME per line"),
    ];
    fn fixed(name: &str) -> Option<Self> {
        Some(match name {
            "table" => Self::Table,
            "wide" => Self::Wide,
            "json" => Self::Json,
            "yaml" => Self::Yaml,
            "name" => Self::Name,
            _ => return None,
        })
    }
    fn template(p: Printer) -> Self {
        Self::Template(p)
    }
}

/// The template printers `-o` takes, with their help.
pub(super) const TEMPLATE_FORMATS: &[(&str, &str)] = &[
    (
        "jsonpath=",
        "A kubectl JSONPath template, e.g. jsonpath={.spec.modelName}",
    ),
    ("jsonpath-file=", "A JSONPath template read from a file"),
    (
        "custom-columns=",
        "Columns of HEADER:PATH, e.g. custom-columns=NAME:.metadata.name,TOKENS:.status.tokenCount",
    ),
    (
        "custom-columns-file=",
        "Columns from a file: a line of headers, a line of paths",
    ),
];

/// Parses `-o` for a [`Formats`] type. A parser of its own (not `ValueEnum`) because
/// `jsonpath=…` carries an argument; it still lists the choices for help and completion.
#[derive(Clone)]
pub struct FormatParser<T>(std::marker::PhantomData<T>);

impl<T> FormatParser<T> {
    /// The parser.
    pub fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<T> Default for FormatParser<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Formats> clap::builder::TypedValueParser for FormatParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let parse = |s: &str| -> Result<T, String> {
            if let Some(f) = T::fixed(s) {
                return Ok(f);
            }
            match Printer::parse(s) {
                Some(p) => p.map(T::template),
                None => {
                    let names: Vec<&str> = T::FIXED.iter().map(|(n, _)| *n).collect();
                    Err(format!(
                        "{}allowed formats are {}, jsonpath=TEMPLATE, jsonpath-file=PATH, \
                         custom-columns=SPEC, custom-columns-file=PATH",
                        did_you_mean(s, &names)
                            .map(|n| format!("did you mean \"{n}\"? "))
                            .unwrap_or_default(),
                        names.join(", ")
                    ))
                }
            }
        };
        parse.parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        use clap::builder::PossibleValue;
        Some(Box::new(
            T::FIXED
                .iter()
                .chain(TEMPLATE_FORMATS.iter())
                .map(|(n, h)| PossibleValue::new(*n).help(*h)),
        ))
    }
}

/// The format `typed` was most likely meant to be (`yml` → `yaml`), as clap suggests flags:
/// the most similar name, if similar enough (Jaro-Winkler over 0.7, clap's threshold).
fn did_you_mean<'a>(typed: &str, names: &[&'a str]) -> Option<&'a str> {
    let typed = typed.split('=').next().unwrap_or(typed);
    names
        .iter()
        .copied()
        .chain(["jsonpath", "custom-columns"])
        .map(|n| (strsim::jaro_winkler(typed, n), n))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

#[cfg(test)]
mod suggestion_tests {
    use super::*;

    #[test]
    fn a_mistyped_format_is_answered_with_the_one_meant() {
        let names = ["json", "yaml", "name", "wide"];
        assert_eq!(did_you_mean("yml", &names), Some("yaml"));
        assert_eq!(did_you_mean("jsn", &names), Some("json"));
        assert_eq!(did_you_mean("jsonpth={.a}", &names), Some("jsonpath"));
        assert_eq!(did_you_mean("csv", &names), None);
    }
}

/// Columns `list --sort-by` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// metadata.name
    Name,
    /// metadata.namespace
    Namespace,
    /// spec.modelName
    Model,
    /// spec.sessionID
    Session,
    /// status.currentState
    State,
    /// stored turns
    Turns,
    /// status.tokenCount
    Tokens,
    /// status.lastActivityTime (oldest first, like kubectl)
    LastActivity,
    /// metadata.creationTimestamp (oldest first, like kubectl)
    Age,
}

pub(super) fn parse_sort_key(s: &str) -> Result<SortKey, String> {
    let key = s.trim().trim_start_matches('{').trim_end_matches('}');
    Ok(match key.to_ascii_lowercase().as_str() {
        "name" | ".metadata.name" => SortKey::Name,
        "namespace" | ".metadata.namespace" => SortKey::Namespace,
        "model" | ".spec.modelname" => SortKey::Model,
        "session" | ".spec.sessionid" => SortKey::Session,
        "state" | ".status.currentstate" => SortKey::State,
        "turns" | ".status.turncount" => SortKey::Turns,
        "tokens" | ".status.tokencount" => SortKey::Tokens,
        "last-activity" | "lastactivity" | ".status.lastactivitytime" => SortKey::LastActivity,
        "age" | "created" | ".metadata.creationtimestamp" => SortKey::Age,
        _ => {
            return Err(format!(
                "unknown sort field `{s}`: use one of name, namespace, model, session, state, \
                 turns, tokens, last-activity, age"
            ))
        }
    })
}
