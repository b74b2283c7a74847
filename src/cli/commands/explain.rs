//! `agentb explain`: the long explanation of a lint rule, or the list of all rules.

use crate::cli::command_error::{ExitStatus, UserError};
use crate::cli::commands::Ctx;
use crate::cli::{ExplainArgs, Format};
use crate::lint::{Level, rules};

pub fn run(ctx: &Ctx, args: &ExplainArgs) -> anyhow::Result<ExitStatus> {
    let format = ctx.format(&[Format::Human, Format::Json])?;
    let p = &ctx.printer;
    let level_name = |l: Level| {
        if l == Level::Error { "error" } else { "warning" }
    };
    match &args.rule {
        None => {
            if format == Format::Json {
                let list: Vec<_> = rules::ALL.iter().map(|r| serde_json::json!({"code": r.code, "name": r.name, "level": level_name(r.level), "summary": r.summary})).collect();
                p.json(&list);
            } else {
                for r in rules::ALL {
                    p.line(format_args!("{}  {:<28} {:<8} {}", r.code, r.name, level_name(r.level), r.summary));
                }
            }
        }
        Some(key) => {
            let rule = rules::find(key).ok_or_else(|| {
                let hint = crate::text::did_you_mean(key, rules::ALL.iter().map(|r| r.name)).map_or_else(
                    || "run `agentb explain` to list the rules".to_owned(),
                    |m| format!("did you mean `{m}`?"),
                );
                UserError::usage(format!("unknown lint rule `{key}`")).with_hint(hint)
            })?;
            if format == Format::Json {
                p.json(&serde_json::json!({"code": rule.code, "name": rule.name, "level": level_name(rule.level), "summary": rule.summary, "explanation": rule.explanation}));
            } else {
                let bold = p.stdout_style().bold();
                p.line(bold.apply_to(format!("{} {}", rule.code, rule.name)));
                p.line(format_args!("default level: {}\n", level_name(rule.level)));
                p.line(rule.summary);
                p.line("");
                p.out(rule.explanation);
                if !rule.explanation.ends_with('\n') {
                    p.line("");
                }
            }
        }
    }
    Ok(ExitStatus::Success)
}
