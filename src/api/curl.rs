//! An equivalent `curl` command for a request, with the key left as a
//! shell variable so the line can be shared and pasted safely.

use reqwest::Url;

use super::client::EXPORTS_PATH;
use crate::config::KEY_ENV;

/// Quote `s` for a POSIX shell (single quotes).
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The create-export call as a curl command line. The key is written as
/// `$USERPILOT_API_KEY`, never its value.
pub fn curl_create_export(base: &Url, body_json: &str) -> String {
    let url = base
        .join(EXPORTS_PATH)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| format!("{base}{EXPORTS_PATH}"));
    format!(
        "curl -sS -X POST {} \\\n  -H \"Authorization: Token ${KEY_ENV}\" \\\n  -H 'Content-Type: application/json' -H 'Accept: application/json' \\\n  --data-raw {}",
        shell_quote(&url),
        shell_quote(body_json)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_keeps_the_key_out() {
        let base = Url::parse("https://appex.userpilot.io/").unwrap();
        let c = curl_create_export(&base, r#"{"exclusions":"it's"}"#);
        assert!(c.contains("'https://appex.userpilot.io/api/v1/analytics/exports'"));
        assert!(c.contains(r#"'{"exclusions":"it'\''s"}'"#), "{c}");
        assert!(c.contains("Token $USERPILOT_API_KEY"));
    }
}
