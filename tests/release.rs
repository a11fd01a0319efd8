//! The release script and the krew manifest: the manifest passes krew's own validation rules
//! (ported from krew's `internal/index/validation`, decoded strictly as krew does), its sha256
//! is the archive's, and installing the archive the way krew does (extract, apply `files`, run
//! `bin`) gives a working `kubectl-mcp`. The committed `plugins/mcp.yaml` is the script's output
//! for this version.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// krew's `index.Plugin` (v1alpha2), unknown fields refused.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Plugin {
    api_version: String,
    kind: String,
    metadata: Metadata,
    spec: Spec,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Spec {
    version: String,
    #[serde(default)]
    homepage: String,
    short_description: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    caveats: String,
    platforms: Vec<Platform>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Platform {
    selector: Option<Selector>,
    uri: String,
    sha256: String,
    bin: String,
    files: Option<Vec<FileOp>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Selector {
    match_labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    match_expressions: Vec<serde_yaml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOp {
    from: String,
    to: String,
}

/// krew's `ValidatePlugin(name, p)`, rule for rule.
fn validate(name: &str, p: &Plugin) -> Result<(), String> {
    if p.api_version != "krew.googlecontainertools.github.com/v1alpha2" {
        return Err(format!("apiVersion={:?} not supported", p.api_version));
    }
    if p.kind != "Plugin" {
        return Err(format!("kind={:?}", p.kind));
    }
    let safe = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !["CON", "PRN", "AUX", "NUL"]
            .iter()
            .any(|w| w.eq_ignore_ascii_case(name));
    if !safe {
        return Err(format!("the plugin name {name:?} is not allowed"));
    }
    if p.metadata.name != name {
        return Err(format!(
            "plugin should be named {name:?}, not {:?}",
            p.metadata.name
        ));
    }
    if p.spec.short_description.is_empty() || p.spec.short_description.contains(['\r', '\n']) {
        return Err("short description empty or with line breaks".into());
    }
    if p.spec.platforms.is_empty() {
        return Err("should have a platform specified".into());
    }
    // krew's semver.Parse: a leading v, then semantic versioning.
    let v = p
        .spec
        .version
        .strip_prefix('v')
        .ok_or("the version needs a leading v")?;
    let core = v.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|n| n.is_empty() || n.parse::<u64>().is_err())
    {
        return Err(format!(
            "failed to parse plugin version {:?}",
            p.spec.version
        ));
    }
    for pl in &p.spec.platforms {
        if pl.uri.is_empty() || pl.bin.is_empty() {
            return Err("`uri` and `bin` have to be set".into());
        }
        if pl.sha256.len() != 64
            || !pl
                .sha256
                .chars()
                .all(|c| matches!(c, '0'..='9' | 'a'..='f'))
        {
            return Err(format!("`sha256` value {} is not valid", pl.sha256));
        }
        if let Some(files) = &pl.files {
            if files.is_empty() || files.iter().any(|f| f.from.is_empty() || f.to.is_empty()) {
                return Err("`files` is invalid".into());
            }
        }
        let sel = pl
            .selector
            .as_ref()
            .ok_or("nil selector is not supported")?;
        if sel.match_labels.is_none() && sel.match_expressions.is_empty() {
            return Err("empty selector is not supported".into());
        }
        if let Some(labels) = &sel.match_labels {
            if labels.is_empty() || labels.keys().any(|k| k != "os" && k != "arch") {
                return Err(format!("selector keys {:?} not supported", labels.keys()));
            }
        }
    }
    Ok(())
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cargo_version() -> String {
    format!("v{}", env!("CARGO_PKG_VERSION"))
}

/// The binaries this test run built, stripped of debug information (a debug build is ~300 MB
/// each; the script packages whatever it is given), made once per test binary.
fn binaries() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for name in ["kubectl-mcp", "kubectl_complete-mcp"] {
            let built = assert_cmd::cargo::cargo_bin(name);
            let to = dir.path().join(name);
            let stripped = Command::new("strip")
                .arg("-o")
                .arg(&to)
                .arg(&built)
                .status();
            if !stripped.is_ok_and(|s| s.success()) {
                std::fs::copy(&built, &to).unwrap();
            }
        }
        dir
    })
    .path()
}

