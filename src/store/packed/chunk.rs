//! The byte layout of one chunk and of the length key.

use super::*;

pub(in crate::store) fn read_len(bytes: Option<&[u8]>) -> u64 {
    bytes
        .and_then(|v| v.try_into().ok().map(u64::from_be_bytes))
        .unwrap_or(0)
}

pub(super) fn entry_size((k, v): &Entry) -> usize {
    8 + k.len() + v.len()
}

pub(super) fn size(entries: &[Entry]) -> usize {
    4 + entries.iter().map(entry_size).sum::<usize>()
}

/// Where to cut so both halves hold about the same bytes, leaving neither empty.
pub(super) fn half_by_size(entries: &[Entry]) -> usize {
    let half = size(entries) / 2;
    let mut bytes = size(&[]);
    for (i, e) in entries.iter().enumerate() {
        bytes += entry_size(e);
        if bytes >= half {
            return (i + 1).clamp(1, entries.len() - 1);
        }
    }
    entries.len() / 2
}

/// `[count u32][klen u32][key][vlen u32][value]...`, big-endian lengths.
pub(in crate::store) fn encode_chunk(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(size(entries));
    out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
    for (k, v) in entries {
        out.extend_from_slice(&(k.len() as u32).to_be_bytes());
        out.extend_from_slice(k);
        out.extend_from_slice(&(v.len() as u32).to_be_bytes());
        out.extend_from_slice(v);
    }
    out
}

/// The number of entries a stored chunk says it holds (0 for a cut one).
pub(in crate::store) fn chunk_len(bytes: &[u8]) -> u64 {
    bytes
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .map_or(0, |b| u64::from(u32::from_be_bytes(b)))
}

/// Calls `visit` with each entry of an encoded chunk, in order, while it returns true.
/// None when the encoding is cut short (as far as it was read).
pub(super) fn walk_chunk(
    mut bytes: &[u8],
    mut visit: impl FnMut(&[u8], &[u8]) -> bool,
) -> Option<()> {
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        if bytes.len() < n {
            return None;
        }
        let (head, tail) = bytes.split_at(n);
        *bytes = tail;
        Some(head)
    }
    fn length(bytes: &mut &[u8]) -> Option<usize> {
        Some(u32::from_be_bytes(take(bytes, 4)?.try_into().ok()?) as usize)
    }
    let count = length(&mut bytes)?;
    for _ in 0..count {
        let klen = length(&mut bytes)?;
        let key = take(&mut bytes, klen)?;
        let vlen = length(&mut bytes)?;
        let value = take(&mut bytes, vlen)?;
        if !visit(key, value) {
            return Some(());
        }
    }
    bytes.is_empty().then_some(())
}

pub(in crate::store) fn decode_chunk(bytes: &[u8]) -> Option<Vec<Entry>> {
    let mut entries = Vec::with_capacity(chunk_len(bytes).min(bytes.len() as u64 / 8) as usize);
    walk_chunk(bytes, |k, v| {
        entries.push((k.to_vec(), v.to_vec()));
        true
    })?;
    Some(entries)
}
