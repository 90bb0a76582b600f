//! Which ward and parish a point is in: point-in-polygon over the council's
//! GeoJSON boundaries, held in memory (a council has tens of areas, not millions).

use geo::{Closest, ClosestPoint, Contains, Distance, Haversine, MultiPolygon, Point};
use serde::Serialize;
use townhall_store::{sql, Store, StoreError};
use townhall_types::CouncilId;

use crate::AreaKind;

/// How far outside every ward a point may lie and still count as inside the
/// council's area, in metres: a road on the border, or a phone's position a
/// little off (GPS fixes in towns are commonly 5–30 m out). It is then placed
/// in the nearest ward.
pub const BORDER_TOLERANCE_METRES: f64 = 50.0;

/// A ward or parish, without its boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaRef {
    /// Its code, e.g. `W03`.
    pub code: String,
    /// Its name.
    pub name: String,
}

/// Where a point falls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Whereabouts {
    /// The ward, if the point is inside the council's area.
    pub ward: Option<AreaRef>,
    /// The parish, if the point is in a parished area.
    pub parish: Option<AreaRef>,
    /// The controlled parking zones it is in.
    pub zones: Vec<AreaRef>,
}

/// A council's wards and parishes, ready for look-ups.
#[derive(Debug, Clone, Default)]
pub struct Boundaries {
    areas: Vec<(AreaKind, AreaRef, MultiPolygon<f64>)>,
}

/// A stored boundary is not a GeoJSON polygon or multipolygon.
#[derive(Debug, thiserror::Error)]
pub enum BoundaryError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An area's boundary is not usable.
    #[error("area {code}: {message}")]
    Geometry {
        /// The area.
        code: String,
        /// What is wrong.
        message: String,
    },
}

impl Boundaries {
    /// Loads every area of `council`.
    pub async fn load(store: &Store, council: CouncilId) -> Result<Self, BoundaryError> {
        let rows: Vec<(String, String, String, String)> = sql::query_as(
            "SELECT code, kind, name, boundary FROM areas WHERE council_id = $1 ORDER BY code",
        )
        .bind(council.to_string())
        .fetch_all(store.reader())
        .await
        .map_err(StoreError::from)?;
        let mut areas = Vec::with_capacity(rows.len());
        for (code, kind, name, boundary) in rows {
            let kind = match kind.as_str() {
                "ward" => AreaKind::Ward,
                "parish" => AreaKind::Parish,
                "zone" => AreaKind::Zone,
                other => {
                    return Err(BoundaryError::Geometry {
                        code,
                        message: format!("unknown kind '{other}'"),
                    })
                }
            };
            let shape = multipolygon(&boundary).map_err(|message| BoundaryError::Geometry {
                code: code.clone(),
                message,
            })?;
            areas.push((kind, AreaRef { code, name }, shape));
        }
        Ok(Self { areas })
    }

    /// The ward and parish at a WGS84 point.
    pub fn at(&self, latitude: f64, longitude: f64) -> Whereabouts {
        let point = Point::new(longitude, latitude);
        let mut found = Whereabouts::default();
        for (kind, area, shape) in &self.areas {
            let slot = match kind {
                AreaKind::Ward => &mut found.ward,
                AreaKind::Parish => &mut found.parish,
                AreaKind::Zone => {
                    if shape.contains(&point) {
                        found.zones.push(area.clone());
                    }
                    continue;
                }
            };
            if slot.is_none() && shape.contains(&point) {
                *slot = Some(area.clone());
            }
        }
        if found.ward.is_none() {
            found.ward = self.nearest_ward(point, BORDER_TOLERANCE_METRES);
        }
        found
    }

