//! The handshake's header fields, both roles: one pass over a head finds
//! every field the handshake reads (RFC 6455 sections 4.1 and 4.2.1) and
//! checks the lists among them.

use super::{Field, HandshakeError};
use crate::http::Header;
use crate::http::list::{Elements, has_element, is_list};

/// The fields a handshake reads, by [`Field`], in one pass over a head.
pub(crate) struct Scan<'b> {
    /// The last value of each field.
    values: [Option<&'b [u8]>; FIELDS.len()],
    /// One bit per field (`1 << field as usize`): present, present more
    /// than once, and (for lists) holding an invalid line.
    present: u16,
    repeated: u16,
    invalid: u16,
    /// `Upgrade` lists `websocket`, `Connection` lists `upgrade`.
    upgrade_websocket: bool,
    connection_upgrade: bool,
}

/// Every field, in the order of [`Field`]'s variants.
const FIELDS: [Field; 9] = [
    Field::Host,
    Field::Upgrade,
    Field::Connection,
    Field::Origin,
    Field::Key,
    Field::Version,
    Field::Accept,
    Field::Protocol,
    Field::Extensions,
];

impl<'b> Scan<'b> {
    /// Reads every field line once.
    pub(crate) fn of(headers: &[Header<'b>]) -> Self {
        let mut scan = Scan {
            values: Default::default(),
            present: 0,
            repeated: 0,
            invalid: 0,
            upgrade_websocket: false,
            connection_upgrade: false,
        };
        for header in headers {
            let Some(&field) = FIELDS
                .iter()
                .find(|f| f.name().eq_ignore_ascii_case(header.name))
            else {
                continue;
            };
            let bit = 1 << field as usize;
            if scan.present & bit != 0 {
                scan.repeated |= bit;
            }
            scan.present |= bit;
            scan.values[field as usize] = Some(header.value);
            let value = header.value;
            let valid = match field {
                Field::Upgrade => {
                    scan.upgrade_websocket |= has_element(value, b"websocket");
                    true
                }
                Field::Connection => {
                    scan.connection_upgrade |= has_element(value, b"upgrade");
                    true
                }
                Field::Protocol => is_list(value, Elements::Tokens),
                Field::Extensions => is_list(value, Elements::TokensWithParams),
                _ => true,
            };
            if !valid {
                scan.invalid |= bit;
            }
        }
        scan
    }

    /// Whether `field` appears at all.
    pub(crate) fn has(&self, field: Field) -> bool {
        self.present & 1 << field as usize != 0
    }

    /// The value of a field that may appear at most once.
    pub(crate) fn single(&self, field: Field) -> Result<Option<&'b [u8]>, HandshakeError> {
        if self.repeated & 1 << field as usize != 0 {
            return Err(HandshakeError::DuplicateHeader(field));
        }
        Ok(self.values[field as usize])
    }

    /// The value of a field that must appear exactly once.
    pub(crate) fn required(&self, field: Field) -> Result<&'b [u8], HandshakeError> {
        self.single(field)?
            .ok_or(HandshakeError::MissingHeader(field))
    }

    /// Whether `Upgrade` lists `websocket`.
    pub(crate) fn upgrades_to_websocket(&self) -> bool {
        self.upgrade_websocket
    }

    /// Requires `Upgrade: websocket` and `Connection: Upgrade` (as list
    /// elements, case-insensitive, across repeated lines): missing if a
    /// field is absent, invalid if present without its token.
    pub(crate) fn require_upgrade(&self) -> Result<(), HandshakeError> {
        for (field, found) in [
            (Field::Upgrade, self.upgrade_websocket),
            (Field::Connection, self.connection_upgrade),
        ] {
            if !found {
                return Err(if self.has(field) {
                    HandshakeError::InvalidHeader(field)
                } else {
                    HandshakeError::MissingHeader(field)
                });
            }
        }
        Ok(())
    }

    /// Requires every line of the list `field` to be valid: see
    /// [`Elements`].
    pub(crate) fn check_list(&self, field: Field) -> Result<(), HandshakeError> {
        if self.invalid & 1 << field as usize != 0 {
            return Err(HandshakeError::InvalidHeader(field));
        }
        Ok(())
    }
}
