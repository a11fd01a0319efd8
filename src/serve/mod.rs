//! The MCP server over stored conversations: tools and resources for other clients (Claude Code,
//! IDEs), over stdio or HTTP. It reads and writes through `store` and asks through `turn`, like
//! the REPL, and never calls `commands` or `cli`, so what a remote caller can do is exactly what
//! the store allows.

pub mod mcp;
