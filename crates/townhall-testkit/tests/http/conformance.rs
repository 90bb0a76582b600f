//! The API does what its OpenAPI document says: schemathesis (PyPI), a
//! property-based tester nobody here wrote, generates requests from the
//! document (valid ones and ones that break it, every undeclared method) and
//! checks each answer against it: no 5xx, only documented status codes,
//! content types and headers, bodies matching their schemas, valid input
//! accepted and invalid input refused, `Allow` on every 405. On both stores.

use townhall_testkit::{TestServer, TestStore};

/// Cases per operation: enough to reach every parameter, small enough that
/// both stores take under a minute together.
const EXAMPLES: u32 = 25;

#[tokio::test]
async fn the_api_answers_as_its_document_says() {
    for store in TestStore::each().await {
        let s = TestServer::start_on(store).await;
        let key = s
            .api_key(
                "Conformance tester",
                "open311:write consent:read events:read",
                None,
            )
            .await;
        // Events for the feed to give, so their shapes are checked too.
        let (status, _) = crate::open311::post_once(&s, &key, None, "Cars race past").await;
        assert!(status.is_success());
        let base = s.url("");
        let run =
            townhall_testkit::schemathesis::run(base.trim_end_matches('/'), &key, EXAMPLES).await;
        assert!(
            run.passed,
            "schemathesis found differences:\n{}",
            run.report
        );
    }
}
