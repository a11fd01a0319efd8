//! `kubectl_complete-mcp`: kubectl (1.26+) runs this to complete `kubectl mcp <TAB>`; it speaks
//! cobra's `__complete` protocol. Installed next to `kubectl-mcp` by `cargo install --path .`.

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args
        .first()
        .is_some_and(|a| a == "__complete" || a == "__completeNoDesc")
    {
        args.remove(0);
    }
    kubectl_mcp::complete::run_protocol(&args);
}
