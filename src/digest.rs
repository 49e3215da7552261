//! Digests that decide whether something made by an earlier build can be
//! reused: a page, a listing, a document's share of the exports, an input
//! file. One function for every such decision, so they all hash alike.
//!
//! XXH3 (64 bits, as SipHash gave before) over the bytes a value's `Hash`
//! writes. `Hash` feeds a hasher field by field, a few bytes at a time;
//! [`Digester`] gathers those small writes and hands XXH3 runs of bytes
//! (XXH3's own streaming update, called per field, cost as much as SipHash).
//! Not for lookup maps: those use rustc-hash.

use std::hash::{Hash, Hasher};

use xxhash_rust::xxh3::Xxh3Default;

/// Writes at least this long go to XXH3 directly instead of the buffer.
const DIRECT: usize = 128;

/// Bytes gathered before they are handed to XXH3 (small: every digester
/// zeroes its buffer, and a build makes one per document and page).
const GATHER: usize = 4 * DIRECT;

/// A [`Hasher`] for digests; see the module documentation.
pub struct Digester {
    state: Xxh3Default,
    gathered: [u8; GATHER],
    len: usize,
}

impl Digester {
    /// A digester that has seen nothing yet.
    pub fn new() -> Digester {
        Digester {
            state: Xxh3Default::new(),
            gathered: [0; GATHER],
            len: 0,
        }
    }

    #[inline]
    fn gather(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > GATHER {
            self.drain();
        }
        self.gathered[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    /// Hand the gathered bytes to XXH3.
    #[inline(never)]
    fn drain(&mut self) {
        self.state.update(&self.gathered[..self.len]);
        self.len = 0;
    }
}

impl Default for Digester {
    fn default() -> Self {
        Digester::new()
    }
}

// Inlined, so that `Hash` impls writing integers and short strings cost a
// copy of a few bytes each.
impl Hasher for Digester {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        if bytes.len() >= DIRECT {
            self.drain();
            self.state.update(bytes);
        } else {
            self.gather(bytes);
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.gather(&[n]);
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.gather(&n.to_ne_bytes());
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.gather(&n.to_ne_bytes());
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.gather(&n.to_ne_bytes());
    }

    fn finish(&self) -> u64 {
        // Hasher::finish takes &self: finish a copy of the state.
        let mut state = self.state.clone();
        state.update(&self.gathered[..self.len]);
        state.digest()
    }
}

impl std::io::Write for Digester {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        Hasher::write(self, bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The digest of `bytes` themselves, as a [`Digester`] given them in one
/// write (a file's contents).
pub fn bytes(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The digest of `value`.
pub fn of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut d = Digester::new();
    value.hash(&mut d);
    d.finish()
}

/// The digest of any serialisable value, through its JSON form.
pub fn of_json<T: serde::Serialize + ?Sized>(value: &T) -> u64 {
    let mut d = Digester::new();
    // Serialising plain data into a hasher cannot fail.
    let _ = serde_json::to_writer(&mut d, value);
    d.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// However the bytes are split into writes, the digest is XXH3 of
    /// them all: gathering changes the speed, never the result.
    #[test]
    fn the_digest_is_xxh3_of_all_bytes_written() {
        let bytes: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let whole = super::bytes(&bytes);
        for split in [1, 3, 64, 127, 128, 1000, 1023, 1024, 5000, 20_000] {
            let mut d = Digester::new();
            bytes.chunks(split).for_each(|c| d.write(c));
            assert_eq!(d.finish(), whole, "writes of {split} bytes");
        }
        let mut mixed = Digester::new();
        let (a, rest) = bytes.split_at(10);
        let (b, c) = rest.split_at(3000);
        [a, b, c].iter().for_each(|p| mixed.write(p));
        assert_eq!(mixed.finish(), whole);
    }

    /// Integer writes (which bypass `write`) and long writes interleave
    /// in order.
    #[test]
    fn integer_and_long_writes_keep_their_order() {
        let long = vec![7u8; 3 * DIRECT];
        let mut expected = Vec::new();
        let mut d = Digester::new();
        for round in 0..40u64 {
            d.write_u8(round as u8);
            d.write_u32(round as u32);
            d.write_u64(round);
            d.write_usize(round as usize);
            expected.push(round as u8);
            expected.extend_from_slice(&(round as u32).to_ne_bytes());
            expected.extend_from_slice(&round.to_ne_bytes());
            expected.extend_from_slice(&(round as usize).to_ne_bytes());
            if round % 7 == 0 {
                d.write(&long);
                expected.extend_from_slice(&long);
            }
        }
        assert_eq!(d.finish(), bytes(&expected));
    }

    #[test]
    fn different_values_digest_differently() {
        assert_ne!(of(&("a", "bc")), of(&("ab", "c")));
        assert_ne!(of(&[1u32, 2]), of(&[2u32, 1]));
        assert_eq!(of(&("same", 1u8)), of(&("same", 1u8)));
    }
}
