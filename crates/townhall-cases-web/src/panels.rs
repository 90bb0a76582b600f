//! Cases' cards on a resident's dashboard: their requests and their permits.

use maud::html;
use townhall_identity::User;
use townhall_web::{layout, AppState, Drawing, Panel};

/// The resident's latest requests (first on the dashboard) and their
/// permits (second).
pub(crate) const PANELS: &[Panel] = &[
    Panel {
        rank: 10,
        draw: requests,
    },
    Panel {
        rank: 20,
        draw: permits,
    },
];

fn requests<'a>(state: &'a AppState, user: &'a User) -> Drawing<'a> {
    Box::pin(async move {
        let requests =
            townhall_cases::for_resident(state.store(), state.council().id, user.id, 10).await?;
        let services: &townhall_services::Catalogue = state.setting()?;
        let service_name = |id: &str| services.get(id).map_or(id.to_owned(), |s| s.name.clone());
        let status_label = |service: &str, status: &str| {
            services
                .get(service)
                .and_then(|s| s.workflow.status(status))
                .map_or(status.to_owned(), |st| st.label.clone())
        };
        Ok(html! {
            div class="card" {
                h2 { "Your requests" }
                @if requests.is_empty() {
                    (layout::empty("When you report a problem or ask for a service, such as a missed bin or a pothole, it will appear here with its progress."))
                } @else {
                    table {
                        caption class="visually-hidden" { "Your latest requests" }
                        thead { tr { th scope="col" { "Reference" } th scope="col" { "Request" } th scope="col" { "Status" } } }
                        tbody {
                            @for c in &requests {
                                tr {
                                    td { a href={ "/requests/" (c.reference) } { (c.reference) } }
                                    td { (service_name(&c.service)) }
                                    td { (status_label(&c.service, &c.status)) }
                                }
                            }
                        }
                    }
                }
                p { a href="/services" { "Report a problem or ask for a service" } }
            }
        })
    })
}

fn permits<'a>(state: &'a AppState, user: &'a User) -> Drawing<'a> {
    Box::pin(async move {
        let permits =
            townhall_cases::permits_for(state.store(), state.council().id, user.id).await?;
        let now = townhall_types::Timestamp::now();
        Ok(html! {
            div class="card" {
                h2 { "Your permits" }
                @if permits.is_empty() {
                    (layout::empty("Permits you hold, such as a resident parking permit, will appear here with the date they end. Applications appear under your requests."))
                } @else {
                    ul class="list" {
                        @for p in &permits {
                            li {
                                strong { (p.name) } " (" a href={ "/requests/" (p.reference) } { (p.reference) } "): "
                                @if p.valid_until > now { "valid until " (p.valid_until.human_date()) } @else { "ended " (p.valid_until.human_date()) }
                            }
                        }
                    }
                }
            }
        })
    })
}
