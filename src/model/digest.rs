//! The digests this tool records: of sealed segments, of the messages a summary folded in, and
//! of archives. Stored in clusters, so never changed: a new way of hashing needs a new name and
//! the old one kept for reading (as [`legacy_digest`] is).

use sha2::{Digest, Sha256};

use crate::model::resource::{Message, Role};

/// The digest of sealed messages: their ids, roles, timestamps and contents. Ids make it
/// name exactly these messages (a seal gives id-less messages ids first), so a repeated
/// exchange in the live history can never pass for a sealed one.
pub fn digest(messages: &[Message]) -> String {
    let mut h = Sha256::new();
    for m in messages {
        let stamp = m.timestamp.map(|t| t.to_string()).unwrap_or_default();
        let role = match m.role {
            Role::User => "u",
            Role::Assistant => "a",
        };
        for part in [m.id.as_deref().unwrap_or(""), role, &stamp, &m.content] {
            h.update(part.as_bytes());
            h.update([0]);
        }
    }
    short_hex(h)
}

/// The digest segments were sealed with before message ids existed (up to 036eb5e): role,
/// timestamp and content. Those segments are still in clusters; they are read by it, and never
/// written with it.
pub fn legacy_digest(messages: &[Message]) -> String {
    let mut h = Sha256::new();
    for m in messages {
        h.update(match m.role {
            Role::User => b"u",
            Role::Assistant => b"a",
        });
        h.update(m.timestamp.map(|t| t.to_string()).unwrap_or_default());
        h.update([0]);
        h.update(m.content.as_bytes());
        h.update([0]);
    }
    short_hex(h)
}

/// A fingerprint of stored messages, recorded with a new summary so that a run that stopped
/// between writing the summary and compacting the history can tell that these messages are
/// already folded in.
pub fn fingerprint(messages: &[Message]) -> String {
    let mut h = Sha256::new();
    for m in messages {
        h.update(match m.role {
            Role::User => b"u",
            Role::Assistant => b"a",
        });
        h.update(
            m.timestamp
                .map(|t| t.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        h.update([0]);
        h.update(m.content.as_bytes());
        h.update([0]);
    }
    short_hex(h)
}

/// The first 16 bytes of a SHA-256, as hex: the digests this tool records.
pub fn short_hex(h: Sha256) -> String {
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}
