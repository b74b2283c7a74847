//! Skills and personas: reading files, the YAML frontmatter with spans, the typed model, the
//! Markdown body, and rewriting a version. The project-wide view is [`crate::workspace`].

pub mod body;
pub mod bump;
pub mod model;
pub mod parse;
pub mod scaffold;
pub mod source;
pub mod yaml;

pub use model::{Persona, Skill};
