//! Pure decisions for paid access: reminder offsets and redeem codes (generation,
//! normalization, hashing). Time is a parameter. Renewal arithmetic and grace are grants'
//! (`grants::rules`).

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};

/// The reminder due at `now` for a paid end `paid_until`, if any: the smallest offset whose
/// instant has come (after downtime, only the nearest one is sent, never a burst).
pub fn due_reminder(
    offsets: &[std::time::Duration],
    paid_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<std::time::Duration> {
    if now >= paid_until {
        return None;
    }
    offsets
        .iter()
        .filter(|o| paid_until - Duration::from_std(**o).unwrap_or_default() <= now)
        .min()
        .copied()
}

/// Crockford's base-32 alphabet: no I, L, O or U, so codes survive being read aloud or retyped.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 16 symbols × 5 bits = 80 bits of randomness.
const CODE_SYMBOLS: usize = 16;

/// A new code, `XXXX-XXXX-XXXX-XXXX`, from the OS-seeded CSPRNG.
pub fn new_code() -> String {
    let mut rng = rand::thread_rng();
    let symbols: Vec<char> = (0..CODE_SYMBOLS)
        .map(|_| ALPHABET[rng.gen_range(0..32)] as char)
        .collect();
    symbols
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The code as typed, made canonical: case, spaces and dashes do not matter, and the
/// look-alikes Crockford maps (O→0, I/L→1) are read as meant. `None` if it cannot be a code.
pub fn normalize(typed: &str) -> Option<String> {
    canonical(typed, CODE_SYMBOLS)
}

/// `typed` as `len` symbols of the alphabet (look-alikes read as meant), or `None`.
fn canonical(typed: &str, len: usize) -> Option<String> {
    let mut out = String::with_capacity(len);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' | '\u{2010}'..='\u{2015}' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
            return None;
        }
        out.push(c);
    }
    (out.len() == len).then_some(out)
}

/// What is stored instead of the code: SHA-256 of its canonical form. 80 random bits make a
/// salt unnecessary (no dictionary to precompute).
pub fn hash(canonical: &str) -> String {
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// A referral code's symbols: 8 × 5 bits (a code names a member, it unlocks nothing; guessing
/// one only credits a stranger).
const REFERRAL_SYMBOLS: usize = 8;

/// A new personal referral code, `XXXXXXXX`.
pub fn new_referral_code() -> String {
    let mut rng = rand::thread_rng();
    (0..REFERRAL_SYMBOLS)
        .map(|_| ALPHABET[rng.gen_range(0..32)] as char)
        .collect()
}

/// A referral code as typed, made canonical (as [`normalize`] does for redeem codes).
pub fn normalize_referral(typed: &str) -> Option<String> {
    canonical(typed, REFERRAL_SYMBOLS)
}

/// A product's Payment Link made personal: `client_reference_id` names the buyer (how the
/// payment finds them) and, after `_ref_`, the referral code a friend gave them.
pub fn checkout_url(link: &str, member: u64, referral: Option<&str>) -> String {
    let separator = if link.contains('?') { '&' } else { '?' };
    match referral {
        Some(code) => format!("{link}{separator}client_reference_id={member}_ref_{code}"),
        None => format!("{link}{separator}client_reference_id={member}"),
    }
}

/// What a checkout's `client_reference_id` carries: the buying member, and the referral code
/// `/membership buy referral:` added (`<member>_ref_<code>`; Stripe allows letters, digits,
/// `-` and `_`).
pub fn client_reference(value: &str) -> (Option<u64>, Option<String>) {
    let (member, code) = match value.split_once("_ref_") {
        Some((member, code)) => (member, normalize_referral(code)),
        None => (value, None),
    };
    (member.parse::<u64>().ok().filter(|id| *id > 0), code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_reference_names_the_buyer_and_maybe_a_referral() {
        assert_eq!(client_reference("42"), (Some(42), None));
        assert_eq!(
            client_reference("42_ref_k7qx-2m0o"),
            (Some(42), Some("K7QX2M00".to_string()))
        );
        // A mangled code still names the buyer; the payment is theirs either way.
        assert_eq!(client_reference("42_ref_xx"), (Some(42), None));
        assert_eq!(client_reference("ref_K7QX2M00"), (None, None));
        assert_eq!(client_reference("0"), (None, None));
        let code = new_referral_code();
        assert_eq!(normalize_referral(&code), Some(code));
        // What the link carries is what the webhook reads back.
        let url = checkout_url("https://buy.stripe.com/x?locale=zh", 42, Some("K7QX2M00"));
        assert_eq!(
            url,
            "https://buy.stripe.com/x?locale=zh&client_reference_id=42_ref_K7QX2M00"
        );
        let id = url.split("client_reference_id=").nth(1).unwrap();
        assert_eq!(client_reference(id), (Some(42), Some("K7QX2M00".into())));
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn reminders_come_at_their_offsets_and_only_the_nearest_after_downtime() {
        let offsets = [
            std::time::Duration::from_secs(7 * 86_400),
            std::time::Duration::from_secs(86_400),
        ];
        let end = at("2026-12-31T00:00:00Z");
        assert_eq!(
            due_reminder(&offsets, end, at("2026-12-20T00:00:00Z")),
            None
        );
        assert_eq!(
            due_reminder(&offsets, end, at("2026-12-24T00:00:00Z")),
            Some(offsets[0])
        );
        assert_eq!(
            due_reminder(&offsets, end, at("2026-12-30T12:00:00Z")),
            Some(offsets[1])
        );
        assert_eq!(due_reminder(&offsets, end, end), None);
    }

    #[test]
    fn codes_have_80_bits_in_an_unambiguous_alphabet_and_read_back_however_typed() {
        let code = new_code();
        assert_eq!(code.len(), 19);
        let canonical = normalize(&code).unwrap();
        assert_eq!(canonical.len(), 16);
        assert!(canonical.chars().all(|c| !"ILOU".contains(c)));
        assert_eq!(
            normalize(&code.to_lowercase().replace('-', " ")),
            Some(canonical.clone())
        );
        assert_eq!(
            normalize("0O1I-L000-0000-0000"),
            normalize("0011-1000-0000-0000")
        );
        assert_eq!(normalize("too-short"), None);
        assert_eq!(normalize("UUUU-UUUU-UUUU-UUUU"), None);
        assert_ne!(new_code(), new_code());
        assert_eq!(hash(&canonical).len(), 64);
        assert!(!hash(&canonical).contains(&canonical));
    }
}
