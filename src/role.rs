//! Which end of the connection this is.

/// The role of an endpoint (RFC 6455 section 1.3 and 5.1).
///
/// The role decides masking: a client masks every frame it sends and a server
/// masks none, so a server must reject unmasked frames and a client must reject
/// masked ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Role {
    /// The endpoint that opened the connection and sent the handshake request.
    Client,
    /// The endpoint that accepted the connection and answered the handshake.
    Server,
}

impl Role {
    /// Whether frames this role *sends* are masked (only a client's are).
    pub const fn masks_outgoing(self) -> bool {
        matches!(self, Role::Client)
    }

    /// Whether frames this role *receives* must be masked (only a server's).
    pub const fn expects_masked(self) -> bool {
        matches!(self, Role::Server)
    }

    /// The other end's role.
    pub const fn peer(self) -> Role {
        match self {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        }
    }
}
