//! A report must be about a place in the council's area: a point in none of
//! its wards (Edinburgh, latitude and longitude swapped, the origin) is
//! refused on the page and over Open311, a point a few metres over the
//! border is accepted, and a council served by the same deployment that
//! covers the point is named.

use reqwest::StatusCode;
use serde_json::Value;
use townhall_testkit::{TestServer, EAST_WARD};

use crate::open311::api_key;

/// Open311 `POST requests` for a pothole at (lat, long): the status and body.
async fn pothole_over_open311(
    s: &TestServer,
    base: &str,
    key: &str,
    (lat, long): (f64, f64),
) -> (StatusCode, Value) {
    let (lat, long) = (lat.to_string(), long.to_string());
    let r = s
        .client()
        .post(format!("{base}open311/v2/requests.json"))
        .form(&[
            ("api_key", key),
            ("service_code", "report-pothole"),
            ("lat", &lat),
            ("long", &long),
            ("attribute[surface]", "road"),
        ])
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn a_place_outside_the_council_is_refused_and_one_over_the_border_is_not() {
    let s = TestServer::start().await;
    let key = api_key(&s, "app").await;
    let base = s.base.to_string();
    for (lat, long) in [(55.9533, -3.1883), (-3.1883, 55.9533), (0.0, 0.0)] {
        let (status, body) = pothole_over_open311(&s, &base, &key, (lat, long)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{lat}, {long}: {body}");
        assert_eq!(
            body[0]["description"], "lat/long: The place must be inside Testshire Council's area",
            "{lat}, {long}"
        );
    }
    // The ward's southern edge is latitude 52.0: 33 m south is still taken.
    let (status, body) = pothole_over_open311(&s, &base, &key, (51.9997, -0.95)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(s.count("cases").await, 1);

    // The page says the same, against the location question.
    let c = s.client();
    let r = s
        .submit(
            &c,
            "/services/report-pothole/start",
            "/services/report-pothole/submit",
            &[
                ("location-latitude", "55.9533"),
                ("location-longitude", "-3.1883"),
                ("surface", "road"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("href=\"#location\">The place must be inside Testshire Council&#39;s area")
            || page
                .contains("href=\"#location\">The place must be inside Testshire Council's area"),
        "{page}"
    );
    assert_eq!(s.count("cases").await, 1);
}

#[tokio::test]
async fn the_council_that_covers_the_place_is_named_when_it_is_served_here() {
    let s = TestServer::start_sites(
        &[
            ("testshire", "Testshire Council"),
            ("northshire", "Northshire Council"),
        ],
        20,
    )
    .await;
    let key = api_key(&s, "app").await;
    let (status, body) = pothole_over_open311(&s, &s.sites[0].url("/"), &key, EAST_WARD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body[0]["description"],
        format!(
            "lat/long: The place must be inside Testshire Council's area. \
             It is in Northshire Council's area: report it at {}",
            s.sites[1].url("/")
        )
    );
}
