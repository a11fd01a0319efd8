//! Attachments: `/file` and `/run` put text before the next message (bounded in size and, for
//! `/run`, in time, after confirmation), and `/copy` puts the last answer on the clipboard.

use std::path::PathBuf;
use std::time::Duration;

use super::commands::Flow;
use super::input::{interrupted, read, spinner, Ed};
use super::Repl;

/// Largest attachment (`/file`, `/run` output), bytes: a message must still fit a window.
pub(super) const ATTACHMENT_CAP: usize = 256 * 1024;

/// Longest a `/run` command may take.
pub(super) const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// Text to attach, refused when it is not text or is too large.
pub(super) fn attachable(bytes: Vec<u8>, what: &str) -> anyhow::Result<String> {
    if bytes.len() > ATTACHMENT_CAP {
        anyhow::bail!(
            "{what} is larger than the {} KiB an attachment may be; nothing was attached: attach a part of it (e.g. /run head -c 100000 FILE)",
            ATTACHMENT_CAP / 1024
        );
    }
    String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{what} is not UTF-8 text; nothing was attached"))
}

/// The clipboard tools tried by `/copy`, in order, with their arguments.
pub(super) const CLIPBOARDS: &[(&str, &[&str])] = &[
    ("wl-copy", &[]),
    ("xclip", &["-selection", "clipboard"]),
    ("xsel", &["--clipboard", "--input"]),
    ("pbcopy", &[]),
];

/// `tool` on PATH.
pub(super) fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    })
}

impl Repl {
    /// `/run COMMAND`: after confirmation, run it and attach its output.
    pub(super) async fn run(&mut self, arg: &str, ed: Ed) -> anyhow::Result<(Ed, Flow)> {
        if arg.is_empty() {
            eprintln!("/run needs a command, e.g. /run kubectl get pods -A");
            return Ok((ed, Flow::Go));
        }
        let (ed, answer) = read(
            ed,
            format!("Run `{arg}` and attach its output to your next message? [y/N] "),
        )
        .await?;
        if answer.as_deref().is_ok_and(crate::ui::output::is_yes) {
            if let Err(e) = self.run_command(arg).await {
                eprintln!("error: {e:#}");
            }
        } else {
            eprintln!("not run");
        }
        Ok((ed, Flow::Go))
    }

    /// `/file [PATH|--clear]`: attach a text file to the next message, list attachments, or drop them.
    pub(super) async fn file(&mut self, arg: &str) -> anyhow::Result<()> {
        match arg {
            "" if self.attachments.is_empty() => println!("nothing is attached"),
            "" => {
                for (label, text) in &self.attachments {
                    println!("attached: {label} ({} bytes)", text.len());
                }
            }
            "--clear" => {
                self.attachments.clear();
                println!("attachments dropped");
            }
            path => {
                let path = std::path::Path::new(path);
                // Read at most one byte past the cap: /dev/zero or a 10 GB log is refused
                // without being read whole.
                let mut bytes = Vec::new();
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                {
                    use tokio::io::AsyncReadExt;
                    file.take(ATTACHMENT_CAP as u64 + 1)
                        .read_to_end(&mut bytes)
                        .await
                        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                }
                let text = attachable(bytes, &path.display().to_string())?;
                self.attach(path.display().to_string(), text);
            }
        };
        Ok(())
    }

    /// `/copy`: the last answer to the clipboard.
    pub(super) async fn copy(&mut self) -> anyhow::Result<()> {
        let Some(answer) = self.last_answer.clone() else {
            anyhow::bail!("no answer to copy yet in this chat");
        };
        let Some((tool, args)) = CLIPBOARDS.iter().find(|(tool, _)| which(tool).is_some()) else {
            anyhow::bail!("no clipboard tool found (wl-copy, xclip, xsel or pbcopy): install one, or use `kubectl mcp export SESSION -o markdown`");
        };
        let mut child = tokio::process::Command::new(tool)
            .args(*args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("running {tool}: {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            use tokio::io::AsyncWriteExt;
            stdin.write_all(answer.as_bytes()).await?;
        }
        let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
            .await
            .map_err(|_| anyhow::anyhow!("{tool} did not finish within 10 s"))??;
        if !status.success() {
            anyhow::bail!("{tool} failed ({status})");
        }
        println!(
            "copied the last answer ({} characters) with {tool}",
            answer.chars().count()
        );
        Ok(())
    }

    /// `/run COMMAND` once confirmed: its output (stdout and stderr) and exit status, attached.
    pub(super) async fn run_command(&mut self, command: &str) -> anyhow::Result<()> {
        use tokio::io::AsyncReadExt;
        let cancel = interrupted();
        let spinner = spinner(&format!("running {command}…"));
        // One stream (stderr joined to stdout for the whole script), read up to the attachment
        // cap; the command runs in a process group of its own, so a pipeline or a background
        // job it started is stopped with it.
        let mut child = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(format!("exec 2>&1\n{command}"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot run {command}: {e}"))?;
        let group = child
            .id()
            .and_then(|p| i32::try_from(p).ok())
            .map(nix::unistd::Pid::from_raw);
        let stop_group = || {
            if let Some(g) = group {
                let _ = nix::sys::signal::killpg(g, nix::sys::signal::Signal::SIGKILL);
            }
        };
        let mut bytes = Vec::new();
        let read = {
            let stdout = child.stdout.take();
            let bytes = &mut bytes;
            async move {
                match stdout {
                    Some(out) => out.take(ATTACHMENT_CAP as u64 + 1).read_to_end(bytes).await,
                    None => Ok(0),
                }
            }
        };
        let read = tokio::select! {
            r = tokio::time::timeout(RUN_TIMEOUT, read) => Some(r),
            _ = cancel => None,
        };
        spinner.finish_and_clear();
        match read {
            None => {
                stop_group();
                anyhow::bail!("cancelled: {command} was stopped and nothing was attached")
            }
            Some(Err(_)) => {
                stop_group();
                anyhow::bail!(
                    "{command} took longer than {} s and was stopped; nothing was attached",
                    RUN_TIMEOUT.as_secs()
                )
            }
            Some(Ok(r)) => {
                r.map_err(|e| anyhow::anyhow!("reading the output of {command}: {e}"))?;
            }
        }
        if bytes.len() > ATTACHMENT_CAP {
            stop_group();
        }
        // The output is complete; what the command left running in the background is stopped.
        let status = match tokio::time::timeout(Duration::from_secs(5), child.wait()).await {
            Ok(s) => s.ok(),
            Err(_) => None,
        };
        stop_group();
        let text = attachable(bytes, &format!("the output of {command}"))?;
        let status = match status.and_then(|s| s.code()) {
            Some(0) => String::new(),
            Some(c) => format!(" (exit status {c})"),
            None => " (killed by a signal)".into(),
        };
        self.attach(
            format!("the output of `{command}`{status}"),
            format!(
                "$ {command}\n{text}{}",
                if status.is_empty() {
                    String::new()
                } else {
                    format!("\n[exit{status}]")
                }
            ),
        );
        Ok(())
    }
}
