//! kubectl's output templates, `-o jsonpath=…` and `-o custom-columns=…`, with kubectl's
//! semantics (client-go's `util/jsonpath` and kubectl's custom-columns printer), so a script
//! written against `kubectl get -o jsonpath` prints the same bytes here.
//!
//! kubectl's JSONPath is a dialect: `{.a.b}` actions in literal text, `\.` inside names,
//! `{range …}{end}`, `{"\n"}` literals. This module parses that dialect and translates each path
//! into an RFC 9535 query, which jsonpath-rust evaluates (filters, slices, unions and recursive
//! descent included); printing follows Go (strings raw, maps and lists as JSON for templates and
//! as `fmt`'s `%v` for columns).

use std::io::Write;

use jsonpath_rust::JsonPath;
use serde_json::Value;

/// A parsed `-o jsonpath=` template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// Literal text, printed as is.
    Text(String),
    /// An RFC 9535 query, relative to the current object.
    Path(String),
    /// `{range PATH}…{end}`: the body once per result, with that result as the current object.
    Range(String, Vec<Node>),
}

/// What went wrong in a template, in kubectl's words where it has them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(String);

fn err(msg: impl Into<String>) -> TemplateError {
    TemplateError(msg.into())
}

impl Template {
    /// Parse kubectl's template syntax.
    pub fn parse(src: &str) -> Result<Self, TemplateError> {
        // Open ranges: each is its query and the nodes collected so far inside it.
        let mut open: Vec<(String, Vec<Node>)> = Vec::new();
        let mut nodes = Vec::new();
        let mut rest = src;
        while !rest.is_empty() {
            let Some(start) = rest.find('{') else {
                current(&mut nodes, &mut open).push(Node::Text(rest.to_string()));
                break;
            };
            if start > 0 {
                current(&mut nodes, &mut open).push(Node::Text(rest[..start].to_string()));
            }
            let (action, after) = split_action(&rest[start + 1..])
                .ok_or_else(|| err(format!("unclosed action in template {src:?}")))?;
            rest = after;
            let action = action.trim();
            if action == "end" {
                let (query, body) = open
                    .pop()
                    .ok_or_else(|| err("not in range, nothing to end"))?;
                current(&mut nodes, &mut open).push(Node::Range(query, body));
            } else if let Some(path) = action.strip_prefix("range ") {
                open.push((translate(path)?, Vec::new()));
            } else if action.starts_with('"') {
                let text: String = serde_json::from_str(action)
                    .map_err(|e| err(format!("bad string literal {action}: {e}")))?;
                current(&mut nodes, &mut open).push(Node::Text(text));
            } else {
                current(&mut nodes, &mut open).push(Node::Path(translate(action)?));
            }
        }
        // kubectl lets a template end inside a range: the rest is the range's body.
        while let Some((query, body)) = open.pop() {
            current(&mut nodes, &mut open).push(Node::Range(query, body));
        }
        Ok(Self { nodes })
    }

    /// Print the template for `doc`.
    pub fn render(&self, doc: &Value) -> Result<String, TemplateError> {
        let mut out = String::new();
        exec(&self.nodes, doc, &mut out)?;
        Ok(out)
    }
}

/// Where new nodes go: the innermost open range, or the top level.
fn current<'a>(top: &'a mut Vec<Node>, open: &'a mut [(String, Vec<Node>)]) -> &'a mut Vec<Node> {
    match open.last_mut() {
        Some((_, body)) => body,
        None => top,
    }
}

/// The text of an action up to its closing `}` (quotes respected), and what follows it.
fn split_action(s: &str) -> Option<(&str, &str)> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '}' => return Some((&s[..i], &s[i + 1..])),
            None => {}
        }
    }
    None
}

