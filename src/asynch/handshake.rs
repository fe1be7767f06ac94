//! The opening handshake over an async transport, both roles (RFC 6455
//! section 4).

use crate::connection::Buffer;
use embedded_io_async::{Read, Write};

use super::WebSocket;
use super::write::write_all;
use crate::connection::{DEFAULT_MAX_HEADERS, ServerHandshake, State};
use crate::handshake::client;
use crate::handshake::server::{self, Response};
use crate::http::{Header, RequestHead};
use crate::role::{Client, Server};
use crate::websocket::Error;
use crate::{RandomSource, Status};

impl<T, B, W> WebSocket<T, B, Server, W>
where
    T: Read + Write,
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
{
    /// Runs the server handshake, as
    /// [`websocket::WebSocket::accept`](crate::websocket::WebSocket::accept)
    /// does: `choose` answers the request with a [`Response`].
    pub async fn accept<'a, F>(&mut self, choose: F) -> Result<ServerHandshake, Error<T::Error>>
    where
        F: for<'r> FnOnce(&server::Request<'_, 'r>) -> Response<'r, 'a>,
    {
        self.accept_with_headers::<DEFAULT_MAX_HEADERS, F>(choose)
            .await
    }

    /// [`WebSocket::accept`] with room for `N` header fields.
    pub async fn accept_with_headers<'a, const N: usize, F>(
        &mut self,
        choose: F,
    ) -> Result<ServerHandshake, Error<T::Error>>
    where
        F: for<'r> FnOnce(&server::Request<'_, 'r>) -> Response<'r, 'a>,
    {
        let mut choose = Some(choose);
        loop {
            let result = self.conn.accept_once::<N, F>(&mut choose);
            match result {
                Ok(Status::Complete(outcome)) => {
                    self.flush().await?;
                    return Ok(outcome);
                }
                Ok(Status::Partial(_)) => self.fill().await?,
                Err(e) => {
                    let _ = self.flush().await;
                    return Err(e.into());
                }
            }
        }
    }

    /// After [`ServerHandshake::Http`], the plain request.
    pub fn http_request<'s, 'h>(
        &'s self,
        headers: &'h mut [Header<'s>],
    ) -> Option<RequestHead<'h, 's>> {
        self.conn.http_request(headers)
    }

    /// Writes bytes straight to the transport and flushes: the answer to a
    /// plain HTTP request after [`ServerHandshake::Http`].
    pub async fn write_raw(&mut self, bytes: &[u8]) -> Result<(), Error<T::Error>> {
        if self.conn.state() != State::Handshake {
            return Err(Error::InvalidState);
        }
        write_all(&mut self.transport, bytes).await?;
        self.transport.flush().await.map_err(Error::Io)
    }
}

impl<T, B, R, W> WebSocket<T, B, Client<R>, W>
where
    T: Read + Write,
    B: Buffer,
    W: AsRef<[u8]> + AsMut<[u8]>,
    R: RandomSource,
{
    /// Runs the client handshake, as
    /// [`websocket::WebSocket::connect`](crate::websocket::WebSocket::connect)
    /// does.
    pub async fn connect<'r>(
        &mut self,
        request: &client::Request<'r>,
    ) -> Result<Option<&'r str>, Error<T::Error>> {
        let key = self.conn.write_request(request)?;
        self.flush().await?;
        loop {
            match self.conn.read_response(request, &key)? {
                Status::Complete(protocol) => return Ok(protocol),
                Status::Partial(_) => self.fill().await?,
            }
        }
    }
}
