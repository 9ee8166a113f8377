//! Distribution capability flags (OTP `dist.hrl`, "Distribution Flags" in
//! erts' `erl_dist_protocol`).

use std::fmt;
use std::ops::{BitAnd, BitOr};

/// A set of distribution capability flags, exchanged in the handshake; a
/// connection uses the intersection of both nodes' sets.
///
/// ```
/// use girder_dist::DistFlags;
/// let ours = DistFlags::GIRDER;
/// assert!(ours.contains(DistFlags::MANDATORY));
/// assert!(!ours.contains(DistFlags::DIST_HDR_ATOM_CACHE));
/// assert_eq!(ours.missing(DistFlags::MANDATORY), DistFlags::empty());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DistFlags(u64);

impl DistFlags {
    /// `DFLAG_PUBLISHED`: a visible (not hidden) node.
    pub const PUBLISHED: DistFlags = DistFlags(0x1);
    /// `DFLAG_ATOM_CACHE` (obsolete).
    pub const ATOM_CACHE: DistFlags = DistFlags(0x2);
    /// `DFLAG_EXTENDED_REFERENCES` (mandatory).
    pub const EXTENDED_REFERENCES: DistFlags = DistFlags(0x4);
    /// `DFLAG_DIST_MONITOR`: monitors across nodes.
    pub const DIST_MONITOR: DistFlags = DistFlags(0x8);
    /// `DFLAG_FUN_TAGS` (mandatory).
    pub const FUN_TAGS: DistFlags = DistFlags(0x10);
    /// `DFLAG_DIST_MONITOR_NAME`: monitors of `{Name, Node}`.
    pub const DIST_MONITOR_NAME: DistFlags = DistFlags(0x20);
    /// `DFLAG_HIDDEN_ATOM_CACHE` (obsolete).
    pub const HIDDEN_ATOM_CACHE: DistFlags = DistFlags(0x40);
    /// `DFLAG_NEW_FUN_TAGS` (mandatory).
    pub const NEW_FUN_TAGS: DistFlags = DistFlags(0x80);
    /// `DFLAG_EXTENDED_PIDS_PORTS` (mandatory).
    pub const EXTENDED_PIDS_PORTS: DistFlags = DistFlags(0x100);
    /// `DFLAG_EXPORT_PTR_TAG` (mandatory).
    pub const EXPORT_PTR_TAG: DistFlags = DistFlags(0x200);
    /// `DFLAG_BIT_BINARIES` (mandatory).
    pub const BIT_BINARIES: DistFlags = DistFlags(0x400);
    /// `DFLAG_NEW_FLOATS` (mandatory).
    pub const NEW_FLOATS: DistFlags = DistFlags(0x800);
    /// `DFLAG_UNICODE_IO`.
    pub const UNICODE_IO: DistFlags = DistFlags(0x1000);
    /// `DFLAG_DIST_HDR_ATOM_CACHE`: messages carry the normal distribution
    /// header with atom-cache updates instead of pass-through framing.
    pub const DIST_HDR_ATOM_CACHE: DistFlags = DistFlags(0x2000);
    /// `DFLAG_SMALL_ATOM_TAGS`.
    pub const SMALL_ATOM_TAGS: DistFlags = DistFlags(0x4000);
    /// `DFLAG_UTF8_ATOMS` (mandatory).
    pub const UTF8_ATOMS: DistFlags = DistFlags(0x10000);
    /// `DFLAG_MAP_TAG` (mandatory).
    pub const MAP_TAG: DistFlags = DistFlags(0x20000);
    /// `DFLAG_BIG_CREATION` (mandatory).
    pub const BIG_CREATION: DistFlags = DistFlags(0x40000);
    /// `DFLAG_SEND_SENDER`: `SEND_SENDER` replaces `SEND`.
    pub const SEND_SENDER: DistFlags = DistFlags(0x80000);
    /// `DFLAG_BIG_SEQTRACE_LABELS`.
    pub const BIG_SEQTRACE_LABELS: DistFlags = DistFlags(0x100000);
    /// `DFLAG_EXIT_PAYLOAD`: the `PAYLOAD_*` exit control messages.
    pub const EXIT_PAYLOAD: DistFlags = DistFlags(0x400000);
    /// `DFLAG_FRAGMENTS`: large messages may be split in fragments.
    pub const FRAGMENTS: DistFlags = DistFlags(0x800000);
    /// `DFLAG_HANDSHAKE_23`: the version 6 handshake (mandatory since OTP 25).
    pub const HANDSHAKE_23: DistFlags = DistFlags(0x1000000);
    /// `DFLAG_UNLINK_ID`: the new link protocol (mandatory since OTP 26).
    pub const UNLINK_ID: DistFlags = DistFlags(0x2000000);
    /// `DFLAG_SPAWN`: `SPAWN_REQUEST` / `SPAWN_REPLY`.
    pub const SPAWN: DistFlags = DistFlags(1 << 32);
    /// `DFLAG_NAME_ME`: the connecting node asks for a dynamic name.
    pub const NAME_ME: DistFlags = DistFlags(1 << 33);
    /// `DFLAG_V4_NC`: 32-bit pid fields, 64-bit ports, 5-word references
    /// (mandatory since OTP 26).
    pub const V4_NC: DistFlags = DistFlags(1 << 34);
    /// `DFLAG_ALIAS`: `ALIAS_SEND`.
    pub const ALIAS: DistFlags = DistFlags(1 << 35);
    /// `DFLAG_MANDATORY_25_DIGEST`: shorthand for all of OTP 25's mandatory
    /// flags.
    pub const MANDATORY_25_DIGEST: DistFlags = DistFlags(1 << 36);

