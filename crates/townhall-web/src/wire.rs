//! Open311 documents, written once and sent as JSON or XML.
//!
//! GeoReport v2 gives every response in both formats with the same shape: a
//! list is a JSON array and, in XML, a root element holding one element per
//! item; an object is a JSON object and, in XML, one child element per field.
//!
//! This is the only XML writer. Text goes through
//! [`townhall_types::text::printable`] on its way in, so no character XML 1.0
//! forbids can reach a document, whatever was stored before the intake's rules.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use serde_json::{Map, Value};
use townhall_types::text::printable;

/// The format asked for by the path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `.json`.
    Json,
    /// `.xml`.
    Xml,
}

impl Format {
    /// Splits `services.json` into `services` and its format.
    pub fn split(path: &str) -> Option<(&str, Format)> {
        if let Some(stem) = path.strip_suffix(".json") {
            Some((stem, Format::Json))
        } else {
            path.strip_suffix(".xml").map(|stem| (stem, Format::Xml))
        }
    }

    /// Its `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// A value in a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Text, with the characters XML 1.0 forbids replaced when written as XML.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A number, e.g. a latitude.
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
    /// Absent: `null` in JSON, an empty element in XML.
    Null,
    /// Named fields, in order: an object in JSON, child elements in XML.
    Object(Vec<(&'static str, Node)>),
    /// Items, each written in XML as an element with this name.
    List(&'static str, Vec<Node>),
}

impl Node {
    /// Text.
    pub fn text(s: impl Into<String>) -> Node {
        Node::Text(s.into())
    }

    /// Text, or absent.
    pub fn optional(s: Option<impl Into<String>>) -> Node {
        s.map_or(Node::Null, |s| Node::Text(s.into()))
    }

    fn json(&self) -> Value {
        match self {
            Node::Text(s) => Value::String(s.clone()),
            Node::Integer(n) => Value::from(*n),
            Node::Number(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            Node::Bool(b) => Value::Bool(*b),
            Node::Null => Value::Null,
            Node::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.json()))
                    .collect::<Map<_, _>>(),
            ),
            Node::List(_, items) => Value::Array(items.iter().map(Node::json).collect()),
        }
    }

    fn xml(&self, w: &mut Writer<Vec<u8>>, name: &str) -> std::io::Result<()> {
        w.write_event(Event::Start(BytesStart::new(name)))?;
        match self {
            Node::Text(s) => w.write_event(Event::Text(BytesText::new(&printable(s))))?,
            Node::Integer(n) => w.write_event(Event::Text(BytesText::new(&n.to_string())))?,
            Node::Number(n) => w.write_event(Event::Text(BytesText::new(&n.to_string())))?,
            Node::Bool(b) => w.write_event(Event::Text(BytesText::new(&b.to_string())))?,
            Node::Null => {}
            Node::Object(fields) => {
                for (k, v) in fields {
                    v.xml(w, k)?;
                }
            }
            Node::List(item, items) => {
                for v in items {
                    v.xml(w, item)?;
                }
            }
        }
        w.write_event(Event::End(BytesEnd::new(name)))
    }
}

/// A whole response: the XML root's name and the content.
pub struct Document {
    /// The XML root element's name (JSON has none).
    pub root: &'static str,
    /// The content.
    pub body: Node,
}

impl Document {
    /// The document in `format`, as bytes.
    pub fn render(&self, format: Format) -> Vec<u8> {
        match format {
            Format::Json => self.body.json().to_string().into_bytes(),
            Format::Xml => {
                let mut w = Writer::new(Vec::new());
                let written = w
                    .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
                    .and_then(|()| self.body.xml(&mut w, self.root));
                // Writing to memory cannot fail.
                debug_assert!(written.is_ok());
                w.into_inner()
            }
        }
    }

