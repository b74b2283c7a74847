//! The tool catalog (SPEC §7): which tools a permission grants, their JSON input schemas and
//! their trust tiers. Compile writes these into artifacts; the runtime executes them.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::Tier;

/// What a permission allows on a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Read,
    Create,
    Update,
    Delete,
    Execute,
}

impl Action {
    /// Every action, in order.
    pub const ALL: [Action; 5] = [Action::Read, Action::Create, Action::Update, Action::Delete, Action::Execute];

    /// Parses an action name.
    pub fn parse(s: &str) -> Option<Action> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Returns the action's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Execute => "execute",
        }
    }
}

/// The ERP entity types every instance has, with their resource names.
pub const BUILTIN_ENTITIES: &[(&str, &str)] = &[
    ("Brief", "brief"),
    ("Client", "client"),
    ("Deal", "deal"),
    ("User", "user"),
    ("Deliverable", "deliverable"),
    ("FormTemplate", "form_template"),
    ("ContentTrigger", "content_trigger"),
    ("KnowledgeDocument", "knowledge"),
    ("Booking", "booking"),
    ("Invoice", "invoice"),
    ("Payment", "payment"),
];

/// Resources that move money or commit schedules: create, update and execute are T3.
const HIGH_STAKES: &[&str] = &["invoice", "payment", "booking"];

/// Resources with an `execute` tool.
const EXECUTABLE: &[&str] = &["invoice", "payment", "booking", "content_trigger", "agent_skill"];

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tool {
    pub name: String,
    pub description: String,
    pub tier: Tier,
    pub resource: String,
    pub action: Action,
    /// The ERP collection it works on (`briefs`, `form-templates`, `knowledge`).
    pub collection: String,
    pub input_schema: Value,
}

/// The resources known to a project: the built-in ones, `agent_skill`, and the config's
/// extra entity types.
#[derive(Debug, Clone)]
pub struct Catalog {
    resources: Vec<String>,
    tiers: BTreeMap<String, Tier>,
}

impl Catalog {
    /// Returns the catalog for a project's extra entity types and tier overrides.
    pub fn new(extra_entities: &[String], tiers: &BTreeMap<String, Tier>) -> Self {
        let mut resources: Vec<String> = BUILTIN_ENTITIES.iter().map(|(_, r)| (*r).to_owned()).collect();
        resources.push("agent_skill".to_owned());
        resources.extend(extra_entities.iter().map(|e| crate::text::to_snake_case(e)));
        resources.sort();
        resources.dedup();
        Self { resources, tiers: tiers.clone() }
    }

    /// Returns whether `resource` is a known resource.
    pub fn knows(&self, resource: &str) -> bool {
        self.resources.iter().any(|r| r == resource)
    }

    /// Returns the known resource names.
    pub fn resources(&self) -> impl Iterator<Item = &str> {
        self.resources.iter().map(String::as_str)
    }

    /// Returns whether a permission grants any tool, without building the tools.
    pub fn grants_any(&self, resource: &str, action: Action) -> bool {
        self.knows(resource) && (action != Action::Execute || EXECUTABLE.contains(&resource))
    }

    /// Returns the tools a permission grants (empty when it grants none).
    pub fn grants(&self, resource: &str, action: Action) -> Vec<Tool> {
        if !self.knows(resource) {
            return Vec::new();
        }
        let collection = collection_of(resource);
        let noun = resource.replace('_', " ");
        let ids = key_field(resource);
        let mut tools = Vec::new();
        let mut push = |name: String, description: String, schema: Value| {
            let tier = self.tiers.get(&name).copied().unwrap_or_else(|| default_tier(resource, action));
            tools.push(Tool {
                name,
                description,
                tier,
                resource: resource.to_owned(),
                action,
                collection: collection.clone(),
                input_schema: schema,
            });
        };
        match action {
            Action::Read => {
                push(
                    format!("erp_get_{resource}"),
                    format!("Get one {noun} of the current organization by {ids}."),
                    key_schema(ids),
                );
                push(
                    format!("erp_list_{}", collection.replace('-', "_")),
                    format!("List {noun} records of the current organization, optionally filtered by field values."),
                    list_schema(resource),
                );
            }
            Action::Create => push(
                format!("erp_create_{resource}"),
                format!("Create a {noun} in the current organization."),
                data_schema(None),
            ),
            Action::Update => push(
                format!("erp_update_{resource}"),
                format!("Update fields of a {noun} by {ids}; only the given fields change."),
                data_schema(Some(ids)),
            ),
            Action::Delete => {
                push(format!("erp_delete_{resource}"), format!("Delete a {noun} by {ids}."), key_schema(ids));
            }
            Action::Execute if EXECUTABLE.contains(&resource) => push(
                format!("erp_execute_{resource}"),
                format!("Execute a {noun} by {ids} (for example send, book or run it)."),
                json!({"type": "object", "properties": {ids: {"type": "string"}, "parameters": {"type": "object"}}, "required": [ids], "additionalProperties": false}),
            ),
            Action::Execute => {}
        }
        tools
    }

    /// Returns every tool any permission could grant, by name.
    pub fn all_tool_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .resources
            .iter()
            .flat_map(|r| Action::ALL.into_iter().flat_map(move |a| self.grants(r, a)))
            .map(|t| t.name)
            .collect();
        names.sort();
        names
    }
}

