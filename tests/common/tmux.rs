//! A terminal driven like a person would: tmux on a private socket, keys sent with send-keys,
//! the screen read with capture-pane.

use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of its own; killed on drop.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A tmux server on socket `name` (made unique per process).
    pub fn new(name: &str) -> Self {
        if Command::new("tmux").arg("-V").output().is_err() {
            panic!("tmux is needed for the REPL tests (apt-get install tmux; .ci/run installs it)");
        }
        Self {
            socket: format!("kmcp-{name}-{}", std::process::id()),
        }
    }

    /// Run a tmux command; its stdout.
    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A detached session `name` running `command` in a 200×60 terminal with a long
    /// scrollback.
    pub fn session(&self, name: &str, command: &str) {
        self.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "200",
            "-y",
            "60",
            command,
        ]);
        self.run(&["set-option", "-t", name, "history-limit", "20000"]);
    }

    /// Type `keys` into session `target`.
    pub fn keys_to(&self, target: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", target];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// The screen and scrollback of `target`.
    pub fn screen_of(&self, target: &str) -> String {
        self.run(&["capture-pane", "-p", "-J", "-t", target, "-S", "-20000"])
    }

    /// Wait (up to 30 s) until `what` is on the screen of `target`; the screen.
    pub fn wait_for_in(&self, target: &str, what: &str) -> String {
        self.wait_until(target, Duration::from_secs(30), |s| s.contains(what))
            .unwrap_or_else(|s| panic!("never saw {what:?} on the screen of {target}:\n{s}"))
    }

    /// Wait up to `limit` until `done` holds for the screen of `target`: Ok(screen), or
    /// Err(last screen).
    pub fn wait_until(
        &self,
        target: &str,
        limit: Duration,
        done: impl Fn(&str) -> bool,
    ) -> Result<String, String> {
        let start = Instant::now();
        loop {
            let s = self.screen_of(target);
            if done(&s) {
                return Ok(s);
            }
            if start.elapsed() > limit {
                return Err(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}
