//! Staff: their role and team.

use townhall_store::{is_unique_violation, sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, TeamId};

use crate::accounts::{self, AccountError, NewAccount, User, UserKind};
use crate::decode_err;

/// What a member of staff may do is decided by their role (see `townhall-authz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Works cases for their team.
    Caseworker,
    /// Leads a team: everything a caseworker can, plus the team's assignments.
    TeamLeader,
    /// Oversees data protection: reads the audit log and consent records.
    DataProtectionOfficer,
    /// Runs the platform: accounts, teams, configuration.
    Administrator,
    /// Helps residents who cannot do things online (assisted digital): reads
    /// and acts for any resident who asks.
    CustomerServices,
}

impl Role {
    /// Every role, for forms and tests.
    pub const ALL: [Role; 5] = [
        Role::Caseworker,
        Role::TeamLeader,
        Role::DataProtectionOfficer,
        Role::Administrator,
        Role::CustomerServices,
    ];

    /// The stored and command-line name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Caseworker => "caseworker",
            Role::TeamLeader => "team_leader",
            Role::DataProtectionOfficer => "data_protection_officer",
            Role::Administrator => "administrator",
            Role::CustomerServices => "customer_services",
        }
    }

    /// How pages name the role.
    pub fn label(self) -> &'static str {
        match self {
            Role::Caseworker => "Caseworker",
            Role::TeamLeader => "Team leader",
            Role::DataProtectionOfficer => "Data protection officer",
            Role::Administrator => "Administrator",
            Role::CustomerServices => "Customer services adviser",
        }
    }

    /// Reads a stored or typed role name.
    pub fn parse(s: &str) -> Option<Self> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A team of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// Its id.
    pub id: TeamId,
    /// Its name, e.g. "Highways".
    pub name: String,
}

/// A member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    /// Their account.
    pub user: User,
    /// Their role.
    pub role: Role,
    /// Their team, if any.
    pub team: Option<Team>,
}

impl StaffMember {
    /// How the audit log and residents see them: "Priya Shah, Caseworker, Housing".
    pub fn label(&self) -> String {
        match &self.team {
            Some(t) => format!(
                "{}, {}, {}",
                self.user.display_name,
                self.role.label(),
                t.name
            ),
            None => format!("{}, {}", self.user.display_name, self.role.label()),
        }
    }
}

/// The names of the council's teams, in order.
pub async fn team_names(store: &Store, council: CouncilId) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> =
        sql::query_as("SELECT name FROM teams WHERE council_id = $1 ORDER BY name")
            .bind(council.to_string())
            .fetch_all(store.reader())
            .await?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

/// The team with this name.
pub async fn team_by_name(
    tx: &mut Tx,
    council: CouncilId,
    name: &str,
) -> Result<Option<Team>, StoreError> {
    let row: Option<(String,)> =
        sql::query_as("SELECT team_id FROM teams WHERE council_id = $1 AND name = $2")
            .bind(council.to_string())
            .bind(name)
            .fetch_optional(&mut **tx)
            .await?;
    row.map(|(id,)| {
        Ok(Team {
            id: id.parse().map_err(|_| decode_err("bad team id"))?,
            name: name.to_owned(),
        })
    })
    .transpose()
}

/// Creates a team, or returns the existing one with that name.
pub async fn ensure_team(tx: &mut Tx, council: CouncilId, name: &str) -> Result<Team, StoreError> {
    if let Some(team) = team_by_name(tx, council, name).await? {
        return Ok(team);
    }
    let team = Team {
        id: TeamId::new(),
        name: name.to_owned(),
    };
    sql::query("INSERT INTO teams (council_id, team_id, name) VALUES ($1, $2, $3)")
        .bind(council.to_string())
        .bind(team.id.to_string())
        .bind(name)
        .execute(&mut **tx)
        .await?;
    Ok(team)
}

/// Creates a staff account with a role and optional team.
pub async fn create(
    tx: &mut Tx,
    council: CouncilId,
    account: &NewAccount<'_>,
    role: Role,
    team: Option<&Team>,
) -> Result<StaffMember, AccountError> {
    let user = accounts::create(
        tx,
        council,
        &NewAccount {
            kind: UserKind::Staff,
            ..account.clone()
        },
    )
    .await?;
    sql::query("INSERT INTO staff (council_id, user_id, role, team_id) VALUES ($1, $2, $3, $4)")
        .bind(council.to_string())
        .bind(user.id.to_string())
        .bind(role.as_str())
        .bind(team.map(|t| t.id.to_string()))
        .execute(&mut **tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                AccountError::EmailTaken
            } else {
                StoreError::from(e).into()
            }
        })?;
    Ok(StaffMember {
        user,
        role,
        team: team.cloned(),
    })
}

/// The staff record for a signed-in staff account.
pub async fn get(store: &Store, user: &User) -> Result<Option<StaffMember>, StoreError> {
    let row: Option<(String, Option<String>, Option<String>)> = sql::query_as(
        "SELECT s.role, s.team_id, t.name FROM staff s \
         LEFT JOIN teams t ON t.council_id = s.council_id AND t.team_id = s.team_id \
         WHERE s.council_id = $1 AND s.user_id = $2",
    )
    .bind(user.council.to_string())
    .bind(user.id.to_string())
    .fetch_optional(store.reader())
    .await?;
    let Some((role, team_id, team_name)) = row else {
        return Ok(None);
    };
    let role = Role::parse(&role).ok_or_else(|| decode_err(format!("unknown role '{role}'")))?;
    let team = match (team_id, team_name) {
        (Some(id), Some(name)) => Some(Team {
            id: id.parse().map_err(|_| decode_err("bad team id"))?,
            name,
        }),
        _ => None,
    };
    Ok(Some(StaffMember {
        user: user.clone(),
        role,
        team,
    }))
}