/// Returns the default tier of an action on a resource (SPEC §7).
pub fn default_tier(resource: &str, action: Action) -> Tier {
    match action {
        Action::Read => Tier::T1,
        Action::Delete => Tier::T3,
        Action::Create | Action::Update | Action::Execute if HIGH_STAKES.contains(&resource) => Tier::T3,
        Action::Create | Action::Update | Action::Execute => Tier::T2,
    }
}

/// Returns the ERP collection of a resource: plural kebab-case (`form_template` →
/// `form-templates`); `knowledge` is its own plural.
pub fn collection_of(resource: &str) -> String {
    let kebab = resource.replace('_', "-");
    match resource {
        "knowledge" => kebab,
        _ if kebab.ends_with('s') => format!("{kebab}es"),
        _ => format!("{kebab}s"),
    }
}

/// Returns the input field that names the record a tool acts on: `path` for knowledge
/// documents, `id` for everything else.
pub fn key_field(resource: &str) -> &'static str {
    if resource == "knowledge" { "path" } else { "id" }
}

/// Returns why a tool input's record id must not be sent (SPEC §6: an id is a single path
/// segment), or `None`. The ERP clients refuse such an id too (a 400 `invalid_id` that the
/// model gets as an error); a runtime may call this first to answer before any ERP call.
pub fn invalid_id_in(resource: &str, input: &Value) -> Option<String> {
    let key = key_field(resource);
    let id = input.get(key)?.as_str()?;
    // Knowledge paths hold `/` by design; they are sent as a query, never as a path segment.
    if key == "path" {
        return None;
    }
    crate::erp::check_id(id).err().map(|e| e.message)
}

fn key_schema(key: &str) -> Value {
    json!({"type": "object", "properties": {key: {"type": "string", "minLength": 1}}, "required": [key], "additionalProperties": false})
}

fn list_schema(resource: &str) -> Value {
    let mut properties = json!({
        "limit": {"type": "integer", "minimum": 1, "maximum": 100, "description": "Page size (default 20)."},
        "cursor": {"type": "string", "description": "The nextCursor of the previous page."},
        "filter": {"type": "object", "description": "Field values the records must equal.", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}
    });
    if resource == "knowledge" {
        properties["path_prefix"] =
            json!({"type": "string", "description": "Only documents whose path starts with this."});
    }
    json!({"type": "object", "properties": properties, "additionalProperties": false})
}

fn data_schema(key: Option<&str>) -> Value {
    let data = json!({"type": "object", "description": "The record's fields.", "minProperties": 1});
    match key {
        None => {
            json!({"type": "object", "properties": {"data": data}, "required": ["data"], "additionalProperties": false})
        }
        Some(key) => {
            json!({"type": "object", "properties": {key: {"type": "string", "minLength": 1}, "data": data}, "required": [key, "data"], "additionalProperties": false})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_any_agrees_with_grants() {
        let catalog = catalog();
        for resource in catalog.resources().chain(["spaceship"]) {
            for action in Action::ALL {
                assert_eq!(catalog.grants_any(resource, action), !catalog.grants(resource, action).is_empty());
            }
        }
    }

    fn catalog() -> Catalog {
        Catalog::new(&["Campaign".to_owned()], &BTreeMap::new())
    }

    #[test]
    fn permissions_grant_the_spec_tools() {
        let c = catalog();
        let names = |r, a| c.grants(r, a).into_iter().map(|t| t.name).collect::<Vec<_>>();
        assert_eq!(names("client", Action::Read), ["erp_get_client", "erp_list_clients"]);
        assert_eq!(names("brief", Action::Create), ["erp_create_brief"]);
        assert_eq!(names("brief", Action::Delete), ["erp_delete_brief"]);
        assert_eq!(names("knowledge", Action::Read), ["erp_get_knowledge", "erp_list_knowledge"]);
        assert_eq!(names("form_template", Action::Read)[1], "erp_list_form_templates");
        assert_eq!(names("campaign", Action::Update), ["erp_update_campaign"]);
        assert!(names("brief", Action::Execute).is_empty());
        assert!(names("spaceship", Action::Read).is_empty());
    }

    #[test]
    fn default_tiers_and_overrides() {
        assert_eq!(default_tier("client", Action::Read), Tier::T1);
        assert_eq!(default_tier("brief", Action::Create), Tier::T2);
        assert_eq!(default_tier("brief", Action::Delete), Tier::T3);
        assert_eq!(default_tier("invoice", Action::Create), Tier::T3);
        assert_eq!(default_tier("booking", Action::Execute), Tier::T3);
        let mut tiers = BTreeMap::new();
        tiers.insert("erp_create_brief".to_owned(), Tier::T3);
        let c = Catalog::new(&[], &tiers);
        assert_eq!(c.grants("brief", Action::Create)[0].tier, Tier::T3);
    }

    #[test]
    fn ids_that_are_not_one_path_segment_are_found() {
        for id in ["", ".", "..", "a/b", "a\u{0}b"] {
            let problem = invalid_id_in("client", &json!({"id": id})).unwrap();
            assert!(problem.contains("is not a record id"), "{problem}");
        }
        assert_eq!(invalid_id_in("client", &json!({"id": "c1"})), None);
        assert_eq!(invalid_id_in("knowledge", &json!({"path": "docs/a.md"})), None);
    }

    #[test]
    fn schemas_never_accept_an_org() {
        for tool in catalog().grants("brief", Action::Update) {
            assert_eq!(tool.input_schema["additionalProperties"], json!(false));
            assert!(tool.input_schema["properties"].get("organizationId").is_none());
        }
    }
}