/// kubectl's path (`.items[*].metadata.name`, `..name`, `.metadata.labels.app\.kubernetes\.io/x`,
/// `[?(@.a=="b")]`) as an RFC 9535 query. Names become bracketed strings, so any character is
/// allowed in them; brackets pass through (RFC 9535 has kubectl's filters, slices and unions).
fn translate(path: &str) -> Result<String, TemplateError> {
    let p = path.trim();
    let p = p
        .strip_prefix('$')
        .or_else(|| p.strip_prefix('@'))
        .unwrap_or(p);
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::from("$");
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                let descend = chars.get(i + 1) == Some(&'.');
                i += if descend { 2 } else { 1 };
                if descend {
                    out.push_str("..");
                }
                if chars.get(i) == Some(&'[') {
                    continue;
                }
                let mut name = String::new();
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        name.push(chars[i + 1]);
                        i += 2;
                    } else {
                        name.push(chars[i]);
                        i += 1;
                    }
                }
                match name.as_str() {
                    "" if descend => return Err(err(format!("a name must follow .. in {path:?}"))),
                    "" => {}
                    "*" => out.push_str("[*]"),
                    _ => {
                        out.push_str("['");
                        for c in name.chars() {
                            if c == '\'' || c == '\\' {
                                out.push('\\');
                            }
                            out.push(c);
                        }
                        out.push_str("']");
                    }
                }
            }
            '[' => {
                let end = closing_bracket(&chars, i)
                    .ok_or_else(|| err(format!("unclosed [ in {path:?}")))?;
                out.extend(&chars[i..=end]);
                i = end + 1;
            }
            c => {
                return Err(err(format!(
                    "unrecognized character {c:?} in {path:?}: paths start with . or [, e.g. {{.metadata.name}}"
                )))
            }
        }
    }
    // Refuse what the evaluator would refuse now, with the template's own words.
    Value::Null
        .query(&out)
        .map_err(|e| err(format!("bad path {path:?}: {e}")))?;
    Ok(out)
}

/// The index of the `]` closing the `[` at `open`, skipping quoted text and nested brackets.
fn closing_bracket(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate().skip(open) {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '[' => depth += 1,
            None if c == ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            None => {}
        }
    }
    None
}

fn query<'a>(doc: &'a Value, q: &str) -> Result<Vec<&'a Value>, TemplateError> {
    doc.query(q).map_err(|e| err(format!("{q}: {e}")))
}

fn exec(nodes: &[Node], doc: &Value, out: &mut String) -> Result<(), TemplateError> {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            // A missing key prints nothing: kubectl's --allow-missing-template-keys default.
            Node::Path(q) => {
                for (i, v) in query(doc, q)?.into_iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(&template_text(v));
                }
            }
            Node::Range(q, body) => {
                for v in query(doc, q)? {
                    exec(body, v, out)?;
                }
            }
        }
    }
    Ok(())
}

/// A result as client-go's JSONPath prints it: maps and lists as compact JSON, the rest with
/// `fmt.Fprint`.
fn template_text(v: &Value) -> String {
    match v {
        Value::Object(_) | Value::Array(_) => go_json(v),
        _ => go_value(v),
    }
}

/// `json.Marshal` as Go writes it: keys sorted (serde_json's map is ordered by key), and `<`, `>`,
/// `&`, U+2028 and U+2029 escaped. Those characters occur only inside strings in JSON text, so
/// replacing them in the whole text is safe.
fn go_json(v: &Value) -> String {
    let text = v.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// A value as Go's `fmt` prints it with `%v`: maps as `map[k:v]` (keys sorted), lists as
/// `[a b]`, null as `<nil>`.
fn go_value(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(go_value).collect();
            format!("[{}]", inner.join(" "))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_value(v)))
                .collect();
            format!("map[{}]", inner.join(" "))
        }
    }
}

/// A parsed `-o custom-columns=HEADER:PATH,…`.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    columns: Vec<(String, String)>,
}

impl Columns {
    /// Parse kubectl's spec: comma-separated `HEADER:PATH`, each path with or without braces
    /// and its leading dot (`NAME:metadata.name` works, as in kubectl).
    pub fn parse(spec: &str) -> Result<Self, TemplateError> {
        if spec.is_empty() {
            return Err(err(
                "custom-columns format specified but no custom columns given",
            ));
        }
        let mut columns = Vec::new();
        for part in spec.split(',') {
            let Some((header, path)) = part.split_once(':') else {
                return Err(err(format!(
                    "unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
                )));
            };
            columns.push((header.to_string(), translate(&relaxed(path)?)?));
        }
        Ok(Self { columns })
    }

