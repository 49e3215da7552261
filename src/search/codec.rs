//! The wire format of one posting: bit streams of Rice codes, which hold
//! the ~7 million positions of a large corpus in about 11 bits each (varints
//! take 16). `search.js` decodes the same format; keep the two in step.
//!
//! Two sections. Documents: for each document holding the key, how many
//! documents lie between it and the previous one (Rice, parameter from how
//! many documents hold the key)
//! and the term frequency (Elias gamma), padded to a whole byte. Positions
//! (positional keys only): for each document in the same order, its
//! positions as gaps (Rice, parameter from the document's length over the
//! frequency). Every parameter is computed from numbers the reader already
//! has (document count, `docs`, frequencies, document lengths), so none is
//! stored, and the positions section can be written while documents are
//! still being indexed. Pure functions; no I/O.

/// One document's entry: document number, frequency, positions (empty for
/// keys without positions).
pub type Entry = (u32, u32, Vec<u32>);

/// What the reader knows before decoding a posting.
#[derive(Debug, Clone, Copy)]
pub struct Layout<'a> {
    /// Number of documents in the index.
    pub documents: u32,
    /// Positions in each document (title, 文号 and body).
    pub lengths: &'a [u32],
}

/// The Rice parameter for gaps averaging `total / count`: `log2` of about
/// 0.69 times the mean, the optimum for geometric gaps. Integer-only, so the
/// browser computes exactly the same.
pub fn rice_k(total: u64, count: u64) -> u32 {
    let scaled = total * 11 / (count.max(1) * 16);
    if scaled == 0 { 0 } else { scaled.ilog2() }
}

/// The positions section of a posting, written one document at a time.
#[derive(Debug, Default, Clone)]
pub struct Positions(BitWriter);

impl Positions {
    /// Add the positions (ascending, distinct) of the next document, which
    /// holds `length` positions in all.
    pub fn push(&mut self, length: u32, positions: &[u32]) {
        debug_assert!(positions.windows(2).all(|w| w[0] < w[1]));
        let k = rice_k(u64::from(length), positions.len() as u64);
        let mut last = None;
        for &p in positions {
            // Positions are distinct: after the first, gaps are at least one.
            self.0.rice(last.map_or(p, |l: u32| p - l - 1), k);
            last = Some(p);
        }
    }
}

/// A whole posting: the documents section for `docs` (document, frequency)
/// pairs in ascending order, then `positions` if the key has them.
pub fn posting(
    docs: impl ExactSizeIterator<Item = (u32, u32)>,
    documents: u32,
    positions: Option<Positions>,
) -> Vec<u8> {
    let mut w = BitWriter::default();
    let doc_k = rice_k(u64::from(documents), docs.len() as u64);
    let mut next = 0;
    for (doc, tf) in docs {
        debug_assert!(
            doc >= next && tf >= 1,
            "documents ascending, each holding the key"
        );
        w.rice(doc - next, doc_k);
        next = doc + 1;
        w.gamma(tf);
    }
    let mut bytes = w.finish();
    if let Some(p) = positions {
        bytes.extend(p.0.finish());
    }
    bytes
}

/// Encode `entries` (documents ascending, positions ascending).
#[cfg(test)]
pub fn encode(entries: &[Entry], positional: bool, layout: Layout<'_>) -> Vec<u8> {
    let positions = positional.then(|| {
        let mut p = Positions::default();
        for (doc, _, positions) in entries {
            p.push(length(layout, *doc), positions);
        }
        p
    });
    let docs = entries.iter().map(|(doc, tf, _)| (*doc, *tf));
    posting(docs, layout.documents, positions)
}

/// Decode `docs` entries from `bytes`.
pub fn decode(bytes: &[u8], docs: u32, positional: bool, layout: Layout<'_>) -> Vec<Entry> {
    let mut r = BitReader { bytes, bit: 0 };
    let doc_k = rice_k(u64::from(layout.documents), u64::from(docs));
    let mut next = 0;
    let mut out = Vec::with_capacity(docs as usize);
    for _ in 0..docs {
        let doc = next + r.rice(doc_k);
        next = doc + 1;
        out.push((doc, r.gamma(), Vec::new()));
    }
    if positional {
        r.bit = r.bit.div_ceil(8) * 8;
        for (doc, tf, positions) in &mut out {
            let k = rice_k(u64::from(length(layout, *doc)), u64::from(*tf));
            let mut p = 0;
            for n in 0..*tf {
                p = if n == 0 { r.rice(k) } else { p + 1 + r.rice(k) };
                positions.push(p);
            }
        }
    }
    out
}

fn length(layout: Layout<'_>, doc: u32) -> u32 {
    layout.lengths.get(doc as usize).copied().unwrap_or(0)
}

/// Bits, most significant first within each byte.
#[derive(Debug, Default, Clone)]
struct BitWriter {
    bytes: Vec<u8>,
    acc: u64,
    used: u32,
}

impl BitWriter {
    /// The low `n` bits of `value` (`n` ≤ 32). Whole 32-bit words go out
    /// at once: pushing byte by byte was a tenth of the index build.
    #[inline(always)]
    fn bits(&mut self, value: u32, n: u32) {
        if n == 0 {
            return;
        }
        self.acc = (self.acc << n) | u64::from(value & (u32::MAX >> (32 - n)));
        self.used += n;
        if self.used >= 32 {
            self.used -= 32;
            let word = (self.acc >> self.used) as u32;
            self.bytes.extend_from_slice(&word.to_be_bytes());
        }
    }

