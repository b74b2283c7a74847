//! Building the typed model from a file, reporting every field-rule violation of SPEC §3 with
//! the exact span of the offending key or value. Never stops at the first problem.

use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::body;
use super::model::{
    Dependency, Field, FieldType, Permission, Persona, Skill, SkillLimits, Spanned, Status, Trigger, is_valid_id,
};
use super::source::{self, ReadProblem, SourceFile, SplitProblem};
use super::yaml::{self, Node, Value, YamlProblem};
use crate::lint::{Diagnostic, Edit, rules};
use crate::text::{did_you_mean, is_snake_case, to_snake_case};
use crate::tools::{Action, Catalog};

/// What the parser needs to know about the project.
#[derive(Debug, Clone)]
pub struct ParseContext {
    /// Entity type names allowed as input/output types.
    pub entities: Vec<String>,
    pub catalog: Catalog,
    /// The project's limits, which a skill may only tighten.
    pub limits: crate::config::LimitsConfig,
}

impl ParseContext {
    /// Returns the context of a project config.
    pub fn new(config: &crate::config::Config) -> Self {
        let mut entities: Vec<String> = crate::tools::BUILTIN_ENTITIES
            .iter()
            .filter(|(_, r)| !matches!(*r, "booking" | "invoice" | "payment"))
            .map(|(e, _)| (*e).to_owned())
            .collect();
        entities.extend(config.erp.entities.iter().cloned());
        Self { entities, catalog: Catalog::new(&config.erp.entities, &config.tiers), limits: config.limits.clone() }
    }
}

/// The result of reading one file: its text (when it could be read), the model (when the
/// frontmatter was usable), and every diagnostic.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub text: Option<String>,
    pub item: Option<T>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<T> Parsed<T> {
    /// Returns whether any diagnostic is an error at its default level.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.level == crate::lint::Level::Error)
    }
}

const SKILL_KEYS: &[&str] = &[
    "id",
    "type",
    "version",
    "status",
    "category",
    "description",
    "name",
    "triggers",
    "inputs",
    "outputs",
    "dependencies",
    "permissions",
    "limits",
    "license",
    "compatibility",
    "metadata",
    "allowed_tools",
];
const PERSONA_KEYS: &[&str] = &["id", "type", "name", "allowed_skills", "model", "description"];
const FIELD_KEYS: &[&str] = &["name", "type", "required", "description", "enum", "default"];
const TRIGGER_KEYS: &[&str] = &["event", "schedule"];
const LIMIT_KEYS: &[&str] = &["max_turns", "max_wall_secs", "max_cost_usd", "max_output_tokens", "tier_calls"];
const TIER_KEYS: &[&str] = &["t1", "t2", "t3"];

/// Reads and parses a skill file. `display` is the path used in diagnostics.
pub fn skill_file(path: &Path, display: &Path, ctx: &ParseContext) -> Parsed<Skill> {
    match source::read(path) {
        Ok(src) => skill_source(&src, display, ctx),
        Err(problem) => unreadable(display, &problem),
    }
}

/// Reads and parses a persona file.
pub fn persona_file(path: &Path, display: &Path) -> Parsed<Persona> {
    match source::read(path) {
        Ok(src) => persona_source(&src, display),
        Err(problem) => unreadable(display, &problem),
    }
}

/// Returns the diagnostic of a file that could not be turned into text.
pub(crate) fn unreadable<T>(display: &Path, problem: &ReadProblem) -> Parsed<T> {
    let d = match problem {
        ReadProblem::Io(e) => Diagnostic::new(&rules::EMPTY_FILE, display, None, format!("cannot read the file: {e}")),
        ReadProblem::NotRegular(what) => crate::lint::files::not_regular(display, what),
        ReadProblem::TooLarge(len) => Diagnostic::new(
            &rules::FILE_TOO_LARGE,
            display,
            None,
            format!("the file is {} bytes, over the limit of {} bytes; it was not read", len, source::MAX_FILE_BYTES),
        ),
        ReadProblem::Binary => {
            Diagnostic::new(&rules::BINARY_FILE, display, None, "the file contains NUL bytes: binary data, not text")
        }
        ReadProblem::InvalidUtf8 { line, column, at, lossy, .. } => {
            let end = at + lossy[*at..].chars().next().map_or(0, char::len_utf8);
            let d = Diagnostic::new(
                &rules::INVALID_UTF8,
                display,
                Some(*at..end),
                format!("the file is not valid UTF-8: the first invalid byte is at line {line}, column {column}"),
            )
            .label("not UTF-8");
            return Parsed { text: Some(lossy.clone()), item: None, diagnostics: vec![d] };
        }
    };
    Parsed { text: None, item: None, diagnostics: vec![d] }
}

/// Returns the hex sha256 of a file's text as it is on disk (with its BOM, if any).
pub fn source_hash(src: &SourceFile) -> String {
    let mut hasher = Sha256::new();
    if src.had_bom {
        hasher.update(b"\xEF\xBB\xBF");
    }
    hasher.update(src.text.as_bytes());
    hex::encode(hasher.finalize())
}

/// Parses a skill from its text.
pub fn skill_source(src: &SourceFile, display: &Path, ctx: &ParseContext) -> Parsed<Skill> {
    skill_source_hashed(src, display, ctx, None)
}

/// Parses a skill from its text, given the [`source_hash`] when the caller already has it.
pub fn skill_source_hashed(src: &SourceFile, display: &Path, ctx: &ParseContext, hash: Option<&str>) -> Parsed<Skill> {
    let mut w = Walker { file: display, text: &src.text, diags: Vec::new(), open: 0..0 };
    let hash = || hash.map_or_else(|| source_hash(src), str::to_owned);
    let item = w.frontmatter().map(|(root, body_range)| w.skill(&root, body_range, ctx, hash()));
    w.secrets();
    Parsed { text: Some(src.text.clone()), item: item.flatten(), diagnostics: w.diags }
}

/// Parses a persona from its text.
pub fn persona_source(src: &SourceFile, display: &Path) -> Parsed<Persona> {
    persona_source_hashed(src, display, None)
}

