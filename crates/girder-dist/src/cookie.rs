//! The magic cookie that two nodes must share to connect (Erlang `auth`).
//!
//! Resolution order, as [`Cookie::resolve`] does it: an explicit cookie
//! (Erlang `-setcookie`), else the environment variable `GIRDER_COOKIE`, else
//! the file `$HOME/.erlang.cookie`, read with Erlang's rules (`auth.erl`):
//! a regular file that only its owner may access; the cookie is its leading
//! run of printable ASCII characters (space to `~`), after which only
//! newlines, carriage returns and spaces may follow. When the file does not
//! exist it is created, as Erlang does, with 20 random capital letters and
//! mode 0400.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// The environment variable [`Cookie::resolve`] reads when no cookie is given.
pub const COOKIE_ENV: &str = "GIRDER_COOKIE";

/// A distribution cookie. Its [`Debug`](fmt::Debug) output hides the text.
///
/// ```
/// use girder_dist::Cookie;
/// let c = Cookie::new("secret").unwrap();
/// assert_eq!(c.as_str(), "secret");
/// assert_eq!(format!("{c:?}"), "Cookie(<6 bytes>)");
/// assert!(Cookie::new("").is_err());
/// assert!(Cookie::new("tab\there").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Cookie(String);

/// Why no cookie could be had.
#[derive(Debug)]
#[non_exhaustive]
pub enum CookieError {
    /// The cookie text is empty or has characters outside space to `~`.
    Invalid {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The cookie file could not be read or created.
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        error: io::Error,
    },
    /// The cookie file is not a regular file, or others may access it.
    Permissions {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The cookie file's content breaks Erlang's rules.
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No cookie given, `GIRDER_COOKIE` unset and no `HOME` to find
    /// `.erlang.cookie` in.
    NoHome,
}

impl fmt::Display for CookieError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CookieError::Invalid { reason } => write!(f, "invalid cookie: {reason}"),
            CookieError::Io { path, error } => {
                write!(f, "cookie file {}: {error}", path.display())
            }
            CookieError::Permissions { path, reason } => {
                write!(f, "cookie file {}: {reason}", path.display())
            }
            CookieError::BadFile { path, reason } => {
                write!(f, "cookie file {}: {reason}", path.display())
            }
            CookieError::NoHome => write!(
                f,
                "no cookie given, {COOKIE_ENV} is not set and HOME is not set to find .erlang.cookie"
            ),
        }
    }
}

impl std::error::Error for CookieError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CookieError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl Cookie {
    /// A cookie from its text (Erlang `erlang:set_cookie/1`, `-setcookie`):
    /// one or more characters from space to `~`.
    pub fn new(text: impl Into<String>) -> Result<Cookie, CookieError> {
        let text = text.into();
        if text.is_empty() {
            return Err(CookieError::Invalid {
                reason: "empty cookie",
            });
        }
        if !text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
            return Err(CookieError::Invalid {
                reason: "characters outside space to ~",
            });
        }
        Ok(Cookie(text))
    }

    /// The cookie's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The explicit cookie if given, else `GIRDER_COOKIE`, else
    /// `$HOME/.erlang.cookie` (created if missing), as the module docs say.
    pub fn resolve(explicit: Option<Cookie>) -> Result<Cookie, CookieError> {
        if let Some(c) = explicit {
            return Ok(c);
        }
        if let Ok(text) = std::env::var(COOKIE_ENV) {
            return Cookie::new(text);
        }
        let home = std::env::var_os("HOME").ok_or(CookieError::NoHome)?;
        Cookie::from_home(Path::new(&home))
    }

    /// `<home>/.erlang.cookie`, read with [`Cookie::from_file`], or created
    /// with a random cookie when it does not exist (Erlang `auth` at start).
    pub fn from_home(home: &Path) -> Result<Cookie, CookieError> {
        let path = home.join(".erlang.cookie");
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => create_cookie_file(&path),
            _ => Cookie::from_file(&path),
        }
    }

    /// Reads a cookie file with Erlang's rules (see the module docs).
    pub fn from_file(path: &Path) -> Result<Cookie, CookieError> {
        let io_err = |error| CookieError::Io {
            path: path.to_path_buf(),
            error,
        };
        let meta = std::fs::metadata(path).map_err(io_err)?;
        if !meta.is_file() {
            return Err(CookieError::Permissions {
                path: path.to_path_buf(),
                reason: "not a regular file".into(),
            });
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(CookieError::Permissions {
                    path: path.to_path_buf(),
                    reason: format!("must be accessible by owner only (mode {:o})", mode & 0o777),
                });
            }
        }
        let bytes = std::fs::read(path).map_err(io_err)?;
        parse_cookie_file(&bytes)
            .map(|s| Cookie(s.to_owned()))
            .map_err(|reason| CookieError::BadFile {
                path: path.to_path_buf(),
                reason,
            })
    }
}

/// Erlang's `check_cookie`: the leading printable run, then only `\n`,
/// `\r` and spaces.
fn parse_cookie_file(bytes: &[u8]) -> Result<&str, &'static str> {
    let end = bytes
        .iter()
        .position(|b| !(b' '..=b'~').contains(b))
        .unwrap_or(bytes.len());
    if !bytes[end..]
        .iter()
        .all(|b| matches!(b, b'\n' | b'\r' | b' '))
    {
        return Err("bad characters in cookie");
    }
    if end == 0 {
        return Err("too short cookie string");
    }
    // Printable ASCII is UTF-8.
    std::str::from_utf8(&bytes[..end]).map_err(|_| "bad characters in cookie")
}

fn create_cookie_file(path: &Path) -> Result<Cookie, CookieError> {
    let mut random = [0u8; 20];
    getrandom::fill(&mut random).map_err(|e| CookieError::Io {
        path: path.to_path_buf(),
        error: io::Error::other(e.to_string()),
    })?;
    let text: String = random.iter().map(|b| char::from(b'A' + b % 26)).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o400);
    }
    let write = || -> io::Result<()> {
        use io::Write;
        let mut file = options.open(path)?;
        file.write_all(text.as_bytes())
    };
    write().map_err(|error| CookieError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(Cookie(text))
}

impl fmt::Debug for Cookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cookie(<{} bytes>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_rules_match_auth_erl() {
        assert_eq!(parse_cookie_file(b"ABC\n"), Ok("ABC"));
        assert_eq!(parse_cookie_file(b"ABC"), Ok("ABC"));
        // A space is printable, so it belongs to the cookie, as in Erlang.
        assert_eq!(parse_cookie_file(b"AB C \r\n"), Ok("AB C "));
        assert_eq!(parse_cookie_file(b"\n"), Err("too short cookie string"));
        assert_eq!(parse_cookie_file(b""), Err("too short cookie string"));
        assert_eq!(
            parse_cookie_file(b"AB\nCD"),
            Err("bad characters in cookie")
        );
        assert_eq!(parse_cookie_file(b"AB\tC"), Err("bad characters in cookie"));
    }

    #[test]
    fn home_file_created_then_read_and_permissions_checked() {
        let dir = std::env::temp_dir().join(format!(
            "girder-cookie-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let made = Cookie::from_home(&dir).unwrap();
        assert_eq!(made.as_str().len(), 20);
        assert!(made.as_str().bytes().all(|b| b.is_ascii_uppercase()));
        assert_eq!(Cookie::from_home(&dir).unwrap(), made);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.join(".erlang.cookie");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = Cookie::from_home(&dir).unwrap_err();
            assert!(
                err.to_string().contains("accessible by owner only"),
                "{err}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
