//! A map drawn on the server as SVG: the council's wards and a kind of
//! device's places, each a link to its row in the table below. It needs no
//! script and no tiles from elsewhere; the table says everything it shows.

use maud::{html, Markup};
use townhall_places::{AreaKind, Boundaries};

/// The map's width in SVG units; its height follows the council's shape.
const WIDTH: f64 = 800.0;

/// Something to mark on the map.
pub struct Mark<'a> {
    /// Where its row in the table is (`#…`).
    pub anchor: &'a str,
    /// What it is, for its tooltip and screen readers.
    pub title: String,
    /// Latitude and longitude.
    pub at: (f64, f64),
    /// Whether it needs attention (drawn filled).
    pub alert: bool,
}

/// Longitude and latitude to map units: an equirectangular projection,
/// east–west distances shrunk by the cosine of the middle latitude, which
/// over one council's few kilometres is as good as any.
struct Projection {
    west: f64,
    north: f64,
    scale_x: f64,
    scale_y: f64,
    height: f64,
}

impl Projection {
    fn fit(rings: &[Vec<(f64, f64)>]) -> Option<Self> {
        let points = rings.iter().flatten();
        let (mut west, mut east, mut south, mut north) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(lon, lat) in points {
            west = west.min(lon);
            east = east.max(lon);
            south = south.min(lat);
            north = north.max(lat);
        }
        if !(east > west && north > south) {
            return None;
        }
        let shrink = ((north + south) / 2.0).to_radians().cos();
        let scale_x = WIDTH / (east - west);
        let scale_y = scale_x / shrink.max(0.1);
        Some(Projection {
            west,
            north,
            scale_x,
            scale_y,
            height: (north - south) * scale_y,
        })
    }

    fn point(&self, (lon, lat): (f64, f64)) -> (f64, f64) {
        (
            (lon - self.west) * self.scale_x,
            (self.north - lat) * self.scale_y,
        )
    }
}

/// The map of `marks` over the council's wards, described by `label`; none
/// when the council has no wards to draw.
pub fn draw(boundaries: &Boundaries, label: &str, marks: &[Mark<'_>]) -> Option<Markup> {
    let wards: Vec<_> = boundaries.outlines(AreaKind::Ward).collect();
    let rings: Vec<Vec<(f64, f64)>> = wards.iter().flat_map(|(_, r)| r.clone()).collect();
    let p = Projection::fit(&rings)?;
    let margin = 12.0;
    let view = format!(
        "{} {} {} {}",
        -margin,
        -margin,
        WIDTH + 2.0 * margin,
        p.height + 2.0 * margin
    );
    let path = |ring: &[(f64, f64)]| {
        let mut d = String::with_capacity(ring.len() * 16);
        for (i, point) in ring.iter().enumerate() {
            let (x, y) = p.point(*point);
            d.push_str(&format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" }));
        }
        d.push('Z');
        d
    };
    Some(html! {
        svg class="sensor-map" viewBox=(view) role="group" aria-label=(label) xmlns="http://www.w3.org/2000/svg" {
            @for (ward, shapes) in &wards {
                g class="ward" {
                    title { (ward.name) }
                    @for ring in shapes {
                        path d=(path(ring)) fill="#f3f2f1" stroke="#505a5f" stroke-width="1.5" {}
                    }
                }
            }
            @for mark in marks {
                @let (x, y) = p.point((mark.at.1, mark.at.0));
                a href={ "#" (mark.anchor) } {
                    title { (mark.title) }
                    circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="9"
                        fill=(if mark.alert { "#d4351c" } else { "#ffffff" })
                        stroke=(if mark.alert { "#d4351c" } else { "#1d70b8" }) stroke-width="4" {}
                    @if mark.alert {
                        // An exclamation mark, so the alert is not told by colour alone.
                        path d=(format!("M{x:.1},{:.1}V{:.1}M{x:.1},{:.1}V{:.1}", y - 5.0, y + 1.0, y + 3.0, y + 5.0))
                            stroke="#ffffff" stroke-width="3" {}
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_projection_keeps_north_up_and_the_shape_true() {
        let square = vec![vec![(-1.0, 52.0), (-0.9, 52.0), (-0.9, 52.1), (-1.0, 52.1)]];
        let p = Projection::fit(&square).unwrap();
        assert_eq!(p.point((-1.0, 52.1)), (0.0, 0.0));
        let (x, y) = p.point((-0.9, 52.0));
        assert!((x - WIDTH).abs() < 1e-9);
        // At 52° a degree of longitude is about 0.62 of one of latitude.
        assert!((WIDTH / y - 0.6157).abs() < 0.01, "{}", WIDTH / y);
        assert!(Projection::fit(&[]).is_none());
        assert!(Projection::fit(&[vec![(0.0, 0.0)]]).is_none());
    }
}
