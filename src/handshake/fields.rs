//! Checks on handshake header fields shared by both roles.

use super::{Field, HandshakeError};
use crate::http::{self, Header};

/// The value of a field that may appear at most once.
pub(crate) fn single<'b>(
    headers: &[Header<'b>],
    field: Field,
) -> Result<Option<&'b [u8]>, HandshakeError> {
    let mut values = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(field.name()));
    match (values.next(), values.next()) {
        (None, _) => Ok(None),
        (Some(h), None) => Ok(Some(h.value)),
        (Some(_), Some(_)) => Err(HandshakeError::DuplicateHeader(field)),
    }
}

/// Requires `token` in the list `field` (case-insensitive, across repeated
/// lines): missing if the field is absent, invalid if present without it.
pub(crate) fn require_token(
    headers: &[Header<'_>],
    field: Field,
    token: &str,
) -> Result<(), HandshakeError> {
    if http::list_contains(headers, field.name(), token) {
        Ok(())
    } else if headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case(field.name()))
    {
        Err(HandshakeError::InvalidHeader(field))
    } else {
        Err(HandshakeError::MissingHeader(field))
    }
}

/// Requires every line of the list `field` to be UTF-8 and every element
/// to pass `valid`.
pub(crate) fn check_list(
    headers: &[Header<'_>],
    field: Field,
    valid: fn(&str) -> bool,
) -> Result<(), HandshakeError> {
    let lines_ok = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(field.name()))
        .all(|h| core::str::from_utf8(h.value).is_ok());
    if lines_ok && http::list(headers, field.name()).all(valid) {
        Ok(())
    } else {
        Err(HandshakeError::InvalidHeader(field))
    }
}
