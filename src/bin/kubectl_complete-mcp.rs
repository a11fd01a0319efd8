//! `kubectl_complete-mcp`: kubectl (1.26+) runs this to complete `kubectl mcp <TAB>`; it speaks
//! cobra's `__complete` protocol. Installed next to `kubectl-mcp` by `cargo install --path .`.

fn main() {
    // OS strings: `std::env::args()` would panic on a word that is not UTF-8.
    let mut args = kubectl_mcp::complete::words(std::env::args_os().skip(1));
    if args
        .first()
        .is_some_and(|a| a == "__complete" || a == "__completeNoDesc")
    {
        args.remove(0);
    }
    kubectl_mcp::complete::run_protocol(&args);
}
