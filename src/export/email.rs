//! A practical email syntax check: catches typos, accepts what mail servers
//! accept (including internationalised addresses). It is not RFC 5322's full
//! grammar (no quoted local parts, no IP-literal domains): nobody receives
//! export links at those.

/// Why `addr` is not a usable email address, or `None` if it is.
pub fn problem(addr: &str) -> Option<&'static str> {
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return Some("missing @");
    };
    if local.is_empty() {
        return Some("nothing before @");
    }
    if local.contains('@') {
        return Some("more than one @");
    }
    if local.len() > 64 {
        return Some("part before @ is over 64 characters");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Some("misplaced dot before @");
    }
    let atext = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c);
    if !local.chars().all(atext) {
        return Some("character not allowed before @");
    }
    if domain.is_empty() {
        return Some("nothing after @");
    }
    if !domain.contains('.') {
        return Some("domain has no dot");
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Some("misplaced dot in domain");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some("domain part starts or ends with -");
        }
        if !label.chars().all(|c| c.is_alphanumeric() || c == '-') {
            return Some("character not allowed in domain");
        }
    }
    let tld = domain.rsplit('.').next().unwrap_or("");
    if tld.chars().count() < 2 || tld.chars().all(|c| c.is_ascii_digit()) {
        return Some("domain ending is not valid");
    }
    None
}

/// True when `addr` passes [`problem`].
pub fn is_valid(addr: &str) -> bool {
    problem(addr).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_and_unusual_addresses() {
        for ok in [
            "ana@x.com",
            "bo.b+tag@mail.example.co.uk",
            "o'neil@x.ie",
            "jörg@bücher.de",
        ] {
            assert!(is_valid(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_typos() {
        for (bad, why) in [
            ("ana.x.com", "missing @"),
            ("@x.com", "nothing before @"),
            ("ana@", "nothing after @"),
            ("ana@localhost", "domain has no dot"),
            ("ana@x..com", "misplaced dot in domain"),
            ("a b@x.com", "character not allowed before @"),
            ("ana@x.c", "domain ending is not valid"),
            ("a@b@x.com", "more than one @"),
        ] {
            assert_eq!(problem(bad), Some(why), "{bad}");
        }
    }
}
