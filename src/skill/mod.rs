//! Skills and personas: reading files, the YAML frontmatter with spans, the typed model, the
//! Markdown body, and the project-wide view (cross-file rules).

pub mod body;
pub mod bump;
pub mod model;
pub mod parse;
pub mod project;
pub mod source;
pub mod yaml;

pub use model::{Persona, Skill};
