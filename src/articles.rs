//! Article numbering: recognises paragraphs that open an article (`第十二条 …`)
//! and turns their Chinese or Arabic numerals into the number behind the
//! stable `#art-N` anchor.
//!
//! Pure text functions: `outline` decides with them which paragraphs are
//! articles; amending acts and comparisons read article numbers with them.

/// The zero-width space some published texts carry at the start of a line.
pub const ZERO_WIDTH: char = '\u{200b}';

/// If `text` opens an article (`第…条` followed by a space or the end), its number.
///
/// Leading Markdown emphasis (`**第一条**`) is skipped so bold article heads count.
pub fn article_number(text: &str) -> Option<u32> {
    let text = text.trim_start_matches(['*', '_', ' ', '\u{3000}', ZERO_WIDTH]);
    let rest = text.strip_prefix('第')?;
    let end = rest.find('条')?;
    let numeral = &rest[..end];
    if numeral.is_empty() || numeral.chars().count() > 12 {
        return None;
    }
    let after = rest[end + '条'.len_utf8()..].trim_start_matches(['*', '_']);
    let follows_cleanly = after
        .chars()
        .next()
        .is_none_or(|c| c.is_whitespace() || matches!(c, '【' | '：' | ':'));
    if !follows_cleanly {
        return None;
    }
    parse_numeral(numeral)
}

/// Value of a numeral written in Arabic digits or Chinese characters
/// (一百二十三, 一千零五, 十二, 两百, 〇).
pub fn parse_numeral(s: &str) -> Option<u32> {
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    let mut total: u32 = 0;
    let mut section: u32 = 0;
    let mut digit: Option<u32> = None;
    for c in s.chars() {
        match c {
            '零' | '〇' => digit = Some(0),
            '一' => digit = Some(1),
            '二' | '两' => digit = Some(2),
            '三' => digit = Some(3),
            '四' => digit = Some(4),
            '五' => digit = Some(5),
            '六' => digit = Some(6),
            '七' => digit = Some(7),
            '八' => digit = Some(8),
            '九' => digit = Some(9),
            '十' | '百' | '千' => {
                let unit = match c {
                    '十' => 10,
                    '百' => 100,
                    _ => 1000,
                };
                section += digit.take().unwrap_or(1) * unit;
            }
            '万' => {
                total += (section + digit.take().unwrap_or(0)) * 10_000;
                section = 0;
            }
            _ => return None,
        }
    }
    Some(total + section + digit.unwrap_or(0))
}

/// `n` in Chinese numerals as articles are numbered (十二, 一百零五, 二百三十).
/// Numbers from ten thousand on (no article has them) are written in digits.
pub fn numeral(n: u32) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 {
        return "零".into();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let units = [(1000, '千'), (100, '百'), (10, '十')];
    let mut out = String::new();
    let mut rest = n;
    let mut zero = false;
    for (value, unit) in units {
        let d = rest / value;
        rest %= value;
        if d > 0 {
            if zero {
                out.push('零');
                zero = false;
            }
            // 十二, not 一十二, when ten is the leading unit.
            if !(value == 10 && d == 1 && out.is_empty()) {
                out.push(DIGITS[d as usize]);
            }
            out.push(unit);
        } else if !out.is_empty() {
            zero = true;
        }
    }
    if rest > 0 {
        if zero {
            out.push('零');
        }
        out.push(DIGITS[rest as usize]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_chinese_numerals() {
        let cases = [
            ("一", 1),
            ("十", 10),
            ("十二", 12),
            ("二十", 20),
            ("一百零五", 105),
            ("一百二十三", 123),
            ("两百", 200),
            ("一千二百六十", 1260),
            ("一千零一", 1001),
            ("12", 12),
        ];
        for (text, n) in cases {
            assert_eq!(parse_numeral(text), Some(n), "{text}");
        }
        assert_eq!(parse_numeral("甲"), None);
    }

    #[test]
    fn writes_chinese_numerals_that_read_back() {
        for (n, text) in [
            (1, "一"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (105, "一百零五"),
            (110, "一百一十"),
            (1001, "一千零一"),
        ] {
            assert_eq!(numeral(n), text);
        }
        for n in 1..=2000 {
            assert_eq!(parse_numeral(&numeral(n)), Some(n), "{n}");
        }
        assert_eq!(numeral(10_000), "10000", "never panics");
    }

    #[test]
    fn recognises_article_openings_only() {
        assert_eq!(article_number("第一条 为了保护个人信息权益"), Some(1));
        assert_eq!(article_number("**第十条**　本法所称"), Some(10));
        assert_eq!(article_number("第5条"), Some(5));
        assert_eq!(article_number("第三条规定的情形"), None);
        assert_eq!(article_number("依照第三条 规定"), None);
        assert_eq!(article_number("第一章 总则"), None);
    }
}
