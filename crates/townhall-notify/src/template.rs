//! Message templates with `((placeholders))`.

use std::collections::BTreeMap;

use serde::Deserialize;
use townhall_types::fill_placeholders;

use crate::message::Channel;

/// A message template.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Stable id, e.g. `verify-email`.
    pub id: String,
    /// Email, SMS or letter.
    pub channel: Channel,
    /// Email subject or letter heading (ignored for SMS).
    #[serde(default)]
    pub subject: String,
    /// The message.
    pub body: String,
}

/// A template could not be loaded or filled in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// No template has this id.
    #[error("there is no template '{0}'")]
    Unknown(String),
    /// Placeholders were left without a value.
    #[error("template '{template}' needs values for: {}", missing.join(", "))]
    Missing {
        /// The template.
        template: String,
        /// The placeholders with no value.
        missing: Vec<String>,
    },
    /// The template file has a mistake.
    #[error("templates file: {0}")]
    File(String),
}

/// The set of templates available.
#[derive(Debug, Clone)]
pub struct Templates(BTreeMap<String, Template>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplatesFile {
    templates: Vec<Template>,
}

impl Templates {
    /// The templates Townhall ships with.
    pub fn builtin() -> Self {
        Self::parse(include_str!("../templates.toml")).unwrap_or_else(|_| Self(BTreeMap::new()))
    }

    /// Reads a templates file.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let file: TemplatesFile =
            toml::from_str(text).map_err(|e| TemplateError::File(e.to_string()))?;
        let mut map = BTreeMap::new();
        for t in file.templates {
            if map.insert(t.id.clone(), t.clone()).is_some() {
                return Err(TemplateError::File(format!(
                    "template '{}' is declared twice",
                    t.id
                )));
            }
        }
        Ok(Self(map))
    }

    /// A template by id.
    pub fn get(&self, id: &str) -> Result<&Template, TemplateError> {
        self.0
            .get(id)
            .ok_or_else(|| TemplateError::Unknown(id.to_owned()))
    }
}

impl Template {
    /// Fills in the placeholders; every one must have a value.
    pub fn render(&self, values: &[(&str, &str)]) -> Result<(String, String), TemplateError> {
        let mut missing = Vec::new();
        let subject = fill_placeholders(&self.subject, values, &mut missing);
        let body = fill_placeholders(&self.body, values, &mut missing);
        if missing.is_empty() {
            Ok((subject, body))
        } else {
            missing.sort();
            missing.dedup();
            Err(TemplateError::Missing {
                template: self.id.clone(),
                missing,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_load() {
        let t = Templates::builtin();
        assert_eq!(t.get("verify-email").unwrap().channel, Channel::Email);
    }

    #[test]
    fn placeholders_are_filled_and_missing_ones_named() {
        let t = Template {
            id: "t".into(),
            channel: Channel::Sms,
            subject: String::new(),
            body: "Hi ((name)), your ref is ((ref)). ((name))!".into(),
        };
        let (_, body) = t.render(&[("name", "Lizzy"), ("ref", "RBC-1")]).unwrap();
        assert_eq!(body, "Hi Lizzy, your ref is RBC-1. Lizzy!");
        let err = t.render(&[("name", "Lizzy")]).unwrap_err();
        assert_eq!(
            err,
            TemplateError::Missing {
                template: "t".into(),
                missing: vec!["ref".into()]
            }
        );
    }
}
