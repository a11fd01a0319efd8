//! What the user sees and types: kubectl-style tables and documents, Markdown rendering, JSONPath
//! templates, and the interactive chat. The only room that prints to the terminal; it drives
//! `turn` and `store` and decides nothing about what is stored.

pub mod advice;
pub mod jsonpath;
pub mod markdown;
pub mod output;
pub mod repl;
