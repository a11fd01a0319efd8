//! The engine: pure decisions about a conversation. Which turns a window sends and where its
//! cache breakpoints go, token estimates, the summarizing prompt, the request built from a
//! window. Nothing here does I/O or knows the cluster: it takes a model and returns values,
//! so each part is tested (and property-tested) on its own. It builds the Messages API's wire
//! types (data), never sends them.

pub mod advise;
pub mod budget;
pub mod cache;
pub mod request;
pub mod summarize;
pub mod tokens;
pub mod window;