    /// The response with `status`.
    pub fn respond(&self, format: Format, status: StatusCode) -> Response {
        (
            status,
            [(header::CONTENT_TYPE, format.content_type())],
            self.render(format),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Document {
        Document {
            root: "services",
            body: Node::List(
                "service",
                vec![Node::Object(vec![
                    ("service_code", Node::text("report-pothole")),
                    ("metadata", Node::Bool(true)),
                    ("description", Node::text("Holes & <ruts>")),
                    ("group", Node::Null),
                ])],
            ),
        }
    }

    #[test]
    fn json_is_an_array_of_objects() {
        let json: Value = serde_json::from_slice(&sample().render(Format::Json)).unwrap();
        assert_eq!(json[0]["service_code"], "report-pothole");
        assert_eq!(json[0]["metadata"], true);
        assert_eq!(json[0]["group"], Value::Null);
    }

    #[test]
    fn xml_has_a_root_an_element_per_item_and_escapes_text() {
        let xml = String::from_utf8(sample().render(Format::Xml)).unwrap();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service>\
             <service_code>report-pothole</service_code><metadata>true</metadata>\
             <description>Holes &amp; &lt;ruts&gt;</description><group></group></service></services>"
        );
    }

    /// Any document: objects and lists nested a few deep, with any text.
    fn any_node() -> impl proptest::strategy::Strategy<Value = Node> {
        use proptest::prelude::*;
        const NAMES: [&str; 4] = ["description", "status_notes", "service_name", "address"];
        let leaf = prop_oneof![
            any::<String>().prop_map(Node::Text),
            proptest::collection::vec(any::<char>(), 0..40)
                .prop_map(|cs| Node::Text(cs.into_iter().collect())),
            any::<i64>().prop_map(Node::Integer),
            any::<f64>().prop_map(Node::Number),
            Just(Node::Null),
        ];
        leaf.prop_recursive(3, 24, 4, move |inner| {
            prop_oneof![
                proptest::collection::vec((0..NAMES.len(), inner.clone()), 0..4).prop_map(
                    move |fields| Node::Object(
                        fields.into_iter().map(|(i, n)| (NAMES[i], n)).collect()
                    )
                ),
                proptest::collection::vec(inner, 0..4)
                    .prop_map(|items| Node::List("request", items)),
            ]
        })
    }

    /// The text of every value, in document order.
    fn texts(node: &Node, out: &mut Vec<String>) {
        match node {
            Node::Text(s) => out.push(s.clone()),
            Node::Integer(n) => out.push(n.to_string()),
            Node::Number(n) => out.push(n.to_string()),
            Node::Bool(b) => out.push(b.to_string()),
            Node::Null => {}
            Node::Object(fields) => fields.iter().for_each(|(_, n)| texts(n, out)),
            Node::List(_, items) => items.iter().for_each(|n| texts(n, out)),
        }
    }

    #[test]
    fn an_independent_parser_refuses_what_xml_forbids() {
        // So the property below can fail: roxmltree checks XML 1.0's characters.
        assert!(roxmltree::Document::parse("<a>\u{0B}</a>").is_err());
        assert!(roxmltree::Document::parse("<a>&#1;</a>").is_err());
    }

    proptest::proptest! {
        #[test]
        fn every_document_parses_whatever_text_it_carries(body in any_node()) {
            let doc = Document { root: "service_requests", body };
            let xml = String::from_utf8(doc.render(Format::Xml)).unwrap();
            let parsed = roxmltree::Document::parse(&xml);
            proptest::prop_assert!(parsed.is_ok(), "{:?}: {xml:?}", parsed.err());
            // The text survives, but for what XML cannot hold. Line ends are
            // compared as one kind, value by value: XML parsers read CR LF and
            // CR as LF (and roxmltree not always, next to an entity), and a CR
            // ending one value is not a CR LF with the LF starting the next.
            let lines = |t: &str| t.replace("\r\n", "\n").replace('\r', "\n");
            let mut sent = Vec::new();
            texts(&doc.body, &mut sent);
            let read: String = parsed.unwrap().descendants()
                .filter(|n| n.is_text()).filter_map(|n| n.text()).map(lines).collect();
            let expected: String = sent.iter().map(|t| lines(&printable(t))).collect();
            proptest::prop_assert_eq!(read, expected);
        }
    }

    #[test]
    fn the_format_comes_from_the_extension() {
        assert_eq!(
            Format::split("requests.xml"),
            Some(("requests", Format::Xml))
        );
        assert_eq!(
            Format::split("RIV-000001.json"),
            Some(("RIV-000001", Format::Json))
        );
        assert_eq!(Format::split("services"), None);
    }
}
