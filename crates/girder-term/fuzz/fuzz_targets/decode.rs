//! Fuzz target: the ETF decoder on arbitrary bytes. Whatever decodes must
//! encode, and our encoding must decode to the same term; nothing may panic.
#![no_main]

use girder_term::{
    AtomCache, Limits, decode, decode_dist_header, decode_dist_term, decode_with,
    decode_without_version, encode,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = decode(data) {
        let again = encode(&t).expect("a decoded term encodes");
        let back = decode(&again).expect("our encoding decodes");
        assert!(back == t, "re-decoded term differs");
        let _ = t.to_string();
    }
    // Tight limits exercise every limit check.
    let tight = Limits::default()
        .max_depth(8)
        .max_atoms(16)
        .max_terms(256)
        .max_heap_bytes(16 * 1024)
        .max_decompressed_bytes(4096)
        .max_bigint_bytes(64);
    let _ = decode_with(data, &tight);
    let limits = Limits::default();
    let _ = decode_without_version(data, &limits);
    let mut cache = AtomCache::new();
    if let Ok((header, used)) = decode_dist_header(data, &mut cache, &limits) {
        let rest = data.get(used..).unwrap_or_default();
        if let Ok((_, n)) = decode_dist_term(rest, &header.atoms, &limits) {
            let _ = decode_dist_term(rest.get(n..).unwrap_or_default(), &header.atoms, &limits);
        }
    } else {
        let _ = decode_dist_term(data, &[], &limits);
    }
});
