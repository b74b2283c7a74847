//! Lint rules on the config file itself that need no skill: a key pasted where a variable name
//! belongs (`[claude] api_key_env`, `[erp.instances.*] key_env`) is a pasted secret (AB033).

use std::path::Path;

use super::{Diagnostic, rules, secrets};
use crate::config::{Config, looks_like_key};

/// Returns a diagnostic for each key-variable field whose value looks like a key. `text` is the
/// config file's text (for spans); the message and help never quote the value.
pub fn pasted_keys(config: &Config, text: &str, display: &Path) -> Vec<Diagnostic> {
    let mut fields: Vec<(String, &str)> = Vec::new();
    fields.push(("[claude] api_key_env".to_owned(), config.claude.api_key_env.as_str()));
    for (name, instance) in &config.erp.instances {
        if let Some(var) = &instance.key_env {
            fields.push((format!("[erp.instances.{name}] key_env"), var.as_str()));
        }
    }
    fields
        .into_iter()
        .filter(|(_, value)| looks_like_key(value))
        .map(|(field, value)| {
            let span = (!value.is_empty()).then(|| text.find(value).map(|i| i..i + value.len())).flatten();
            Diagnostic::new(
                &rules::SECRET,
                display,
                span,
                format!("{field} looks like a key, not the name of an environment variable"),
            )
            .label(format!("not a variable name ({} characters)", value.chars().count()))
            .help("rotate that key, export it in an environment variable, and name the variable here")
        })
        .map(|mut d| {
            secrets::redact_diagnostic(&mut d);
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_key_is_flagged_without_being_quoted() {
        let key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz";
        let text = format!("[claude]\napi_key_env = \"{key}\"\n");
        let config: Config = toml::from_str(&text).unwrap();
        let found = pasted_keys(&config, &text, Path::new(".agentbuilder.toml"));
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(d.rule.code, "AB033");
        assert_eq!(d.span, Some(24..24 + key.len()));
        let shown = format!("{} {:?} {:?}", d.message, d.label, d.help);
        assert!(!shown.contains("abcdefgh"), "{shown}");
        assert!(pasted_keys(&Config::default(), "", Path::new("x")).is_empty());
    }
}
