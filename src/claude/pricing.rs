//! The cost of tokens: USD per million tokens from the `[claude.pricing]` table, with cache
//! writes and cache reads priced separately from plain input.

use std::collections::BTreeMap;

use crate::claude::Usage;
use crate::config::Pricing;

/// Returns the price of `model` in the pricing table: an exact entry, else the longest entry
/// that `model` starts with followed by `-` (so `claude-sonnet-4-5-20250929` is priced as
/// `claude-sonnet-4-5`). `None` when the table has no price for it.
pub fn price_of<'a>(table: &'a BTreeMap<String, Pricing>, model: &str) -> Option<&'a Pricing> {
    table.get(model).or_else(|| {
        table
            .iter()
            .filter(|(name, _)| model.strip_prefix(name.as_str()).is_some_and(|rest| rest.starts_with('-')))
            .max_by_key(|(name, _)| name.len())
            .map(|(_, pricing)| pricing)
    })
}

/// Returns the cost in USD of `usage` at `pricing` (USD per million tokens). Input tokens are
/// the uncached ones (the API reports cache writes and reads separately), so the four counts
/// are priced independently and summed.
pub fn cost_usd(pricing: &Pricing, usage: &Usage) -> f64 {
    const PER: f64 = 1_000_000.0;
    (usage.input_tokens as f64 * pricing.input
        + usage.output_tokens as f64 * pricing.output
        + usage.cache_creation_input_tokens as f64 * pricing.cache_write
        + usage.cache_read_input_tokens as f64 * pricing.cache_read)
        / PER
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sonnet() -> Pricing {
        Pricing { input: 3.0, output: 15.0, cache_write: 3.75, cache_read: 0.30 }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn finds_the_price_of_a_dated_model_name() {
        let mut table = BTreeMap::new();
        table.insert(
            "claude-sonnet-4".to_owned(),
            Pricing { input: 1.0, output: 1.0, cache_write: 0.0, cache_read: 0.0 },
        );
        table.insert("claude-sonnet-4-5".to_owned(), sonnet());
        assert_eq!(price_of(&table, "claude-sonnet-4-5"), Some(&sonnet()));
        assert_eq!(price_of(&table, "claude-sonnet-4-5-20250929"), Some(&sonnet()));
        assert_eq!(price_of(&table, "claude-sonnet-4-20250514").map(|p| p.input), Some(1.0));
        assert_eq!(price_of(&table, "claude-sonnet-45"), None, "a prefix must end at a `-`");
        assert_eq!(price_of(&table, "claude-opus-4-1"), None);
    }

    #[test]
    fn zero_usage_costs_nothing() {
        assert!(close(cost_usd(&sonnet(), &Usage::default()), 0.0));
    }

    #[test]
    fn prices_each_kind_of_token_separately() {
        let p = sonnet();
        let one = |u: Usage| cost_usd(&p, &u);
        assert!(close(one(Usage { input_tokens: 1_000_000, ..Usage::default() }), 3.0));
        assert!(close(one(Usage { output_tokens: 1_000_000, ..Usage::default() }), 15.0));
        assert!(close(one(Usage { cache_creation_input_tokens: 1_000_000, ..Usage::default() }), 3.75));
        assert!(close(one(Usage { cache_read_input_tokens: 1_000_000, ..Usage::default() }), 0.30));
    }

    #[test]
    fn sums_a_mixed_usage() {
        let usage = Usage {
            input_tokens: 1_200,
            output_tokens: 350,
            cache_creation_input_tokens: 2_000,
            cache_read_input_tokens: 10_000,
        };
        // 1200*3 + 350*15 + 2000*3.75 + 10000*0.3 = 3600 + 5250 + 7500 + 3000 = 19350 per million.
        assert!(close(cost_usd(&sonnet(), &usage), 0.019_35));
    }

    #[test]
    fn cached_reads_are_cheaper_than_fresh_input() {
        let p = sonnet();
        let fresh = cost_usd(&p, &Usage { input_tokens: 50_000, ..Usage::default() });
        let cached = cost_usd(&p, &Usage { cache_read_input_tokens: 50_000, ..Usage::default() });
        assert!(cached < fresh / 5.0, "{cached} vs {fresh}");
    }

    #[test]
    fn missing_cache_prices_count_as_free() {
        let p = Pricing { input: 1.0, output: 2.0, cache_write: 0.0, cache_read: 0.0 };
        let usage =
            Usage { input_tokens: 10, output_tokens: 10, cache_creation_input_tokens: 99, cache_read_input_tokens: 99 };
        assert!(close(cost_usd(&p, &usage), 30.0 / 1_000_000.0));
    }
}
