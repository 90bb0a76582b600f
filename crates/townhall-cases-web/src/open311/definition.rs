//! Council services as Open311 sees them, generated from the service files:
//! which are offered, their definitions (one attribute per question), and
//! turning a request's parameters back into the answers the service checks.

use townhall_services::{FormInput, LocationKind, Question, QuestionKind, Service};

use townhall_web::wire::Node;

/// Whether a service can be asked for through Open311: reporting a problem
/// needs no account, no payment and no booking. The rest are done on the
/// council's own pages.
pub fn offered(s: &Service) -> bool {
    s.guests && s.fee.is_none() && s.booking.is_none()
}

/// The question that the top-level `description` answers: the first
/// paragraph question.
pub fn description_question(s: &Service) -> Option<&Question> {
    s.questions
        .iter()
        .find(|q| q.kind == QuestionKind::LongText)
}

/// The entry in `GET services`.
pub fn summary(s: &Service) -> Node {
    let has_attributes = s.questions.iter().any(|q| attribute_type(q).is_some());
    let photo_required = s
        .questions
        .iter()
        .any(|q| q.kind == QuestionKind::Photo && q.required);
    let description = if photo_required {
        format!(
            "{} A photo is required: send it as the file 'media' of a multipart/form-data POST.",
            s.description
        )
    } else {
        s.description.clone()
    };
    Node::Object(vec![
        ("service_code", Node::text(&s.id)),
        ("service_name", Node::text(&s.name)),
        ("description", Node::text(description)),
        ("metadata", Node::Bool(has_attributes)),
        ("type", Node::text("realtime")),
        ("keywords", Node::text(s.keywords.join(","))),
        ("group", Node::text(&s.group)),
    ])
}

/// The attribute datatype of a question, if it is one. Locations are the
/// request's `lat`/`long` or `address_id`, photos its `media`, and the
/// description question its `description`, so none of them is an attribute.
fn attribute_type(q: &Question) -> Option<&'static str> {
    Some(match q.kind {
        QuestionKind::Text => "string",
        QuestionKind::Number => "number",
        QuestionKind::Date => "datetime",
        QuestionKind::SingleChoice | QuestionKind::YesNo => "singlevaluelist",
        QuestionKind::MultipleChoice => "multivaluelist",
        QuestionKind::LongText
        | QuestionKind::Location
        | QuestionKind::Photo
        | QuestionKind::Slot => return None,
    })
}

/// `GET services/{code}`: the service's attributes, in the order asked.
pub fn definition(s: &Service) -> Node {
    let description = description_question(s).map(|q| q.id.as_str());
    let attributes: Vec<Node> = s
        .questions
        .iter()
        .filter(|q| Some(q.id.as_str()) != description)
        .filter_map(|q| attribute_type(q).map(|t| (q, t)))
        .enumerate()
        .map(|(n, (q, datatype))| {
            let values: Vec<Node> = match q.kind {
                QuestionKind::YesNo => [("yes", "Yes"), ("no", "No")]
                    .iter()
                    .map(|(k, v)| value(k, v))
                    .collect(),
                _ => q
                    .choices
                    .iter()
                    .map(|c| value(&c.value, &c.label))
                    .collect(),
            };
            let mut fields = vec![
                ("variable", Node::Bool(true)),
                ("code", Node::text(&q.id)),
                ("datatype", Node::text(datatype)),
                ("required", Node::Bool(q.required)),
                // A form's hint ("For example, 17 11 2026") is for people
                // typing in boxes; an API client sends a date as ISO 8601.
                (
                    "datatype_description",
                    match q.kind {
                        QuestionKind::Date => Node::text("A date, written YYYY-MM-DD (ISO 8601)"),
                        _ => Node::optional(q.hint.clone()),
                    },
                ),
                (
                    "order",
                    Node::Integer(i64::try_from(n + 1).unwrap_or(i64::MAX)),
                ),
                ("description", Node::text(&q.label)),
            ];
            if !values.is_empty() {
                fields.push(("values", Node::List("value", values)));
            }
            Node::Object(fields)
        })
        .collect();
    Node::Object(vec![
        ("service_code", Node::text(&s.id)),
        ("attributes", Node::List("attribute", attributes)),
    ])
}

fn value(key: &str, name: &str) -> Node {
    Node::Object(vec![("key", Node::text(key)), ("name", Node::text(name))])
}

/// The Open311 parameters of a `POST requests`, by name, in order.
pub type Params = Vec<(String, String)>;

/// A parameter's first value exactly as sent (empty when absent): for values
/// the API document gives a form to (dates, numbers, an enumeration), where
/// a space makes the value one the document does not describe.
pub fn given<'a>(params: &'a Params, name: &str) -> &'a str {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// A parameter's first value without the spaces around it: for free text
/// and names, which people and apps pad.
pub fn param<'a>(params: &'a Params, name: &str) -> &'a str {
    given(params, name).trim()
}

