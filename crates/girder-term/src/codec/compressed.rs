//! Compressed terms: `131 80 Size:32 ZlibData`, as `term_to_binary(T,
//! [compressed])` writes them.

use flate2::{Decompress, FlushDecompress, Status};

use super::decode::Decoder;
use super::error::{DecodeError, DecodeErrorKind};
use super::limits::{Limit, Limits};
use crate::Term;

/// Deflate cannot expand one input byte to more than about 1032 output bytes;
/// the first allocation is bounded by what the stream could produce.
const MAX_DEFLATE_RATIO: usize = 1032;
/// Output is grown in steps of at most this, so a stream that lies about its
/// size is caught before the lie is paid for in memory.
const GROW_STEP: usize = 1 << 20;

/// Decodes a compressed term; `bytes` is the whole input and `bytes[1]` is the
/// compressed tag. The zlib stream must end exactly at the end of the input.
pub(crate) fn decode_compressed(bytes: &[u8], limits: &Limits) -> Result<Term, DecodeError> {
    let mut header = Decoder::new(bytes, 2, limits, None);
    let size = header.u32()? as usize;
    if size > limits.max_decompressed_bytes {
        return Err(DecodeError::new(
            2,
            DecodeErrorKind::LimitExceeded {
                limit: Limit::DecompressedBytes,
                value: size as u64,
                max: limits.max_decompressed_bytes as u64,
            },
        ));
    }
    let data = bytes.get(6..).unwrap_or_default();
    let inflated = inflate(data, size)?;
    let mut body = Decoder::new(&inflated, 0, limits, None);
    body.set_in_decompressed();
    let term = body.term()?;
    if body.pos() != inflated.len() {
        return Err(body.err(
            body.pos(),
            DecodeErrorKind::TrailingBytes {
                count: inflated.len() - body.pos(),
            },
        ));
    }
    Ok(term)
}

fn bad(offset: usize, reason: &'static str) -> DecodeError {
    DecodeError::new(offset, DecodeErrorKind::BadCompressed { reason })
}

/// Inflates `data` (which starts at input offset 6), which must produce
/// exactly `size` bytes and end exactly at the end of `data`.
fn inflate(data: &[u8], size: usize) -> Result<Vec<u8>, DecodeError> {
    let mut z = Decompress::new(true);
    let first = size.min(
        data.len()
            .saturating_mul(MAX_DEFLATE_RATIO)
            .saturating_add(64),
    );
    // One byte of slack shows a stream that runs past its declared size.
    let mut out: Vec<u8> = Vec::with_capacity(first.min(GROW_STEP) + 1);
    loop {
        let consumed = z.total_in() as usize;
        let produced = z.total_out();
        let input = data.get(consumed..).unwrap_or_default();
        let status = z
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .map_err(|_| bad(6 + z.total_in() as usize, "corrupt zlib data"))?;
        if out.len() > size {
            return Err(bad(
                6 + z.total_in() as usize,
                "inflates past its declared size",
            ));
        }
        match status {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError => {
                if out.len() == out.capacity() {
                    // Room for at most the declared size plus the slack byte.
                    let room = (size + 1 - out.len()).min(GROW_STEP.max(out.len()));
                    out.reserve_exact(room);
                } else if z.total_in() as usize >= data.len() {
                    return Err(bad(6 + data.len(), "zlib data ends early"));
                } else if status == Status::BufError
                    || (z.total_in() as usize == consumed && z.total_out() == produced)
                {
                    return Err(bad(6 + z.total_in() as usize, "zlib stream stalled"));
                }
            }
        }
    }
    if out.len() != size {
        return Err(bad(
            6 + z.total_in() as usize,
            "inflates to less than its declared size",
        ));
    }
    let end = z.total_in() as usize;
    if end != data.len() {
        return Err(DecodeError::new(
            6 + end,
            DecodeErrorKind::TrailingBytes {
                count: data.len() - end,
            },
        ));
    }
    Ok(out)
}
