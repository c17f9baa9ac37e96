//! Where the web may send a browser after a login or a language switch: a path on this site,
//! never another site. OWASP's unvalidated-redirect guidance: accept only what parses as a
//! same-origin relative URL, and send the normalized form (so no byte the browser would read
//! differently from us reaches a `Location` header).

/// Longer `next` values are refused: a real page path is a few dozen bytes, and the value
/// travels in a cookie (browsers cap those at 4 KB).
pub const MAX_NEXT: usize = 512;

/// The same-origin path (with its query) that `raw` names, normalized; `None` for anything
/// else: a scheme, an authority (`//host`, `/\host`), a backslash or control character (raw
/// or percent-encoded: browsers drop tabs and newlines, so `/%09/evil.example` would become
/// `//evil.example`), or a value over [`MAX_NEXT`].
pub fn same_site_path(raw: &str) -> Option<String> {
    if raw.len() > MAX_NEXT || !raw.starts_with('/') || raw.starts_with("//") {
        return None;
    }
    let percent_decoded: Vec<u8> = percent_decode(raw.as_bytes());
    let unsafe_byte = |b: &u8| *b == b'\\' || b.is_ascii_control();
    if raw.bytes().any(|b| unsafe_byte(&b)) || percent_decoded.iter().any(unsafe_byte) {
        return None;
    }
    // The decoded form must not name another host either (`/%2F/evil.example`).
    let text = String::from_utf8_lossy(&percent_decoded);
    if text.starts_with("//") {
        return None;
    }
    let origin = url::Url::parse("http://lyceum.invalid/").ok()?;
    let joined = origin.join(raw).ok()?;
    if joined.origin() != origin.origin() {
        return None;
    }
    let mut path = joined.path().to_string();
    if path.starts_with("//") {
        return None;
    }
    if let Some(query) = joined.query() {
        path.push('?');
        path.push_str(query);
    }
    Some(path)
}

/// `%XX` decoding of every byte (form decoding treats `+` as a space, this does not).
fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' && i + 2 < raw.len() {
            let hex = std::str::from_utf8(&raw[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::same_site_path;

    #[test]
    fn only_paths_on_this_site_pass() {
        for (raw, want) in [
            ("/me", Some("/me")),
            (
                "/staff?product=pro&page=2",
                Some("/staff?product=pro&page=2"),
            ),
            ("/events/3", Some("/events/3")),
            ("/a/../me", Some("/me")),
            ("/%E5%AD%A6", Some("/%E5%AD%A6")),
            ("//evil.example", None),
            ("/\\evil.example", None),
            ("/%09/evil.example", None),
            ("/\t/evil.example", None),
            ("/%5C/evil.example", None),
            ("/%2F/evil.example", None),
            ("/%0d%0aSet-Cookie:x=1", None),
            ("/me\r\nLocation: https://evil.example", None),
            ("https://evil.example/me", None),
            ("javascript:alert(1)", None),
            ("me", None),
            ("", None),
        ] {
            assert_eq!(same_site_path(raw).as_deref(), want, "{raw:?}");
        }
        assert_eq!(same_site_path(&format!("/{}", "a".repeat(600))), None);
    }
}
