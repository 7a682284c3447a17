//! Decoding input files to text and turning byte offsets into line and column numbers, so every
//! reader can point at the exact place of a problem.

use std::borrow::Cow;

/// Why bytes could not be decoded as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the file is not valid UTF-8 (first bad byte at offset {offset}, line {line}, column {column})")]
    InvalidUtf8 {
        offset: usize,
        line: usize,
        column: usize,
    },
    #[error("the file starts with a UTF-16 byte order mark but is not valid UTF-16")]
    InvalidUtf16,
}

/// Decodes a text file as .NET readers do: a UTF-8 BOM is skipped, a UTF-16 BOM (either byte
/// order) switches to UTF-16, anything else must be UTF-8.
/// How a text file was stored, so a rewrite stores it the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    /// The encoding [`decode`] reads `bytes` in (by their byte order mark).
    pub fn of(bytes: &[u8]) -> Encoding {
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            Encoding::Utf8Bom
        } else if bytes.starts_with(b"\xFF\xFE") {
            Encoding::Utf16Le
        } else if bytes.starts_with(b"\xFE\xFF") {
            Encoding::Utf16Be
        } else {
            Encoding::Utf8
        }
    }

    /// `text` stored in this encoding, with its byte order mark.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Encoding::Utf8 => text.as_bytes().to_vec(),
            Encoding::Utf8Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
            Encoding::Utf16Le => [0xFF, 0xFE]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                .collect(),
            Encoding::Utf16Be => [0xFE, 0xFF]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
                .collect(),
        }
    }
}

pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest, 3).map(Cow::Borrowed);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes).map(Cow::Owned);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes).map(Cow::Owned);
    }
    utf8(bytes, 0).map(Cow::Borrowed)
}

fn utf8(bytes: &[u8], bom: usize) -> Result<&str, DecodeError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = e.valid_up_to();
        // The prefix up to `good` is valid UTF-8 by definition.
        let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or("");
        let (line, column) = LineIndex::new(prefix).line_col(good);
        DecodeError::InvalidUtf8 {
            offset: good + bom,
            line,
            column,
        }
    })
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, DecodeError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(DecodeError::InvalidUtf16);
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| DecodeError::InvalidUtf16)
}

/// Maps byte offsets in a text to 1-based line and column numbers (columns count characters).
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, line_starts }
    }

    /// 1-based (line, column) of a byte offset; offsets past the end map to the end.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[start..end].chars().count() + 1;
        (line + 1, column)
    }
}

impl LineIndex<'_> {
    /// Byte offset of a 1-based line and column (columns count characters); clamps to the end.
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        self.text[start..]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map(|(i, _)| start + i)
            .unwrap_or(self.text.len())
    }
}

/// The last component of `path` as text (lossy), or empty when it has none.
pub fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Locations are diagnostics' vocabulary; readers produce them.
pub use crate::diagnostic::Location;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let t = "ab\ncd\r\nef";
        let ix = LineIndex::new(t);
        assert_eq!(ix.line_col(0), (1, 1));
        assert_eq!(ix.line_col(1), (1, 2));
        assert_eq!(ix.line_col(3), (2, 1));
        assert_eq!(ix.line_col(7), (3, 1));
        assert_eq!(ix.line_col(100), (3, 3));
        assert_eq!(ix.offset(2, 1), 3);
        assert_eq!(ix.offset(3, 2), 8);
        assert_eq!(ix.offset(9, 1), t.len());
    }

    #[test]
    fn columns_count_characters() {
        let t = "é<x";
        assert_eq!(LineIndex::new(t).line_col(2), (1, 2));
    }

    #[test]
    fn boms() {
        assert_eq!(decode(b"\xEF\xBB\xBFabc").unwrap(), "abc");
        assert_eq!(decode(b"\xFF\xFEa\0b\0").unwrap(), "ab");
        assert_eq!(decode(b"\xFE\xFF\0a\0b").unwrap(), "ab");
        assert_eq!(
            decode(b"\xFF\xFEa\0b").unwrap_err(),
            DecodeError::InvalidUtf16
        );
        assert_eq!(decode(b"plain").unwrap(), "plain");
    }

    #[test]
    fn invalid_utf8_points_at_the_byte() {
        let e = decode(b"ab\ncd\xFFef").unwrap_err();
        assert_eq!(
            e,
            DecodeError::InvalidUtf8 {
                offset: 5,
                line: 2,
                column: 3
            }
        );
    }
}
