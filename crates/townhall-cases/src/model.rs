//! What a case is: the request, where it is, who asked, where it went, and what
//! has happened to it since.

use serde::{Deserialize, Serialize};
use townhall_places::{Council, Whereabouts};
use townhall_services::{Answers, Service};
use townhall_types::{CaseId, EmailAddress, TeamId, Timestamp, UserId};

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Requester {
    /// A signed-in resident.
    Resident {
        /// Their account.
        id: UserId,
        /// Their name.
        name: String,
        /// Where updates go.
        email: EmailAddress,
    },
    /// Someone without an account (where the service allows guests).
    Guest {
        /// Their name, if they gave it.
        name: Option<String>,
        /// Where updates go, if they want them.
        email: Option<EmailAddress>,
        /// Their phone number, if they gave it.
        phone: Option<String>,
    },
}

/// How the request arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Channel {
    /// Through the council's own pages.
    Online,
    /// A member of staff filled it in for the resident (assisted digital).
    Assisted {
        /// The member of staff.
        staff: UserId,
        /// How they are shown, e.g. "Priya Shah, Caseworker, Customer Services".
        label: String,
    },
    /// Through the Open311 API, by an API client.
    Open311 {
        /// The client's name.
        client: String,
    },
    /// Raised by one of the council's sensors (a litter bin full).
    Sensor {
        /// The device's id.
        device: String,
    },
}

impl Channel {
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Assisted { .. } => "assisted",
            Channel::Open311 { .. } => "open311",
            Channel::Sensor { .. } => "sensor",
        }
    }
}

/// A location found in the gazetteer or given as a point, with its areas.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// The UPRN, when it is an address.
    pub uprn: Option<String>,
    /// The address on one line, when it is an address.
    pub address: Option<String>,
    /// WGS84 latitude.
    pub latitude: f64,
    /// WGS84 longitude.
    pub longitude: f64,
    /// Its ward, parish and zones.
    pub whereabouts: Whereabouts,
}

/// Where a case is, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseLocation {
    /// The UPRN, when it is an address.
    pub uprn: Option<String>,
    /// The address on one line.
    pub address: Option<String>,
    /// WGS84 latitude.
    pub latitude: f64,
    /// WGS84 longitude.
    pub longitude: f64,
    /// Its ward's code.
    pub ward: Option<String>,
    /// Its parish's code.
    pub parish: Option<String>,
}

/// How to reach the person who asked (personal data: read through
/// [`crate::open_as`] by anyone but them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// Name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
}

/// A case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Its id.
    pub id: CaseId,
    /// The reference people quote, e.g. `RIV-000042`.
    pub reference: String,
    /// The service it was made to.
    pub service: String,
    /// Its current status's id.
    pub status: String,
    /// Whether that status is a closed one.
    pub closed: bool,
    /// The resident's account, when they were signed in.
    pub resident: Option<UserId>,
    /// How to reach whoever asked.
    pub contact: Contact,
    /// The answers given.
    pub answers: Answers,
    /// Where it is.
    pub location: Option<CaseLocation>,
    /// The team it was routed to.
    pub team: TeamId,
    /// Why it went there.
    pub route_reason: String,
    /// The member of staff working on it.
    pub assignee: Option<UserId>,
    /// `online`, `assisted` or `open311`.
    pub channel: String,
    /// The member of staff who submitted it for the resident (assisted digital).
    pub submitted_by: Option<UserId>,
    /// The earlier case this one duplicates.
    pub duplicate_of: Option<CaseId>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// When it is due by the service's deadline.
    pub due_at: Timestamp,
}

impl Case {
    /// Whether it is open and past its deadline at `now`.
    pub fn overdue(&self, now: Timestamp) -> bool {
        !self.closed && self.due_at < now
    }
}

/// Who may read something that happened to a case. Writing to the person
/// who reported a case and publishing to everyone are separate choices: the
/// open feed (Open311) carries only what staff chose to publish.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// The council's staff only (an internal note): the default.
    #[default]
    Staff,
    /// Staff and the person who reported the case (and its followers).
    Reporter,
    /// Anyone: published in the open feed.
    Public,
}

impl Audience {
    /// The two flags it is stored as: the reporter sees it, it is published.
    pub(crate) fn flags(self) -> (bool, bool) {
        match self {
            Audience::Staff => (false, false),
            Audience::Reporter => (true, false),
            Audience::Public => (true, true),
        }
    }

    /// From the stored flags (published implies the reporter sees it).
    pub(crate) fn from_flags(reporter: bool, published: bool) -> Self {
        match (reporter, published) {
            (_, true) => Audience::Public,
            (true, false) => Audience::Reporter,
            (false, false) => Audience::Staff,
        }
    }
}

/// Something that happened to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseEvent {
    /// Its number in the case's history, from 1.
    pub seq: i64,
    /// `created`, `status`, `note` or `assigned`.
    pub kind: String,
    /// The status it moved to (status and created events).
    pub status: Option<String>,
    /// The note, if any.
    pub note: Option<String>,
    /// Who may read it.
    pub audience: Audience,
    /// Who did it, as shown to staff.
    pub actor: String,
    /// When.
    pub at: Timestamp,
}

/// Everything needed to make a case.
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    /// The council.
    pub council: &'a Council,
    /// The service.
    pub service: &'a Service,
    /// The checked answers.
    pub answers: Answers,
    /// The location, found from the answers' location question.
    pub location: Option<Location>,
    /// Who is asking.
    pub requester: Requester,
    /// How it arrived.
    pub channel: Channel,
    /// When.
    pub at: Timestamp,
}