    /// kubectl's `custom-columns-file` layout: a line of headers, then a line of paths.
    pub fn parse_file(text: &str) -> Result<Self, TemplateError> {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let (Some(headers), Some(paths)) = (lines.next(), lines.next()) else {
            return Err(err(
                "a custom-columns file needs a line of headers and a line of paths",
            ));
        };
        let headers: Vec<&str> = headers.split_whitespace().collect();
        let paths: Vec<&str> = paths.split_whitespace().collect();
        if headers.len() != paths.len() {
            return Err(err(format!(
                "number of headers ({}) does not match number of paths ({})",
                headers.len(),
                paths.len()
            )));
        }
        let columns = headers
            .iter()
            .zip(&paths)
            .map(|(h, p)| Ok((h.to_string(), translate(&relaxed(p)?)?)))
            .collect::<Result<_, TemplateError>>()?;
        Ok(Self { columns })
    }

    /// The table for `items`, laid out as kubectl's tabwriter does.
    pub fn render(&self, items: &[Value], headers: bool) -> Result<String, TemplateError> {
        let mut rows = Vec::new();
        if headers {
            rows.push(self.columns.iter().map(|(h, _)| h.clone()).collect());
        }
        for item in items {
            let mut row = Vec::new();
            for (_, q) in &self.columns {
                let found = query(item, q)?;
                row.push(if found.is_empty() {
                    "<none>".to_string()
                } else {
                    found
                        .into_iter()
                        .map(go_value)
                        .collect::<Vec<_>>()
                        .join(",")
                });
            }
            rows.push(row);
        }
        Ok(tabwrite(&rows))
    }
}

/// kubectl's `RelaxedJSONPathExpression`: `metadata.name`, `.metadata.name` and
/// `{.metadata.name}` all mean `.metadata.name`.
fn relaxed(path: &str) -> Result<String, TemplateError> {
    let inner = path.strip_prefix('{').unwrap_or(path);
    let inner = inner.strip_suffix('}').unwrap_or(inner);
    if inner.contains(['{', '}']) {
        return Err(err(format!(
            "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{{name1.name2}}' or '{{.name1.name2}}': {path}"
        )));
    }
    Ok(if inner.starts_with('.') || inner.starts_with('[') {
        inner.to_string()
    } else {
        format!(".{inner}")
    })
}

/// Go's `text/tabwriter` as kubectl configures it (minimum cell width 6, padding 3, spaces):
/// every column but the last is as wide as its widest cell plus 3, and at least 6.
fn tabwrite(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count() + 3).max(6);
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] - cell.chars().count();
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

/// `-o jsonpath=…`, `-o jsonpath-file=…`, `-o custom-columns=…` or `-o custom-columns-file=…`.
#[derive(Debug, Clone, PartialEq)]
pub enum Printer {
    /// A template applied to the whole document (one object, or a `List`).
    JsonPath(Template),
    /// A row per object.
    CustomColumns(Columns),
}

impl Printer {
    /// The printer `-o` names, `None` when the value is not a template format at all.
    pub fn parse(format: &str) -> Option<Result<Self, String>> {
        let (kind, arg) = format.split_once('=')?;
        let read = |path: &str| {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
        };
        Some(match kind {
            "jsonpath" => Template::parse(arg)
                .map(Printer::JsonPath)
                .map_err(|e| e.to_string()),
            "jsonpath-file" => read(arg).and_then(|t| {
                Template::parse(&t)
                    .map(Printer::JsonPath)
                    .map_err(|e| e.to_string())
            }),
            "custom-columns" => Columns::parse(arg)
                .map(Printer::CustomColumns)
                .map_err(|e| e.to_string()),
            "custom-columns-file" => read(arg).and_then(|t| {
                Columns::parse_file(&t)
                    .map(Printer::CustomColumns)
                    .map_err(|e| e.to_string())
            }),
            _ => return None,
        })
    }

