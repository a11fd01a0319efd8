//! `kubectl-mcp` entry point: logging, parsing, running, and exit codes (0 success, 1 runtime
//! failure, 2 usage error). A closed stdout pipe counts as success, like other Unix tools.

use std::process::ExitCode;

use clap::Parser;
use kubectl_mcp::{cli::Cli, UsageError};

fn main() -> ExitCode {
    // The shell scripts of `completions bash|zsh|fish` call back `kubectl-mcp __complete WORDS…`
    // (cobra's protocol, as kubectl does with `kubectl_complete-mcp`). Arguments are read as
    // OS strings: `std::env::args()` panics on a byte that is not UTF-8, and clap refuses such
    // a byte with a usage error wherever text is required.
    let first = std::env::args_os().nth(1);
    if first
        .as_deref()
        .is_some_and(|a| a == "__complete" || a == "__completeNoDesc")
    {
        kubectl_mcp::complete::run_protocol(&kubectl_mcp::complete::words(
            std::env::args_os().skip(2),
        ));
        return ExitCode::SUCCESS;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout with code 0 and usage errors with code 2.
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    init_logging(cli.global.verbose);
    kubectl_mcp::tls::install_crypto_provider();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(kubectl_mcp::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// `-v` → info (one line per HTTP request, as kubectl's `-v=6`), `-vv` → debug, `-vvv` → trace
/// of everything but the HTTP stack's plumbing (connection pool, sockets, TLS, buffer
/// workers), which drowned the rest; `RUST_LOG` overrides. Logs go to stderr only.
fn init_logging(verbose: u8) {
    let default = match verbose {
        // kube logs every failed request at ERROR; our own error message says it better.
        0 => "kubectl_mcp=warn",
        1 => "kubectl_mcp=info,warn",
        2 => "kubectl_mcp=debug,info",
        _ => "trace,hyper_util=info,hyper=info,h2=info,rustls=info,mio=info,tokio_util=info,tower::buffer=info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // The key is known before the first line is written: a line holding it (a request's
    // arguments at -vvv, a header, an echoed question) is masked like status and Events.
    kubectl_mcp::claude::remember_environment();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| MaskedStderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(verbose >= 2)
        .init();
}

/// stderr for log lines, with every secret masked ([`kubectl_mcp::redact::mask_secrets`]). The
/// formatter writes one whole line at a time, so a secret is never cut between two writes.
struct MaskedStderr;

impl std::io::Write for MaskedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let masked = kubectl_mcp::redact::mask_secrets(&text);
        std::io::stderr().lock().write_all(masked.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    // serde_json's error hides the io::Error it wraps from `source()`: ask it directly.
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}
