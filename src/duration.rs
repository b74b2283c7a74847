//! Human durations as written in config and on the command line: `90s`, `15m`, `24h`, `7d`,
//! or combinations like `1h30m`.

use std::time::Duration;

/// Parses a duration such as `24h`, `7d` or `1h30m`.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration; expected e.g. `24h`, `7d` or `30m`".to_owned());
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => {
                return Err(format!("invalid duration `{text}`; expected e.g. `24h`, `7d` or `30m`"));
            }
        };
        let n: u64 =
            number.parse().map_err(|_| format!("invalid duration `{text}`; a number must come before `{c}`"))?;
        total = total.saturating_add(n.saturating_mul(unit));
        number.clear();
    }
    if !number.is_empty() {
        return Err(format!("invalid duration `{text}`; add a unit (s, m, h, d or w)"));
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_combinations() {
        assert_eq!(parse("24h").unwrap(), Duration::from_hours(24));
        assert_eq!(parse("7d").unwrap(), Duration::from_hours(7 * 24));
        assert_eq!(parse("1h30m").unwrap(), Duration::from_mins(90));
        assert!(parse("24").is_err());
        assert!(parse("h").is_err());
        assert!(parse("3y").is_err());
    }
}