    /// Print one object, or several: a template sees a `List` of them (as `kubectl get` gives
    /// it), columns get a row each.
    pub fn print<T: serde::Serialize>(
        &self,
        out: &mut impl Write,
        items: &[T],
        as_list: bool,
        headers: bool,
    ) -> anyhow::Result<()> {
        let text = match self {
            Printer::JsonPath(t) => {
                let doc = if as_list {
                    serde_json::to_value(crate::ui::output::KubeList::new(items))?
                } else {
                    items
                        .first()
                        .map(serde_json::to_value)
                        .transpose()?
                        .unwrap_or(Value::Null)
                };
                t.render(&doc)
            }
            Printer::CustomColumns(c) => {
                let docs = items
                    .iter()
                    .map(serde_json::to_value)
                    .collect::<Result<Vec<_>, _>>()?;
                c.render(&docs, headers)
            }
        }
        .map_err(|e| anyhow::anyhow!("error executing template: {e}"))?;
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "kind": "List",
            "items": [
                {"metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "x"}},
                 "spec": {"model": "m1", "tags": ["p", "q"]}, "status": {"tokens": 5}},
                {"metadata": {"name": "b"}, "spec": {"model": "m2"}, "status": {"tokens": 50}},
            ]
        })
    }

    fn render(t: &str) -> String {
        Template::parse(t).unwrap().render(&doc()).unwrap()
    }

    #[test]
    fn paths_print_space_separated_results_and_literal_text() {
        assert_eq!(render("{.items[*].metadata.name}"), "a b");
        assert_eq!(render("names: {.items[0].metadata.name}!"), "names: a!");
        assert_eq!(render("{.items[*].status.tokens}"), "5 50");
        assert_eq!(render("{.items[1].spec.missing}"), "");
    }

    #[test]
    fn ranges_literals_filters_and_escaped_dots() {
        assert_eq!(
            render(r#"{range .items[*]}{.metadata.name}{"\t"}{.spec.model}{"\n"}{end}"#),
            "a\tm1\nb\tm2\n"
        );
        assert_eq!(
            render(r#"{.items[?(@.status.tokens>10)].metadata.name}"#),
            "b"
        );
        assert_eq!(
            render(r"{.items[0].metadata.labels.app\.kubernetes\.io/name}"),
            "x"
        );
        assert_eq!(render("{..model}"), "m1 m2");
        // As in kubectl, a range left open runs to the end of the template.
        assert_eq!(render("{range .items[*]}{.metadata.name}"), "ab");
    }

    #[test]
    fn maps_and_lists_print_as_go_json() {
        assert_eq!(render("{.items[0].spec.tags}"), r#"["p","q"]"#);
        assert_eq!(
            Template::parse("{.a}")
                .unwrap()
                .render(&json!({"a": {"z": 1, "b": "<&>"}}))
                .unwrap(),
            r#"{"b":"\u003c\u0026\u003e","z":1}"#
        );
    }

    #[test]
    fn malformed_templates_are_refused_with_the_reason() {
        for bad in ["{.a", "{.a}{end}", "{end}", "{metadata}", "{.a[0}"] {
            assert!(Template::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn custom_columns_pad_like_tabwriter_and_say_none() {
        let c =
            Columns::parse("NAME:.metadata.name,MODEL:spec.model,TAGS:{.spec.tags[*]}").unwrap();
        let items = doc()["items"].as_array().unwrap().clone();
        assert_eq!(
            c.render(&items, true).unwrap(),
            "NAME   MODEL   TAGS\na      m1      p,q\nb      m2      <none>\n"
        );
        assert!(Columns::parse("NAME").is_err());
        assert!(Columns::parse("").is_err());
    }

    #[test]
    fn columns_print_maps_as_go_does() {
        let c = Columns::parse("L:.metadata").unwrap();
        let items = vec![json!({"metadata": {"b": [1, 2], "a": "x"}})];
        assert_eq!(c.render(&items, false).unwrap(), "map[a:x b:[1 2]]\n");
    }

    #[test]
    fn printer_names() {
        assert!(Printer::parse("json").is_none());
        assert!(matches!(
            Printer::parse("jsonpath={.a}"),
            Some(Ok(Printer::JsonPath(_)))
        ));
        assert!(matches!(Printer::parse("jsonpath={.a"), Some(Err(_))));
        assert!(matches!(
            Printer::parse("custom-columns=A:.a"),
            Some(Ok(Printer::CustomColumns(_)))
        ));
        assert!(Printer::parse("go-template={{.a}}").is_none());
    }
}
