//! `kubectl_complete-mcp`: kubectl (1.26+) runs this to complete `kubectl mcp <TAB>`; it speaks
//! cobra's `__complete` protocol. Installed next to `kubectl-mcp` by `cargo install --path .`.

use std::io::Write;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args
        .first()
        .is_some_and(|a| a == "__complete" || a == "__completeNoDesc")
    {
        args.remove(0);
    }
    kubectl_mcp::tls::install_crypto_provider();
    let lines = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(kubectl_mcp::complete::complete(&args)),
        Err(_) => vec![format!(":{}", kubectl_mcp::complete::NO_FILE_COMP)],
    };
    let mut out = std::io::stdout().lock();
    for l in lines {
        if writeln!(out, "{l}").is_err() {
            return;
        }
    }
}
