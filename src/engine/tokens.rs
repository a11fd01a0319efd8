//! Local token estimates, and their calibration against the API's own counts.
//!
//! Claude's tokenizer is not public, so every local figure is an estimate. It only has to be
//! cheap (it runs on every stored message) and in the right range; after each call the API's
//! `usage.input_tokens` gives the truth for what was sent, and [`calibrate`] learns the ratio
//! between the two for each context, so the estimate converges on the model's real count.

/// Tokens the API adds around each message (role markers and separators), estimated.
pub const PER_MESSAGE_OVERHEAD: u32 = 4;
/// Tokens the API adds around a whole request, estimated.
pub const PER_REQUEST_OVERHEAD: u32 = 8;
/// Calibration ratios are kept within this range, so one odd answer cannot wreck the estimate.
pub const RATIO_RANGE: (f64, f64) = (0.25, 4.0);

/// Estimated tokens of `text`: about 3.5 ASCII characters per token (English prose and code), and
/// one token per non-ASCII character (CJK, emoji; an overestimate for accented Latin, which is
/// the safe side for a budget).
pub fn estimate(text: &str) -> u32 {
    let mut ascii: u64 = 0;
    let mut other: u64 = 0;
    for b in text.bytes() {
        if b.is_ascii() {
            ascii += 1;
        } else if b & 0xC0 != 0x80 {
            // The first byte of a multi-byte character; continuation bytes are not counted.
            other += 1;
        }
    }
    let tokens = (ascii * 2).div_ceil(7) + other;
    u32::try_from(tokens).unwrap_or(u32::MAX)
}

/// Estimated tokens of one message as sent: its text plus the per-message overhead.
pub fn message_tokens(text: &str) -> u32 {
    estimate(text).saturating_add(PER_MESSAGE_OVERHEAD)
}

/// Apply a calibration ratio to a raw estimate.
pub fn scale(raw: u64, ratio: f64) -> u64 {
    let ratio = sanitize_ratio(ratio);
    (raw as f64 * ratio).ceil() as u64
}

/// The new ratio after a call whose raw estimate was `estimated` and whose real input was
/// `actual` tokens (input + cache creation + cache read). Smoothed, so one request moves the
/// ratio half way.
pub fn calibrate(previous: Option<f64>, estimated: u64, actual: u64) -> f64 {
    if estimated == 0 || actual == 0 {
        return sanitize_ratio(previous.unwrap_or(1.0));
    }
    let observed = sanitize_ratio(actual as f64 / estimated as f64);
    match previous {
        Some(prev) => sanitize_ratio((sanitize_ratio(prev) + observed) / 2.0),
        None => observed,
    }
}

/// True when an estimate is close enough to the budget (within 10%) that an exact count from the
/// API's `count_tokens` endpoint is worth its round trip.
pub fn needs_exact_count(estimate: u64, budget: u64) -> bool {
    budget > 0 && estimate * 10 >= budget * 9
}

fn sanitize_ratio(r: f64) -> f64 {
    if r.is_finite() {
        r.clamp(RATIO_RANGE.0, RATIO_RANGE.1)
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_about_three_and_a_half_characters_a_token() {
        assert_eq!(estimate(""), 0);
        assert_eq!(estimate("hello"), 2);
        let prose = "The quick brown fox jumps over the lazy dog. ".repeat(10);
        let t = estimate(&prose);
        assert!((120..=140).contains(&t), "{t}");
    }

    #[test]
    fn non_ascii_counts_one_token_per_character_not_per_byte() {
        assert_eq!(estimate("会话"), 2);
        assert_eq!(estimate("🦀"), 1);
        assert_eq!(estimate("café"), 2); // "caf" → 1, "é" → 1
    }

    #[test]
    fn calibration_moves_half_way_and_stays_in_range() {
        assert_eq!(calibrate(None, 100, 150), 1.5);
        assert_eq!(calibrate(Some(1.0), 100, 150), 1.25);
        assert_eq!(calibrate(None, 1, 1_000_000), RATIO_RANGE.1);
        assert_eq!(calibrate(Some(f64::NAN), 0, 0), 1.0);
        assert_eq!(scale(100, 1.25), 125);
        assert_eq!(scale(100, f64::INFINITY), 100);
    }

    #[test]
    fn exact_counts_are_asked_for_near_the_budget_only() {
        assert!(!needs_exact_count(800, 1000));
        assert!(needs_exact_count(900, 1000));
        assert!(needs_exact_count(1200, 1000));
        assert!(!needs_exact_count(5, 0));
    }
}
