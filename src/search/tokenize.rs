//! Tokenisation for the search index: CJK text becomes overlapping character
//! bigrams (plus unigrams for one-character queries), Latin words and numbers
//! become whole case-folded words (UAX #29 word boundaries), everything else
//! (spaces, full-width and ASCII punctuation) separates tokens.
//!
//! Every CJK character, word and separator run takes one position, so two
//! tokens are adjacent in the text exactly when their positions are. The
//! browser script (`search.js`) mirrors these rules; keep them in step.

use unicode_segmentation::UnicodeSegmentation;

/// A token as the index stores it; the CJK kinds carry their characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// Two adjacent CJK characters (`法律`), positions kept.
    Bigram(char, char),
    /// One CJK character; only which documents contain it is kept.
    Unigram(char),
    /// A case-folded Latin word or number (`gdpr`, `2021`), positions kept.
    Word(String),
    /// The first CJK character of a run that directly follows a word (`^条` in `5条`).
    RunStart(char),
    /// The last CJK character of a run directly followed by a word (`第$` in `第5`).
    RunEnd(char),
    /// The document has an article with this number (`§10`); not positional.
    Article(u32),
}

impl Key {
    /// True when the index keeps this key's positions.
    pub fn positional(&self) -> bool {
        !matches!(self, Key::Unigram(_) | Key::Article(_))
    }

    /// The key as written in index shards (`法律`, `法`, `gdpr`, `^条`, `第$`).
    pub fn text(&self) -> String {
        match self {
            Key::Bigram(a, b) => [*a, *b].iter().collect(),
            Key::Unigram(c) => c.to_string(),
            Key::Word(w) => w.clone(),
            Key::RunStart(c) => format!("^{c}"),
            Key::RunEnd(c) => format!("{c}$"),
            Key::Article(n) => format!("§{n}"),
        }
    }
}

/// One token: what it is and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Index key.
    pub key: Key,
    /// Position in the document's token stream.
    pub pos: u32,
}

/// Receives a text's tokens in position order. CJK characters, most of a
/// text, come through methods of their own, so a sink that only counts
/// them need not build and match a [`Key`] for each.
pub trait Sink {
    /// A token.
    fn token(&mut self, key: Key, pos: u32);

    /// Two adjacent CJK characters, the first at `pos`.
    #[inline(always)]
    fn bigram(&mut self, a: char, b: char, pos: u32) {
        self.token(Key::Bigram(a, b), pos);
    }

    /// One CJK character at `pos`.
    #[inline(always)]
    fn unigram(&mut self, c: char, pos: u32) {
        self.token(Key::Unigram(c), pos);
    }
}

impl<F: FnMut(Token)> Sink for F {
    fn token(&mut self, key: Key, pos: u32) {
        self(Token { key, pos });
    }
}

/// True for characters indexed as CJK: Han (with extensions and
/// compatibility ideographs), 〇, kana and Hangul. `search.js` uses the same ranges.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3007 | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Full-width ASCII letters and digits as ASCII, then lower case.
fn fold(c: char) -> impl Iterator<Item = char> {
    let c = match c as u32 {
        0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => c,
    };
    c.to_lowercase()
}

/// What came just before the current character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    Gap,
    Cjk(char),
    Word,
}

/// Streams tokens of successive texts, numbering positions continuously.
pub struct Tokenizer {
    pos: u32,
    prev: Prev,
}

impl Default for Tokenizer {
    fn default() -> Self {
        Tokenizer::new()
    }
}

impl Tokenizer {
    /// Start at position 0.
    pub fn new() -> Tokenizer {
        Tokenizer {
            pos: 0,
            prev: Prev::Gap,
        }
    }

    /// The next free position.
    pub fn position(&self) -> u32 {
        self.pos
    }

    /// Leave a gap: nothing after it is adjacent to anything before it.
    pub fn gap(&mut self) {
        if self.prev != Prev::Gap {
            self.pos += 1;
            self.prev = Prev::Gap;
        }
    }

    /// Tokenise `text`, handing each token to `sink` in position order.
    /// CJK characters are decoded once, as they come; the text between
    /// them goes to `latin` in one piece (never empty).
    pub fn feed(&mut self, text: &str, sink: &mut impl Sink) {
        let mut other = None;
        for (i, c) in text.char_indices() {
            if is_cjk(c) {
                if let Some(start) = other.take() {
                    self.latin(&text[start..i], sink);
                }
                self.cjk(c, sink);
            } else if other.is_none() {
                other = Some(i);
            }
        }
        if let Some(start) = other {
            self.latin(&text[start..], sink);
        }
    }

