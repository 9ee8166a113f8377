//! How a node is started: name, cookie, addresses, timing and limits.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use girder_term::{DEFAULT_MAX_INPUT_BYTES, Limits};

use crate::cookie::Cookie;
use crate::flags::DistFlags;
use crate::name::{BadNodeName, NodeName};
use crate::node::events::Handler;

/// Erlang's default `net_ticktime`: 60 s.
pub const DEFAULT_NET_TICK_TIME: Duration = Duration::from_secs(60);
/// Erlang's default `net_setuptime`: 7 s.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(7);

/// A node's configuration (the flags of `erl -name … -setcookie …`).
///
/// ```
/// use std::time::Duration;
/// use girder_dist::{Cookie, NodeConfig};
/// let config = NodeConfig::new("girder@127.0.0.1")
///     .unwrap()
///     .cookie(Cookie::new("secret").unwrap())
///     .epmd_port(4370)
///     .net_tick_time(Duration::from_secs(20));
/// assert_eq!(config.name().as_str(), "girder@127.0.0.1");
/// ```
#[derive(Clone)]
pub struct NodeConfig {
    pub(crate) name: NodeName,
    pub(crate) cookie: Option<Cookie>,
    pub(crate) listen: SocketAddr,
    pub(crate) epmd_port: Option<u16>,
    pub(crate) embedded_epmd: bool,
    pub(crate) net_tick_time: Duration,
    pub(crate) handshake_timeout: Duration,
    pub(crate) max_frame_bytes: usize,
    pub(crate) limits: Limits,
    pub(crate) flags: DistFlags,
    pub(crate) handler: Option<Arc<dyn Handler>>,
}

impl std::fmt::Debug for NodeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeConfig")
            .field("name", &self.name)
            .field("cookie", &self.cookie)
            .field("listen", &self.listen)
            .field("epmd_port", &self.epmd_port)
            .field("embedded_epmd", &self.embedded_epmd)
            .field("net_tick_time", &self.net_tick_time)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("max_frame_bytes", &self.max_frame_bytes)
            .field("flags", &self.flags)
            .field("handler", &self.handler.is_some())
            .finish_non_exhaustive()
    }
}

impl NodeConfig {
    /// A node named `name` (`alive@host`; long if the host has dots, as with
    /// `erl -name`, else short, as with `erl -sname`), listening on
    /// 127.0.0.1 on a free port, with Erlang's defaults for the rest.
    pub fn new(name: &str) -> Result<NodeConfig, BadNodeName> {
        Ok(NodeConfig {
            name: NodeName::parse(name)?,
            cookie: None,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            epmd_port: None,
            embedded_epmd: true,
            net_tick_time: DEFAULT_NET_TICK_TIME,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            max_frame_bytes: DEFAULT_MAX_INPUT_BYTES,
            limits: Limits::default(),
            flags: DistFlags::GIRDER,
            handler: None,
        })
    }

    /// The node's name.
    pub fn name(&self) -> &NodeName {
        &self.name
    }

    /// The cookie (Erlang `-setcookie`). Without one the node uses
    /// [`Cookie::resolve`]: `GIRDER_COOKIE`, then `~/.erlang.cookie`.
    pub fn cookie(mut self, cookie: Cookie) -> NodeConfig {
        self.cookie = Some(cookie);
        self
    }

    /// Where to accept distribution connections (default `127.0.0.1:0`;
    /// Erlang `-kernel inet_dist_use_interface` and `inet_dist_listen_min`).
    pub fn listen(mut self, addr: SocketAddr) -> NodeConfig {
        self.listen = addr;
        self
    }

    /// EPMD's port, here and on other hosts (default: `ERL_EPMD_PORT`, else 4369).
    pub fn epmd_port(mut self, port: u16) -> NodeConfig {
        self.epmd_port = Some(port);
        self
    }

    /// Whether to start the embedded EPMD server on 127.0.0.1 when nothing
    /// listens on the EPMD port (default true).
    pub fn embedded_epmd(mut self, on: bool) -> NodeConfig {
        self.embedded_epmd = on;
        self
    }

    /// Erlang's `net_ticktime`: a tick goes out every quarter of it when
    /// nothing else was sent, and a connection silent for this long is
    /// declared dead (default 60 s).
    pub fn net_tick_time(mut self, t: Duration) -> NodeConfig {
        self.net_tick_time = t.max(Duration::from_millis(4));
        self
    }

    /// Erlang's `net_setuptime`: the most a handshake may take, either
    /// direction, before the connection is dropped (default 7 s).
    pub fn handshake_timeout(mut self, t: Duration) -> NodeConfig {
        self.handshake_timeout = t;
        self
    }

    /// The largest frame accepted from a peer (default 64 MiB); a longer
    /// length prefix closes the connection before anything is allocated.
    pub fn max_frame_bytes(mut self, bytes: usize) -> NodeConfig {
        self.max_frame_bytes = bytes;
        self
    }

    /// Limits for decoding terms from peers (default
    /// [`Limits::default`]; the input limit is raised to the frame limit).
    pub fn limits(mut self, limits: Limits) -> NodeConfig {
        self.limits = limits;
        self
    }

    /// The distribution flags advertised (default [`DistFlags::GIRDER`]).
    /// Flags in [`DistFlags::MANDATORY`] are always added.
    pub fn flags(mut self, flags: DistFlags) -> NodeConfig {
        self.flags = flags | DistFlags::MANDATORY;
        self
    }

    /// Who receives control messages and node up/down events (default: none;
    /// they are logged at debug level and dropped, as a send to an unknown
    /// process is). See [`crate::events`] for a channel.
    pub fn handler(mut self, handler: Arc<dyn Handler>) -> NodeConfig {
        self.handler = Some(handler);
        self
    }
}
