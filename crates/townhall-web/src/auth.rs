//! Who is making the request, and the one place it is authorised.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use townhall_authz::{
    authorize, Action, Audience, PartnerStaff, Person, Principal, Protected, Staff, StaffRole,
    Verdict,
};
use townhall_identity::permissions::OwnAccount;
use townhall_identity::{PartnerRole, PartnerStaffMember, Role, StaffMember, User, UserKind};

use crate::csrf::CsrfToken;
use crate::error::AppError;
use crate::{cookies, AppState};

/// The person behind a request: signed in or not, with their form token.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// The resident signed in, if one is.
    pub user: Option<User>,
    /// The member of staff signed in, if one is.
    pub staff: Option<StaffMember>,
    /// The member of a partner organisation's staff signed in, if one is.
    pub partner: Option<PartnerStaffMember>,
    /// The form token every form on the page carries.
    pub csrf: String,
    /// The secret of the session cookie, if there is a session.
    pub session_token: Option<String>,
    /// The secret of this browser's device cookie, if it has one
    /// ([`townhall_identity::devices`]).
    pub device: Option<String>,
    /// Whether the page asked for is a sign-in page, where the header does
    /// not offer to sign in again.
    pub signing_in: bool,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.token.clone())
            .unwrap_or_default();
        let secure = state.site.secure();
        let token = cookies::get(&parts.headers, cookies::session_name(secure)).map(str::to_owned);
        let user = match &token {
            Some(t) => {
                townhall_identity::sessions::resolve(state.store(), state.council().id, t).await?
            }
            None => None,
        };
        let staff = match &user {
            Some(u) if u.kind == UserKind::Staff => {
                townhall_identity::staff::get(state.store(), u).await?
            }
            _ => None,
        };
        let partner = match &user {
            Some(u) if u.kind == UserKind::PartnerStaff => {
                townhall_identity::partner_staff::get(state.store(), u).await?
            }
            _ => None,
        };
        let device = cookies::get(&parts.headers, cookies::device_name(secure)).map(str::to_owned);
        Ok(Visitor {
            user,
            staff,
            partner,
            csrf,
            session_token: token,
            device,
            signing_in: matches!(
                parts.uri.path(),
                "/sign-in" | "/staff/sign-in" | "/partner/sign-in"
            ),
        })
    }
}

impl<'a> From<&'a Visitor> for crate::layout::Chrome<'a> {
    fn from(v: &'a Visitor) -> Self {
        use crate::layout::SignedIn;
        crate::layout::Chrome {
            signed_in: match (&v.user, &v.staff) {
                (Some(_), Some(_)) => Some(SignedIn::Staff),
                (Some(_), None) if v.partner.is_some() => Some(SignedIn::Partner),
                (Some(u), None) if u.kind == UserKind::Resident => Some(SignedIn::Resident),
                _ => None,
            },
            signing_in: v.signing_in,
            csrf: &v.csrf,
        }
    }
}

impl Visitor {
    /// The visitor as the authorisation rules see them.
    pub fn principal(&self) -> Principal {
        match (&self.user, &self.staff) {
            (Some(_), Some(s)) => Principal::Person(Person::Staff(Staff {
                id: s.user.id,
                role: match s.role {
                    Role::Caseworker => StaffRole::Caseworker,
                    Role::TeamLeader => StaffRole::TeamLeader,
                    Role::DataProtectionOfficer => StaffRole::DataProtectionOfficer,
                    Role::Administrator => StaffRole::Administrator,
                    Role::CustomerServices => StaffRole::CustomerServices,
                },
                team: s.team.as_ref().map(|t| t.id),
            })),
            (Some(u), None) if u.kind == UserKind::Resident => {
                Principal::Person(Person::Resident(u.id))
            }
            (Some(_), None) => match &self.partner {
                Some(p) => Principal::Person(Person::Partner(PartnerStaff {
                    id: p.user.id,
                    partner: p.partner.clone(),
                    role: match p.role {
                        PartnerRole::Practitioner => townhall_authz::PartnerRole::Practitioner,
                        PartnerRole::Manager => townhall_authz::PartnerRole::Manager,
                    },
                })),
                None => Principal::Anonymous,
            },
            _ => Principal::Anonymous,
        }
    }

    /// Asks the rules; an error response when the answer is no.
    pub fn require(&self, action: Action, resource: &dyn Protected) -> Result<(), AppError> {
        match authorize(&self.principal(), action, resource) {
            Verdict::Allow => Ok(()),
            Verdict::SignInRequired => Err(AppError::SignInRequired(resource.audience())),
            Verdict::Forbidden => Err(AppError::Forbidden),
        }
    }

    /// The signed-in resident, after checking they may use their own account area.
    pub fn resident(&self, action: Action) -> Result<&User, AppError> {
        let Some(user) = self.user.as_ref().filter(|u| u.kind == UserKind::Resident) else {
            return Err(match self.user {
                None => AppError::SignInRequired(Audience::Residents),
                Some(_) => AppError::Forbidden,
            });
        };
        self.require(action, &OwnAccount(user.id))?;
        Ok(user)
    }

    /// The signed-in member of a partner's staff, after checking they may
    /// use `resource`.
    /// `resource` is made for their organisation (for a visitor who is
    /// not a partner's, for none, which the rules refuse).
    pub fn partner_for<'v, P: Protected>(
        &'v self,
        action: Action,
        resource: impl FnOnce(&'v str) -> P,
    ) -> Result<&'v PartnerStaffMember, AppError> {
        let partner = self.partner.as_ref().map_or("", |p| p.partner.as_str());
        self.require(action, &resource(partner))?;
        self.partner.as_ref().ok_or(AppError::Forbidden)
    }

    /// The signed-in member of staff, after checking they may use `resource`.
    pub fn staff_for(
        &self,
        action: Action,
        resource: &dyn Protected,
    ) -> Result<&StaffMember, AppError> {
        self.require(action, resource)?;
        self.staff.as_ref().ok_or(AppError::Forbidden)
    }
}
