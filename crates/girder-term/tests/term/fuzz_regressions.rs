//! Replays the fuzz corpus (`fuzz/corpus/decode/`) and every crash the fuzzer
//! found (`fuzz/regressions/`) through the decoder: each must decode or fail
//! with an error, never panic, and whatever decodes must re-encode and decode
//! to the same term.

use std::path::Path;

use girder_term::{Limits, decode, decode_dist_term, decode_without_version, encode};

fn replay(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        check(&bytes);
        n += 1;
    }
    n
}

/// What the fuzz target checks, on one input.
pub(crate) fn check(bytes: &[u8]) {
    if let Ok(t) = decode(bytes) {
        let again = encode(&t).expect("a decoded term encodes");
        assert_eq!(decode(&again).expect("our encoding decodes"), t);
    }
    let limits = Limits::default();
    let _ = decode_without_version(bytes, &limits);
    let _ = decode_dist_term(bytes, &[], &limits);
}

#[test]
fn corpus_and_crashes_replay_cleanly() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let corpus = replay(&fuzz.join("corpus/decode"));
    let crashes = replay(&fuzz.join("regressions"));
    assert!(corpus >= 100, "only {corpus} corpus files");
    eprintln!("replayed {corpus} corpus files and {crashes} crash files");
}