    /// What OTP 25 refuses to connect without (`DFLAG_DIST_MANDATORY_25`),
    /// plus what OTP 26 and 27 add (`UNLINK_ID`, `V4_NC`). Girder refuses a
    /// peer that lacks any of these.
    pub const MANDATORY: DistFlags = DistFlags(
        Self::EXTENDED_REFERENCES.0
            | Self::FUN_TAGS.0
            | Self::EXTENDED_PIDS_PORTS.0
            | Self::UTF8_ATOMS.0
            | Self::NEW_FUN_TAGS.0
            | Self::BIG_CREATION.0
            | Self::NEW_FLOATS.0
            | Self::MAP_TAG.0
            | Self::EXPORT_PTR_TAG.0
            | Self::BIT_BINARIES.0
            | Self::HANDSHAKE_23.0
            | Self::UNLINK_ID.0
            | Self::V4_NC.0,
    );

    /// What a Girder node advertises: the mandatory set, monitors by pid and
    /// by name, `SEND_SENDER`, `EXIT_PAYLOAD`, `ALIAS` (`ALIAS_SEND` to a
    /// girder process's alias), `SPAWN` (`SPAWN_REQUEST`, which
    /// `erpc:call` and `rpc:call` send; the runtime bridge serves it, and a
    /// bare [`crate::Node`] hands it to its handler, which must answer
    /// `SPAWN_REPLY`), big seq-trace labels and small atom tags. Not
    /// advertised, so a peer never uses them: the distribution-header atom
    /// cache and fragments (peers then send pass-through frames, one whole
    /// message each).
    pub const GIRDER: DistFlags = DistFlags(
        Self::MANDATORY.0
            | Self::PUBLISHED.0
            | Self::DIST_MONITOR.0
            | Self::DIST_MONITOR_NAME.0
            | Self::SMALL_ATOM_TAGS.0
            | Self::SEND_SENDER.0
            | Self::BIG_SEQTRACE_LABELS.0
            | Self::EXIT_PAYLOAD.0
            | Self::ALIAS.0
            | Self::SPAWN.0
            | Self::MANDATORY_25_DIGEST.0,
    );

    /// No flags.
    pub const fn empty() -> DistFlags {
        DistFlags(0)
    }

    /// Flags from their wire bits.
    pub const fn from_bits(bits: u64) -> DistFlags {
        DistFlags(bits)
    }

    /// The wire bits.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: DistFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// The flags of `required` that are not set here.
    pub const fn missing(self, required: DistFlags) -> DistFlags {
        DistFlags(required.0 & !self.0)
    }

