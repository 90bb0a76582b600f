//! Consent receipts in the Kantara Initiative Consent Receipt v1.1 format.

use serde_json::{json, Value};
use townhall_store::{Store, StoreError};
use townhall_types::{CouncilId, Timestamp, UserId};

use crate::decision::{decide, DecisionRequest};
use crate::policy::{Default, LegalBasis, Policy};

/// A receipt of every purpose's current state for one resident, as of `at`.
pub async fn receipt(
    store: &Store,
    policy: &Policy,
    council: CouncilId,
    council_name: &str,
    resident: UserId,
    resident_email: &str,
    at: Timestamp,
) -> Result<Value, StoreError> {
    let mut services = Vec::new();
    for purpose in &policy.purposes {
        let mut purposes = Vec::new();
        for recipient_id in &purpose.recipients {
            let decision = decide(
                store,
                policy,
                &DecisionRequest {
                    council,
                    resident: Some(resident),
                    recipient: recipient_id,
                    purpose: &purpose.id,
                    fields: &[],
                    at,
                },
            )
            .await?;
            let recipient = policy.recipient(recipient_id);
            purposes.push(json!({
                "purpose": purpose.description,
                "purposeCategory": [purpose.title],
                "consentType": consent_type(purpose.default, purpose.legal_basis),
                "piiCategory": purpose.fields,
                "primaryPurpose": false,
                "termination": if decision.allow { decision.reason.clone() } else { format!("not shared: {}", decision.reason) },
                "thirdPartyDisclosure": decision.allow,
                "thirdPartyName": recipient.map(|r| r.name.clone()).unwrap_or_default(),
            }));
        }
        services.push(json!({"service": purpose.title, "purposes": purposes}));
    }
    Ok(json!({
        "version": "KI-CR-v1.1.0",
        "jurisdiction": "GB",
        "consentTimestamp": at.unix_seconds(),
        "collectionMethod": "Townhall consent settings page",
        "consentReceiptID": townhall_types::ConsentRecordId::new().to_string(),
        "language": "en",
        "piiPrincipalId": resident_email,
        "piiControllers": [{
            "piiController": council_name,
            "contact": "Data Protection Officer",
            "piiControllerUrl": policy.policy_url.clone().unwrap_or_default(),
        }],
        "policyUrl": policy.policy_url.clone().unwrap_or_default(),
        "services": services,
        "sensitive": policy.purposes.iter().any(|p| p.sensitive),
        "spiCat": policy.purposes.iter().filter(|p| p.sensitive).map(|p| p.title.clone()).collect::<Vec<_>>(),
    }))
}

fn consent_type(default: Default, basis: LegalBasis) -> String {
    match default {
        Default::OptIn => "EXPLICIT".to_owned(),
        Default::OptOut => "IMPLICIT".to_owned(),
        Default::RequiredByLaw => format!("NOT REQUIRED ({})", basis.label()),
    }
}
