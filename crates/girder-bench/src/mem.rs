//! Memory readings from `/proc`: resident set (`/proc/self/statm`), its peak
//! (`VmHWM`, reset through `/proc/self/clear_refs`), and what the machine
//! has available (`/proc/meminfo`). `None` where `/proc` is missing.

use std::io::BufRead;
use std::sync::OnceLock;

/// The kernel's page size, from the first mapping in `/proc/self/smaps`
/// (statm counts pages). Read once, before any workload runs.
pub fn page_size() -> Option<u64> {
    static PAGE: OnceLock<Option<u64>> = OnceLock::new();
    *PAGE.get_or_init(|| {
        let smaps = std::fs::File::open("/proc/self/smaps").ok()?;
        for line in std::io::BufReader::new(smaps).lines() {
            let line = line.ok()?;
            if let Some(rest) = line.strip_prefix("KernelPageSize:") {
                let kib: u64 = rest.trim().strip_suffix("kB")?.trim().parse().ok()?;
                return Some(kib * 1024);
            }
        }
        None
    })
}

/// This OS process's resident set size in bytes, from `/proc/self/statm`.
pub fn rss_bytes() -> Option<u64> {
    let page = page_size()?;
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let resident: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(resident * page)
}

/// The peak resident set size since start or the last
/// [`reset_peak_rss`], in bytes (`VmHWM` of `/proc/self/status`).
pub fn peak_rss_bytes() -> Option<u64> {
    kib_field("/proc/self/status", "VmHWM:")
}

/// Resets the peak resident set to the current one (Linux ≥ 4.0: `5` to
/// `/proc/self/clear_refs`). Returns whether it worked.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Memory the machine can give without swapping (`MemAvailable`), bytes.
pub fn mem_available() -> Option<u64> {
    kib_field("/proc/meminfo", "MemAvailable:")
}

/// Total memory of the machine (`MemTotal`), bytes.
pub fn mem_total() -> Option<u64> {
    kib_field("/proc/meminfo", "MemTotal:")
}

fn kib_field(path: &str, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line[field.len()..]
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}