/// The first name given more than once: which value the client meant is
/// then ambiguous. Only a list attribute (`attribute[code][]`) repeats; the
/// query's lists are comma-separated in one value.
pub fn repeated(params: &Params) -> Option<&str> {
    params
        .iter()
        .enumerate()
        .filter(|(_, (k, _))| !k.ends_with("[]"))
        .find(|(i, (k, _))| params[..*i].iter().any(|(seen, _)| seen == k))
        .map(|(_, (k, _))| k.as_str())
}

/// The service's form fields from a request's parameters: attributes
/// (`attribute[code]`, and `attribute[code][]` for lists), the location from
/// `lat`/`long` or `address_id`, the description, and the phone number.
/// What does not fit (a location the service does not take) is an error
/// naming the parameter.
pub fn form_input(s: &Service, params: &Params) -> Result<FormInput, String> {
    let mut input = FormInput::new();
    for (k, v) in params {
        let Some(code) = k
            .strip_prefix("attribute[")
            .and_then(|rest| rest.strip_suffix("][]").or_else(|| rest.strip_suffix(']')))
        else {
            continue;
        };
        let Some(q) = s.question(code).filter(|q| attribute_type(q).is_some()) else {
            return Err(format!("{k}: this service has no attribute '{code}'"));
        };
        if q.kind == QuestionKind::Date {
            let date = v.get(..10).unwrap_or(v);
            let parts: Vec<&str> = date.split('-').collect();
            let [year, month, day] = parts[..] else {
                return Err(format!("{k}: give a date as YYYY-MM-DD"));
            };
            for (part, text) in [("day", day), ("month", month), ("year", year)] {
                input.insert(format!("{code}-{part}"), vec![text.to_owned()]);
            }
        } else {
            let value = match (q.kind, v.trim()) {
                (QuestionKind::YesNo, "true") => "yes".to_owned(),
                (QuestionKind::YesNo, "false") => "no".to_owned(),
                (_, other) => other.to_owned(),
            };
            input.entry(code.to_owned()).or_default().push(value);
        }
    }
    if let Some(q) = description_question(s) {
        let description = param(params, "description");
        if !description.is_empty() {
            input.insert(q.id.clone(), vec![description.to_owned()]);
        }
    }
    let phone = param(params, "phone");
    for q in &s.questions {
        match q.kind {
            QuestionKind::Location => locate(q, params, &mut input)?,
            QuestionKind::Text
                if q.format == Some(townhall_services::TextFormat::Phone)
                    && !phone.is_empty()
                    && !input.contains_key(&q.id) =>
            {
                input.insert(q.id.clone(), vec![phone.to_owned()]);
            }
            _ => {}
        }
    }
    Ok(input)
}

fn locate(q: &Question, params: &Params, input: &mut FormInput) -> Result<(), String> {
    let (lat, long, address_id) = (
        given(params, "lat"),
        given(params, "long"),
        param(params, "address_id"),
    );
    // The API document makes lat and long numbers: read as sent, as the
    // query's numbers are, not trimmed as a person's typing is on a page.
    if [lat, long].iter().any(|v| v.trim() != *v) {
        return Err("lat/long: give numbers without spaces, like 52.2053 and -0.1218".into());
    }
    if !lat.is_empty() || !long.is_empty() {
        if !q.accept.contains(&LocationKind::Point) {
            return Err(
                "lat/long: this service needs an address_id (a UPRN) instead of a point".into(),
            );
        }
        input.insert(format!("{}-latitude", q.id), vec![lat.to_owned()]);
        input.insert(format!("{}-longitude", q.id), vec![long.to_owned()]);
    } else if !address_id.is_empty() {
        if !q.accept.contains(&LocationKind::Address) {
            return Err("address_id: this service needs lat and long instead".into());
        }
        input.insert(format!("{}-uprn", q.id), vec![address_id.to_owned()]);
    } else if q.required {
        let needed = if q.accept.contains(&LocationKind::Point) {
            "lat and long"
        } else {
            "address_id (a UPRN)"
        };
        return Err(format!(
            "location: give {needed}; an address_string alone cannot be placed"
        ));
    }
    Ok(())
}

/// The Open311 name of a form field, for errors: `attribute[code]` for
/// attributes, the request parameter for the rest.
pub fn parameter_name(s: &Service, field: &str) -> String {
    match s.question(field) {
        Some(q) if q.kind == QuestionKind::Location => "lat/long or address_id".into(),
        Some(q) if q.kind == QuestionKind::Photo => "media".into(),
        Some(q) if Some(q.id.as_str()) == description_question(s).map(|d| d.id.as_str()) => {
            "description".into()
        }
        Some(q) => format!("attribute[{}]", q.id),
        None if field.is_empty() => "request".into(),
        None => field.to_owned(),
    }
}
