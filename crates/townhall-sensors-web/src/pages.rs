//! Staff's pages about the sensor network: an overview of every kind with
//! what was refused, and each kind on a map with its table.

use std::collections::HashMap;

use axum::extract::{Path, State};
use maud::{html, Markup};
use townhall_authz::Action;
use townhall_places::Boundaries;
use townhall_sensors::permissions::SensorNetwork;
use townhall_sensors::readings::{self, Stored};
use townhall_sensors::{device, Device, Kind, SensorRules};
use townhall_types::Timestamp;
use townhall_web::auth::Visitor;
use townhall_web::error::AppError;
use townhall_web::layout::{self, page};
use townhall_web::AppState;

use crate::map::{self, Mark};

/// How far back the bin lifts are counted.
const LIFT_DAYS: i64 = 14;

/// `GET /staff/sensors`.
pub async fn overview(State(state): State<AppState>, v: Visitor) -> Result<Markup, AppError> {
    v.staff_for(Action::Read, &SensorNetwork)?;
    let council = state.council().id;
    let devices = device::list(state.store(), council, None).await?;
    let refused = readings::refused(state.store(), council).await?;
    Ok(page(
        &v,
        &state.council().name,
        "Sensors",
        html! {
            h1 { "Sensors" }
            p { "The devices the council takes readings from, by kind. Readings arrive on the council's MQTT broker as SenML and are stored once each." }
            dl class="summary-list" {
                @for kind in Kind::ALL {
                    div class="summary-list__row" {
                        dt { a href={ "/staff/sensors/" (kind.as_str()) } { (plural(kind)) } }
                        dd { (devices.iter().filter(|d| d.kind == kind).count()) }
                    }
                }
            }
            h2 { "Readings refused" }
            @if refused.is_empty() {
                (layout::empty("No reading has been refused."))
            } @else {
                p { "Readings that came under a name no device is registered with, or that their device's kind does not make. Register a new device, or ask its owner to correct it." }
                div class="table-wrap" tabindex="0" role="region" aria-label="Readings refused" {
                    table {
                        caption class="visually-hidden" { "Readings refused, most recent first" }
                        thead { tr {
                            th scope="col" { "Sent as" }
                            th scope="col" { "Why" }
                            th scope="col" class="numeric" { "Readings" }
                            th scope="col" { "Latest" }
                        } }
                        tbody {
                            @for r in &refused {
                                tr {
                                    td { code { (r.name) } }
                                    td { (r.reason.label()) }
                                    td class="numeric" { (r.readings) }
                                    td { (r.last_at.human()) }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

fn plural(kind: Kind) -> &'static str {
    match kind {
        Kind::BinTag => "Bin tags",
        Kind::LitterBin => "Litter bins",
        Kind::AirQuality => "Air-quality monitors",
        Kind::Noise => "Noise monitors",
    }
}

/// `GET /staff/sensors/{kind}`.
pub async fn kind(
    State(state): State<AppState>,
    v: Visitor,
    Path(kind): Path<String>,
) -> Result<Markup, AppError> {
    v.staff_for(Action::Read, &SensorNetwork)?;
    let kind: Kind = kind.parse().map_err(|_| AppError::NotFound)?;
    let council = state.council().id;
    let content = match kind {
        Kind::BinTag => bin_tags(&state).await?,
        _ => {
            let devices = device::list(state.store(), council, Some(kind)).await?;
            let latest = readings::latest(state.store(), council).await?;
            let mut by_device: HashMap<&str, Vec<&Stored>> = HashMap::new();
            for r in &latest {
                by_device.entry(r.device.as_str()).or_default().push(r);
            }
            let threshold = state
                .setting::<SensorRules>()?
                .collect_when_full
                .as_ref()
                .map(|rule| rule.threshold);
            at_points(&state, kind, &devices, &by_device, threshold)?
        }
    };
    Ok(page(
        &v,
        &state.council().name,
        plural(kind),
        html! {
            a class="back-link" href="/staff/sensors" { "Sensors" }
            h1 { (plural(kind)) }
            (content)
        },
    ))
}

/// A device's anchor on the page: its id, which holds no space, as HTML
/// ids may hold anything else.
fn anchor(d: &Device) -> String {
    d.id.clone()
}

/// Whether a litter bin reads at or past its threshold.
fn full(d: &Device, latest: &[&Stored], threshold: Option<u8>) -> bool {
    let Some(limit) = d.threshold.or(threshold) else {
        return false;
    };
    latest
        .iter()
        .any(|r| r.measurement == "fill" && r.value >= f64::from(limit))
}

fn at_points(
    state: &AppState,
    kind: Kind,
    devices: &[Device],
    latest: &HashMap<&str, Vec<&Stored>>,
    threshold: Option<u8>,
) -> Result<Markup, AppError> {
    let boundaries: &Boundaries = state.setting()?;
    let none = Vec::new();
    let readings_of = |d: &Device| latest.get(d.id.as_str()).unwrap_or(&none);
    let anchors: Vec<String> = devices.iter().map(anchor).collect();
    let marks: Vec<Mark<'_>> = devices
        .iter()
        .zip(&anchors)
        .map(|(d, a)| {
            let alert = full(d, readings_of(d), threshold);
            Mark {
                anchor: a,
                title: if alert {
                    format!("{}: full", d.label)
                } else {
                    d.label.clone()
                },
                at: (d.latitude, d.longitude),
                alert,
            }
        })
        .collect();
    let alerts = marks.iter().filter(|m| m.alert).count();
    let label = format!(
        "Map of the council's wards with its {} {}{}. The table below lists them.",
        devices.len(),
        if devices.len() == 1 {
            kind.label().to_lowercase()
        } else {
            plural(kind).to_lowercase()
        },
        if kind == Kind::LitterBin {
            format!("; {alerts} full, marked in red with an exclamation mark")
        } else {
            String::new()
        }
    );
    let measures = kind.measures();
    Ok(html! {
        @if devices.is_empty() {
            (layout::empty("The council has registered none yet."))
        } @else {
            @if let Some(drawn) = map::draw(boundaries, &label, &marks) {
                figure class="sensor-map-figure" {
                    (drawn)
                    figcaption { (label) }
                }
            }
            div class="table-wrap" tabindex="0" role="region" aria-label=(plural(kind)) {
                table {
                    caption class="visually-hidden" { (plural(kind)) " and their latest readings" }
                    thead { tr {
                        th scope="col" { "Device" }
                        th scope="col" { "Ward" }
                        @for m in measures { th scope="col" class="numeric" { (m.label) " (" (m.unit) ")" } }
                        th scope="col" { "Latest reading" }
                        th scope="col" { "Owner" }
                    } }
                    tbody {
                        @for (d, a) in devices.iter().zip(&anchors) {
                            @let latest = readings_of(d);
                            tr id=(a) {
                                td {
                                    (d.label) br; span class="hint" { code { (d.id) } }
                                    @if full(d, latest, threshold) { " " strong class="tag tag--red" { "Full" } }
                                }
                                td { (ward_name(boundaries, d)) }
                                @for m in measures {
                                    td class="numeric" {
                                        @match latest.iter().find(|r| r.measurement == m.name) {
                                            Some(r) => (format_value(r.value)),
                                            None => "none",
                                        }
                                    }
                                }
                                td {
                                    @match latest.iter().map(|r| r.at).max() {
                                        Some(at) => (at.human()),
                                        None => "none yet",
                                    }
                                }
                                td { (d.owner) }
                            }
                        }
                    }
                }
            }
        }
    })
}

fn ward_name(boundaries: &Boundaries, d: &Device) -> String {
    d.ward
        .as_deref()
        .and_then(|code| boundaries.area(code))
        .map_or_else(|| "none".to_owned(), |w| w.name.clone())
}

/// A reading as people read it: whole numbers without a point.
fn format_value(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// Bin tags are at homes: the page counts what each round's vehicles
/// reported, never which home's bin was out.
async fn bin_tags(state: &AppState) -> Result<Markup, AppError> {
    let council = state.council().id;
    let tags = device::list(state.store(), council, Some(Kind::BinTag)).await?;
    let since =
        Timestamp::from_datetime(time::OffsetDateTime::now_utc() - time::Duration::days(LIFT_DAYS));
    let rounds = readings::lifts_by_round(state.store(), council, since).await?;
    Ok(html! {
        p { (tags.len()) " bins carry a tag the collection vehicles read as they lift them. Tags are at homes, so they are not drawn on a map, and this page counts lifts by round, never by home." }
        h2 { "Lifts reported in the last " (LIFT_DAYS) " days" }
        @if rounds.is_empty() {
            (layout::empty("No lifts have been reported in that time."))
        } @else {
            div class="table-wrap" tabindex="0" role="region" aria-label="Lifts by round" {
                table {
                    caption class="visually-hidden" { "Bin lifts by round, last " (LIFT_DAYS) " days" }
                    thead { tr {
                        th scope="col" { "Round" }
                        th scope="col" class="numeric" { "Lifted" }
                        th scope="col" class="numeric" { "Not presented" }
                    } }
                    tbody {
                        @for r in &rounds {
                            tr {
                                td { (r.round.as_deref().unwrap_or("Not given")) }
                                td class="numeric" { (r.lifted) }
                                td class="numeric" { (r.not_presented) }
                            }
                        }
                    }
                }
            }
        }
    })
}
