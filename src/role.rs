//! Which end of the connection this is (RFC 6455 sections 1.3, 5.1 and
//! 5.3), as a value ([`Role`]) and as a type ([`Client`], [`Server`]).
//!
//! A connection's endpoint type decides masking at compile time: a
//! [`Client`] holds the [`RandomSource`] its masking keys and handshake
//! nonce come from, so a client cannot exist without one; a [`Server`]
//! holds nothing and its send path has no masking code at all.
//!
//! ```compile_fail
//! // `()` is no source of randomness: a client cannot be built on it.
//! let client = hybi::Client::new(());
//! ```

use crate::RandomSource;

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

/// An endpoint's role as a type: [`Client`] or [`Server`]. Sealed.
pub trait Endpoint: sealed::Sealed {
    /// The role as a value.
    const ROLE: Role;
}

/// The client end: every frame it sends is masked with a fresh key from
/// `R`, which also supplies the handshake nonce. Both must be unpredictable
/// to the peer and anything in between (section 10.3): use the hardware's
/// random number generator, or the operating system's (`OsRandom` with the
/// `std` feature).
#[derive(Debug, Clone)]
pub struct Client<R> {
    rng: R,
}

impl<R: RandomSource> Client<R> {
    /// A client end drawing its masking keys and nonce from `rng`.
    pub const fn new(rng: R) -> Self {
        Client { rng }
    }

    /// The randomness source.
    pub fn rng_mut(&mut self) -> &mut R {
        &mut self.rng
    }

    /// The randomness source, given back.
    pub fn into_rng(self) -> R {
        self.rng
    }
}

/// The server end: it never masks, so it needs no randomness.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Server;

impl<R: RandomSource> Endpoint for Client<R> {
    const ROLE: Role = Role::Client;
}

impl Endpoint for Server {
    const ROLE: Role = Role::Server;
}

pub(crate) mod sealed {
    use crate::RandomSource;

    /// What the send path asks of an endpoint.
    pub trait Sealed {
        /// A masking key for the next frame sent: `None` for a server.
        fn masking_key(&mut self) -> Option<[u8; 4]>;
    }

    impl<R: RandomSource> Sealed for super::Client<R> {
        fn masking_key(&mut self) -> Option<[u8; 4]> {
            let mut key = [0u8; 4];
            self.rng.fill_bytes(&mut key);
            Some(key)
        }
    }

    impl Sealed for super::Server {
        fn masking_key(&mut self) -> Option<[u8; 4]> {
            None
        }
    }
}
