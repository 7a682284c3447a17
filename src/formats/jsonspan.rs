//! Byte spans of JSON object members, found without building a tree: used to point messages at
//! the line of a deps.json key and to splice edits into the original text. The input has already
//! been validated by serde_json; errors carry the byte offset where scanning stopped.

/// The members of the object reached by following `path` (keys of nested objects) from the root;
/// `None` when a key on the way is missing.
pub(crate) fn members_at(text: &str, path: &[&str]) -> Result<Option<Vec<Member>>, usize> {
    let bytes = text.as_bytes();
    let mut members = Scanner::at(bytes, 0).object_members()?;
    for key in path {
        let Some(m) = members.iter().find(|m| m.key == *key) else {
            return Ok(None);
        };
        members = Scanner::at(bytes, m.value.0).object_members()?;
    }
    Ok(Some(members))
}

pub(crate) struct Member {
    pub key: String,
    pub key_start: usize,
    pub key_end: usize,
    /// Byte span of the value.
    pub value: (usize, usize),
}

pub(crate) struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    pub fn at(b: &'a [u8], i: usize) -> Self {
        Scanner { b, i }
    }

    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\r' | b'\n') {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), usize> {
        self.ws();
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.i)
        }
    }

    /// Members of the object starting at the cursor (after whitespace).
    pub fn object_members(&mut self) -> Result<Vec<Member>, usize> {
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(members);
        }
        loop {
            self.ws();
            let key_start = self.i;
            self.string()?;
            let key_end = self.i;
            let key: String =
                serde_json::from_slice(&self.b[key_start..key_end]).map_err(|_| key_start)?;
            self.expect(b':')?;
            self.ws();
            let value_start = self.i;
            self.value()?;
            members.push(Member {
                key,
                key_start,
                key_end,
                value: (value_start, self.i),
            });
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(members);
                }
                _ => return Err(self.i),
            }
        }
    }

    fn string(&mut self) -> Result<(), usize> {
        if self.b.get(self.i) != Some(&b'"') {
            return Err(self.i);
        }
        self.i += 1;
        while let Some(&c) = self.b.get(self.i) {
            self.i += 1;
            match c {
                b'\\' => self.i += 1,
                b'"' => return Ok(()),
                _ => {}
            }
        }
        Err(self.i)
    }

    /// Skips one value of any kind without recursion (depth is counted, not stacked).
    fn value(&mut self) -> Result<(), usize> {
        let mut depth = 0usize;
        loop {
            self.ws();
            match self.b.get(self.i) {
                Some(b'"') => self.string()?,
                Some(b'{' | b'[') => {
                    depth += 1;
                    self.i += 1;
                    continue;
                }
                Some(b'}' | b']') if depth > 0 => {
                    depth -= 1;
                    self.i += 1;
                }
                Some(b',' | b':') if depth > 0 => {
                    self.i += 1;
                    continue;
                }
                Some(c) if c.is_ascii_alphanumeric() || *c == b'-' => {
                    while self.b.get(self.i).is_some_and(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.')
                    }) {
                        self.i += 1;
                    }
                }
                _ => return Err(self.i),
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }
}
