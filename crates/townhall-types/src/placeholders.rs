//! Notify-style `((placeholders))` in message texts.

/// Replaces each `((name))` in `text` with its value; names without a value
/// are added to `missing` and left out.
pub fn fill_placeholders(text: &str, values: &[(&str, &str)], missing: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("((") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("))") {
            Some(end) => {
                let name = after[..end].trim();
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => missing.push(name.to_owned()),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_collected() {
        let mut missing = Vec::new();
        let out = fill_placeholders(
            "Ref ((reference)): ((status)) ((x",
            &[("reference", "RB-1")],
            &mut missing,
        );
        assert_eq!(out, "Ref RB-1:  ((x");
        assert_eq!(missing, ["status"]);
    }
}
