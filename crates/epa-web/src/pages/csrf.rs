//! Cross-site request forgery (ADR 0126). Two checks on every form post:
//! the browser's own word on where the request came from (`Sec-Fetch-Site`,
//! or `Origin` against `Host` for older browsers), and, once signed in, a
//! token in the form that only a page of this session can know: it is
//! derived from the session id, which lives in an HttpOnly cookie and is
//! stored nowhere but as a hash.

use axum::http::HeaderMap;
use axum::http::header;
use sha2::{Digest, Sha256};

/// The form token for a session.
pub fn token_for(session_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"openepa form token\0");
    hasher.update(session_id.as_bytes());
    hex::encode(hasher.finalize())
}

/// Whether a form post came from one of our own pages, by what the browser
/// says. Requests that say nothing (scripts, old clients) are let through to
/// the token check.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok())
    {
        // `none` is a navigation the person typed or bookmarked.
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
    else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority == host)
}

/// Whether `sent` is this session's token, compared in constant time.
pub fn matches(session_token: &str, sent: Option<&str>) -> bool {
    let Some(sent) = sent else { return false };
    let (a, b) = (session_token.as_bytes(), sent.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn the_browser_saying_cross_site_is_refused() {
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "epa.example")
        ])));
        assert!(same_origin(&headers(&[
            ("origin", "https://epa.example"),
            ("host", "epa.example")
        ])));
    }

    #[test]
    fn a_token_matches_its_session_only() {
        let token = token_for("abc");
        assert!(matches(&token, Some(&token)));
        assert!(!matches(&token, Some(&token_for("abd"))));
        assert!(!matches(&token, Some("")));
        assert!(!matches(&token, None));
    }
}
