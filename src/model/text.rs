//! Text made safe and short for one line of a table or a message: pure helpers that every layer
//! shares (the resource types use them in their `Display`), and kubectl's ages both ways.

/// Replace control characters (newlines, escapes) with visible escapes for one-line display.
pub fn sanitize(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Cut `s` to `max` characters with a trailing `…`.
pub fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// kubectl's human duration (apimachinery `HumanDuration`): "45s", "5m10s", "3h", "2d5h", "12d",
/// "3y40d".
pub fn human_duration(d: jiff::SignedDuration) -> String {
    let secs = d.as_secs();
    if secs < -1 {
        return "<invalid>".to_string();
    }
    if secs < 0 {
        return "0s".to_string();
    }
    if secs < 60 * 2 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let d = (hours / 24) % 365;
        return if d == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{d}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// Seconds in one unit of a kubectl-style age.
pub fn age_unit(c: char) -> Option<i64> {
    Some(match c {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'y' => 365 * 86_400,
        _ => return None,
    })
}

/// Seconds in a kubectl-style age (`90s`, `5m30s`, `67m`, `3h5m`, `3d4h`, `2y100d`).
pub fn parse_age(text: &str) -> Option<i64> {
    let mut total = 0i64;
    let mut n = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            n.push(c);
            continue;
        }
        total += n.parse::<i64>().ok()? * age_unit(c)?;
        n.clear();
    }
    n.is_empty().then_some(total)
}
