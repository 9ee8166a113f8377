//! The EPMD client: what a node asks the port mapper (Erlang `erl_epmd`).

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::wire::{self, NodeEntry, Request};

/// How long one EPMD request may take, connect to last byte.
const EPMD_TIMEOUT: Duration = Duration::from_secs(10);
/// The most bytes a `NAMES_RESP` may have (1 MiB is ~30k nodes).
const MAX_NAMES_BYTES: u64 = 1 << 20;

/// A failed EPMD request.
#[derive(Debug)]
#[non_exhaustive]
pub enum EpmdError {
    /// EPMD could not be reached or the connection broke.
    Io {
        /// EPMD's address.
        addr: SocketAddr,
        /// The error.
        error: io::Error,
    },
    /// Another node already registered this name (`ALIVE2` result 1).
    NameTaken {
        /// The alive part of the name.
        name: String,
    },
    /// EPMD refused the registration with another result code.
    Refused {
        /// The alive part of the name.
        name: String,
        /// EPMD's result code.
        result: u8,
    },
    /// EPMD answered something that is not the protocol.
    Protocol {
        /// EPMD's address.
        addr: SocketAddr,
        /// What was wrong.
        reason: &'static str,
    },
    /// EPMD did not answer in time.
    Timeout {
        /// EPMD's address.
        addr: SocketAddr,
    },
}

impl EpmdError {
    /// Whether nothing listens at EPMD's address (the node may then start
    /// the embedded EPMD server).
    pub fn is_connection_refused(&self) -> bool {
        matches!(self, EpmdError::Io { error, .. } if error.kind() == io::ErrorKind::ConnectionRefused)
    }
}

impl fmt::Display for EpmdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EpmdError::Io { addr, error } => write!(f, "EPMD at {addr}: {error}"),
            EpmdError::NameTaken { name } => write!(
                f,
                "the node name {name:?} is already registered in EPMD (another node runs with this name)"
            ),
            EpmdError::Refused { name, result } => {
                write!(f, "EPMD refused to register {name:?} (result {result})")
            }
            EpmdError::Protocol { addr, reason } => {
                write!(f, "EPMD at {addr} broke the protocol: {reason}")
            }
            EpmdError::Timeout { addr } => write!(f, "EPMD at {addr} did not answer in time"),
        }
    }
}

impl std::error::Error for EpmdError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EpmdError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

async fn timed<T>(
    addr: SocketAddr,
    f: impl Future<Output = Result<T, EpmdError>>,
) -> Result<T, EpmdError> {
    tokio::time::timeout(EPMD_TIMEOUT, f)
        .await
        .unwrap_or(Err(EpmdError::Timeout { addr }))
}

async fn request(addr: SocketAddr, req: &Request) -> Result<TcpStream, EpmdError> {
    let io = |error| EpmdError::Io { addr, error };
    let mut stream = TcpStream::connect(addr).await.map_err(io)?;
    stream.set_nodelay(true).map_err(io)?;
    stream
        .write_all(&wire::with_len2(&req.encode()))
        .await
        .map_err(io)?;
    Ok(stream)
}

/// Asks EPMD at `addr` where the node `alive` listens (`PORT_PLEASE2_REQ`,
/// Erlang `erl_epmd:port_please/2`). `Ok(None)`: no such node.
///
/// ```no_run
/// # async fn f() -> Result<(), girder_dist::epmd::EpmdError> {
/// let addr = "127.0.0.1:4369".parse().unwrap();
/// if let Some(entry) = girder_dist::epmd::port_please(addr, "a").await? {
///     println!("a@... listens on port {}", entry.port);
/// }
/// # Ok(()) }
/// ```
pub async fn port_please(addr: SocketAddr, alive: &str) -> Result<Option<NodeEntry>, EpmdError> {
    timed(addr, async {
        let mut stream = request(addr, &Request::PortPlease2(alive.to_owned())).await?;
        let mut resp = Vec::new();
        // A PORT2_RESP is at most 2 + 10 + 65535 + 2 + 65535 bytes.
        (&mut stream)
            .take(1 << 17)
            .read_to_end(&mut resp)
            .await
            .map_err(|error| EpmdError::Io { addr, error })?;
        wire::decode_port2_resp(&resp).map_err(|reason| EpmdError::Protocol { addr, reason })
    })
    .await
}

/// The nodes registered in EPMD at `addr` (`NAMES_REQ`, Erlang
/// `net_adm:names/0`), as `(alive name, port)`.
pub async fn names(addr: SocketAddr) -> Result<Vec<(String, u16)>, EpmdError> {
    timed(addr, async {
        let mut stream = request(addr, &Request::Names).await?;
        let mut resp = Vec::new();
        (&mut stream)
            .take(MAX_NAMES_BYTES)
            .read_to_end(&mut resp)
            .await
            .map_err(|error| EpmdError::Io { addr, error })?;
        wire::decode_names_resp(&resp)
            .map(|(_, nodes)| nodes)
            .map_err(|reason| EpmdError::Protocol { addr, reason })
    })
    .await
}

/// A node's registration in EPMD (`ALIVE2_REQ`). EPMD keeps the name as
/// long as this connection stays open: dropping the `Registration`
/// unregisters the node.
#[derive(Debug)]
pub struct Registration {
    stream: TcpStream,
    creation: u32,
    addr: SocketAddr,
}

impl Registration {
    /// The creation EPMD assigned: the node incarnation its pids, ports and
    /// references carry.
    pub fn creation(&self) -> u32 {
        self.creation
    }

    /// EPMD's address.
    pub fn epmd_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Resolves when EPMD closes the registration connection (EPMD went
    /// away); the node is then no longer findable.
    pub async fn closed(&mut self) {
        let mut buf = [0u8; 64];
        loop {
            match self.stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }
}

/// Registers `entry` in EPMD at `addr` (Erlang `erl_epmd:register_node/3`).
///
/// ```no_run
/// # async fn f() -> Result<(), girder_dist::epmd::EpmdError> {
/// use girder_dist::epmd::{register, NodeEntry};
/// let addr = "127.0.0.1:4369".parse().unwrap();
/// let reg = register(addr, &NodeEntry::new("girder", 4370)).await?;
/// println!("creation {}", reg.creation());
/// drop(reg); // unregistered
/// # Ok(()) }
/// ```
pub async fn register(addr: SocketAddr, entry: &NodeEntry) -> Result<Registration, EpmdError> {
    timed(addr, async {
        let mut stream = request(addr, &Request::Alive2(entry.clone())).await?;
        let io = |error| EpmdError::Io { addr, error };
        let tag = stream.read_u8().await.map_err(io)?;
        let result = stream.read_u8().await.map_err(io)?;
        let creation = match tag {
            wire::ALIVE2_X_RESP => stream.read_u32().await.map_err(io)?,
            wire::ALIVE2_RESP => u32::from(stream.read_u16().await.map_err(io)?),
            _ => {
                return Err(EpmdError::Protocol {
                    addr,
                    reason: "ALIVE2_REQ answered with neither ALIVE2_RESP nor ALIVE2_X_RESP",
                });
            }
        };
        match result {
            0 => Ok(Registration {
                stream,
                creation,
                addr,
            }),
            1 => Err(EpmdError::NameTaken {
                name: entry.name.clone(),
            }),
            result => Err(EpmdError::Refused {
                name: entry.name.clone(),
                result,
            }),
        }
    })
    .await
}