/// Parses a persona from its text, given the [`source_hash`] when the caller already has it.
pub fn persona_source_hashed(src: &SourceFile, display: &Path, hash: Option<&str>) -> Parsed<Persona> {
    let mut w = Walker { file: display, text: &src.text, diags: Vec::new(), open: 0..0 };
    let hash = || hash.map_or_else(|| source_hash(src), str::to_owned);
    let item = w.frontmatter().map(|(root, body_range)| w.persona(&root, body_range, hash()));
    w.secrets();
    Parsed { text: Some(src.text.clone()), item: item.flatten(), diagnostics: w.diags }
}

/// Splits and loads a file's frontmatter, as lint does: the root mapping, the body's byte range
/// and the opening fence; or the diagnostics of a missing, unterminated or invalid frontmatter
/// (the same as lint's, with the same spans). Agent Skills import reads `SKILL.md` files with it.
pub fn frontmatter(src: &SourceFile, display: &Path) -> Result<(Node, Range<usize>, Range<usize>), Vec<Diagnostic>> {
    let mut w = Walker { file: display, text: &src.text, diags: Vec::new(), open: 0..0 };
    match w.frontmatter() {
        Some((root, body)) => Ok((root, body, w.open)),
        None => Err(w.diags),
    }
}

/// Returns lint's secret diagnostics (AB033) of a text.
pub fn secret_diagnostics(src: &SourceFile, display: &Path) -> Vec<Diagnostic> {
    let mut w = Walker { file: display, text: &src.text, diags: Vec::new(), open: 0..0 };
    w.secrets();
    w.diags
}

struct Walker<'a> {
    file: &'a Path,
    text: &'a str,
    diags: Vec<Diagnostic>,
    /// The opening fence: where "missing key" diagnostics point.
    open: Range<usize>,
}