    /// The ward nearest `point` within `metres` of it.
    fn nearest_ward(&self, point: Point<f64>, metres: f64) -> Option<AreaRef> {
        self.areas
            .iter()
            .filter(|(kind, _, _)| *kind == AreaKind::Ward)
            .filter_map(|(_, area, shape)| match shape.closest_point(&point) {
                Closest::Intersection(p) | Closest::SinglePoint(p) => {
                    Some((Haversine.distance(point, p), area))
                }
                Closest::Indeterminate => None,
            })
            .filter(|(d, _)| *d <= metres)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, area)| area.clone())
    }

    /// Whether the council's area is known (it has wards); without them no
    /// point can be told to be outside it.
    pub fn has_wards(&self) -> bool {
        self.areas
            .iter()
            .any(|(kind, _, _)| *kind == AreaKind::Ward)
    }

    /// Whether a point lies in the council's area: in a ward, or within
    /// [`BORDER_TOLERANCE_METRES`] of one. Any point when no wards are known.
    pub fn covers(&self, latitude: f64, longitude: f64) -> bool {
        !self.has_wards() || self.at(latitude, longitude).ward.is_some()
    }

    /// Whether the council has an area with this code and kind.
    pub fn has(&self, kind: AreaKind, code: &str) -> bool {
        self.areas
            .iter()
            .any(|(k, a, _)| *k == kind && a.code == code)
    }

    /// The areas of one kind, in code order.
    pub fn of_kind(&self, kind: AreaKind) -> impl Iterator<Item = &AreaRef> {
        self.areas
            .iter()
            .filter(move |(k, _, _)| *k == kind)
            .map(|(_, a, _)| a)
    }

    /// The outlines of the areas of one kind, for drawing a map: each of
    /// an area's polygons as its outer ring of (longitude, latitude) points.
    pub fn outlines(
        &self,
        kind: AreaKind,
    ) -> impl Iterator<Item = (&AreaRef, Vec<Vec<(f64, f64)>>)> {
        self.areas
            .iter()
            .filter(move |(k, _, _)| *k == kind)
            .map(|(_, a, shape)| {
                let rings = shape
                    .0
                    .iter()
                    .map(|polygon| {
                        polygon
                            .exterior()
                            .points()
                            .map(|p| (p.x(), p.y()))
                            .collect()
                    })
                    .collect();
                (a, rings)
            })
    }

    /// The area with this code.
    pub fn area(&self, code: &str) -> Option<&AreaRef> {
        self.areas
            .iter()
            .map(|(_, a, _)| a)
            .find(|a| a.code == code)
    }
}

fn multipolygon(text: &str) -> Result<MultiPolygon<f64>, String> {
    let geometry: geojson::Geometry = text.parse().map_err(|e| format!("{e}"))?;
    match geo::Geometry::<f64>::try_from(geometry).map_err(|e| format!("{e}"))? {
        geo::Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        geo::Geometry::MultiPolygon(m) => Ok(m),
        _ => Err("the boundary must be a Polygon or a MultiPolygon".to_owned()),
    }
}

/// The distance in metres between two WGS84 points, on a sphere.
pub fn distance_metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    Haversine.distance(Point::new(a.1, a.0), Point::new(b.1, b.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(
        code: &str,
        kind: AreaKind,
        x0: f64,
        y0: f64,
        size: f64,
    ) -> (AreaKind, AreaRef, MultiPolygon<f64>) {
        let text = format!(
            r#"{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}"#,
            x1 = x0 + size,
            y1 = y0 + size
        );
        (
            kind,
            AreaRef {
                code: code.into(),
                name: format!("Area {code}"),
            },
            multipolygon(&text).unwrap(),
        )
    }

    #[test]
    fn points_fall_in_their_ward_and_parish() {
        let b = Boundaries {
            areas: vec![
                square("W01", AreaKind::Ward, -1.0, 52.0, 0.1),
                square("W02", AreaKind::Ward, -0.9, 52.0, 0.1),
                square("P01", AreaKind::Parish, -0.9, 52.05, 0.05),
                square("Z1", AreaKind::Zone, -0.89, 52.06, 0.02),
            ],
        };
        let w = b.at(52.01, -0.95);
        assert_eq!(w.ward.unwrap().code, "W01");
        assert_eq!(w.parish, None);
        let w = b.at(52.07, -0.88);
        assert_eq!(w.ward.unwrap().code, "W02");
        assert_eq!(w.parish.unwrap().code, "P01");
        assert_eq!(w.zones[0].code, "Z1");
        assert_eq!(b.at(53.0, -0.95), Whereabouts::default());
    }

    #[test]
    fn a_point_just_over_the_border_is_inside_and_further_is_not() {
        let b = Boundaries {
            areas: vec![
                square("W01", AreaKind::Ward, -1.0, 52.0, 0.1),
                square("W02", AreaKind::Ward, -0.9, 52.0, 0.1),
            ],
        };
        // 0.0003 degrees of latitude is about 33 m; 0.0006 about 67 m.
        assert_eq!(b.at(51.9997, -0.95).ward.unwrap().code, "W01");
        assert!(b.covers(51.9997, -0.95));
        assert_eq!(b.at(52.1003, -0.85).ward.unwrap().code, "W02");
        assert!(!b.covers(51.9994, -0.95));
        // Edinburgh, the same swapped, and (0, 0).
        for (lat, lon) in [(55.9533, -3.1883), (-3.1883, 55.9533), (0.0, 0.0)] {
            assert!(!b.covers(lat, lon), "{lat}, {lon}");
        }
        assert!(Boundaries::default().covers(55.9533, -3.1883));
    }

    #[test]
    fn distances_are_in_metres() {
        // One thousandth of a degree of latitude is about 111 m.
        let d = distance_metres((52.0, -1.0), (52.001, -1.0));
        assert!((d - 111.2).abs() < 0.5, "{d}");
    }

    #[test]
    fn bad_boundaries_are_named() {
        assert!(multipolygon(r#"{"type":"Point","coordinates":[0,0]}"#)
            .unwrap_err()
            .contains("Polygon"));
        assert!(multipolygon("not json").is_err());
    }
}
