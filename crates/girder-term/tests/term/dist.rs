//! Distribution headers: normal (68) and fragmented (69, 70) headers, atom
//! cache updates and references, long atoms, and broken headers.

use girder_term::{
    AtomCache, DecodeErrorKind, DistHeaderKind, Limits, Term, decode_dist_header, decode_dist_term,
    encode_without_version,
};

/// Builds an atom-cache header part: (new?, segment, index, text).
fn cache_part(refs: &[(bool, u8, u8, &str)], long_atoms: bool) -> Vec<u8> {
    let n = refs.len();
    let mut out = vec![n as u8];
    if n == 0 {
        return out;
    }
    let mut nibbles: Vec<u8> = refs
        .iter()
        .map(|(new, seg, _, _)| (u8::from(*new) << 3) | seg)
        .collect();
    nibbles.push(u8::from(long_atoms));
    for pair in nibbles.chunks(2) {
        out.push(pair[0] | (pair.get(1).copied().unwrap_or(0) << 4));
    }
    for (new, _, index, text) in refs {
        out.push(*index);
        if *new {
            if long_atoms {
                out.extend((text.len() as u16).to_be_bytes());
            } else {
                out.push(text.len() as u8);
            }
            out.extend(text.as_bytes());
        }
    }
    out
}

#[test]
fn normal_header_fills_and_uses_the_cache() {
    let limits = Limits::default();
    let mut cache = AtomCache::new();
    // Message 1: two new entries, 'girder@host' in segment 1 and 'ok' in 0.
    let mut msg = vec![131, 68];
    msg.extend(cache_part(
        &[(true, 1, 7, "girder@host"), (true, 0, 3, "ok")],
        false,
    ));
    let control = [104, 2, 82, 1, 82, 0]; // {ok, 'girder@host'}
    msg.extend(control);
    let payload = Term::list([Term::atom("plain"), Term::Integer(1)]);
    encode_without_version(&payload, &mut msg).unwrap();
    let (header, used) = decode_dist_header(&msg, &mut cache, &limits).unwrap();
    assert_eq!(header.kind, DistHeaderKind::Normal);
    assert!(!header.long_atoms);
    assert_eq!(header.atoms.len(), 2);
    assert_eq!(cache.get(256 + 7).unwrap().as_str(), "girder@host");
    assert_eq!(cache.get(3).unwrap().as_str(), "ok");
    let (c, n) = decode_dist_term(&msg[used..], &header.atoms, &limits).unwrap();
    assert_eq!(
        c,
        Term::tuple([Term::atom("ok"), Term::atom("girder@host")])
    );
    let (p, m) = decode_dist_term(&msg[used + n..], &header.atoms, &limits).unwrap();
    assert_eq!(p, payload);
    assert_eq!(used + n + m, msg.len());

    // Message 2: old entries only, in another order.
    let mut msg = vec![131, 68];
    msg.extend(cache_part(&[(false, 0, 3, ""), (false, 1, 7, "")], false));
    msg.extend([82, 0]);
    let (header, used) = decode_dist_header(&msg, &mut cache, &limits).unwrap();
    let (t, _) = decode_dist_term(&msg[used..], &header.atoms, &limits).unwrap();
    assert_eq!(t, Term::atom("ok"));
    assert_eq!(header.atoms[1].as_str(), "girder@host");
}

#[test]
fn long_atoms_and_utf8() {
    let mut cache = AtomCache::new();
    let long = "ö".repeat(200); // 400 bytes: needs 2-byte lengths
    let mut msg = vec![131, 68];
    msg.extend(cache_part(&[(true, 7, 255, &long)], true));
    msg.extend([82, 0]);
    let (header, used) = decode_dist_header(&msg, &mut cache, &Limits::default()).unwrap();
    assert!(header.long_atoms);
    assert_eq!(cache.get(7 * 256 + 255).unwrap().as_str(), long);
    let (t, _) = decode_dist_term(&msg[used..], &header.atoms, &Limits::default()).unwrap();
    assert_eq!(t.as_atom(), Some(long.as_str()));
}

#[test]
fn fragment_headers() {
    let mut cache = AtomCache::new();
    let mut first = vec![131, 69];
    first.extend(77u64.to_be_bytes());
    first.extend(3u64.to_be_bytes());
    first.extend(cache_part(&[(true, 0, 0, "reg_send")], false));
    first.extend([104, 1, 82, 0]);
    let (h, used) = decode_dist_header(&first, &mut cache, &Limits::default()).unwrap();
    assert_eq!(
        h.kind,
        DistHeaderKind::FirstFragment {
            sequence_id: 77,
            fragment_id: 3
        }
    );
    assert_eq!(h.atoms[0].as_str(), "reg_send");
    assert_eq!(used, first.len() - 4);

    let mut cont = vec![131, 70];
    cont.extend(77u64.to_be_bytes());
    cont.extend(2u64.to_be_bytes());
    cont.extend([1, 2, 3]);
    let (h, used) = decode_dist_header(&cont, &mut cache, &Limits::default()).unwrap();
    assert_eq!(
        h.kind,
        DistHeaderKind::Continuation {
            sequence_id: 77,
            fragment_id: 2
        }
    );
    assert!(h.atoms.is_empty());
    assert_eq!(used, 18);
}

#[test]
fn no_atom_cache_refs() {
    let mut cache = AtomCache::new();
    let msg = [131, 68, 0, 97, 1];
    let (h, used) = decode_dist_header(&msg, &mut cache, &Limits::default()).unwrap();
    assert!(h.atoms.is_empty());
    assert_eq!(used, 3);
}

#[test]
fn broken_headers_are_typed_errors_and_leave_the_cache_alone() {
    let limits = Limits::default();
    let mut cache = AtomCache::new();
    // An old entry that the cache does not hold.
    let mut msg = vec![131, 68];
    msg.extend(cache_part(&[(true, 0, 1, "new"), (false, 2, 9, "")], false));
    let e = decode_dist_header(&msg, &mut cache, &limits).unwrap_err();
    assert_eq!(
        e.kind,
        DecodeErrorKind::BadAtomCacheRef { index: 2 * 256 + 9 }
    );
    assert!(
        cache.get(1).is_none(),
        "a failed header must not update the cache"
    );
    // Truncated at every offset.
    let mut good = vec![131, 68];
    good.extend(cache_part(
        &[(true, 0, 1, "abc"), (true, 3, 2, "de")],
        false,
    ));
    for cut in 0..good.len() {
        assert!(decode_dist_header(&good[..cut], &mut AtomCache::new(), &limits).is_err());
    }
    // Not a header tag, wrong version.
    let e = decode_dist_header(&[131, 104, 0], &mut cache, &limits).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::UnknownTag { tag: 104 });
    let e = decode_dist_header(&[130, 68, 0], &mut cache, &limits).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::BadVersion { found: Some(130) });
    // Invalid UTF-8 in a new entry.
    let mut msg = vec![131, 68, 1, 0x08, 0, 2, 0xC3, 0x28];
    let e = decode_dist_header(&msg, &mut cache, &limits).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::InvalidUtf8Atom);
    // A reference past the header's atoms in the term.
    msg = vec![82, 5];
    let e = decode_dist_term(&msg, &[], &limits).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::BadAtomCacheRef { index: 5 });
}
