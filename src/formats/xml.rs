//! What the manifest and project readers share: a namespace-aware quick-xml reader over decoded
//! text that refuses DTDs and undefined entities, and turns every failure into a message with a
//! line and column.

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::formats::text::{LineIndex, Location};

/// A failure to read well-formed, DTD-free XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlProblem {
    pub location: Location,
    pub message: String,
}

/// One element start as the readers need it: its namespace and local name, its attributes and
/// where it starts in the text.
#[derive(Debug)]
pub struct Element {
    pub namespace: Option<String>,
    pub local_name: String,
    pub attributes: Vec<Attribute>,
    pub offset: usize,
    /// `true` for `<x/>`: no children will follow and no end event.
    pub empty: bool,
}

#[derive(Debug, Clone)]
pub struct Attribute {
    /// The qualified name as written (`Id`, `xmlns:x`, `x:Id`).
    pub name: String,
    pub value: String,
    /// Byte offset of the attribute name in the text.
    pub offset: usize,
}

impl Element {
    /// The value of an attribute without a namespace prefix, matched case-sensitively as XML does.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

/// Structural events the readers act on; text, comments, declarations and processing
/// instructions are consumed silently (and checked for well-formedness by quick-xml).
pub enum XmlEvent {
    Start(Element),
    End,
    /// A piece of character data inside the root, untrimmed, with its offset; an entity
    /// reference arrives as its own piece, so consumers concatenate consecutive pieces.
    Text(String, usize),
    Eof,
}

pub struct XmlReader<'a> {
    reader: NsReader<&'a [u8]>,
    index: LineIndex<'a>,
    text: &'a str,
    depth: usize,
    seen_root: bool,
}

impl<'a> XmlReader<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut reader = NsReader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        XmlReader {
            reader,
            index: LineIndex::new(text),
            text,
            depth: 0,
            seen_root: false,
        }
    }

    pub fn location(&self, offset: usize) -> Location {
        let (line, column) = self.index.line_col(offset);
        Location { line, column }
    }

    fn problem(&self, offset: usize, message: impl Into<String>) -> XmlProblem {
        XmlProblem {
            location: self.location(offset),
            message: message.into(),
        }
    }

    /// Depth of the element whose content is being read (0 = outside the root).
    pub fn depth(&self) -> usize {
        self.depth
    }

    pub fn next_event(&mut self) -> Result<XmlEvent, XmlProblem> {
        loop {
            let start = self.reader.buffer_position() as usize;
            let (ns, event) = match self.reader.read_resolved_event() {
                Ok((ns, ev)) => (resolve(ns), ev),
                Err(e) => {
                    let at = self.reader.error_position() as usize;
                    return Err(self.problem(at, format!("malformed XML: {e}")));
                }
            };
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(event, Event::Empty(_));
                    if self.depth == 0 && self.seen_root {
                        return Err(self.problem(
                            start,
                            "malformed XML: a second root element; an XML document has exactly one",
                        ));
                    }
                    self.seen_root = true;
                    let element = self.element(e, ns, start, empty)?;
                    if !empty {
                        self.depth += 1;
                    }
                    return Ok(XmlEvent::Start(element));
                }
                Event::End(_) => {
                    self.depth -= 1;
                    return Ok(XmlEvent::End);
                }
                Event::Text(t) => {
                    let raw: &str = t.as_ref();
                    if self.depth == 0 {
                        if raw.trim().is_empty() {
                            continue;
                        }
                        return Err(
                            self.problem(start, "malformed XML: text outside the root element")
                        );
                    }
                    return Ok(XmlEvent::Text(t.xml10_content().into_owned(), start));
                }
                Event::CData(t) => {
                    if self.depth == 0 {
                        return Err(
                            self.problem(start, "malformed XML: CDATA outside the root element")
                        );
                    }
                    let text = t.xml10_content().into_owned();
                    return Ok(XmlEvent::Text(text, start));
                }
                Event::GeneralRef(r) => {
                    self.check_reference(&r, start)?;
                    if self.depth == 0 {
                        return Err(
                            self.problem(start, "malformed XML: text outside the root element")
                        );
                    }
                    let text = resolve_reference(&r).unwrap_or_default();
                    return Ok(XmlEvent::Text(text, start));
                }
                Event::DocType(_) => {
                    // .NET's XmlReader prohibits DTDs by default; refusing them also rules out
                    // entity-expansion attacks and external entities without resolving anything.
                    return Err(self.problem(
                        start,
                        "a DOCTYPE declaration is not allowed (DTDs and entity declarations are never processed)",
                    ));
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => continue,
                Event::Eof => {
                    if self.depth > 0 {
                        return Err(self.problem(
                            self.text.len(),
                            "malformed XML: unexpected end of file; an element is not closed",
                        ));
                    }
                    if !self.seen_root {
                        return Err(self.problem(self.text.len(), "malformed XML: no root element"));
                    }
                    return Ok(XmlEvent::Eof);
                }
            }
        }
    }

    fn check_reference(&self, r: &BytesRef<'_>, offset: usize) -> Result<(), XmlProblem> {
        if resolve_reference(r).is_some() {
            Ok(())
        } else {
            let name: &str = r.as_ref();
            Err(self.problem(
                offset,
                format!("malformed XML: reference to undefined entity `&{name};`"),
            ))
        }
    }

    fn element(
        &self,
        e: &BytesStart<'_>,
        namespace: Option<String>,
        offset: usize,
        empty: bool,
    ) -> Result<Element, XmlProblem> {
        let local_name = e.local_name().as_ref().to_string();
        let raw_start = offset;
        let mut attributes = Vec::new();
        for attr in e.attributes().with_checks(true) {
            let attr = attr.map_err(|err| self.problem(offset, format!("malformed XML: {err}")))?;
            let name = attr.key.as_ref().to_string();
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| {
                    self.problem(offset, format!("malformed XML: attribute `{name}`: {err}"))
                })?
                .into_owned();
            let at = self.attribute_offset(raw_start, &name).unwrap_or(offset);
            attributes.push(Attribute {
                name,
                value,
                offset: at,
            });
        }
        Ok(Element {
            namespace,
            local_name,
            attributes,
            offset,
            empty,
        })
    }

    /// Finds where `name=` is written inside the start tag that begins at `tag_start`.
    fn attribute_offset(&self, tag_start: usize, name: &str) -> Option<usize> {
        // Offsets come from the XML reader; never trust them to be a char boundary.
        let rest = self.text.get(tag_start..)?;
        let tag_len = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..tag_len];
        let mut from = 0;
        while let Some(i) = tag[from..].find(name) {
            let at = from + i;
            let before_ok = tag[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_whitespace());
            let after = tag[at + name.len()..].trim_start();
            if before_ok && after.starts_with('=') {
                return Some(tag_start + at);
            }
            from = at + name.len();
        }
        None
    }

    /// Skips the content of the element just started (after a `Start` that was not empty).
    pub fn skip_element(&mut self) -> Result<(), XmlProblem> {
        let target = self.depth - 1;
        while self.depth > target {
            if let XmlEvent::Eof = self.next_event()? {
                break;
            }
        }
        Ok(())
    }
}

fn resolve(ns: ResolveResult<'_>) -> Option<String> {
    match ns {
        ResolveResult::Bound(n) => Some(n.as_ref().to_string()),
        _ => None,
    }
}

/// The five predefined entities and character references; anything else is undefined.
fn resolve_reference(r: &BytesRef<'_>) -> Option<String> {
    let name: &str = r.as_ref();
    let ch = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some(ch.to_string())
}