    #[inline]
    fn cjk(&mut self, c: char, sink: &mut impl Sink) {
        let pos = self.pos;
        match self.prev {
            Prev::Cjk(p) => sink.bigram(p, c, pos - 1),
            Prev::Word => sink.token(Key::RunStart(c), pos),
            Prev::Gap => {}
        }
        sink.unigram(c, pos);
        self.prev = Prev::Cjk(c);
        self.pos += 1;
    }

    fn latin(&mut self, text: &str, sink: &mut impl Sink) {
        // Most text between CJK runs is a punctuation mark or a space: no
        // word in it, so it is a gap, whatever its word boundaries. (Only
        // because it is never empty: empty text would be no gap.)
        debug_assert!(!text.is_empty());
        if !text.chars().any(char::is_alphanumeric) {
            self.gap();
            return;
        }
        for segment in text.split_word_bounds() {
            if segment.chars().any(char::is_alphanumeric) {
                if let Prev::Cjk(p) = self.prev {
                    sink.token(Key::RunEnd(p), self.pos - 1);
                }
                let word = segment.chars().flat_map(fold).collect();
                sink.token(Key::Word(word), self.pos);
                self.prev = Prev::Word;
                self.pos += 1;
            } else {
                self.gap();
            }
        }
    }
}

/// All tokens of one text, positions from 0.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    Tokenizer::new().feed(text, &mut |t| out.push(t));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<(String, u32)> {
        tokens(text)
            .into_iter()
            .map(|t| (t.key.text(), t.pos))
            .collect()
    }

    fn k(list: &[(&str, u32)]) -> Vec<(String, u32)> {
        list.iter().map(|(s, p)| (s.to_string(), *p)).collect()
    }

    #[test]
    fn cjk_becomes_overlapping_bigrams_and_unigrams() {
        assert_eq!(
            keys("法律责任"),
            k(&[
                ("法", 0),
                ("法律", 0),
                ("律", 1),
                ("律责", 1),
                ("责", 2),
                ("责任", 2),
                ("任", 3)
            ])
        );
    }

    #[test]
    fn full_width_punctuation_separates() {
        let t = keys("法律，责任。");
        assert!(!t.iter().any(|(k, _)| k == "律责"));
        let pos = |key: &str| t.iter().find(|(k, _)| k == key).unwrap().1;
        assert_eq!(pos("责任"), pos("法律") + 3, "the comma takes a position");
        assert!(keys("法律（试行）").contains(&("试".to_string(), 3)));
    }

    #[test]
    fn latin_words_and_numbers_are_whole_and_case_folded() {
        let words: Vec<_> = tokens("GDPR and the e-Privacy Directive, 2021")
            .into_iter()
            .filter_map(|t| match t.key {
                Key::Word(w) => Some(w),
                _ => None,
            })
            .collect();
        assert_eq!(
            words,
            ["gdpr", "and", "the", "e", "privacy", "directive", "2021"]
        );
        assert_eq!(keys("ＧＤＰＲ２０２１")[0].0, "gdpr2021");
    }

    #[test]
    fn mixed_text_marks_run_edges_next_to_words() {
        assert_eq!(
            keys("依第5条"),
            k(&[
                ("依", 0),
                ("依第", 0),
                ("第", 1),
                ("第$", 1),
                ("5", 2),
                ("^条", 3),
                ("条", 3)
            ])
        );
        let t = keys("2021年 GDPR");
        assert_eq!(t[0], ("2021".to_string(), 0));
        assert_eq!(t[1], ("^年".to_string(), 1));
        assert_eq!(t.last().unwrap(), &("gdpr".to_string(), 3));
    }

    #[test]
    fn positions_continue_across_texts_with_gaps() {
        let mut tk = Tokenizer::new();
        let mut out = Vec::new();
        tk.feed("法律", &mut |t| out.push(t));
        tk.gap();
        tk.feed("责任", &mut |t| out.push(t));
        assert!(!out.iter().any(|t| t.key == Key::Bigram('律', '责')));
        assert_eq!(out.last().unwrap().pos, 4);
    }
}