impl Walker<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn diag(&self, rule: &'static crate::lint::Rule, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(rule, self.file, Some(span), message)
    }

    /// Splits and loads the frontmatter; returns the root mapping and the body range.
    fn frontmatter(&mut self) -> Option<(Node, Range<usize>)> {
        let parts = match source::split(self.text) {
            Ok(parts) => parts,
            Err(SplitProblem::Empty) => {
                self.push(Diagnostic::new(&rules::EMPTY_FILE, self.file, None, "the file is empty"));
                return None;
            }
            Err(SplitProblem::Missing) => {
                let first = self.text.find(['\r', '\n']).unwrap_or(self.text.len());
                let d = self
                    .diag(&rules::MISSING_FRONTMATTER, 0..first, "the file does not start with `---` frontmatter")
                    .label("expected `---` on the first line")
                    .help("start the file with a `---` line, the YAML keys, and another `---` line");
                self.push(d);
                return None;
            }
            Err(SplitProblem::Unterminated(open)) => {
                let d = self
                    .diag(&rules::UNTERMINATED_FRONTMATTER, open, "the frontmatter is never closed")
                    .label("opened here")
                    .help("add a line with exactly `---` after the last frontmatter key");
                self.push(d);
                return None;
            }
        };
        self.open = parts.open_fence.clone();
        match yaml::load(self.text, parts.yaml.clone()) {
            Ok(root) if root.as_map().is_some() => Some((root, parts.body)),
            Ok(root) => {
                let span = if root.span.is_empty() { parts.open_fence } else { root.span.clone() };
                let d = self.diag(
                    &rules::FRONTMATTER_NOT_MAPPING,
                    span,
                    format!("the frontmatter is {}, not a mapping of keys", root.kind_name()),
                );
                self.push(d);
                None
            }
            Err(YamlProblem::Syntax { offset, message }) => {
                let end = self.char_end(offset);
                let d = self.diag(&rules::YAML_SYNTAX, offset..end, format!("invalid YAML: {message}")).label(message);
                self.push(d);
                None
            }
            Err(YamlProblem::Limits { offset, message }) => {
                let end = self.char_end(offset);
                let d = self.diag(&rules::YAML_LIMITS, offset..end, message);
                self.push(d);
                None
            }
        }
    }

    /// Returns the end of the character at `offset` (for one-character spans).
    fn char_end(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        self.text[offset..].chars().next().map_or(offset, |c| offset + c.len_utf8())
    }

    /// Reports keys of `map` that are not in `allowed`.
    fn check_keys(&mut self, map: &Node, allowed: &[&str], what: &str) {
        let Some(entries) = map.as_map() else { return };
        for (key, _) in entries {
            let name = key.scalar_text().unwrap_or_default();
            if !allowed.contains(&name.as_ref()) {
                let mut d = self.diag(&rules::UNKNOWN_KEY, key.span.clone(), format!("unknown key `{name}` in {what}"));
                if let Some(m) = did_you_mean(&name, allowed.iter().copied()) {
                    d = d.label("unknown key").help(format!("did you mean `{m}`?"));
                } else {
                    d = d.label("unknown key").help(format!("expected one of: {}", allowed.join(", ")));
                }
                self.push(d);
            }
        }
    }

    /// Returns a required string, reporting a missing key, a wrong type or an empty value.
    fn required_str(&mut self, map: &Node, key: &str, what: &str) -> Option<Spanned<String>> {
        match map.get(key) {
            None => {
                let span = if what == "the frontmatter" { self.open.clone() } else { map.span.clone() };
                let d = self
                    .diag(&rules::MISSING_FIELD, span, format!("missing required key `{key}` in {what}"))
                    .label(format!("`{key}` is required"));
                self.push(d);
                None
            }
            Some(node) => self.string_value(node, key),
        }
    }

    fn string_value(&mut self, node: &Node, key: &str) -> Option<Spanned<String>> {
        match &node.value {
            Value::Str { text, .. } if text.trim().is_empty() => {
                let d = self.diag(&rules::EMPTY_VALUE, node.span.clone(), format!("`{key}` is empty"));
                self.push(d);
                None
            }
            Value::Str { text, .. } => Some(Spanned::new(text.clone(), node.span.clone())),
            Value::Null => {
                let d = self.diag(&rules::EMPTY_VALUE, node.span.clone(), format!("`{key}` has no value"));
                self.push(d);
                None
            }
            _ => {
                let d = self
                    .diag(
                        &rules::WRONG_TYPE,
                        node.span.clone(),
                        format!("`{key}` must be a string, found {}", node.kind_name()),
                    )
                    .label("expected a string");
                self.push(d);
                None
            }
        }
    }

    fn optional_str(&mut self, map: &Node, key: &str) -> Option<String> {
        map.get(key).and_then(|n| self.string_value(n, key)).map(|s| s.value)
    }

    /// Returns the items of a list, reporting a wrong type; `None` for a missing key.
    fn list<'n>(&mut self, map: &'n Node, key: &str) -> Option<&'n [Node]> {
        let node = map.get(key)?;
        match &node.value {
            Value::Seq(items) => Some(items),
            Value::Null => Some(&[]),
            _ => {
                let d = self
                    .diag(
                        &rules::WRONG_TYPE,
                        node.span.clone(),
                        format!("`{key}` must be a list, found {}", node.kind_name()),
                    )
                    .label("expected a list");
                self.push(d);
                None
            }
        }
    }

    fn id(&mut self, root: &Node, kind: &str) -> Option<Spanned<String>> {
        let id = self.required_str(root, "id", "the frontmatter")?;
        if !is_valid_id(&id.value) {
            let normalized = super::model::normalize_id(&id.value);
            let mut d = self
                .diag(&rules::INVALID_ID, id.span.clone(), format!("invalid {kind} id `{}`", id.value))
                .label("lowercase letters, digits and single hyphens, 1 to 64 characters");
            if is_valid_id(&normalized) {
                d = d.help(format!("did you mean `{normalized}`?"));
            }
            self.push(d);
        }
        let stem = self.file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if id.value != stem {
            let file_name = self.file.file_name().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            let d = self
                .diag(
                    &rules::ID_MISMATCH,
                    id.span.clone(),
                    format!("the id `{}` differs from the file name `{file_name}`", id.value),
                )
                .label(format!("expected `{stem}`"))
                .help(format!("rename the file to `{}.md` or set `id: {stem}`", id.value));
            self.push(d);
        }
        Some(id)
    }

    fn kind(&mut self, root: &Node, expected: &str) {
        if let Some(kind) = self.required_str(root, "type", "the frontmatter")
            && kind.value != expected
        {
            let d = self
                .diag(
                    &rules::WRONG_KIND,
                    kind.span,
                    format!("`type` is `{}` but this is a {expected} file", kind.value),
                )
                .label(format!("expected `{expected}`"));
            self.push(d);
        }
    }

    fn skill(
        &mut self,
        root: &Node,
        body_range: Range<usize>,
        ctx: &ParseContext,
        source_hash: String,
    ) -> Option<Skill> {
        self.check_keys(root, SKILL_KEYS, "the skill frontmatter");
        let id = self.id(root, "skill");
        self.kind(root, "skill");
        let version = self.version(root);
        let status = self.status(root);
        let category = self.required_str(root, "category", "the frontmatter");
        let description = root.get("description").and_then(|node| self.string_value(node, "description"));
        let explicit_name = self.optional_str(root, "name");
        let triggers = self.triggers(root);
        let entity_names: Vec<&str> = ctx.entities.iter().map(String::as_str).collect();
        let inputs = self.fields(root, "inputs", false, &entity_names);
        let outputs = self.fields(root, "outputs", true, &entity_names);
        let dependencies = self.dependencies(root);
        let permissions = self.permissions(root, &ctx.catalog);
        let (limits, limits_span) = self.limits(root, &ctx.limits);
        let license = self.optional_str(root, "license");
        let compatibility = self.optional_str(root, "compatibility");
        let metadata = self.metadata(root);
        let allowed_tools = self.string_list(root, "allowed_tools");

        let body_text = &self.text[body_range.clone()];
        let body = body::parse(body_text);
        self.body_rules(&body, body_range.start);
        if root.get("description").is_none() {
            let d = crate::lint::description::missing(self.file, self.open.clone(), body.purpose.as_deref());
            self.push(d);
        }

        let id = id?;
        let name = explicit_name.or_else(|| body.title.clone()).unwrap_or_else(|| id.value.clone());
        let skill = Skill {
            path: self.file.to_owned(),
            name,
            version: version.unwrap_or_else(|| Spanned::new(semver::Version::new(0, 0, 0), id.span.clone())),
            id,
            status: status.unwrap_or_default(),
            category: category.map(|c| c.value).unwrap_or_default(),
            description: description.map(|d| d.value).unwrap_or_default(),
            triggers,
            inputs,
            outputs,
            dependencies,
            permissions,
            limits,
            limits_span,
            license,
            compatibility,
            metadata,
            allowed_tools,
            body,
            body_offset: body_range.start,
            source_hash,
        };
        self.record_size(&skill, &ctx.catalog);
        Some(skill)
    }

    /// Reports a skill whose deployed record would be over the ERP's record limit (AB042).
    fn record_size(&mut self, skill: &Skill, catalog: &Catalog) {
        use crate::compile::size::{RECORD_LIMIT, record_bytes};
        let bytes = record_bytes(skill, catalog);
        if bytes > RECORD_LIMIT {
            let d = self
                .diag(
                    &rules::ARTIFACT_TOO_LARGE,
                    skill.id.span.clone(),
                    format!(
                        "the compiled artifact of `{}` is about {bytes} bytes as an ERP record, over the ERP's limit \
                         of {RECORD_LIMIT} bytes per record: every deploy of it would fail with 413",
                        skill.id.value
                    ),
                )
                .label("too large to deploy")
                .help("move reference material into ERP knowledge documents; a field `description` counts three times");
            self.push(d);
        }
    }

    fn version(&mut self, root: &Node) -> Option<Spanned<semver::Version>> {
        let node = root.get("version");
        let Some(node) = node else {
            let d = self
                .diag(&rules::MISSING_FIELD, self.open.clone(), "missing required key `version` in the frontmatter")
                .label("`version` is required");
            self.push(d);
            return None;
        };
        let text = node.scalar_text().map(std::borrow::Cow::into_owned);
        match (&node.value, text) {
            (Value::Str { text, .. }, _) => match semver::Version::parse(text.trim()) {
                Ok(v) => Some(Spanned::new(v, node.span.clone())),
                Err(e) => {
                    let d = self
                        .diag(
                            &rules::INVALID_VERSION,
                            node.span.clone(),
                            format!("`{text}` is not a semantic version: {e}"),
                        )
                        .label("expected MAJOR.MINOR.PATCH")
                        .help("write a full version such as `1.0.0`");
                    self.push(d);
                    None
                }
            },
            (_, Some(_)) => {
                let text = self.text[node.span.clone()].to_owned();
                let d = self
                    .diag(
                        &rules::INVALID_VERSION,
                        node.span.clone(),
                        format!("`version: {text}` is read as {}, not a semantic version", node.kind_name()),
                    )
                    .label("expected MAJOR.MINOR.PATCH")
                    .help(format!("write a full version such as `{}`", suggest_version(&text)));
                self.push(d);
                None
            }
            (_, None) => {
                let d = self.diag(
                    &rules::WRONG_TYPE,
                    node.span.clone(),
                    format!("`version` must be a string, found {}", node.kind_name()),
                );
                self.push(d);
                None
            }
        }
    }

    fn status(&mut self, root: &Node) -> Option<Status> {
        let status = self.required_str(root, "status", "the frontmatter")?;
        if let Some(s) = Status::ALL.into_iter().find(|s| s.as_str() == status.value) {
            return Some(s);
        }
        let lower = status.value.trim().to_lowercase();
        let mut d = self
            .diag(&rules::INVALID_STATUS, status.span.clone(), format!("invalid status `{}`", status.value))
            .label("expected draft, active, deprecated or disabled");
        if let Some(s) = Status::ALL.into_iter().find(|s| s.as_str() == lower) {
            d = d.help(format!("write `{}`", s.as_str())).fix(
                format!("replace status `{}` with `{}`", status.value, s.as_str()),
                vec![Edit { range: status.span.clone(), replacement: s.as_str().to_owned() }],
            );
        } else if let Some(m) = did_you_mean(&status.value, Status::ALL.iter().map(|s| s.as_str())) {
            d = d.help(format!("did you mean `{m}`?"));
        }
        self.push(d);
        None
    }

    fn triggers(&mut self, root: &Node) -> Vec<Spanned<Trigger>> {
        let Some(node) = root.get("triggers") else {
            let d = self
                .diag(&rules::MISSING_FIELD, self.open.clone(), "missing required key `triggers` in the frontmatter")
                .label("a skill needs at least one trigger");
            self.push(d);
            return Vec::new();
        };
        let Some(items) = self.list(root, "triggers") else {
            return Vec::new();
        };
        if items.is_empty() {
            let d = self
                .diag(&rules::INVALID_TRIGGER, node.span.clone(), "`triggers` is empty")
                .label("a skill needs at least one trigger")
                .help("add `- event: manual_invoke`");
            self.push(d);
        }
        let mut out = Vec::new();
        for item in items {
            if item.as_map().is_none() {
                let d = self
                    .diag(
                        &rules::INVALID_TRIGGER,
                        item.span.clone(),
                        format!("a trigger must be a mapping with `event` or `schedule`, found {}", item.kind_name()),
                    )
                    .help(
                        item.as_str()
                            .map_or_else(|| "write `- event: NAME`".to_owned(), |s| format!("write `- event: {s}`")),
                    );
                self.push(d);
                continue;
            }
            self.check_keys(item, TRIGGER_KEYS, "a trigger");
            match (item.get("event"), item.get("schedule")) {
                (Some(_), Some(_)) => {
                    let d = self
                        .diag(&rules::INVALID_TRIGGER, item.span.clone(), "a trigger has both `event` and `schedule`")
                        .help("split it into two triggers");
                    self.push(d);
                }
                (Some(event), None) => {
                    if let Some(name) = self.string_value(event, "event") {
                        if is_snake_case(&name.value) {
                            out.push(Spanned::new(Trigger::Event(name.value), item.span.clone()));
                        } else {
                            let fixed = to_snake_case(&name.value);
                            let d = self
                                .diag(
                                    &rules::INVALID_TRIGGER,
                                    name.span.clone(),
                                    format!("event `{}` is not snake_case", name.value),
                                )
                                .label("expected snake_case")
                                .help(format!("did you mean `{fixed}`?"));
                            self.push(d);
                        }
                    }
                }
                (None, Some(schedule)) => {
                    if let Some(cron) = self.string_value(schedule, "schedule") {
                        match validate_cron(&cron.value) {
                            Ok(()) => out.push(Spanned::new(Trigger::Schedule(cron.value), item.span.clone())),
                            Err(e) => {
                                let d = self
                                    .diag(
                                        &rules::INVALID_SCHEDULE,
                                        cron.span.clone(),
                                        format!("invalid cron schedule `{}`: {e}", cron.value),
                                    )
                                    .label("expected five fields: minute hour day-of-month month day-of-week");
                                self.push(d);
                            }
                        }
                    }
                }
                (None, None) => {
                    let d =
                        self.diag(&rules::INVALID_TRIGGER, item.span.clone(), "a trigger needs `event` or `schedule`");
                    self.push(d);
                }
            }
        }
        out
    }

    fn fields(&mut self, root: &Node, key: &str, outputs: bool, entities: &[&str]) -> Vec<Field> {
        let Some(items) = self.list(root, key) else {
            return Vec::new();
        };
        let what = if outputs { "an output" } else { "an input" };
        let mut out: Vec<Field> = Vec::new();
        for item in items {
            if item.as_map().is_none() {
                let d = self
                    .diag(
                        &rules::WRONG_TYPE,
                        item.span.clone(),
                        format!("{what} must be a mapping with `name` and `type`, found {}", item.kind_name()),
                    )
                    .help("write `- name: NAME` and `type: TYPE` on the next line");
                self.push(d);
                continue;
            }
            self.check_keys(item, FIELD_KEYS, what);
            let name = self.required_str(item, "name", what);
            let ty = self.required_str(item, "type", what);
            let required = match item.get("required") {
                None => outputs,
                Some(Node { value: Value::Bool(b), .. }) => *b,
                Some(node) => {
                    let d = self
                        .diag(
                            &rules::WRONG_TYPE,
                            node.span.clone(),
                            format!("`required` must be true or false, found {}", node.kind_name()),
                        )
                        .label("expected a boolean");
                    self.push(d);
                    outputs
                }
            };
            let description = self.optional_str(item, "description");
            if let Some(name) = &name {
                self.field_name(name, &out, key);
            }
            let ty = ty.and_then(|t| if let Some(parsed) = FieldType::parse(t.value.trim(), entities) { Some(Spanned::new(parsed, t.span)) } else {
                let mut candidates: Vec<&str> = FieldType::PRIMITIVES.to_vec();
                candidates.extend(entities);
                let base = t.value.trim_end_matches("[]");
                let mut d = self.diag(&rules::UNKNOWN_TYPE, t.span.clone(), format!("unknown type `{}`", t.value)).label("not a known type");
                if let Some(m) = did_you_mean(base, candidates.iter().copied()) {
                    let suggestion = format!("{m}{}", if t.value.ends_with("[]") { "[]" } else { "" });
                    d = d.help(format!("did you mean `{suggestion}`?"));
                    if m.eq_ignore_ascii_case(base) {
                        d = d.fix(format!("replace type `{}` with `{suggestion}`", t.value), vec![Edit { range: t.span.clone(), replacement: suggestion.clone() }]);
                    }
                } else {
                    d = d.help("use string, number, integer, boolean, object, array, date, datetime or an ERP entity type, optionally with `[]`");
                }
                self.push(d);
                None
            });
            let enum_values = self.enum_values(item, ty.as_ref());
            let default = item.get("default").map(|node| {
                if let Some(t) = &ty {
                    if let Err(why) = fits(node, &t.value) {
                        let d = self.diag(
                            &rules::INVALID_DEFAULT,
                            node.span.clone(),
                            format!("the default does not fit type `{}`: {why}", t.value),
                        );
                        self.push(d);
                    } else if let Some(values) = &enum_values
                        && !values.contains(&node.to_json())
                    {
                        let d = self
                            .diag(
                                &rules::INVALID_DEFAULT,
                                node.span.clone(),
                                "the default is not one of the `enum` values",
                            )
                            .label("not in `enum`");
                        self.push(d);
                    }
                }
                if required && !outputs {
                    let d = self
                        .diag(
                            &rules::REQUIRED_WITH_DEFAULT,
                            node.span.clone(),
                            "a required input has a default, which is never used",
                        )
                        .help("make the input optional (`required: false`) or remove the default");
                    self.push(d);
                }
                node.to_json()
            });
            if let (Some(name), Some(ty)) = (name, ty) {
                out.push(Field { name, ty, required, description, enum_values, default, span: item.span.clone() });
            }
        }
        out
    }

    fn field_name(&mut self, name: &Spanned<String>, seen: &[Field], key: &str) {
        if !is_snake_case(&name.value) {
            let fixed = to_snake_case(&name.value);
            let mut d = self
                .diag(&rules::INVALID_FIELD_NAME, name.span.clone(), format!("`{}` is not snake_case", name.value))
                .label("expected snake_case");
            if is_snake_case(&fixed) && !seen.iter().any(|f| f.name.value == fixed) {
                d = d.help(format!("did you mean `{fixed}`?"));
            }
            self.push(d);
        }
        if let Some(first) = seen.iter().find(|f| f.name.value == name.value) {
            let d = self
                .diag(
                    &rules::DUPLICATE_FIELD_NAME,
                    name.span.clone(),
                    format!("`{}` is declared twice in `{key}`", name.value),
                )
                .label("second declaration")
                .note(format!("first declared at byte {}", first.name.span.start));
            self.push(d);
        }
    }

    fn enum_values(&mut self, item: &Node, ty: Option<&Spanned<FieldType>>) -> Option<Vec<serde_json::Value>> {
        let node = item.get("enum")?;
        let Some(values) = node.as_seq() else {
            let d = self.diag(
                &rules::WRONG_TYPE,
                node.span.clone(),
                format!("`enum` must be a list, found {}", node.kind_name()),
            );
            self.push(d);
            return None;
        };
        if values.is_empty() {
            let d =
                self.diag(&rules::INVALID_DEFAULT, node.span.clone(), "`enum` is empty: no value would be accepted");
            self.push(d);
        }
        if let Some(ty) = ty {
            for v in values {
                if let Err(why) = fits(v, &ty.value) {
                    let d = self.diag(
                        &rules::INVALID_DEFAULT,
                        v.span.clone(),
                        format!("enum value does not fit type `{}`: {why}", ty.value),
                    );
                    self.push(d);
                }
            }
        }
        Some(values.iter().map(Node::to_json).collect())
    }

    fn dependencies(&mut self, root: &Node) -> Vec<Dependency> {
        let Some(items) = self.list(root, "dependencies") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let Some(entry) = self.string_value(item, "dependencies") else {
                continue;
            };
            let (id, req) = match entry.value.split_once('@') {
                Some((id, req)) => (id, Some(req)),
                None => (entry.value.as_str(), None),
            };
            // The id part's span: quoted scalars start one byte later.
            let quote = usize::from(self.text[entry.span.clone()].starts_with(['"', '\'']));
            let id_start = entry.span.start + quote;
            let id_span = id_start..id_start + id.len();
            let req = match req.map(semver::VersionReq::parse) {
                None => None,
                Some(Ok(r)) => Some(r),
                Some(Err(e)) => {
                    let d = self
                        .diag(
                            &rules::DEPENDENCY_VERSION,
                            entry.span.clone(),
                            format!("invalid version requirement in `{}`: {e}", entry.value),
                        )
                        .help("write `id@^1.0`, `id@>=1.2, <2` or just `id`");
                    self.push(d);
                    continue;
                }
            };
            out.push(Dependency { id: id.to_owned(), req, span: entry.span, id_span });
        }
        out
    }

    fn permissions(&mut self, root: &Node, catalog: &Catalog) -> Vec<Permission> {
        let Some(items) = self.list(root, "permissions") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let Some(entry) = self.string_value(item, "permissions") else {
                continue;
            };
            let Some((resource, action)) = entry.value.split_once(':') else {
                let d = self
                    .diag(
                        &rules::INVALID_PERMISSION,
                        entry.span.clone(),
                        format!("permission `{}` is not `resource:action`", entry.value),
                    )
                    .help("write e.g. `brief:create` or `client:read`");
                self.push(d);
                continue;
            };
            let lower = (resource.to_lowercase(), action.to_lowercase());
            let Some(parsed_action) = Action::parse(action) else {
                let mut d = self
                    .diag(
                        &rules::INVALID_PERMISSION,
                        entry.span.clone(),
                        format!("unknown action `{action}` in permission `{}`", entry.value),
                    )
                    .label("expected read, create, update, delete or execute");
                if let Some(a) = Action::parse(&lower.1) {
                    d = self.case_fix(d, &entry, &format!("{}:{}", lower.0, a.as_str()));
                } else if let Some(m) = did_you_mean(action, Action::ALL.iter().map(|a| a.as_str())) {
                    d = d.help(format!("did you mean `{resource}:{m}`?"));
                }
                self.push(d);
                continue;
            };
            if !is_snake_case(resource) {
                let mut d = self.diag(
                    &rules::INVALID_PERMISSION,
                    entry.span.clone(),
                    format!("resource `{resource}` is not snake_case"),
                );
                if is_snake_case(&lower.0) {
                    d = self.case_fix(d, &entry, &format!("{}:{}", lower.0, parsed_action.as_str()));
                }
                self.push(d);
                continue;
            }
            if !catalog.grants_any(resource, parsed_action) {
                let mut d = self.diag(
                    &rules::UNKNOWN_PERMISSION,
                    entry.span.clone(),
                    format!("permission `{}` grants no known tool", entry.value),
                );
                if catalog.knows(resource) {
                    d = d.label(format!("`{resource}` has no `{action}` tool"));
                } else if let Some(m) = did_you_mean(resource, catalog.resources()) {
                    d = d.label("unknown resource").help(format!("did you mean `{m}:{action}`?"));
                } else {
                    d = d
                        .label("unknown resource")
                        .help("declare extra ERP entity types in `[erp] entities` of the config");
                }
                self.push(d);
            }
            out.push(Permission { resource: resource.to_owned(), action: parsed_action, span: entry.span });
        }
        out
    }

    /// Returns `metadata`: a mapping of strings, reporting anything else (SPEC §3).
    fn metadata(&mut self, root: &Node) -> Vec<(String, String)> {
        let Some(node) = root.get("metadata") else {
            return Vec::new();
        };
        let Some(entries) = node.as_map() else {
            if !matches!(node.value, Value::Null) {
                let d = self
                    .diag(
                        &rules::WRONG_TYPE,
                        node.span.clone(),
                        format!("`metadata` must be a mapping of strings, found {}", node.kind_name()),
                    )
                    .label("expected a mapping");
                self.push(d);
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in entries {
            let name = key.scalar_text().unwrap_or_default().into_owned();
            if let Value::Str { text, .. } = &value.value {
                out.push((name, text.clone()));
            } else {
                let d = self
                    .diag(
                        &rules::WRONG_TYPE,
                        value.span.clone(),
                        format!("`metadata.{name}` must be a string, found {}", value.kind_name()),
                    )
                    .label("expected a string")
                    .help("quote the value: metadata holds strings only");
                self.push(d);
            }
        }
        out
    }

    /// Returns a list of strings, reporting items that are not strings.
    fn string_list(&mut self, root: &Node, key: &str) -> Vec<String> {
        let Some(items) = self.list(root, key) else {
            return Vec::new();
        };
        items.iter().filter_map(|n| self.string_value(n, key)).map(|s| s.value).collect()
    }

    fn case_fix(&self, d: Diagnostic, entry: &Spanned<String>, fixed: &str) -> Diagnostic {
        let quote = usize::from(self.text[entry.span.clone()].starts_with(['"', '\'']));
        let range = entry.span.start + quote..entry.span.start + quote + entry.value.len();
        d.help(format!("write `{fixed}`")).fix(
            format!("replace permission `{}` with `{fixed}`", entry.value),
            vec![Edit { range, replacement: fixed.to_owned() }],
        )
    }

    fn limits(&mut self, root: &Node, project: &crate::config::LimitsConfig) -> (SkillLimits, Option<Range<usize>>) {
        let mut limits = SkillLimits::default();
        let Some(node) = root.get("limits") else {
            return (limits, None);
        };
        if node.as_map().is_none() {
            let d = self.diag(
                &rules::WRONG_TYPE,
                node.span.clone(),
                format!("`limits` must be a mapping, found {}", node.kind_name()),
            );
            self.push(d);
            return (limits, None);
        }
        self.check_keys(node, LIMIT_KEYS, "`limits`");
        limits.max_turns = self.limit_u64(node, "max_turns", u64::from(project.max_turns)).map(|v| v as u32);
        limits.max_wall_secs = self.limit_u64(node, "max_wall_secs", project.max_wall_secs);
        limits.max_output_tokens = self.limit_u64(node, "max_output_tokens", project.max_output_tokens);
        if let Some(cost) = node.get("max_cost_usd") {
            match cost.value {
                Value::Int(i) if i >= 0 => limits.max_cost_usd = Some(i as f64),
                Value::Float(f) if f >= 0.0 => limits.max_cost_usd = Some(f),
                _ => {
                    let d = self.diag(
                        &rules::WRONG_TYPE,
                        cost.span.clone(),
                        "`max_cost_usd` must be a non-negative number",
                    );
                    self.push(d);
                }
            }
            if let Some(c) = limits.max_cost_usd.filter(|c| *c > project.max_cost_usd) {
                let d = self.diag(
                    &rules::LOOSENED_LIMIT,
                    cost.span.clone(),
                    format!("`max_cost_usd: {c}` is above the project's limit of {}", project.max_cost_usd),
                );
                self.push(d);
            }
        }
        if let Some(tiers) = node.get("tier_calls") {
            self.check_keys(tiers, TIER_KEYS, "`limits.tier_calls`");
            let t = project.tier_calls;
            limits.t1 = self.limit_u64(tiers, "t1", u64::from(t.t1)).map(|v| v as u32);
            limits.t2 = self.limit_u64(tiers, "t2", u64::from(t.t2)).map(|v| v as u32);
            limits.t3 = self.limit_u64(tiers, "t3", u64::from(t.t3)).map(|v| v as u32);
        }
        (limits, Some(node.span.clone()))
    }

    fn limit_u64(&mut self, map: &Node, key: &str, project: u64) -> Option<u64> {
        let node = map.get(key)?;
        let Value::Int(v) = node.value else {
            let d = self.diag(
                &rules::WRONG_TYPE,
                node.span.clone(),
                format!("`{key}` must be a whole number, found {}", node.kind_name()),
            );
            self.push(d);
            return None;
        };
        let Ok(v) = u64::try_from(v) else {
            let d = self.diag(&rules::WRONG_TYPE, node.span.clone(), format!("`{key}` must not be negative"));
            self.push(d);
            return None;
        };
        if v > project {
            let d = self
                .diag(
                    &rules::LOOSENED_LIMIT,
                    node.span.clone(),
                    format!("`{key}: {v}` is above the project's limit of {project}"),
                )
                .label("a skill may only tighten limits");
            self.push(d);
            return Some(project);
        }
        Some(v)
    }

    fn body_rules(&mut self, body: &body::Body, body_start: usize) {
        let anchor = self.open.clone();
        let at = if body_start < self.text.len() { body_start..self.char_end(body_start) } else { anchor };
        if body.purpose.as_ref().is_none_or(|p| p.trim().is_empty()) {
            let d = self
                .diag(&rules::MISSING_SECTION, at.clone(), "the body has no `## Purpose` section (or it is empty)")
                .help("add `## Purpose` with a paragraph on why this skill exists");
            self.push(d);
        }
        match &body.process {
            None => {
                let d = self
                    .diag(&rules::MISSING_SECTION, at, "the body has no `## Process` section")
                    .help("add `## Process` with an ordered list of steps: `1. …`");
                self.push(d);
            }
            Some(steps) if steps.is_empty() => {
                let start = self.text[body_start..].find("## Process").map_or(body_start, |i| body_start + i);
                let d = self
                    .diag(
                        &rules::EMPTY_PROCESS,
                        start..start + "## Process".len().min(self.text.len() - start),
                        "`## Process` has no ordered list of steps",
                    )
                    .help("list the steps as `1. …`, `2. …`");
                self.push(d);
            }
            Some(_) => {}
        }
    }

    fn persona(&mut self, root: &Node, body_range: Range<usize>, source_hash: String) -> Option<Persona> {
        self.check_keys(root, PERSONA_KEYS, "the persona frontmatter");
        let id = self.id(root, "persona");
        self.kind(root, "persona");
        let name = self.required_str(root, "name", "the frontmatter");
        let model = self.optional_str(root, "model");
        let description = self.optional_str(root, "description");
        let allowed_skills = match root.get("allowed_skills") {
            None => {
                let d = self.diag(
                    &rules::MISSING_FIELD,
                    self.open.clone(),
                    "missing required key `allowed_skills` in the frontmatter",
                );
                self.push(d);
                Vec::new()
            }
            Some(_) => self
                .list(root, "allowed_skills")
                .unwrap_or_default()
                .iter()
                .filter_map(|n| self.string_value(n, "allowed_skills"))
                .collect(),
        };
        let prompt = self.text[body_range.clone()].trim().to_owned();
        if prompt.is_empty() {
            let at = self.open.clone();
            let d = self.diag(&rules::MISSING_SECTION, at, "the persona has no body: the body is its system prompt");
            self.push(d);
        }
        let id = id?;
        Some(Persona {
            path: self.file.to_owned(),
            name: name.map_or_else(|| id.value.clone(), |n| n.value),
            id,
            allowed_skills,
            model,
            description,
            prompt,
            source_hash,
        })
    }

    fn secrets(&mut self) {
        for secret in crate::lint::secrets::scan(self.text) {
            let shown = crate::lint::secrets::redact(&self.text[secret.range.clone()]);
            let d = self
                .diag(&rules::SECRET, secret.range.clone(), format!("this looks like {}: {shown}", secret.kind))
                .label("possible secret")
                .help("remove it from the file, rotate it, and read it from an environment variable");
            self.push(d);
        }
    }
}

/// Suggests a full version for a short one: `1.0` → `1.0.0`, `2` → `2.0.0`.
fn suggest_version(text: &str) -> String {
    let parts: Vec<&str> = text.split('.').collect();
    match parts.len() {
        1 => format!("{text}.0.0"),
        2 => format!("{text}.0"),
        _ => "1.0.0".to_owned(),
    }
}

/// Validates a cron expression of five fields (or six, with seconds).
pub fn validate_cron(expr: &str) -> Result<(), String> {
    // Projects repeat a few schedules across many skills; parsing one is costly, so each distinct
    // expression is checked once per process (the memo stops growing at a bound).
    static SEEN: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, Result<(), String>>>> =
        std::sync::LazyLock::new(Default::default);
    if let Some(result) = SEEN.lock().ok().and_then(|seen| seen.get(expr).cloned()) {
        return result;
    }
    let result = parse_cron(expr);
    if let Ok(mut seen) = SEEN.lock()
        && seen.len() < 4096
    {
        seen.insert(expr.to_owned(), result.clone());
    }
    result
}

fn parse_cron(expr: &str) -> Result<(), String> {
    let fields = expr.split_whitespace().count();
    if !(5..=6).contains(&fields) {
        return Err(format!("expected 5 fields, found {fields}"));
    }
    let seconds = if fields == 6 { croner::parser::Seconds::Required } else { croner::parser::Seconds::Disallowed };
    croner::parser::CronParser::builder().seconds(seconds).build().parse(expr).map(|_| ()).map_err(|e| e.to_string())
}

/// Checks that a YAML value fits a field type.
fn fits(node: &Node, ty: &FieldType) -> Result<(), String> {
    use super::model::BaseType;
    if ty.list {
        let Some(items) = node.as_seq() else {
            return Err(format!("expected a list, found {}", node.kind_name()));
        };
        let inner = FieldType { base: ty.base.clone(), list: false };
        return items.iter().try_for_each(|item| fits(item, &inner));
    }
    let ok = match (&ty.base, &node.value) {
        (BaseType::String, Value::Str { .. })
        | (BaseType::Number, Value::Int(_) | Value::Float(_))
        | (BaseType::Integer, Value::Int(_))
        | (BaseType::Boolean, Value::Bool(_))
        | (BaseType::Object | BaseType::Entity(_), Value::Map(_))
        | (BaseType::Array, Value::Seq(_)) => true,
        (BaseType::Date, Value::Str { text, .. }) => {
            return text
                .parse::<jiff::civil::Date>()
                .map(|_| ())
                .map_err(|_| format!("`{text}` is not a date (YYYY-MM-DD)"));
        }
        (BaseType::Datetime, Value::Str { text, .. }) => {
            return text
                .parse::<jiff::Timestamp>()
                .map(|_| ())
                .map_err(|_| format!("`{text}` is not an RFC 3339 date-time"));
        }
        _ => false,
    };
    if ok { Ok(()) } else { Err(format!("found {}", node.kind_name())) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn parse(text: &str) -> Parsed<Skill> {
        let src = SourceFile { path: "skills/a.md".into(), text: text.to_owned(), had_bom: false };
        skill_source(&src, Path::new("skills/a.md"), &ParseContext::new(&Config::default()))
    }

    fn codes(p: &Parsed<Skill>) -> Vec<&'static str> {
        p.diagnostics.iter().map(|d| d.rule.code).collect()
    }

    const GOOD: &str = "---\nid: a\ntype: skill\nversion: 1.0.0\nstatus: active\ncategory: briefs\ndescription: Does a.\ntriggers:\n  - event: manual_invoke\ninputs:\n  - name: request\n    type: string\n    required: true\noutputs:\n  - name: result\n    type: Brief\npermissions:\n  - brief:create\n---\n# A\n\n## Purpose\nDo a.\n\n## Process\n1. Step\n";

    #[test]
    fn a_good_skill_has_no_diagnostics() {
        let p = parse(GOOD);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let skill = p.item.unwrap();
        assert_eq!(skill.name, "A");
        assert!(skill.outputs[0].required);
        assert!(skill.inputs[0].required);
    }

    #[test]
    fn every_problem_is_reported_with_its_span() {
        let text = GOOD
            .replace("version: 1.0.0", "version: 1.0")
            .replace("status: active", "status: Active")
            .replace("type: string", "type: strin");
        let text = text.replace("  - brief:create", "  - brief:create\n  - brief:fly");
        let p = parse(&text);
        assert_eq!(codes(&p), vec!["AB017", "AB018", "AB023", "AB029"]);
        let version = &p.diagnostics[0];
        assert_eq!(&text[version.span.clone().unwrap()], "1.0");
        assert!(p.diagnostics[1].fix.is_some());
    }

    #[test]
    fn unknown_keys_suggest() {
        let p = parse(&GOOD.replace("category:", "categry:"));
        assert_eq!(codes(&p), vec!["AB010", "AB011"]);
        assert_eq!(p.diagnostics[0].help.as_deref(), Some("did you mean `category`?"));
    }

    #[test]
    fn defaults_must_fit() {
        let text = GOOD.replace("    required: true\n", "    enum: [low, high]\n    default: mid\n");
        assert_eq!(codes(&parse(&text)), vec!["AB024"]);
        let text = GOOD.replace(
            "    type: string\n    required: true\n",
            "    type: integer\n    required: true\n    default: 3\n",
        );
        assert_eq!(codes(&parse(&text)), vec!["AB025"]);
    }

    #[test]
    fn cron() {
        assert!(validate_cron("0 8 * * 1-5").is_ok());
        assert!(validate_cron("61 8 * * *").is_err());
        assert!(validate_cron("* *").is_err());
    }

    #[test]
    fn agent_skills_keys_are_kept_and_metadata_holds_strings_only() {
        let text = GOOD.replace(
            "permissions:",
            "license: MIT\ncompatibility: Python 3.12\nmetadata:\n  author: me\n  version: \"2\"\nallowed_tools:\n  - Read\npermissions:",
        );
        let p = parse(&text);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let skill = p.item.unwrap();
        assert_eq!(skill.license.as_deref(), Some("MIT"));
        assert_eq!(skill.compatibility.as_deref(), Some("Python 3.12"));
        assert_eq!(skill.metadata, vec![("author".into(), "me".into()), ("version".into(), "2".into())]);
        assert_eq!(skill.allowed_tools, vec!["Read".to_owned()]);
        let text = GOOD.replace("permissions:", "metadata:\n  version: 2\nallowed_tools: Read\npermissions:");
        let p = parse(&text);
        assert_eq!(codes(&p), vec!["AB012", "AB012"]);
        assert!(p.diagnostics[0].message.contains("`metadata.version` must be a string"), "{:?}", p.diagnostics);
    }

    #[test]
    fn loosened_limits() {
        let text = GOOD.replace("permissions:", "limits:\n  max_turns: 99\npermissions:");
        assert_eq!(codes(&parse(&text)), vec!["AB036"]);
    }
}
