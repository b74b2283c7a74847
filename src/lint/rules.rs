//! The lint rules: a stable code, a name, a default level, a one-line summary, and the long
//! explanation shown by `agentb explain`.

use super::Level;

/// One lint rule.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable code, `AB001`….
    pub code: &'static str,
    /// Stable kebab-case name.
    pub name: &'static str,
    pub level: Level,
    /// One line saying what the rule checks.
    pub summary: &'static str,
    /// The long explanation: why it matters, an example, how to fix it.
    pub explanation: &'static str,
}

macro_rules! rules {
    ($( $ident:ident = $code:literal $name:literal $level:ident $summary:literal $explanation:literal ;)*) => {
        $( #[doc = $summary] pub static $ident: Rule = Rule { code: $code, name: $name, level: Level::$level, summary: $summary, explanation: $explanation }; )*
        /// Every rule, in code order.
        pub static ALL: &[&Rule] = &[ $( &$ident ),* ];
    };
}

rules! {
    EMPTY_FILE = "AB001" "empty-file" Error "the file is empty"
"An empty skill, persona or test file defines nothing, and agentb cannot tell what it was meant
to be. Delete the file, or give it frontmatter and a body:

    ---
    id: brief-creator
    type: skill
    version: 0.1.0
    ...
    ---
    # Brief Creator
";
    MISSING_FRONTMATTER = "AB002" "missing-frontmatter" Error "the file does not start with `---` YAML frontmatter"
"Skill and persona files start with YAML frontmatter between two `---` lines; the Markdown body
follows. The first line of the file must be exactly `---` (a UTF-8 byte order mark and CRLF line
endings are accepted).

    ---
    id: brief-creator
    ---
    # Brief Creator

Fix: add the frontmatter block at the very top of the file.
";
    UNTERMINATED_FRONTMATTER = "AB003" "unterminated-frontmatter" Error "the frontmatter has no closing `---` line"
"The frontmatter opened with `---` on the first line but no later line closes it, so agentb cannot
tell where the YAML ends and the Markdown body begins. Add a line with exactly `---` after the
last frontmatter key.
";
    YAML_SYNTAX = "AB004" "yaml-syntax" Error "the frontmatter is not valid YAML"
"The frontmatter could not be parsed as YAML. The diagnostic points at the line and column where
the parser stopped. Common causes: a tab used for indentation, an unclosed `[` or `\"`, a value
containing `: ` that needs quotes, or a key written twice in the same mapping.

    description: Drafts a brief: fast   # needs quotes because of `: `
    description: \"Drafts a brief: fast\"
";
    YAML_LIMITS = "AB005" "yaml-limits" Error "the frontmatter exceeds a resource limit (depth, aliases, size)"
"To stay fast and safe on untrusted input, agentb refuses frontmatter nested deeper than 32
levels, using more than 64 anchors or aliases, or holding more than 20,000 values. These limits
are checked on the event stream before anything is built, so an alias bomb (\"billion laughs\")
or a 10,000-deep nesting costs no memory. Real skills are far below them: flatten the structure
or remove the anchors.
";
    FILE_TOO_LARGE = "AB006" "file-too-large" Error "the file is larger than 1 MiB"
"Skill, persona and test files are refused above 1 MiB before they are read, so a stray
generated or binary file cannot exhaust memory. A skill's prompt should be far smaller (see
AB034, prompt-too-large); move reference material into ERP knowledge documents and read it with
`knowledge:read`.
";
    INVALID_UTF8 = "AB007" "invalid-utf8" Error "the file is not valid UTF-8"
"Skill files must be UTF-8. The diagnostic gives the line and column of the first byte that is
not valid UTF-8. Re-save the file as UTF-8 (most editors have an \"encoding\" option), or convert
it with `iconv -f latin1 -t utf-8`.
";
    BINARY_FILE = "AB008" "binary-file" Error "the file contains binary data"
"The file contains NUL bytes, so it is not a text file. Binary files do not belong in the skills
or personas folder; move or delete it.
";
    FRONTMATTER_NOT_MAPPING = "AB009" "frontmatter-not-mapping" Error "the frontmatter is not a YAML mapping"
"The frontmatter must be a YAML mapping of keys to values (`id: brief-creator`), not a list, a
single string or nothing.
";
    UNKNOWN_KEY = "AB010" "unknown-key" Error "a key that agentb does not know"
"Every key in a skill, persona, input, output or trigger is checked against the skill file format.
An unknown key is usually a typo, and silently ignoring it would drop what you meant to say, so
it is an error, with a \"did you mean\" suggestion when a known key is close.

    verison: 1.0.0   # error: unknown key `verison`; did you mean `version`?
";
    MISSING_FIELD = "AB011" "missing-field" Error "a required key is missing"
"Skills require `id`, `type`, `version`, `status`, `category` and `triggers`; personas require
`id`, `type`, `name` and `allowed_skills`; inputs and outputs require `name` and `type`; each
trigger needs `event` or `schedule`. A skill's description is recommended, not required (see
AB041, missing-description).
";
    WRONG_TYPE = "AB012" "wrong-type" Error "a value has the wrong YAML type"
"The value has the wrong shape: for example `triggers` must be a list, `required` a boolean,
`description` a string. Note that YAML reads unquoted `1.0` as a number and `yes`/`no` as strings
in YAML 1.2; quote values whose type matters.

    version: 1.0      # a number, not a version: write 1.0.0
    required: \"yes\"   # a string: write true
";
    INVALID_ID = "AB013" "invalid-id" Error "an id is not lowercase letters, digits and single hyphens"
"Skill and persona ids are 1 to 64 characters of lowercase ASCII letters, digits and single
hyphens, starting with a letter and not ending with a hyphen: `brief-creator`, `q3-report`.
They name files, ERP records and CLI arguments, so they must be stable and unambiguous.
";
    ID_MISMATCH = "AB014" "id-mismatch" Error "the id differs from the file name"
"A skill's `id` must equal its file stem: `skills/brief-creator.md` has `id: brief-creator`.
This keeps `agentb run brief-creator` and the file you edit obviously the same thing. Rename the
file or change the id.
";
    DUPLICATE_ID = "AB015" "duplicate-id" Error "two files define the same id"
"Ids are unique across the project: two skills (or two personas) with the same id would deploy
over each other. The diagnostic names both files.
";
    WRONG_KIND = "AB016" "wrong-kind" Error "`type` is not `skill` in a skill file or `persona` in a persona file"
"Files in the skills folder have `type: skill`; files in the personas folder have
`type: persona`. A mismatch usually means a file was put in the wrong folder.
";
    INVALID_VERSION = "AB017" "invalid-version" Error "`version` is not a full semantic version"
"`version` must be a full semantic version, MAJOR.MINOR.PATCH, such as `1.0.0` or `2.1.0-beta.1`.
`1.0` is not enough (and unquoted, YAML reads it as a number). Versions drive the interface diff,
`agentb version check` and rollbacks.
";
    INVALID_STATUS = "AB018" "invalid-status" Error "`status` is not draft, active, deprecated or disabled"
"A skill's `status` is one of `draft`, `active`, `deprecated` or `disabled`. Only `active` skills
are enabled when deployed.
";
    INVALID_TRIGGER = "AB019" "invalid-trigger" Error "a trigger is missing, malformed, or its event is not snake_case"
"A skill needs at least one trigger. Each trigger is either `{event: NAME}`, with NAME in
snake_case (`client_request_received`), or `{schedule: \"CRON\"}`, never both.

    triggers:
      - event: manual_invoke
      - schedule: \"0 8 * * 1-5\"
";
    INVALID_SCHEDULE = "AB020" "invalid-schedule" Error "a `schedule` trigger is not a valid cron expression"
"Schedules are cron expressions with five fields (minute hour day-of-month month day-of-week),
or six with seconds first. `0 8 * * 1-5` runs at 08:00 on weekdays. Quote the expression: a
leading `*` would otherwise be read as a YAML alias.
";
    INVALID_FIELD_NAME = "AB021" "invalid-field-name" Error "an input or output name is not snake_case"
"Input and output names are snake_case (`client_context`, `draft_brief`): they become JSON
property names the model must reproduce exactly. Renaming one changes the skill's interface
(callers and consumers use the name), so `--fix` leaves it to you; the diagnostic suggests the
snake_case spelling.
";
    DUPLICATE_FIELD_NAME = "AB022" "duplicate-field-name" Error "two inputs or two outputs have the same name"
"Names of inputs, and names of outputs, are unique within a skill; a second field of the same
name would silently replace the first in the JSON Schema.
";
    UNKNOWN_TYPE = "AB023" "unknown-type" Error "an input or output type is not a known type"
"Types are `string`, `number`, `integer`, `boolean`, `object`, `array`, `date`, `datetime`, an
ERP entity type (`Brief`, `Client`, `Deal`, `User`, `Deliverable`, `FormTemplate`,
`ContentTrigger`, `KnowledgeDocument`, plus the names in `[erp] entities` of the config), or any
of these followed by `[]` for a list: `string[]`, `Brief[]`.
";
    INVALID_DEFAULT = "AB024" "invalid-default" Error "a `default` or `enum` value does not fit the field's type"
"A `default` must have the field's type, and be one of the `enum` values when there are any; each
`enum` value must fit the type too. A default of the wrong type would fail validation the moment
it is used.

    - name: priority
      type: string
      enum: [low, normal, high]
      default: urgent          # error: not one of the enum values
";
    REQUIRED_WITH_DEFAULT = "AB025" "required-with-default" Warning "a required input also has a default"
"agentb fills in an input's `default` before it validates the input, so a required input that
has a default can never be missing: `required: true` promises callers something the default takes
back. Either make the input optional (it is still filled in), or drop the default so that callers
must give it.
";
    UNRESOLVED_DEPENDENCY = "AB026" "unresolved-dependency" Error "a dependency names no skill of the project"
"Every entry of `dependencies` must name a skill in this project, optionally with a semver
requirement: `resource-scanner` or `resource-scanner@^1.0`. `--fix` corrects the spelling when
exactly one skill matches after normalizing case and separators (`resource_scanner` →
`resource-scanner`).
";
    DEPENDENCY_VERSION = "AB027" "dependency-version-mismatch" Error "a dependency's version does not satisfy its requirement"
"`resource-scanner@^1.0` requires a version compatible with 1.0; if the project's
resource-scanner is 2.0.0 the requirement fails. Update the requirement, or the dependency.
";
    DEPENDENCY_CYCLE = "AB028" "dependency-cycle" Error "skills depend on each other in a cycle"
"Dependencies must form a tree: `a` depending on `b` depending on `a` can never be compiled or
deployed in order. The diagnostic lists the cycle.
";
    INVALID_PERMISSION = "AB029" "invalid-permission" Error "a permission is not `resource:action` with a known action"
"Permissions are `resource:action`, resource in snake_case and action one of `read`, `create`,
`update`, `delete` or `execute`: `brief:create`, `client:read`. They grant the tools the model
may call (SPEC §7).
";
    UNKNOWN_PERMISSION = "AB030" "unknown-permission" Warning "a permission grants no known tool"
"The permission is well formed but maps to no tool agentb knows: the resource is not a known ERP
entity (see `[erp] entities` in the config to declare more), or the action has no tool for that
resource (`execute` exists only for invoice, payment, booking, content_trigger and agent_skill).
The model would be granted nothing, which is almost always a typo.
";
    MISSING_SECTION = "AB031" "missing-section" Error "the body lacks a required section (`## Purpose`, `## Process`)"
"A skill body needs `## Purpose` (why the skill exists) and `## Process` (an ordered list of
steps). They become the core of the compiled system prompt. Persona bodies need some text: the
persona's system prompt.
";
    EMPTY_PROCESS = "AB032" "empty-process" Error "`## Process` has no ordered list of steps"
"The Process section must contain an ordered list (`1.`, `2.`, …) with at least one step: the
steps are rendered into the system prompt as the procedure the model follows.
";
    SECRET = "AB033" "secret-in-file" Error "a secret or API key appears to be pasted into the file"
"Skill files are committed and compiled into prompts sent to a model, so they must never hold
secrets. agentb looks for Anthropic keys (`sk-ant-…`), bearer tokens, private key blocks, common
cloud keys, and long high-entropy tokens assigned to something (`api_key = …`, `\"token\": …`) or
that the prose calls a key, token or secret. It does not cry wolf on URLs, file paths,
identifiers, hashes named as such (`sha256: …`, `commit …`) or base64 sample data in prose. The
diagnostic shows only the first characters of what it found. Remove the secret, rotate it, and
read it from an environment variable instead. In `.agentbuilder.toml`, an `api_key_env` or
`key_env` whose value looks like a key rather than the name of a variable is reported too (its
value is never shown).
";
    PROMPT_TOO_LARGE = "AB034" "prompt-too-large" Warning "the compiled prompt exceeds the token budget"
"The rendered system prompt (purpose, knowledge, process, error rules, outputs) is estimated at
about four characters per token and compared with `[lint] max_prompt_tokens` (default 8000).
Large prompts cost money on every turn and dilute the instructions; move reference material into
ERP knowledge documents.
";
    UNKNOWN_ALLOWED_SKILL = "AB035" "unknown-allowed-skill" Error "a persona allows a skill that does not exist"
"Every entry of a persona's `allowed_skills` must be the id of a skill in the project; `agentb run`
refuses skills a persona does not allow, so a typo here would lock the persona out.
";
    LOOSENED_LIMIT = "AB036" "loosened-limit" Error "a skill's `limits` loosen the project's limits"
"A skill may only tighten the circuit breakers of `[limits]` in the config: `max_turns`,
`max_wall_secs`, `max_cost_usd`, `max_output_tokens` and `tier_calls`. A larger value than the
project's would silently be capped, so it is reported.
";
    EMPTY_VALUE = "AB037" "empty-value" Error "a required text value is empty"
"`category`, `description`, a persona's `name` and similar values must not be empty strings or
only white space.
";
    INVALID_TEST_FILE = "AB038" "invalid-test-file" Error "a test file is malformed or names an unknown skill"
"`skills/<id>.test.yaml` holds `cases:`, each with a `name`, an `org`, an `input` and `expect`.
The file's `<id>` must be a skill of the project, and case names must be unique. Lint also checks
a case against its skill, as `agentb test` does before it runs anything: every tool an
expectation names must exist (and be granted, where the case expects it to be called), every
fixture collection must be reachable by one of the skill's tools, and a `persona` must exist.
";
    CONFIG = "AB039" "config" Warning "the config names a tool no skill can be granted"
"`[tiers]` and `[limits.tools]` in `.agentbuilder.toml` are keyed by tool names such as
`erp_create_brief`. A name that no permission can grant is probably a typo, and its override
would never apply.
";
    DEPENDS_ON_INACTIVE = "AB040" "depends-on-inactive" Warning "a skill depends on a deprecated or disabled skill"
"An active skill that depends on a `deprecated` or `disabled` skill will stop working when that
skill goes away. Move to its replacement.
";
    MISSING_DESCRIPTION = "AB041" "missing-description" Warning "a skill has no `description`"
"A one-sentence `description` tells a reader what the skill does without reading its body. It
is recommended, not required: the ERP's own skill files have none, and they must lint with no
error. The help line suggests the first sentence of `## Purpose`:

    description: Drafts a project brief from a client request.

agentb never invents one: without the key, the compiled artifact's `description` is empty and
the system prompt starts with the Purpose section. Adding it later is a patch-level change.
";
    ARTIFACT_TOO_LARGE = "AB042" "artifact-too-large" Error "the compiled artifact would not fit in an ERP record"
"An ERP stores each record in at most 1 MiB (1048576 bytes), and a deployed skill is one record:
the compiled artifact (system prompt, input and output schemas, tool definitions) plus the
inputs and outputs listed again. A skill whose record would be larger passes compile but every
deploy of it fails with 413, so lint reports it first, with the estimated size. Text that is
rendered several times (a field `description` is in the prompt, the input schema and the
record) counts each time. Move reference material into ERP knowledge documents and read it with
`knowledge:read`.
";
    NOT_A_FILE = "AB043" "not-a-file" Error "a path named like a skill or persona is not a regular file"
"Everything named `*.md` (or `*.test.yaml`) in the skills and personas folders is expected to be
a skill, persona or test file. A FIFO, a socket, a device, a directory or a dangling symbolic link
with such a name is reported and never opened for reading (opening a FIFO could block lint
forever). A symbolic link to a regular file is read like the file. Rename or remove the path.
";
    AGENT_SKILLS_LIMIT = "AB044" "agent-skills-limit" Error "a value is over a limit of the Agent Skills format"
"`agentb import` and `agentb export` convert to and from Anthropic's Agent Skills folders
(agentskills.io), whose `SKILL.md` frontmatter has limits agentb's own files do not: `name` at
most 64 characters, `description` at most 1024 characters and `compatibility` at most 500
(characters, not bytes). Import refuses a skill whose description is longer, and export refuses
to write one, because the official validator (`skills-ref`) and the agents that load skills
reject it. Shorten the description: keep what the skill does and when to use it, and move the
rest into the body.
";
}

/// Finds a rule by code (`AB012`, case-insensitive) or name (`unknown-key`).
pub fn find(key: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.code.eq_ignore_ascii_case(key) || r.name == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_ordered() {
        for pair in ALL.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} before {}", pair[0].code, pair[1].code);
        }
        let mut names: Vec<_> = ALL.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }

    #[test]
    fn find_by_code_or_name() {
        assert_eq!(find("ab010").unwrap().name, "unknown-key");
        assert_eq!(find("unknown-key").unwrap().code, "AB010");
        assert!(find("AB999").is_none());
    }
}
