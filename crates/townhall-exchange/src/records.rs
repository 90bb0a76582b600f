//! What the hub can serve: each record type and its fields, and which
//! fields are special-category data (UK GDPR Article 9(1)), which an
//! agreement may name only with an Article 9 condition. A field's name is
//! the one the council's consent policy uses for it.

use serde::Serialize;

/// A kind of special-category personal data (UK GDPR Article 9(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialCategory {
    /// Data concerning health, physical or mental.
    Health,
}

impl SpecialCategory {
    /// In words, for the public register and errors.
    pub fn label(self) -> &'static str {
        match self {
            SpecialCategory::Health => "data concerning health",
        }
    }
}

/// One field of a record type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Its name, e.g. `phone`.
    pub name: &'static str,
    /// How a partner's staff see it named, e.g. "Phone number".
    pub label: &'static str,
    /// What it holds, in words a resident reads ("your phone number").
    pub to_resident: &'static str,
    /// Whether, and which, special-category data it is.
    pub special: Option<SpecialCategory>,
}

/// A kind of record the hub exchanges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RecordType {
    /// Its name in agreements and the API, e.g. `person`.
    pub name: &'static str,
    /// How a partner's staff see it named, e.g. "Their details".
    pub title: &'static str,
    /// What it is.
    pub about: &'static str,
    /// Every field it has.
    pub fields: &'static [Field],
}

impl RecordType {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

const fn plain(name: &'static str, label: &'static str, to_resident: &'static str) -> Field {
    Field {
        name,
        label,
        to_resident,
        special: None,
    }
}

const fn health(name: &'static str, label: &'static str, to_resident: &'static str) -> Field {
    Field {
        name,
        label,
        to_resident,
        special: Some(SpecialCategory::Health),
    }
}

/// Every record type the hub exchanges.
pub const RECORD_TYPES: &[RecordType] = &[
    RecordType {
        name: "person",
        title: "Their details",
        about: "a resident as the council knows them: who they are and how to reach them",
        fields: &[
            plain("name", "Name", "your name"),
            plain("date_of_birth", "Date of birth", "your date of birth"),
            plain("address", "Address", "your address"),
            plain("phone", "Phone number", "your phone number"),
            plain("email", "Email address", "your email address"),
        ],
    },
    RecordType {
        name: "wellbeing_concern",
        title: "Wellbeing concern",
        about: "why council services think someone may need help",
        fields: &[health(
            "reason_for_concern",
            "Reason for concern",
            "why the council thought you might need help",
        )],
    },
    RecordType {
        name: "care_needs",
        title: "Care needs",
        about: "adult social care's record of a person's needs",
        fields: &[
            health("mobility_need", "Mobility needs", "your mobility needs"),
            health("care_package", "Care package", "the care you receive"),
        ],
    },
    RecordType {
        name: "housing",
        title: "Housing",
        about: "a person's housing situation",
        fields: &[plain(
            "housing_situation",
            "Housing situation",
            "your housing situation",
        )],
    },
    RecordType {
        name: "appointments",
        title: "Missed appointments",
        about: "a GP practice's or NHS trust's note of the appointments a person missed",
        fields: &[health(
            "missed_appointments",
            "Appointments missed",
            "how many appointments you missed",
        )],
    },
    RecordType {
        name: "school_attendance",
        title: "School attendance",
        about: "a school's record of a pupil's attendance",
        fields: &[plain(
            "attendance_percent",
            "School attendance (%)",
            "your child's school attendance",
        )],
    },
    RecordType {
        name: "family",
        title: "Family",
        about: "a family's household and the services working with it",
        fields: &[
            plain("household", "Household", "who lives in your household"),
            plain(
                "services_involved",
                "Services involved",
                "which services work with your family",
            ),
        ],
    },
];

/// The record type called `name`.
pub fn record_type(name: &str) -> Option<&'static RecordType> {
    RECORD_TYPES.iter().find(|r| r.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_health_fields_are_special() {
        let mut fields: Vec<&str> = RECORD_TYPES
            .iter()
            .flat_map(|r| r.fields.iter().map(|f| f.name))
            .collect();
        let all = fields.len();
        fields.sort_unstable();
        fields.dedup();
        assert_eq!(fields.len(), all, "a field belongs to one record type");
        assert_eq!(
            record_type("care_needs")
                .and_then(|r| r.field("mobility_need"))
                .and_then(|f| f.special),
            Some(SpecialCategory::Health)
        );
        assert_eq!(
            record_type("person")
                .and_then(|r| r.field("phone"))
                .and_then(|f| f.special),
            None
        );
        assert!(record_type("nhs_records").is_none());
    }
}