    /// `q` one-bits and a zero, then the low `k` bits of `low`.
    #[inline(always)]
    fn unary_then(&mut self, mut q: u32, low: u32, k: u32) {
        while q >= 32 {
            self.bits(u32::MAX, 32);
            q -= 32;
        }
        let ones = ((1u64 << (q + 1)) - 2) as u32;
        if q + 1 + k <= 32 {
            let low = low & ((1u64 << k) - 1) as u32;
            self.bits((ones << k) | low, q + 1 + k);
        } else {
            self.bits(ones, q + 1);
            self.bits(low, k);
        }
    }

    #[inline]
    fn rice(&mut self, n: u32, k: u32) {
        self.unary_then(n >> k, n, k);
    }

    /// Elias gamma of `n` ≥ 1: the bit length in unary, then the bits below the top one.
    #[inline]
    fn gamma(&mut self, n: u32) {
        let len = n.max(1).ilog2();
        self.unary_then(len, n, len);
    }

    fn finish(mut self) -> Vec<u8> {
        while self.used >= 8 {
            self.used -= 8;
            self.bytes.push((self.acc >> self.used) as u8);
        }
        if self.used > 0 {
            self.bytes.push((self.acc << (8 - self.used)) as u8);
        }
        self.bytes
    }
}

struct BitReader<'a> {
    bytes: &'a [u8],
    bit: usize,
}

impl BitReader<'_> {
    fn bit(&mut self) -> u32 {
        let byte = self.bytes.get(self.bit / 8).copied().unwrap_or(0);
        let b = (byte >> (7 - self.bit % 8)) & 1;
        self.bit += 1;
        u32::from(b)
    }

    fn bits(&mut self, n: u32) -> u32 {
        (0..n).fold(0, |v, _| (v << 1) | self.bit())
    }

    fn unary(&mut self) -> u32 {
        let mut q = 0;
        // Past the end every bit reads as zero, so this ends on bad input too.
        while self.bit() == 1 {
            q += 1;
        }
        q
    }

    fn rice(&mut self, k: u32) -> u32 {
        let q = self.unary();
        (q << k) | self.bits(k)
    }

    fn gamma(&mut self) -> u32 {
        let len = self.unary();
        (1 << len) | self.bits(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(entries: Vec<Entry>, positional: bool, lengths: &[u32]) {
        let layout = Layout {
            documents: lengths.len() as u32,
            lengths,
        };
        let bytes = encode(&entries, positional, layout);
        assert_eq!(
            decode(&bytes, entries.len() as u32, positional, layout),
            entries
        );
    }

    #[test]
    fn positional_postings_round_trip() {
        let lengths = [10, 100_000, 3, 70];
        round_trip(
            vec![
                (0, 3, vec![0, 1, 9]),
                (1, 2, vec![5, 99_999]),
                (3, 1, vec![69]),
            ],
            true,
            &lengths,
        );
    }

    #[test]
    fn document_lists_round_trip_with_extreme_gaps() {
        let lengths = vec![1; 1_000_000];
        round_trip(
            vec![(0, 1, vec![]), (999_999, 40_000, vec![])],
            false,
            &lengths,
        );
        round_trip(
            (0..1000).map(|d| (d, d + 1, vec![])).collect(),
            false,
            &lengths,
        );
    }

    #[test]
    fn rice_parameter_follows_the_mean_gap() {
        assert_eq!(rice_k(0, 5), 0);
        assert_eq!(rice_k(1000, 1), 9); // 687 → 2^9
        assert_eq!(rice_k(1000, 1000), 0);
    }

    #[test]
    fn codes_are_compact() {
        let lengths = [6000];
        let layout = Layout {
            documents: 1,
            lengths: &lengths,
        };
        let positions: Vec<u32> = (0..100).map(|n| n * 60).collect();
        let bytes = encode(&[(0, 100, positions)], true, layout);
        assert!(bytes.len() < 100, "{} bytes for 100 positions", bytes.len());
    }

    /// Codes written one bit at a time, the definition `BitWriter` packs.
    fn bit_by_bit(codes: &[(bool, u32, u32)]) -> Vec<u8> {
        let mut bits = Vec::new();
        let mut code = |q: u32, n: u32, k: u32| {
            bits.extend(std::iter::repeat_n(true, q as usize));
            bits.push(false);
            bits.extend((0..k).rev().map(|b| n >> b & 1 == 1));
        };
        for &(gamma, n, k) in codes {
            match gamma {
                true => code(n.ilog2(), n, n.ilog2()),
                false => code(n >> k, n, k),
            }
        }
        let byte = |c: &[bool]| {
            c.iter()
                .enumerate()
                .fold(0u8, |b, (i, &on)| b | u8::from(on) << (7 - i))
        };
        bits.chunks(8).map(byte).collect()
    }

    proptest::proptest! {
        #[test]
        fn packed_writes_equal_bit_by_bit_writes(
            codes in proptest::collection::vec((proptest::bool::ANY, 1u32..u32::MAX, 0u32..24), 0..200)
        ) {
            // Large quotients only with large parameters, as rice_k chooses.
            let codes: Vec<_> = codes.into_iter().map(|(g, n, k)| (g, (n >> (24 - k)).max(1), k)).collect();
            let mut w = BitWriter::default();
            for &(gamma, n, k) in &codes {
                match gamma {
                    true => w.gamma(n),
                    false => w.rice(n, k),
                }
            }
            proptest::prop_assert_eq!(w.finish(), bit_by_bit(&codes));
        }
    }
}
