//! The council's sensor rules, from `sensors.toml` in its configuration
//! directory (none when it has no such file: readings are stored and told
//! as events, and nothing more is done with them):
//!
//! ```toml
//! version = 1
//!
//! [collect_when_full]
//! service = "report-full-litter-bin"  # the service a full litter bin's case is made to
//! details = "details"                 # its text question the reading is written into
//! threshold = 80                      # percent full, unless a bin has its own
//! ```
//!
//! The service must ask for a place as a point, and `details` must be one
//! of its text questions; both are checked against the council's services
//! when the file is loaded, with the file and line of any mistake.

use serde::Deserialize;
use toml::Spanned;
use townhall_kernel::{read_file, ConfigError, Loading, Setup};
use townhall_services::{Catalogue, LocationKind, QuestionKind};
use townhall_types::{SourceError, SourceText};

/// What the council does with its sensors' readings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SensorRules {
    /// Litter bins past their threshold become cases, when set.
    pub collect_when_full: Option<CollectWhenFull>,
}

/// A litter bin past its fill threshold becomes a case of `service`.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectWhenFull {
    /// The service's id.
    pub service: String,
    /// Its location question (a point).
    pub location: String,
    /// Its text question the reading is written into.
    pub details: String,
    /// The fill level, in percent, at which a bin is emptied unless it has
    /// its own.
    pub threshold: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: Spanned<u32>,
    collect_when_full: Option<Spanned<FullEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FullEntry {
    service: Spanned<String>,
    details: Spanned<String>,
    threshold: Spanned<i64>,
}

impl SensorRules {
    /// Reads and checks `sensors.toml`'s text (`file` names it in errors)
    /// against the council's `services`.
    pub fn parse(file: &str, text: &str, services: &Catalogue) -> Result<Self, SourceError> {
        let source = SourceText::new(file, text);
        let parsed: File = toml::from_str(text)
            .map_err(|e| source.unreadable(e.span().map(|s| s.start), e.message()))?;
        source.version_one(*parsed.version.get_ref(), parsed.version.span().start)?;
        let Some(full) = parsed.collect_when_full else {
            return Ok(SensorRules::default());
        };
        let full = full.into_inner();
        let id = full.service.get_ref();
        let Some(service) = services.get(id) else {
            return Err(source.error(
                full.service.span().start,
                format!("there is no service '{id}'"),
            ));
        };
        let Some(location) = service
            .location_question()
            .filter(|q| q.accept.contains(&LocationKind::Point))
        else {
            return Err(source.error(
                full.service.span().start,
                format!("service '{id}' must ask for a place as a point (latitude and longitude)"),
            ));
        };
        let details = full.details.get_ref();
        if !service
            .question(details)
            .is_some_and(|q| matches!(q.kind, QuestionKind::Text | QuestionKind::LongText))
        {
            return Err(source.error(
                full.details.span().start,
                format!("'{details}' is not a text question of service '{id}'"),
            ));
        }
        if !service.guests {
            return Err(source.error(
                full.service.span().start,
                format!("service '{id}' must take reports without an account (guests = true): a sensor has none"),
            ));
        }
        if let Some(q) = service
            .questions
            .iter()
            .find(|q| q.required && q.id != location.id && q.id != *details)
        {
            return Err(source.error(
                full.service.span().start,
                format!(
                    "service '{id}' asks '{}', which a sensor cannot answer: make it optional (required = false)",
                    q.id
                ),
            ));
        }
        let threshold = *full.threshold.get_ref();
        let threshold = u8::try_from(threshold)
            .ok()
            .filter(|t| (1..=100).contains(t))
            .ok_or_else(|| {
                source.error(
                    full.threshold.span().start,
                    format!("threshold is a fill level from 1 to 100 percent, not {threshold}"),
                )
            })?;
        Ok(SensorRules {
            collect_when_full: Some(CollectWhenFull {
                service: id.clone(),
                location: location.id.clone(),
                details: details.clone(),
                threshold,
            }),
        })
    }
}

pub(crate) fn configure(setup: Setup<'_>) -> Loading<'_> {
    Box::pin(async move {
        let services: &Catalogue = setup.settings.require()?;
        let path = setup.dir.join("sensors.toml");
        let rules = if path.exists() {
            let text = read_file(&path)?;
            SensorRules::parse(&path.display().to_string(), &text, services)
                .map_err(ConfigError::new)?
        } else {
            SensorRules::default()
        };
        setup.settings.insert(rules)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services() -> Catalogue {
        townhall_services::demo::catalogue().unwrap()
    }

    #[test]
    fn the_demo_rules_read() {
        let rules = SensorRules::parse("sensors.toml", crate::demo::SENSORS, &services()).unwrap();
        let full = rules.collect_when_full.unwrap();
        assert_eq!(full.service, "report-full-litter-bin");
        assert_eq!(full.location, "where");
        assert_eq!(full.threshold, 80);
    }

    #[test]
    fn mistakes_are_reported_with_their_line() {
        let cases = [
            ("version = 2\n", "sensors.toml:1", "version 2 is not supported"),
            (
                "version = 1\n[collect_when_full]\nservice = \"nope\"\ndetails = \"details\"\nthreshold = 80\n",
                "sensors.toml:3",
                "no service 'nope'",
            ),
            (
                "version = 1\n[collect_when_full]\nservice = \"report-missed-bin\"\ndetails = \"details\"\nthreshold = 80\n",
                "sensors.toml:3",
                "as a point",
            ),
            (
                "version = 1\n[collect_when_full]\nservice = \"report-full-litter-bin\"\ndetails = \"where\"\nthreshold = 80\n",
                "sensors.toml:4",
                "not a text question",
            ),
            (
                "version = 1\n[collect_when_full]\nservice = \"report-full-litter-bin\"\ndetails = \"details\"\nthreshold = 101\n",
                "sensors.toml:5",
                "not 101",
            ),
            ("version = 1\nfull = true\n", "sensors.toml:2", "unknown field"),
            (
                "version = 1\n[collect_when_full]\nservice = \"report-pothole\"\ndetails = \"details\"\nthreshold = 80\n",
                "sensors.toml:3",
                "which a sensor cannot answer",
            ),

        ];
        for (text, at, what) in cases {
            let e = SensorRules::parse("sensors.toml", text, &services())
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(at) && e.contains(what), "{text}: {e}");
        }
        assert_eq!(
            SensorRules::parse("sensors.toml", "version = 1\n", &services()).unwrap(),
            SensorRules::default()
        );
        let (_, text) = townhall_services::demo::SERVICES
            .iter()
            .find(|(file, _)| *file == "report-full-litter-bin.toml")
            .unwrap();
        let members_only = townhall_services::parse(
            "report-full-litter-bin.toml",
            &text.replace("guests = true", "guests = false"),
            &townhall_places::Boundaries::default(),
        )
        .unwrap();
        let e = SensorRules::parse(
            "sensors.toml",
            crate::demo::SENSORS,
            &Catalogue::new(vec![members_only]),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("without an account"), "{e}");
    }
}