    /// The flags a peer has, with `MANDATORY_25_DIGEST` expanded to what it
    /// stands for (OTP does this on receipt).
    pub const fn expand_digest(self) -> DistFlags {
        if self.0 & Self::MANDATORY_25_DIGEST.0 != 0 {
            DistFlags(
                self.0
                    | Self::EXTENDED_REFERENCES.0
                    | Self::FUN_TAGS.0
                    | Self::EXTENDED_PIDS_PORTS.0
                    | Self::UTF8_ATOMS.0
                    | Self::NEW_FUN_TAGS.0
                    | Self::BIG_CREATION.0
                    | Self::NEW_FLOATS.0
                    | Self::MAP_TAG.0
                    | Self::EXPORT_PTR_TAG.0
                    | Self::BIT_BINARIES.0
                    | Self::HANDSHAKE_23.0,
            )
        } else {
            self
        }
    }
}

impl BitOr for DistFlags {
    type Output = DistFlags;
    fn bitor(self, rhs: DistFlags) -> DistFlags {
        DistFlags(self.0 | rhs.0)
    }
}

impl BitAnd for DistFlags {
    type Output = DistFlags;
    fn bitand(self, rhs: DistFlags) -> DistFlags {
        DistFlags(self.0 & rhs.0)
    }
}

const NAMES: &[(u64, &str)] = &[
    (0x1, "PUBLISHED"),
    (0x2, "ATOM_CACHE"),
    (0x4, "EXTENDED_REFERENCES"),
    (0x8, "DIST_MONITOR"),
    (0x10, "FUN_TAGS"),
    (0x20, "DIST_MONITOR_NAME"),
    (0x40, "HIDDEN_ATOM_CACHE"),
    (0x80, "NEW_FUN_TAGS"),
    (0x100, "EXTENDED_PIDS_PORTS"),
    (0x200, "EXPORT_PTR_TAG"),
    (0x400, "BIT_BINARIES"),
    (0x800, "NEW_FLOATS"),
    (0x1000, "UNICODE_IO"),
    (0x2000, "DIST_HDR_ATOM_CACHE"),
    (0x4000, "SMALL_ATOM_TAGS"),
    (0x10000, "UTF8_ATOMS"),
    (0x20000, "MAP_TAG"),
    (0x40000, "BIG_CREATION"),
    (0x80000, "SEND_SENDER"),
    (0x100000, "BIG_SEQTRACE_LABELS"),
    (0x400000, "EXIT_PAYLOAD"),
    (0x800000, "FRAGMENTS"),
    (0x1000000, "HANDSHAKE_23"),
    (0x2000000, "UNLINK_ID"),
    (1 << 32, "SPAWN"),
    (1 << 33, "NAME_ME"),
    (1 << 34, "V4_NC"),
    (1 << 35, "ALIAS"),
    (1 << 36, "MANDATORY_25_DIGEST"),
];

/// Lists the flag names, `|`-separated; unknown bits in hex.
impl fmt::Debug for DistFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        let mut first = true;
        f.write_str("DistFlags(")?;
        for (bit, name) in NAMES {
            if rest & bit != 0 {
                if !first {
                    f.write_str("|")?;
                }
                f.write_str(name)?;
                first = false;
                rest &= !bit;
            }
        }
        if rest != 0 {
            if !first {
                f.write_str("|")?;
            }
            write!(f, "{rest:#x}")?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for DistFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_names_flags() {
        let f = DistFlags::UTF8_ATOMS | DistFlags::SPAWN | DistFlags::from_bits(1 << 60);
        assert_eq!(
            format!("{f:?}"),
            "DistFlags(UTF8_ATOMS|SPAWN|0x1000000000000000)"
        );
    }

    #[test]
    fn digest_expands() {
        let f = DistFlags::MANDATORY_25_DIGEST | DistFlags::UNLINK_ID | DistFlags::V4_NC;
        assert!(f.expand_digest().contains(DistFlags::MANDATORY));
        assert!(!f.contains(DistFlags::MANDATORY));
    }
}