/// Run the release script on the binaries this test run built.
fn release(out: &Path, extra: &[&str]) -> (PathBuf, PathBuf) {
    let bin_dir = binaries();
    let run = Command::new("bash")
        .env("KUBECTL_MCP_GZIP_LEVEL", "1")
        .arg(repo().join("scripts/release.sh"))
        .arg("--bin-dir")
        .arg(bin_dir)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "release.sh: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let printed = String::from_utf8_lossy(&run.stdout).into_owned();
    let mut lines = printed.lines();
    (
        PathBuf::from(lines.next().unwrap()),
        PathBuf::from(lines.next().unwrap()),
    )
}

fn read_manifest(path: &Path) -> Plugin {
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{} does not decode as a krew Plugin: {e}", path.display()))
}

fn sha256(path: &Path) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(std::fs::read(path).unwrap());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_release_archive_installs_the_way_krew_installs_it() {
    let out = tempfile::tempdir().unwrap();
    let (archive, manifest) = release(
        out.path(),
        &["--base-url", "https://example.invalid/releases/download"],
    );
    let plugin = read_manifest(&manifest);
    validate("mcp", &plugin).unwrap();
    assert_eq!(plugin.spec.version, cargo_version());
    let pl = &plugin.spec.platforms[0];
    assert_eq!(
        pl.sha256,
        sha256(&archive),
        "the manifest names another archive"
    );
    assert!(pl.uri.ends_with(&format!(
        "/{}/{}",
        plugin.spec.version,
        archive.file_name().unwrap().to_string_lossy()
    )));
    assert!(
        !plugin.spec.homepage.is_empty()
            && !plugin.spec.description.is_empty()
            && !plugin.spec.caveats.is_empty()
    );

    // The same binaries give the same archive.
    let again = tempfile::tempdir().unwrap();
    let (archive2, _) = release(
        again.path(),
        &["--base-url", "https://example.invalid/releases/download"],
    );
    assert_eq!(
        sha256(&archive),
        sha256(&archive2),
        "the archive is not reproducible"
    );

    // krew: extract, move each `files` entry into the install directory, link `bin`.
    let unpack = tempfile::tempdir().unwrap();
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(unpack.path())
        .status()
        .unwrap();
    assert!(status.success());
    let install = tempfile::tempdir().unwrap();
    for op in pl.files.as_ref().unwrap() {
        let from = unpack.path().join(&op.from);
        assert!(from.exists(), "{} is not in the archive", op.from);
        let to = install.path().join(&op.to).join(from.file_name().unwrap());
        std::fs::rename(&from, &to).unwrap();
    }
    let bin = install.path().join(&pl.bin);
    let run = Command::new(&bin)
        .args(["version", "--client"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        String::from_utf8_lossy(&run.stdout).contains(env!("CARGO_PKG_VERSION")),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert!(install.path().join("kubectl_complete-mcp").exists());
    assert!(install.path().join("LICENSE").exists());
}

#[test]
fn the_committed_manifest_is_valid_and_is_the_scripts_output_for_this_version() {
    let committed = repo().join("plugins/mcp.yaml");
    let plugin = read_manifest(&committed);
    validate("mcp", &plugin).unwrap();
    assert_eq!(
        plugin.spec.version,
        cargo_version(),
        "run scripts/release.sh --update-manifest"
    );
    // Everything but the archive's checksum (which depends on the release build) is what the
    // script writes today.
    let out = tempfile::tempdir().unwrap();
    let (_, manifest) = release(out.path(), &[]);
    let strip = |p: &Path| -> Vec<String> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("sha256:"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        strip(&committed),
        strip(&manifest),
        "run scripts/release.sh --update-manifest"
    );
    // Broken manifests are caught by the same rules.
    let mut bad = read_manifest(&committed);
    bad.spec.platforms[0].sha256 = "ABC".into();
    assert!(validate("mcp", &bad).is_err());
    let mut bad = read_manifest(&committed);
    bad.spec.version = "0.1.0".into();
    assert!(validate("mcp", &bad).is_err());
    assert!(serde_yaml::from_str::<Plugin>(
        &std::fs::read_to_string(&committed)
            .unwrap()
            .replace("  bin:", "  binary:")
    )
    .is_err());
}
