//! The model: what a conversation is, as stored. The custom resource types and the CRDs made
//! from them, names, the one definition of a turn, exact stored sizes, digests, the model
//! catalogue with its prices. Pure data and pure functions: nothing here does I/O, and nothing
//! here imports any other room of the crate (only `crate::model` and `crate::error`), so every
//! other room may build on it.

pub mod catalog;
mod context;
mod crd;
pub mod digest;
#[doc(hidden)]
pub mod fixtures;
pub mod naming;
pub mod portable;
pub mod resource;
pub mod segment;
pub mod size;
pub mod text;
pub mod turns;
mod usage;
